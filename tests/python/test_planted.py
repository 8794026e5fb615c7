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
