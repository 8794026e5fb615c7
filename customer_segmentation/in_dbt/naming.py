"""Readable, distinct names for segments, from what distinguishes each one.

Persona rules (the persona_definitions seed) name the segments they match, in SQL. A
segment no rule names gets a generated name from its strongest distinguishing features
("High purchases, low cash advance"); two segments that would share a name are told
apart by their next distinguishing feature, then by a number. Pure functions on pandas
frames: the dbt Python model `int_segment_identity` calls `name_segments`.
"""

from __future__ import annotations

import math

import pandas as pd

# A categorical feature's most frequent category distinguishes a segment when its share
# there lies at least this many binomial standard deviations of one customer above its
# share among all customers (the counterpart of half a standard deviation on a numeric
# feature, the edge of the middle band).
CATEGORY_STRENGTH_FLOOR = 0.5
# At most this many features in a generated name.
NAME_FEATURES = 2
AVERAGE_NAME = "Average customers"


def feature_label(feature_name: str) -> str:
    """How a feature reads in a name: its output name with spaces ("cash advance")."""
    return feature_name.replace("_", " ")


def descriptors(bands: pd.DataFrame) -> list[tuple[float, str, str]]:
    """What distinguishes one segment, strongest first: (strength, feature, text).

    `bands` holds the segment's rows of int_segment_bands_fitted. A numeric feature
    counts when its centroid lies outside the average band, with strength |z| and text
    "<band label> <feature>" ("high purchases"). A categorical feature counts when its
    most frequent category is over-represented by CATEGORY_STRENGTH_FLOOR or more, with
    text "<feature> <category>" ("education PhD"). Ties keep the features' order.
    """
    found = []
    for row in bands.sort_values("dimension_position").itertuples():
        label = feature_label(row.feature_name)
        if row.feature_kind == "numeric":
            if bool(row.is_average_band) or pd.isna(row.centroid_z):
                continue
            band = str(row.band_label) if pd.notna(row.band_label) else "unbanded"
            found.append((abs(float(row.centroid_z)), row.feature_name, f"{band} {label}"))
        else:
            population = float(row.population_share)
            spread = math.sqrt(max(population * (1 - population), 1e-12))
            strength = (float(row.category_share) - population) / spread
            if strength >= CATEGORY_STRENGTH_FLOOR:
                found.append((strength, row.feature_name, f"{label} {row.band_code}"))
    # Stable: equal strengths keep the features' order.
    return sorted(found, key=lambda item: -item[0])


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def generated_name(found: list[tuple[float, str, str]], count: int = NAME_FEATURES) -> str:
    """ "High purchases, low cash advance" from the first `count` descriptors."""
    texts = [text for _, _, text in found[:count]]
    return _capitalised(", ".join(texts)) if texts else AVERAGE_NAME


def generated_summary(found: list[tuple[float, str, str]]) -> str:
    """A sentence from the first descriptors (the average customer's when there are none)."""
    texts = [text for _, _, text in found[:NAME_FEATURES]]
    if not texts:
        return "Customers close to the average on every segmentation feature."
    return f"Customers with {' and '.join(texts)}."


def name_segments(bands: pd.DataFrame, personas: pd.DataFrame) -> pd.DataFrame:
    """One row per segment: candidate_segment, segment_name (distinct), persona_name,
    persona_summary, is_rule_named.

    `personas` is int_segment_personas_fitted (a persona_name per candidate_segment,
    null where no rule holds); `bands` is int_segment_bands_fitted. Rule-named segments
    take the persona's name; others a generated one. Where names collide, each
    colliding segment adds its next distinguishing feature ("Affluent Enthusiasts (high
    age)"; "High income, low spending, high age"), and any still equal a number by
    candidate order.
    """
    segments = personas.sort_values("candidate_segment").reset_index(drop=True)
    found = {
        int(segment): descriptors(rows)
        for segment, rows in bands.groupby("candidate_segment", sort=True)
    }
    rows = []
    for persona in segments.itertuples():
        segment = int(persona.candidate_segment)
        mine = found.get(segment, [])
        if pd.notna(persona.persona_name):
            rows.append(
                {
                    "candidate_segment": segment,
                    "segment_name": str(persona.persona_name),
                    "persona_name": str(persona.persona_name),
                    "persona_summary": persona.persona_summary,
                    "is_rule_named": True,
                }
            )
        else:
            name = generated_name(mine)
            rows.append(
                {
                    "candidate_segment": segment,
                    "segment_name": name,
                    "persona_name": name,
                    "persona_summary": generated_summary(mine),
                    "is_rule_named": False,
                }
            )
    named = pd.DataFrame(
        rows,
        columns=[
            "candidate_segment",
            "segment_name",
            "persona_name",
            "persona_summary",
            "is_rule_named",
        ],
    )
    return _distinct(named, found)


def _distinct(named: pd.DataFrame, found: dict[int, list]) -> pd.DataFrame:
    """Tell colliding names apart: each colliding segment adds its strongest
    distinguishing feature that the others it collides with do not share, until the
    names differ or nothing is left to add; then numbers, in candidate order."""
    named = named.copy()
    texts = {segment: [text for _, _, text in each] for segment, each in found.items()}
    base_texts = {
        int(row.candidate_segment): (
            set() if row.is_rule_named else set(texts.get(int(row.candidate_segment), [])[:2])
        )
        for row in named.itertuples()
    }
    added: dict[int, list[str]] = {int(segment): [] for segment in named.candidate_segment}

    def name_of(row) -> str:
        segment = int(row.candidate_segment)
        if not added[segment]:
            return row.segment_name
        if row.is_rule_named:
            return f"{row.persona_name} ({', '.join(added[segment])})"
        return f"{row.persona_name}, {', '.join(added[segment])}"

    current = named.segment_name.copy()
    while True:
        colliding = current[current.duplicated(keep=False)]
        progressed = False
        for _, group in colliding.groupby(colliding):
            segments = [int(named.at[index, "candidate_segment"]) for index in group.index]
            shared = set.intersection(*(set(texts.get(each, [])) for each in segments))
            for index, segment in zip(group.index, segments, strict=True):
                options = [
                    text
                    for text in texts.get(segment, [])
                    if text not in shared
                    and text not in added[segment]
                    and text not in base_texts[segment]
                ]
                if options:
                    added[segment].append(options[0])
                    progressed = True
                current.at[index] = name_of(named.loc[index])
        if colliding.empty or not progressed:
            break
    named["segment_name"] = current
    colliding = named.segment_name.duplicated(keep=False)
    if colliding.any():
        order = named[colliding].groupby("segment_name").cumcount() + 1
        named.loc[colliding, "segment_name"] = [
            f"{name} #{number}"
            for name, number in zip(named.loc[colliding, "segment_name"], order, strict=True)
        ]
    return named
