"""run_audit: every registered check over one review, deterministic output."""
from __future__ import annotations

import gc
import multiprocessing
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .context import (ISSUE_COLUMNS, RECOMPUTED_COLUMNS, SEVERITIES, STATUSES, AuditContext,
                      _offsets, _str_object, empty_issues, empty_recomputed)
from .grouping import factorize_sorted, stable_order
from .lookups import text_order_rank
from .params import AuditParams
from .primary_sources import TABLES as SOURCE_CHECK_TABLES, source_tables
from .registry import CHECKS


@dataclass
class AuditResult:
    """Output of :func:`run_audit`.

    Attributes
    ----------
    recomputed : DataFrame
        value_id, check, recomputed, method, status (consistent / inconsistent / not_recomputable).
    inconsistencies : DataFrame
        check, severity, section, location, refs, study, quantity, reported, expected, message,
        value_ids; sorted by (section, location, check, value_ids).
    params : AuditParams
    """

    recomputed: pd.DataFrame
    inconsistencies: pd.DataFrame
    params: AuditParams = field(default_factory=AuditParams)
    #: the comparison with the cited sources (:class:`~.primary_sources.SourceTables`); ``None``
    #: when the review's data directory holds no ``external/`` figures or no source check was run
    sources: object = None

    def summary(self) -> pd.DataFrame:
        """Counts of findings by check and severity."""
        i = self.inconsistencies
        if i.empty:
            return pd.DataFrame(columns=["check", "severity", "n"])
        return i.groupby(["check", "severity"]).size().reset_index(name="n")


#: reviews with at least this many values are audited by parallel workers when ``n_jobs`` is None
PARALLEL_MIN_VALUES = 100_000


def usable_cpus() -> int:
    """Number of CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def choose_jobs(n_values: int, n_jobs: int | None = None) -> int:
    """Worker processes for auditing ``n_values`` values: ``n_jobs`` if given, else one per
    usable CPU for large reviews (≥ :data:`PARALLEL_MIN_VALUES`) and 1 (in-process) otherwise.
    Parallel runs need the ``fork`` start method (the workers inherit the prepared context).

    Examples
    --------
    >>> choose_jobs(600), choose_jobs(10**6, n_jobs=1)
    (1, 1)
    """
    if n_jobs is not None:
        if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
            raise ValueError(f"n_jobs must be a positive integer, got {n_jobs!r}")
        jobs = n_jobs
    else:
        jobs = usable_cpus() if n_values >= PARALLEL_MIN_VALUES else 1
    if jobs > 1 and "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover
        jobs = 1
    return jobs


#: output row order: issues and recomputed values are sorted on these columns (stable)
ISSUE_ORDER = ["section", "location", "check", "value_ids", "severity", "message"]
RECOMPUTED_ORDER = ["value_id", "check", "method", "recomputed"]

def _run_check(ctx: AuditContext, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One check's issues and recomputed rows as str, deduplicated and sorted on the output
    order without its ``check`` column (the merge in :func:`run_audit` relies on it)."""
    i, r = CHECKS[name].function(ctx)
    i = i[ISSUE_COLUMNS].fillna("").astype(str)
    r = r[RECOMPUTED_COLUMNS].fillna("").astype(str)
    return (_dedupe_sort(i, [c for c in ISSUE_ORDER if c != "check"]),
            _dedupe_sort(r, [c for c in RECOMPUTED_ORDER if c != "check"]))


def _packed(df: pd.DataFrame) -> tuple:
    """A frame of str columns as (columns, length, per column: integer codes and distinct values,
    the distinct values joined into one str when none holds NUL): far fewer Python objects to
    pickle from a worker, since checks repeat their words and ids.

    Examples
    --------
    >>> d = pd.DataFrame({"a": ["x", "y", "x"], "b": ["", "1", "2"]}).astype(str)
    >>> _unpacked(_packed(d)).equals(d)
    True
    """
    cols = []
    for c in df.columns:
        codes, uniq = pd.factorize(df[c].to_numpy(dtype=object))
        uniq = np.asarray(uniq, dtype=object)
        blob = "\0".join(uniq) if len(uniq) else None
        if blob is not None and blob.count("\0") == len(uniq) - 1:
            uniq = blob  # one str: unpickled at once (split again in _unpacked)
        cols.append((codes.astype("int32" if len(uniq) < 2 ** 31 else "int64"), uniq))
    return list(df.columns), len(df), cols


