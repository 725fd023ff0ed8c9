"""The registry of checks: name -> function, default severity, description."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from .context import AuditContext, running_check


@dataclass(frozen=True)
class CheckSpec:
    """One registered check."""

    name: str
    function: Callable
    severity: str
    description: str
    #: relative run time on large reviews (from ``benchmarks/bench_engine.py --per-check``);
    #: parallel workers start the costliest checks first, so that none is left running alone
    cost: float = 1.0


#: name -> CheckSpec, in execution order
CHECKS: dict[str, CheckSpec] = {}


def register(name: str, severity: str, description: str, cost: float = 1.0):
    """Decorator adding a check function to :data:`CHECKS`.

    ``cost`` is a scheduling hint only (see :class:`CheckSpec`); it never changes results.

    The function takes an :class:`AuditContext` (or a Review, converted with default
    parameters) and returns ``(issues, recomputed)`` DataFrames. ``name`` is written here
    only: the function runs inside :func:`~.context.running_check`, so the rows it builds with
    ``ctx.issues`` and ``ctx.recomputed`` carry it.
    """

    def deco(fn):
        def wrapper(ctx, params=None):
            if not isinstance(ctx, AuditContext):
                ctx = AuditContext(ctx, params) if params is not None else AuditContext(ctx)
            with running_check(name):
                issues, rec = fn(ctx)
            return issues, rec

        wrapper.__name__ = fn.__name__
        wrapper.__qualname__ = fn.__qualname__
        wrapper.__doc__ = fn.__doc__
        wrapper.__module__ = fn.__module__
        wrapper.__wrapped__ = fn
        CHECKS[name] = CheckSpec(name, wrapper, severity, description, float(cost))
        return wrapper

    return deco


def checks_table() -> pd.DataFrame:
    """The registry as a table (for documentation and reports).

    Examples
    --------
    >>> import helpers.audit as a
    >>> "percent_vs_count" in set(a.checks_table()["check"])
    True
    """
    return pd.DataFrame(
        [{"check": c.name, "severity": c.severity, "description": c.description} for c in CHECKS.values()]
    )
