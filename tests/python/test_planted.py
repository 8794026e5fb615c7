from customer_segmentation.planted import PLANTED_GROUPS, planted_customers


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
