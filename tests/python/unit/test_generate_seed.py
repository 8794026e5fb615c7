from customer_segmentation.devtools import generate_seed


def test_bundled_seed_is_what_the_generator_makes():
    assert generate_seed.main(["--check"]) == 0


def test_generated_customers_have_the_shape_of_mall_data():
    rows = generate_seed.generate_customers()
    assert len(rows) == 200
    assert [row[0] for row in rows] == list(range(1, 201))
    assert {row[1] for row in rows} == {"Female", "Male"}
    assert all(18 <= row[2] <= 70 for row in rows)
    assert all(15 <= row[3] <= 137 for row in rows)
    assert all(1 <= row[4] <= 99 for row in rows)
    assert [row[3] for row in rows] == sorted(row[3] for row in rows)
    assert generate_seed.generate_customers() == rows


def test_another_seed_gives_other_customers():
    assert generate_seed.generate_customers(seed=1) != generate_seed.generate_customers()
