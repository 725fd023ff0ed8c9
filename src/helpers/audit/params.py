"""Tunable tolerances of the audit engine (one documented dataclass)."""
from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field

from ..vocabularies import DEFAULT_ENDPOINT_PAIRS
from ..units import DAYS_PER_MONTH, WEEKS_PER_MONTH


def _default_endpoint_pairs() -> tuple[tuple[str, str], ...]:
    # (contained, containing): the contained endpoint's median cannot exceed the other's
    return DEFAULT_ENDPOINT_PAIRS


@dataclass(frozen=True)
class AuditParams:
    """Every tolerance, band and convention used by the checks.

    Attributes
    ----------
    alpha : float
        Significance level used to call a p-value "significant" (default 0.05).
    p_equal_alpha_significant : bool
        Whether a p printed exactly at alpha (P = 0.05) counts as significant. Default False:
        the usual rule is p < alpha; a review that calls P = 0.05 significant is then flagged
        only where the difference matters to a check.
    median_ratio_band : tuple of float
        Accepted range of (median_control / median_experimental) / HR (default (0.5, 1.5)).
    exponential_band_pp : float
        Accepted distance, in percentage points, between a landmark rate and the rate an
        exponential curve through the median predicts (default 20).
    weeks_per_month, days_per_month : float
        Unit conversion to months (4.345 and 30.44).
    percent_slip_units : float
        A percentage off its recomputed value by at most this many units of its last printed
        digit (beyond the rounding interval) is a warning (slip), beyond that an error (default 1).
    grim_max_n : int
        Largest denominator tried when inferring which denominators fit a percentage (default 500).
    grim_max_listed : int
        How many fitting denominators are listed in the evidence (default 8).
    partition_percent_total : float
        What percentages of a complete partition add up to (default 100).
    partition_shortfall_pp : float
        Percentages of one whole that fall short of the total by more than this many points
        are a warning; a smaller shortfall is info (an unprinted category, default 5).
    endpoint_pairs : tuple of (str, str)
        Endpoint pairs (contained, containing) for ``endpoint_order``. Default: the data
        directory's pairs (:data:`helpers.vocabularies.DEFAULT_ENDPOINT_PAIRS` plus those of its
        ``extracted/vocabularies.json``; an :class:`~helpers.audit.context.AuditContext` applies them).
    citation_match_min_values : int
        Smallest group of values for ``citation_value_match`` (default 2).
    landmark_equal_tolerance_months : float
        Landmark times within this distance of the median are not judged (default 0).
    or_adjusted_tolerance : float
        A printed odds ratio outside the rounding interval of the crude OR but within this
        relative distance of it is info (an adjusted/stratified estimate), beyond it a warning
        (default 0.1).
    """

    alpha: float = 0.05
    p_equal_alpha_significant: bool = False
    median_ratio_band: tuple[float, float] = (0.5, 1.5)
    exponential_band_pp: float = 20.0
    weeks_per_month: float = WEEKS_PER_MONTH
    days_per_month: float = DAYS_PER_MONTH
    percent_slip_units: float = 1.0
    grim_max_n: int = 500
    grim_max_listed: int = 8
    partition_percent_total: float = 100.0
    partition_shortfall_pp: float = 5.0
    endpoint_pairs: tuple[tuple[str, str], ...] = field(default_factory=_default_endpoint_pairs)
    citation_match_min_values: int = 2
    landmark_equal_tolerance_months: float = 0.0
    or_adjusted_tolerance: float = 0.1

    @classmethod
    def from_dict(cls, d: dict | None) -> "AuditParams":
        """Build parameters from a plain dict, rejecting unknown names and wrong types.

        Examples
        --------
        >>> AuditParams.from_dict({"alpha": 0.01}).alpha
        0.01
        >>> AuditParams.from_dict({"alpah": 0.01})
        Traceback (most recent call last):
        ...
        ValueError: unknown audit parameter(s): alpah; known: alpha, citation_match_min_values, days_per_month, endpoint_pairs, exponential_band_pp, grim_max_listed, grim_max_n, landmark_equal_tolerance_months, median_ratio_band, or_adjusted_tolerance, p_equal_alpha_significant, partition_percent_total, partition_shortfall_pp, percent_slip_units, weeks_per_month
        """
        d = dict(d or {})
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - set(fields))
        if unknown:
            raise ValueError(
                f"unknown audit parameter(s): {', '.join(unknown)}; known: {', '.join(sorted(fields))}"
            )
        hints = typing.get_type_hints(cls)
        out = {}
        for name, val in d.items():
            out[name] = _coerce(name, val, hints[name])
        return cls(**out)


def _coerce(name, val, hint):
    origin = typing.get_origin(hint)
    if hint is bool:
        if not isinstance(val, bool):
            raise TypeError(f"audit parameter {name!r} must be true or false, got {type(val).__name__}")
        return val
    if hint is float:
        if isinstance(val, bool) or not isinstance(val, (int, float)):
            raise TypeError(f"audit parameter {name!r} must be a number, got {type(val).__name__}")
        return float(val)
    if hint is int:
        if isinstance(val, bool) or not isinstance(val, int):
            raise TypeError(f"audit parameter {name!r} must be an integer, got {type(val).__name__}")
        return val
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(val, (list, tuple)):
            raise TypeError(f"audit parameter {name!r} must be a list/tuple, got {type(val).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(name, v, args[0]) for v in val)
        if len(val) != len(args):
            raise TypeError(f"audit parameter {name!r} must have {len(args)} items, got {len(val)}")
        return tuple(_coerce(name, v, a) for v, a in zip(val, args))
    if hint is str:
        if not isinstance(val, str):
            raise TypeError(f"audit parameter {name!r} must be a string, got {type(val).__name__}")
        return val
    raise TypeError(f"audit parameter {name!r}: unsupported type {hint}")  # pragma: no cover
