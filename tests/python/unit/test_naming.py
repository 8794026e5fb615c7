"""Segment names: persona rules where they hold, generated names elsewhere, distinct."""

from __future__ import annotations

import pandas as pd

from customer_segmentation.in_dbt.naming import (
    AVERAGE_NAME,
    descriptors,
    generated_name,
    name_segments,
)


def band(segment, feature, code, z=None, position=1, share=None, population=None):
    numeric = z is not None
    return {
        "candidate_segment": segment,
        "feature_name": feature,
        "feature_kind": "numeric" if numeric else "categorical",
        "dimension_position": position,
        "band_code": code,
        "band_label": code if not numeric else {"mid": "average"}.get(code, code),
        "centroid_z": z,
        "category_share": share,
        "population_share": population,
        "is_average_band": code == "mid" if numeric else False,
    }


def personas(*names):
    return pd.DataFrame(
        {
            "candidate_segment": range(1, len(names) + 1),
            "persona_name": list(names),
            "persona_summary": [None if name is None else f"about {name}" for name in names],
        }
    )


def test_strongest_differences_name_a_segment_no_rule_names():
    bands = pd.DataFrame(
        [
            band(1, "balance", "low", z=-0.6, position=1),
            band(1, "purchases", "high", z=1.4, position=2),
            band(1, "cash_advance", "low", z=-0.9, position=3),
            band(1, "tenure", "mid", z=0.1, position=4),
        ]
    )
    found = descriptors(bands)
    assert [text for _, _, text in found] == ["high purchases", "low cash advance", "low balance"]
    assert generated_name(found) == "High purchases, low cash advance"
    named = name_segments(bands, personas(None))
    assert named.segment_name.tolist() == ["High purchases, low cash advance"]
    assert named.persona_summary.tolist() == ["Customers with high purchases and low cash advance."]
    assert named.is_rule_named.tolist() == [False]


def test_an_over_represented_category_describes_a_segment():
    bands = pd.DataFrame(
        [
            band(1, "income", "mid", z=0.2, position=1),
            band(1, "education", "PhD", share=0.8, population=0.2, position=2),
        ]
    )
    assert generated_name(descriptors(bands)) == "Education PhD"
    # The most frequent category, but no more frequent than among everyone: nothing.
    common = pd.DataFrame([band(1, "education", "Graduation", share=0.5, population=0.5)])
    assert generated_name(descriptors(common)) == AVERAGE_NAME


def test_rule_names_win_and_colliding_names_add_what_tells_them_apart():
    bands = pd.DataFrame(
        [
            band(1, "income", "high", z=1.1, position=1),
            band(1, "spending", "high", z=1.2, position=2),
            band(1, "age", "low", z=-0.9, position=3),
            band(2, "income", "high", z=1.2, position=1),
            band(2, "spending", "high", z=1.0, position=2),
            band(2, "age", "high", z=0.8, position=3),
            band(3, "income", "low", z=-1.0, position=1),
            band(3, "spending", "low", z=-1.1, position=2),
            band(3, "age", "mid", z=0.0, position=3),
            band(4, "income", "low", z=-1.2, position=1),
            band(4, "spending", "low", z=-0.9, position=2),
            band(4, "age", "mid", z=0.1, position=3),
        ]
    )
    named = name_segments(bands, personas("Affluent", "Affluent", None, None))
    assert named.segment_name.tolist() == [
        # The rule's features are shared: the first difference tells them apart.
        "Affluent (low age)",
        "Affluent (high age)",
        # Strongest first, so the same two bands can read differently.
        "Low spending, low income",
        "Low income, low spending",
    ]
    assert named.persona_name.tolist()[:2] == ["Affluent", "Affluent"]


def test_generated_names_that_collide_add_their_next_difference():
    bands = pd.DataFrame(
        [
            band(1, "income", "low", z=-1.5, position=1),
            band(1, "spending", "low", z=-1.2, position=2),
            band(1, "age", "high", z=0.9, position=3),
            band(2, "income", "low", z=-1.4, position=1),
            band(2, "spending", "low", z=-1.1, position=2),
            band(2, "age", "low", z=-0.7, position=3),
        ]
    )
    named = name_segments(bands, personas(None, None))
    assert named.segment_name.tolist() == [
        "Low income, low spending, high age",
        "Low income, low spending, low age",
    ]


def test_names_are_distinct_even_when_nothing_tells_segments_apart():
    bands = pd.DataFrame([band(segment, "income", "mid", z=0.0) for segment in (1, 2, 3)])
    named = name_segments(bands, personas(None, None, None))
    assert named.segment_name.tolist() == [
        f"{AVERAGE_NAME} #1",
        f"{AVERAGE_NAME} #2",
        f"{AVERAGE_NAME} #3",
    ]