def _unpacked(packed: tuple) -> pd.DataFrame:
    """The frame :func:`_packed` was given (same columns, cells and dtype)."""
    columns, n, cols = packed
    out = {}
    for c, (codes, uniq) in zip(columns, cols):
        if isinstance(uniq, str):
            uniq = np.array(uniq.split("\0"), dtype=object)
        # the distinct values made str once (the dtype of ``astype(str)``), then taken
        out[c] = pd.Series(pd.array(uniq, dtype=str).take(codes), index=pd.RangeIndex(n), copy=False)
    return pd.DataFrame(out, index=pd.RangeIndex(n), columns=columns) if out else \
        pd.DataFrame(index=pd.RangeIndex(n), columns=columns).astype(str)


def _next_bundle(counter) -> int:
    """Index of the next bundle nobody has taken yet (``counter``: a shared integer)."""
    with counter.get_lock():
        k = counter.value
        counter.value = k + 1
    return k


def _worker(ctx: AuditContext, bundles: list[list[str]], counter, results) -> None:
    """A forked worker: take the next free bundle until none is left; put ``(k, packed outputs)``
    for each, or ``(-1, traceback)`` on failure, then ``None``."""
    try:
        while (k := _next_bundle(counter)) < len(bundles):
            out = []
            for name in bundles[k]:
                i, r = _run_check(ctx, name)
                out.append((_packed(i), _packed(r)))
            results.put((k, out))
    except BaseException:  # reported to the parent, which raises
        import traceback
        results.put((-1, traceback.format_exc()))
    results.put(None)


def _bundles(names: list[str]) -> list[list[str]]:
    """The checks grouped by the module that defines them, costliest bundle first.

    Checks of one module share its pairing steps (memoised on the context, see
    :meth:`AuditContext.memo`): run in one process, each shared step is computed once instead of
    once per process. Within a bundle checks keep the order of ``names``.
    """
    groups: dict[str, list[str]] = {}
    for n in names:
        groups.setdefault(getattr(CHECKS[n].function, "__module__", n), []).append(n)
    cost = {m: sum(CHECKS[n].cost for n in g) for m, g in groups.items()}
    return [groups[m] for m in sorted(groups, key=lambda m: -cost[m])]


def _run_checks(ctx: AuditContext, names: list[str], jobs: int) -> list:
    """Each check's output (see :func:`_run_check`), in the order of ``names``.

    When ``jobs`` > 1, ``jobs - 1`` forked workers and this process share the work: checks are
    bundled by module (costliest bundle first, see ``CheckSpec.cost``) and each process takes
    the next free bundle when it is done with one. This process's own bundles are neither
    pickled nor copied. The output does not depend on ``jobs``."""
    if jobs <= 1 or len(names) < 2:
        return [_run_check(ctx, n) for n in names]
    bundles = _bundles(names)
    if len(bundles) < 2:
        return [_run_check(ctx, n) for n in names]
    ctx.prepare()  # lookups every check uses: built once, before the workers inherit them
    mp = multiprocessing.get_context("fork")
    counter, results = mp.Value("l", 0), mp.Queue()  # put() does not wait for the reader
    # the objects that exist now are never collected in a worker: frozen, the workers' garbage
    # collector does not write to them (each write would copy a page the parent shares)
    gc.freeze()
    try:
        workers = [mp.Process(target=_worker, args=(ctx, bundles, counter, results), daemon=True)
                   for _ in range(min(jobs, len(bundles)) - 1)]
        for w in workers:
            w.start()
    finally:
        gc.unfreeze()
    result = {}
    try:
        while (k := _next_bundle(counter)) < len(bundles):
            for n in bundles[k]:
                result[n] = _run_check(ctx, n)
        running = len(workers)
        while running:
            got = results.get()
            if got is None:
                running -= 1
            elif got[0] < 0:
                raise RuntimeError(f"an audit worker failed:\n{got[1]}")
            else:
                k, outs = got
                for n, (i, r) in zip(bundles[k], outs):
                    result[n] = (_unpacked(i), _unpacked(r))
    finally:
        for w in workers:
            if w.is_alive():
                w.terminate()
            w.join()
    return [result[n] for n in names]


