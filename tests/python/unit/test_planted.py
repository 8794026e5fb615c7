from customer_segmentation.devtools.planted import PLANTED_GROUPS, planted_customers


def test_planted_customers_are_deterministic_and_in_range():
    first = planted_customers(5_000, seed=3)
    assert first.equals(planted_customers(5_000, seed=3))
    assert not first.equals(planted_customers(5_000, seed=4))
    assert first.CustomerID.tolist() == list(range(1, 5_001))
    assert first["Spending Score (1-100)"].between(1, 100).all()
    assert first.Age.between(18, 90).all()
    shares = first.planted_segment.value_counts(normalize=True).sort_index()
    expected = [group[0] for group in PLANTED_GROUPS]
    assert max(abs(shares.to_numpy() - expected)) < 0.02


def test_planted_shape_options_change_what_they_say():
    base = planted_customers(20_000, seed=5)
    wide = planted_customers(20_000, seed=5, spread=2.0)
    # The same draw: ages and groups stay, income and spending spread further.
    assert wide.planted_segment.equals(base.planted_segment) and wide.Age.equals(base.Age)
    within = base.groupby("planted_segment")["Annual Income (k$)"].std()
    wider = wide.groupby("planted_segment")["Annual Income (k$)"].std()
    assert ((wider / within).between(1.7, 2.1)).all()
    fractional = planted_customers(20_000, seed=5, fractional=True)
    score = fractional["Spending Score (1-100)"]
    assert score.between(1, 100).all() and (score != score.round()).mean() > 0.9
    assert (score.round(2) == score).all()
    two = planted_customers(1_000, seed=5, groups=PLANTED_GROUPS[:2])
    assert set(two.planted_segment) == {0, 1}


def test_wide_customers_have_uuid_ids_nine_features_and_missing_incomes():
    import re

    from customer_segmentation.devtools.planted import (
        WIDE_FEATURES,
        WIDE_NUMERIC,
        planted_wide_customers,
    )

    first = planted_wide_customers(20_000, seed=3)
    assert first.equals(planted_wide_customers(20_000, seed=3))
    assert first.customer_id.is_unique
    assert first.customer_id.str.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    ).all()
    assert [column for column in first.columns if column in WIDE_NUMERIC] == list(WIDE_NUMERIC)
    assert 0.04 < first.income.isna().mean() < 0.06
    assert first.drop(columns="income").notna().all().all()
    assert set(first.plan) == {"basic", "plus", "premium", "family"}
    assert len(WIDE_FEATURES) == 9 and re.match("spend", WIDE_FEATURES[0]["column"])


def test_wide_money_columns_are_never_negative():
    from customer_segmentation.devtools.planted import WIDE_LOGGED, planted_wide_customers

    customers = planted_wide_customers(200_000, seed=11)
    assert (customers[list(WIDE_LOGGED)] >= 0).all().all()


def test_large_planted_files_are_written_a_chunk_at_a_time(tmp_path, monkeypatch):
    import pandas as pd

    from customer_segmentation.devtools import planted

    small = tmp_path / "small.parquet"
    planted.write_planted_parquet(small, 900)
    assert pd.read_parquet(small).equals(planted.planted_customers(900))

    monkeypatch.setattr(planted, "PLANTED_CHUNK_ROWS", 1_000)
    first, second = tmp_path / "first.parquet", tmp_path / "second.parquet"
    planted.write_planted_parquet(first, 2_500)
    planted.write_planted_parquet(second, 2_500)
    written = pd.read_parquet(first)
    assert written.equals(pd.read_parquet(second))
    assert written["CustomerID"].tolist() == list(range(1, 2_501))
    assert list(written.columns) == list(planted.planted_customers(10).columns)
    # Each chunk is its own draw: the chunks differ, and every group appears.
    assert (
        not written.iloc[:1000, 1:]
        .reset_index(drop=True)
        .equals(written.iloc[1000:2000, 1:].reset_index(drop=True))
    )
    assert sorted(written["planted_segment"].unique()) == [0, 1, 2, 3, 4]
