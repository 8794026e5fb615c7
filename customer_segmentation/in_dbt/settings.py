"""Validation of the vars the Python models read, shared by the models and tests.

The SQL side validates its own vars (macros/segmentation_settings.sql and
macros/feature_spec.sql); the Python models only see model-space columns prepared in
SQL, so no var of theirs names a column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

K_LIMITS = (2, 50)
ALGORITHMS = ("kmeans", "gmm", "ward", "dbscan")
DEFAULT_ALGORITHM = "kmeans"
# segment_k_rule: how k is chosen among the candidates (see clustering.choose_k).
K_RULES = ("elbow_silhouette", "silhouette", "gap")
DEFAULT_K_RULE = "elbow_silhouette"
GAP_REFERENCE_COUNT_LIMITS = (1, 100)

# scikit-learn's OpenMP threads for every fit: on a busy machine more threads spin
# against the database's, and fits on a bounded sample are small enough not to need more.
FIT_THREADS = 1


class SettingsError(ValueError):
    """A var has a value the project cannot use; the message says which and why."""


def whole_number(
    value: Any,
    name: str,
    allow_none: bool = False,
    low: int | None = None,
    high: int | None = None,
) -> int | None:
    """A whole-number var as a Python model receives it (a number or its rendered text,
    2.0 included), within [low, high] when given; unset (null, blank, "none") gives None
    when allowed. Anything else raises SettingsError naming the var. The one parser of
    whole-number vars."""
    expected = "a whole number" + (f" from {low} to {high}" if low is not None else "")
    if is_unset(value):
        if allow_none:
            return None
        raise SettingsError(f"{name} must be {expected}, got {value!r}")
    if isinstance(value, bool):
        raise SettingsError(f"{name} must be {expected}, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be {expected}, got {value!r}") from None
    if not number.is_integer() or (low is not None and not low <= number <= high):
        raise SettingsError(f"{name} must be {expected}, got {value!r}")
    return int(number)


def parse_algorithm(value: Any) -> str:
    """The algorithm named by `value`: one of ALGORITHMS, any case, spaces ignored.

    None or blank means the default, K-Means. Anything else is refused, naming the
    allowed values; nothing but those names ever comes back.
    """
    if value is None:
        return DEFAULT_ALGORITHM
    if isinstance(value, str):
        name = value.strip().lower()
        if not name:
            return DEFAULT_ALGORITHM
        if name in ALGORITHMS:
            return name
    raise SettingsError(f"segment_algorithm must be one of {', '.join(ALGORITHMS)}; got {value!r}")


def parse_k_rule(value: Any) -> str:
    """segment_k_rule: one of K_RULES, any case; None or blank is the default."""
    if value is None:
        return DEFAULT_K_RULE
    if isinstance(value, str):
        name = value.strip().lower()
        if not name or name in ("none", "null"):
            return DEFAULT_K_RULE
        if name in K_RULES:
            return name
    raise SettingsError(f"segment_k_rule must be one of {', '.join(K_RULES)}; got {value!r}")


def is_unset(value: Any) -> bool:
    """Whether a var is unset: null, or text that reads as nothing (blank, none, null)."""
    return value is None or (
        isinstance(value, str) and value.strip().lower() in ("", "none", "null")
    )


def finite_number(value: Any, name: str) -> float:
    """A number var (a number or its rendered text), finite; anything else raises
    SettingsError naming the var. The one parser of real-number vars."""
    if isinstance(value, bool):
        raise SettingsError(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be a number, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise SettingsError(f"{name} must be a finite number, got {value!r}")
    return number


@dataclass(frozen=True)
class FitSettings:
    """Everything the fit needs besides the data."""

    k_min: int = 2
    k_max: int = 10
    fixed_k: int | None = None
    random_state: int = 42
    n_init: int = 10
    silhouette_sample_size: int = 3_000
    selection_sample_size: int = 20_000
    outlier_iqr_multiplier: float = 3.0
    stability_resample_count: int = 5
    algorithm: str = DEFAULT_ALGORITHM
    k_rule: str = DEFAULT_K_RULE
    gap_reference_count: int = 10
    # DBSCAN's eps (model-space distance) and min_samples; None chooses them.
    dbscan_eps: float | None = None
    dbscan_min_samples: int | None = None

    @classmethod
    def from_config(cls, configured: dict[str, Any]) -> FitSettings:
        """Build from the model's config values, validating every one.

        A missing or null value takes the default, except segment_count where null
        means "choose k".
        """

        def get(name: str, default: Any) -> Any:
            value = configured.get(name)
            return default if value is None else value

        settings = cls(
            k_min=whole_number(get("segment_k_min", 2), "segment_k_min"),
            k_max=whole_number(get("segment_k_max", 10), "segment_k_max"),
            fixed_k=whole_number(configured.get("segment_count"), "segment_count", allow_none=True),
            random_state=whole_number(get("segment_random_state", 42), "segment_random_state"),
            n_init=whole_number(get("segment_n_init", 10), "segment_n_init"),
            silhouette_sample_size=whole_number(
                get("silhouette_sample_size", 3_000), "silhouette_sample_size"
            ),
            selection_sample_size=whole_number(
                get("segment_selection_sample_size", 20_000), "segment_selection_sample_size"
            ),
            outlier_iqr_multiplier=finite_number(
                get("outlier_iqr_multiplier", 3.0), "outlier_iqr_multiplier"
            ),
            stability_resample_count=whole_number(
                get("stability_resample_count", 5), "stability_resample_count"
            ),
            algorithm=parse_algorithm(configured.get("segment_algorithm")),
            k_rule=parse_k_rule(configured.get("segment_k_rule")),
            gap_reference_count=whole_number(get("gap_reference_count", 10), "gap_reference_count"),
            dbscan_eps=(
                None
                if is_unset(configured.get("dbscan_eps"))
                else finite_number(configured.get("dbscan_eps"), "dbscan_eps")
            ),
            dbscan_min_samples=whole_number(
                configured.get("dbscan_min_samples"), "dbscan_min_samples", allow_none=True
            ),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise SettingsError, naming the var, when the values do not fit together."""
        low, high = K_LIMITS
        if not low <= self.k_min <= self.k_max <= high:
            raise SettingsError(
                f"segment_k_min={self.k_min} and segment_k_max={self.k_max} must satisfy "
                f"{low} <= segment_k_min <= segment_k_max <= {high}"
            )
        if self.fixed_k is not None and self.algorithm == "dbscan":
            raise SettingsError(
                "segment_count cannot be used with segment_algorithm dbscan, which finds "
                "its own number of segments"
            )
        if self.fixed_k is not None and not low <= self.fixed_k <= high:
            raise SettingsError(f"segment_count={self.fixed_k} must be between {low} and {high}")
        if self.n_init < 1:
            raise SettingsError(f"segment_n_init must be at least 1, got {self.n_init}")
        if self.silhouette_sample_size < 100:
            raise SettingsError(
                f"silhouette_sample_size must be at least 100, got {self.silhouette_sample_size}"
            )

        if not 0 < self.outlier_iqr_multiplier <= 100:
            raise SettingsError(
                "outlier_iqr_multiplier must be above 0 and at most 100, got "
                f"{self.outlier_iqr_multiplier}"
            )
        if not 0 <= self.stability_resample_count <= 50:
            raise SettingsError(
                "stability_resample_count must be between 0 and 50, got "
                f"{self.stability_resample_count}"
            )
        low, high = GAP_REFERENCE_COUNT_LIMITS
        if not low <= self.gap_reference_count <= high:
            raise SettingsError(
                f"gap_reference_count must be between {low} and {high}, got "
                f"{self.gap_reference_count}"
            )
        if self.dbscan_eps is not None and not self.dbscan_eps > 0:
            raise SettingsError(f"dbscan_eps must be above 0, got {self.dbscan_eps}")
        if self.dbscan_min_samples is not None and self.dbscan_min_samples < 2:
            raise SettingsError(
                f"dbscan_min_samples must be at least 2, got {self.dbscan_min_samples}"
            )
        if self.selection_sample_size < 100:
            raise SettingsError(
                "segment_selection_sample_size must be at least 100, got "
                f"{self.selection_sample_size}"
            )

    def candidate_ks(self, row_count: int) -> list[int]:
        """The k values to fit: the fixed k (if any) is always among them.

        Silhouette needs 2 <= k <= n - 1, so k beyond the data is dropped; with a fixed k
        that does not fit the data the caller gets an error, not a silent change.
        """
        if row_count < 3:
            raise SettingsError(f"clustering needs at least 3 valid customers, got {row_count}")
        wanted = set(range(self.k_min, self.k_max + 1))
        if self.fixed_k is not None:
            if self.fixed_k > row_count - 1:
                raise SettingsError(
                    f"segment_count={self.fixed_k} needs more than {self.fixed_k} "
                    f"valid customers, got {row_count}"
                )
            wanted.add(self.fixed_k)
        usable = sorted(k for k in wanted if k <= row_count - 1)
        if not usable:
            raise SettingsError(
                f"segment_k_min={self.k_min} needs more than {self.k_min} valid customers, "
                f"got {row_count}"
            )
        return usable


def parse_match_distance(value: Any) -> float:
    """segment_match_max_distance: how close (standardised units) a refitted centroid
    must be to a previous one to keep its id."""
    distance = finite_number(0.5 if value is None else value, "segment_match_max_distance")
    if not 0 < distance <= 10:
        raise SettingsError(
            f"segment_match_max_distance must be above 0 and at most 10, got {distance}"
        )
    return distance


def parse_flag(value: Any, name: str, default: bool) -> bool:
    """A true/false var as a Python model receives it: a bool or its rendered text."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise SettingsError(f"{name} must be true or false, got {value!r}")