#: ``values`` columns a forked process factorises while the parent builds the context (the
#: context factorises the others it needs itself), see :func:`_start_early_lookups`
EARLY_COLUMNS = ("quantity", "study_id", "location", "unit", "subgroup")


def _early_lookups(review, conn) -> None:
    """In a forked process: :func:`factorize_sorted` of :data:`EARLY_COLUMNS` of the review's
    ``values`` table and its text order (:func:`text_order_rank`), sent through ``conn``, the
    same lookups the context would build from the same cells (``None`` on failure)."""
    try:
        v = review.tables["values"]
        codes = {c: factorize_sorted(_str_object(v[c])) for c in EARLY_COLUMNS if c in v.columns}
        vord = None
        if "value_offset" in v.columns and "value_id" in v.columns:
            vord = text_order_rank(_offsets(pd.Series(_str_object(v["value_offset"]), dtype=object)),
                                   _str_object(v["value_id"]))
        # sent as the narrowest integers that hold them (fewer bytes through the pipe)
        conn.send(({c: (_narrow(k), u) for c, (k, u) in codes.items()}, None if vord is None else _narrow(vord)))
    except BaseException:  # the parent builds the lookups itself
        conn.send(None)
    finally:
        conn.close()


def _narrow(a: np.ndarray) -> np.ndarray:
    """Integers ``a`` (≥ -1) as the narrowest signed type that holds them."""
    top = int(a.max(initial=0))
    for t in ("int8", "int16", "int32"):
        if top <= np.iinfo(t).max:
            return a.astype(t)
    return a


def _start_early_lookups(review):
    """Fork :func:`_early_lookups` of ``review``; returns a function giving its result (or
    ``None``), or ``None`` when the review has no ``values`` table."""
    tables = getattr(review, "tables", None)
    if not isinstance(tables, dict) or not isinstance(tables.get("values"), pd.DataFrame):
        return None
    mp = multiprocessing.get_context("fork")
    recv, send = mp.Pipe(duplex=False)
    proc = mp.Process(target=_early_lookups, args=(review, send), daemon=True)
    proc.start()
    send.close()

    def result():
        try:
            return recv.recv()
        except EOFError:
            return None
        finally:
            recv.close()
            proc.join()
    return result


