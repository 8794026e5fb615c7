import pytest

from customer_segmentation.in_dbt.settings import (
    FitSettings,
    SettingsError,
    parse_flag,
    parse_match_distance,
)


def config(**values):
    return values


def test_settings_read_rendered_var_text():
    settings = FitSettings.from_config(
        config(segment_k_min="3", segment_k_max="6", segment_count="None", segment_n_init="4")
    )
    assert (settings.k_min, settings.k_max, settings.fixed_k, settings.n_init) == (3, 6, None, 4)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"segment_k_min": 6, "segment_k_max": 3}, "segment_k_min"),
        ({"segment_k_min": 1}, "segment_k_min"),
        ({"segment_count": 1}, "segment_count"),
        ({"segment_n_init": 0}, "segment_n_init"),
        ({"segment_k_max": "ten"}, "whole number"),
        ({"segment_k_max": 2.5}, "whole number"),
        ({"segment_selection_sample_size": 0}, "segment_selection_sample_size"),
        ({"silhouette_sample_size": -5}, "silhouette_sample_size"),
        ({"outlier_iqr_multiplier": 0}, "outlier_iqr_multiplier"),
        ({"outlier_iqr_multiplier": "nan"}, "outlier_iqr_multiplier"),
        ({"outlier_iqr_multiplier": "1; drop table x"}, "outlier_iqr_multiplier"),
        ({"stability_resample_count": -1}, "stability_resample_count"),
        ({"stability_resample_count": 51}, "stability_resample_count"),
    ],
)
def test_bad_numbers_are_refused(values, message):
    with pytest.raises(SettingsError, match=message):
        FitSettings.from_config(config(**values))


def test_candidate_ks_shrink_to_what_the_data_allows():
    assert FitSettings(k_min=2, k_max=10).candidate_ks(5) == [2, 3, 4]
    assert FitSettings(k_min=2, k_max=4, fixed_k=7).candidate_ks(100) == [2, 3, 4, 7]
    with pytest.raises(SettingsError, match="segment_count=7"):
        FitSettings(fixed_k=7).candidate_ks(5)
    with pytest.raises(SettingsError, match="at least 3"):
        FitSettings().candidate_ks(2)


@pytest.mark.parametrize("value", [0, -1, 11, "far", True, float("inf")])
def test_bad_match_distances_are_refused(value):
    with pytest.raises(SettingsError, match="segment_match_max_distance"):
        parse_match_distance(value)


def test_match_distance_defaults_and_reads_rendered_text():
    assert parse_match_distance(None) == 0.5
    assert parse_match_distance("0.8") == 0.8


def test_flags_read_bools_and_rendered_text_and_refuse_the_rest():
    assert parse_flag(None, "keep_segment_names", True) is True
    assert parse_flag("False", "keep_segment_names", True) is False
    assert parse_flag(True, "keep_segment_names", False) is True
    with pytest.raises(SettingsError, match="keep_segment_names must be true or false"):
        parse_flag("yes please", "keep_segment_names", True)