def run_audit(review, params: AuditParams | dict | None = None, checks: list[str] | None = None,
              n_jobs: int | None = None) -> AuditResult:
    """Run every registered check (or the named ones) over a review.

    Parameters
    ----------
    review : helpers.review.Review
        Extracted tables (all columns str).
    params : AuditParams or dict, optional
        Tolerances; a dict is validated with :meth:`AuditParams.from_dict`.
    checks : list of str, optional
        Subset of :data:`CHECKS` names.
    n_jobs : int, optional
        Worker processes (see :func:`choose_jobs`; default: one per CPU for large reviews,
        in-process for small ones). The result is the same for every ``n_jobs``.

    Examples
    --------
    >>> from helpers.audit.toy import toy_review
    >>> rv = toy_review(values=[{"value_id": "p", "quantity": "p_value", "value": "0.000"}])
    >>> run_audit(rv).inconsistencies[["check", "severity"]].values.tolist()
    [['impossible_value', 'info']]
    """
    if params is None:
        params = AuditParams()
    elif isinstance(params, dict):
        params = AuditParams.from_dict(params)
    names = list(CHECKS) if checks is None else list(checks)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s): {', '.join(unknown)}; known: {', '.join(CHECKS)}")
    tables = getattr(review, "tables", None)
    values = tables.get("values") if isinstance(tables, dict) else None
    jobs = choose_jobs(len(values) if values is not None else 0, n_jobs)
    # parallel runs: a forked process builds some lookups while this one builds the context
    early = _start_early_lookups(review) if jobs > 1 and len(dict.fromkeys(names)) > 1 else None
    ctx = AuditContext(review, params)
    if early is not None:
        got = early()
        if got is not None:  # back to the integer type the context's own lookups have
            codes, vord = got
            ctx.adopt({c: (k.astype(np.intp), u) for c, (k, u) in codes.items()},
                      None if vord is None else vord.astype("int64"))
    names = list(dict.fromkeys(names))
    # the comparison with the cited sources: once, before any worker is forked, when a check reads it
    sources = source_tables(ctx) if set(names) & set(SOURCE_CHECK_TABLES) else None
    outputs = dict(zip(names, _run_checks(ctx, names, jobs)))
    # each check's rows are deduplicated and sorted on the output order without ``check``;
    # laid end to end in check-name order, a stable sort on the columns before ``check`` gives
    # the full order (a check's rows cannot duplicate another check's: ``check`` differs)
    by_name = sorted(names)
    # (every part is already str without missing cells)
    inc = pd.concat([empty_issues().astype(str)] + [outputs[n][0] for n in by_name], ignore_index=True)
    rc = pd.concat([empty_recomputed().astype(str)] + [outputs[n][1] for n in by_name], ignore_index=True)
    assert set(inc["severity"].unique()) <= set(SEVERITIES), set(inc["severity"].unique())
    assert set(rc["status"].unique()) <= set(STATUSES), set(rc["status"].unique())
    inc = _sort_rows(inc, ISSUE_ORDER[:ISSUE_ORDER.index("check")])
    rc = _sort_rows(rc, RECOMPUTED_ORDER[:RECOMPUTED_ORDER.index("check")])
    return AuditResult(recomputed=rc, inconsistencies=inc, params=params, sources=sources)


def _dedupe_sort(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """``df.drop_duplicates().sort_values(by, kind="stable").reset_index(drop=True)`` for str columns.

    Sorts with :func:`stable_order` (code point order), then compares whole rows only within
    runs of equal sort keys, where duplicates must lie; the result is the same frame.

    Examples
    --------
    >>> d = pd.DataFrame({"a": ["y", "x", "y", "x"], "b": ["1", "2", "1", "1"]})
    >>> _dedupe_sort(d, ["a"]).values.tolist()
    [['x', '2'], ['x', '1'], ['y', '1']]
    """
    if df.empty:
        return df.drop_duplicates().reset_index(drop=True)
    order, gid = stable_order([df[c].to_numpy(dtype=object) for c in by])
    df = df.iloc[order].reset_index(drop=True)
    # identical rows agree on ``by``: only rows sharing their sort keys with a neighbour can be
    # duplicates, and within such a run the stable sort kept the original order
    same = gid[1:] == gid[:-1]
    cand = np.r_[same, False] | np.r_[False, same]
    if not cand.any():
        return df
    sub = df[cand]
    run = gid[cand]  # the run of equal keys each candidate belongs to
    dup = pd.DataFrame({**{c: pd.factorize(sub[c].to_numpy(dtype=object))[0] for c in df.columns}, "\0run": run}).duplicated()
    keep = np.ones(len(df), dtype=bool)
    keep[np.flatnonzero(cand)[dup.to_numpy()]] = False
    return df[keep].reset_index(drop=True)


def _sort_rows(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """``df.sort_values(by, kind="stable").reset_index(drop=True)`` for str columns (code point
    order, see :func:`stable_order`).

    Examples
    --------
    >>> d = pd.DataFrame({"a": ["y", "x", "y"], "b": ["2", "1", "1"]})
    >>> _sort_rows(d, ["a"]).values.tolist()
    [['x', '1'], ['y', '2'], ['y', '1']]
    """
    if df.empty:
        return df.reset_index(drop=True)
    return df.iloc[stable_order([df[c].to_numpy(dtype=object) for c in by])[0]].reset_index(drop=True)
