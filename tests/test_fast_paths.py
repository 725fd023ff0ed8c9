"""Property tests (hypothesis): every fast path of helpers.audit.context that claims to give the
same result as a pandas (or NumPy, or plain Python) operation gives exactly that result.

Each test draws small inputs rich in ties, blanks, repeated and non-ASCII strings, and compares
the fast path with the operation its docstring names.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from helpers.audit.context import AuditContext, _offsets, _str_object
from helpers.audit.formatting import fmt, fmt_arr, fmt_dec, format_floats, int_str, join_cols
from helpers.audit.grouping import (factorize_sorted, gjoin, group_cumcount, group_join, group_nunique, map_str,
                                    ngroup_codes, stable_order, str_argsort)
from helpers.audit.pairing import two_arm_printings
from helpers.audit.numeric import parse_decimal
from helpers.audit.toy import toy_review

SETTINGS = settings(max_examples=60, deadline=None)

#: short strings with ties, blanks, ';', non-ASCII letters and a code point outside the BMP
WORDS = st.text(alphabet="ab é;_Z\U0001d49c", max_size=3)
NUMBERS = st.sampled_from(["", "0", "7", "07", "7.0", "12.50", "0.001", "NR", " nr ", "1,234", "x", "3.", ".5"])
OBJ = lambda values: np.array(values, dtype=object)  # noqa: E731


def _values(draw, n_max=14) -> list[dict]:
    """Rows of a values table: few distinct keys (many ties), unique non-blank value_ids."""
    n = draw(st.integers(0, n_max))
    rows = []
    for i in range(n):
        rows.append({
            "value_id": draw(st.sampled_from(["a", "b", "é", "B", "a_1", "z9"])) + f"{i:02d}",
            "study_id": draw(st.sampled_from(["", "s1", "s2", "wang"])),
            "location": draw(st.sampled_from(["text 1", "table 1", "table 2"])),
            "quantity": draw(st.sampled_from(["median", "count", "n", "percent", "hr"])),
            "unit": draw(st.sampled_from(["", "months", "weeks", "days"])),
            "endpoint": draw(st.sampled_from(["", "os", "pfs", "adverse_event"])),
            "subgroup": draw(st.sampled_from(["", "egfr", "brain"])),
            "timepoint": draw(st.sampled_from(["", "1y", "12w", " 2Y ", "6m", "3x"])),
            "arm": draw(st.sampled_from(["", "total", "experimental", "control", " control", "Arm B"])),
            "comparator": draw(st.sampled_from(["", "=", "<", " ≥"])),
            "bound": draw(st.sampled_from(["", "point", "low", "high"])),
            "value": draw(NUMBERS),
            "value_offset": draw(st.sampled_from(["", "5", "17", "17", "200", "x"])),
            "count_id": draw(st.sampled_from(["", "a00", "b01", "nope"])),
        })
    return rows


@st.composite
def contexts(draw, n_max=14):
    return AuditContext(toy_review(values=_values(draw, n_max)))


COLS = ["quantity", "study_id", "location", "unit", "endpoint", "subgroup", "timepoint", "comp", "bnd", "armn",
        "value_id", "value"]


# ------------------------------------------------------------------ AuditContext lookups
# One context per example serves every lookup (building one costs tens of milliseconds).
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_context_lookups_equal_pandas(data):
    values = _values(data.draw, 14)
    ctx = AuditContext(toy_review(values=values))
    v = ctx.values
    n = len(v)
    mask = lambda: np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)  # noqa: E731
    # eq: values[col].isin(vals); blank: values[col] == ""; codes: a sorted factorisation
    for col in COLS + ["count_id"]:
        if data.draw(st.booleans()):
            ctx.codes(col)  # blank() must agree whether or not the codes exist already
        np.testing.assert_array_equal(ctx.blank(col), (v[col] == "").to_numpy(), err_msg=f"blank {col}")
        vals = data.draw(st.lists(st.sampled_from(["", "s1", "median", "n", "text 1", "=", "point", "total",
                                                   "control", "a00", "7", "zz"]), max_size=3))
        np.testing.assert_array_equal(ctx.eq(col, *vals), v[col].isin(vals).to_numpy(), err_msg=f"eq {col} {vals}")
        codes, uniq = ctx.codes(col)
        want_codes, want_uniq = pd.factorize(v[col].to_numpy(dtype=object), sort=True)
        np.testing.assert_array_equal(codes, want_codes, err_msg=f"codes {col}")
        assert list(uniq) == list(want_uniq), col
    # ngroup: values[sel].groupby(cols, sort=False).ngroup()
    cols = data.draw(st.lists(st.sampled_from(COLS), min_size=1, max_size=3, unique=True))
    sel = mask()
    np.testing.assert_array_equal(ctx.ngroup(cols, sel), v[sel].groupby(cols, sort=False).ngroup().to_numpy())
    # on_distinct: the function applied to every row
    fn = lambda s: s.str.strip().str.startswith("t") | (s.str.len() > 2)  # noqa: E731
    for col in ("timepoint", "location", "value"):
        np.testing.assert_array_equal(ctx.on_distinct(col, fn).astype(bool), fn(v[col]).to_numpy(dtype=bool))
    # vord: dense rank of (voff, value_id); a stable sort on it is the sort on (voff, value_id)
    np.testing.assert_array_equal(ctx.vord, v.groupby(["voff", "value_id"], sort=True).ngroup().to_numpy())
    np.testing.assert_array_equal(np.argsort(ctx.vord, kind="stable"),
                                  v.sort_values(["voff", "value_id"], kind="stable").index.to_numpy())
    # merge_rows: the same rows, in the same order, as the merge on the strings (cells compared;
    # the key columns' dtype differs, see test_merge_rows_keeps_the_key_dtype)
    on = data.draw(st.lists(st.sampled_from(["study_id", "location", "quantity", "armn", "endpoint"]),
                            min_size=1, max_size=3, unique=True))
    left, right = v.loc[mask(), on + ["value_id"]], v.loc[mask(), on + ["value"]]
    for how in ("inner", "left"):
        pd.testing.assert_frame_equal(ctx.merge_rows(left, right, on, how=how),
                                      left.merge(right, on=on, how=how), check_dtype=False)
    # pos: first row of each id, -1 if none; take: a reindex of the deduplicated table
    ids = data.draw(st.lists(st.sampled_from(["a00", "b01", "é02", "a03", "", "zz", "B04"]), max_size=6))
    first = v.assign(_row=np.arange(n)).drop_duplicates("value_id").set_index("value_id")
    np.testing.assert_array_equal(ctx.pos(ids), first["_row"].reindex(ids).fillna(-1).astype("int64").to_numpy())
    tcols = data.draw(st.lists(st.sampled_from(["value", "num", "ok", "voff", "dec", "comp", "months"]),
                               min_size=1, max_size=4, unique=True))
    pd.testing.assert_frame_equal(ctx.take(ctx.pos(ids), tcols),  # cells; dtypes: test_take_keeps_the_dtypes
                                  v.drop_duplicates("value_id").set_index("value_id").reindex(ids)[tcols]
                                  .reset_index(drop=True), check_dtype=False)
    # id_pos: the row each id cell points to, -1 when blank or unknown (value_ids are never blank here)
    row_of = {vid: i for i, vid in reversed(list(enumerate(v["value_id"])))}
    assert ctx.id_pos("count_id").tolist() == [row_of.get(x, -1) if x != "" else -1 for x in v["count_id"]]
    # label: a dict lookup, unknown ids as given
    sids = data.draw(st.lists(st.sampled_from(["s1", "s2", "wang", "", "other"]), max_size=5))
    assert ctx.label(sids).tolist() == [ctx.study_label.get(x, x) for x in sids]
    # derived columns, computed on the distinct strings and broadcast: the same as per row
    raw = pd.Series([r["value"] for r in values], dtype=object)
    pdx = parse_decimal(raw)
    for c in ("mant", "dec", "num", "ok"):
        np.testing.assert_array_equal(v[c].to_numpy(), pdx[c].to_numpy(), err_msg=c)
    np.testing.assert_array_equal(v["is_nr"].to_numpy(), raw.str.strip().str.upper().eq("NR").to_numpy(dtype=bool))
    for raw_col, col, default in (("comparator", "comp", "="), ("bound", "bnd", "point"), ("arm", "armn", "total")):
        want = pd.Series([r[raw_col] for r in values], dtype=object).str.strip()
        assert v[col].tolist() == want.where(want != "", default).tolist(), col
    np.testing.assert_array_equal(v["voff"].to_numpy(), pd.to_numeric(v["value_offset"], errors="coerce")
                                  .fillna(-1).astype("int64").to_numpy())


def test_take_keeps_the_dtypes():
    ctx = AuditContext(toy_review(values=[{"value_id": "a", "value": "7"}, {"value_id": "b", "value": "8"}]))
    v = ctx.values
    cols = ["value", "num", "ok", "mant", "voff"]
    for ids in (["a"], ["b", "z", "a"]):  # with an unknown id: NaN, and int/bool columns widen as reindex widens them
        want = v.drop_duplicates("value_id").set_index("value_id").reindex(ids)[cols].reset_index(drop=True)
        pd.testing.assert_frame_equal(ctx.take(ctx.pos(ids), cols), want)


def test_merge_rows_keeps_the_key_dtype():
    ctx = AuditContext(toy_review(values=[{"value_id": "a", "study_id": "s"}, {"value_id": "b", "study_id": "s"}]))
    v = ctx.values
    left, right = v.loc[[0], ["study_id", "value_id"]], v.loc[[1], ["study_id", "value"]]
    pd.testing.assert_frame_equal(ctx.merge_rows(left, right, ["study_id"]), left.merge(right, on=["study_id"]))


# ------------------------------------------------------------------ module-level fast paths
@SETTINGS
@given(cells=st.lists(st.one_of(st.none(), WORDS, st.integers(-3, 3)), max_size=8))
def test_str_object_is_fillna_astype_str(cells):
    s = pd.Series(cells, dtype=object)
    assert _str_object(s).tolist() == s.fillna("").astype(str).to_numpy(dtype=object).tolist()


@SETTINGS
@given(cells=st.lists(st.one_of(st.from_regex(r"\A[0-9]{1,18}\Z"), st.sampled_from(
    ["", "x", "1.5", " 7", "-3", "٣", "1e3", "0"])), max_size=8))
def test_offsets_is_to_numeric(cells):
    s = pd.Series(cells, dtype=object)
    np.testing.assert_array_equal(_offsets(s), pd.to_numeric(s, errors="coerce").fillna(-1).astype("int64").to_numpy())


CODES = st.lists(st.integers(0, 4), min_size=0, max_size=12)


@SETTINGS
@given(k=st.integers(1, 3), data=st.data(), sort=st.booleans(), big=st.booleans())
def test_ngroup_codes_is_groupby_ngroup(k, data, sort, big):
    n = data.draw(st.integers(0, 12))
    hi = 2 ** 40 if big else 4  # large codes exercise the renumbering that avoids overflow
    codes = [np.array(data.draw(st.lists(st.integers(0, hi), min_size=n, max_size=n)), dtype="int64") for _ in range(k)]
    want = pd.DataFrame({i: c for i, c in enumerate(codes)}).groupby(list(range(k)), sort=sort).ngroup().to_numpy()
    np.testing.assert_array_equal(ngroup_codes(codes, sort=sort), want)


@SETTINGS
@given(words=st.lists(WORDS, max_size=10))
def test_factorize_sorted_is_factorize_sort(words):
    c, u = factorize_sorted(OBJ(words))
    wc, wu = pd.factorize(OBJ(words), sort=True)
    np.testing.assert_array_equal(c, wc)
    assert list(u) == list(wu)


@SETTINGS
@given(gid=CODES)
def test_group_cumcount_is_groupby_cumcount(gid):
    s = pd.Series(gid, dtype="int64")
    np.testing.assert_array_equal(group_cumcount(gid), s.groupby(s).cumcount().to_numpy())


@SETTINGS
@given(data=st.data())
def test_group_nunique_is_transform_nunique(data):
    n = data.draw(st.integers(0, 12))
    gid = data.draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    codes = data.draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    df = pd.DataFrame({"g": gid, "c": codes}, dtype="int64")
    np.testing.assert_array_equal(group_nunique(gid, codes), df.groupby("g")["c"].transform("nunique").to_numpy())


@SETTINGS
@given(words=st.lists(st.one_of(WORDS, st.sampled_from(["a\x00", "\x00", "ab", "a", "é", "e"])), max_size=10))
def test_str_argsort_is_stable_argsort(words):
    a = OBJ(words)
    np.testing.assert_array_equal(str_argsort(a), np.argsort(a, kind="stable"))


@SETTINGS
@given(k=st.integers(1, 3), data=st.data())
def test_stable_order_is_sort_values(k, data):
    n = data.draw(st.integers(0, 10))
    cols = [OBJ(data.draw(st.lists(st.sampled_from(["", "a", "b", "é", "ab"]), min_size=n, max_size=n)))
            for _ in range(k)]
    order, gid = stable_order(cols)
    df = pd.DataFrame({i: c for i, c in enumerate(cols)})
    want = df.sort_values(list(range(k)), kind="stable").index.to_numpy()
    np.testing.assert_array_equal(order, want)
    dense = df.groupby(list(range(k)), sort=True).ngroup().to_numpy()
    np.testing.assert_array_equal(gid, dense[order])


@SETTINGS
@given(data=st.data())
def test_join_cols_joins_non_blank_cells(data):
    n = data.draw(st.integers(1, 8))
    cols = [data.draw(st.lists(st.one_of(st.none(), st.sampled_from(["", "a", "b1", "é"])), min_size=n, max_size=n))
            for _ in range(data.draw(st.integers(1, 4)))]
    want = [";".join(c[i] for c in cols if c[i] not in (None, "")) for i in range(n)]
    assert join_cols(*[pd.Series(c, dtype=object) for c in cols]).tolist() == want


@SETTINGS
@given(data=st.data(), sep=st.sampled_from([";", ", "]))
def test_group_join_is_groupby_agg_join(data, sep):
    n = data.draw(st.integers(0, 10))
    codes = data.draw(st.lists(st.integers(-1, 4), min_size=n, max_size=n))
    vals = data.draw(st.lists(WORDS, min_size=n, max_size=n))
    n_groups = data.draw(st.one_of(st.none(), st.integers(5, 7)))
    got = group_join(codes, vals, sep, n_groups=n_groups)
    s = pd.Series(vals, dtype=object)[np.array(codes, dtype="int64") >= 0] if n else pd.Series([], dtype=object)
    agg = s.groupby(np.array(codes, dtype="int64")[np.array(codes, dtype="int64") >= 0] if n else []).agg(sep.join)
    size = n_groups if n_groups is not None else (max([c for c in codes if c >= 0], default=-1) + 1)
    assert got.tolist() == agg.reindex(range(size), fill_value="").tolist()


@SETTINGS
@given(data=st.data())
def test_gjoin_is_agg_join(data):
    n = data.draw(st.integers(1, 10))
    df = pd.DataFrame({"k": data.draw(st.lists(st.sampled_from(["x", "y", "é"]), min_size=n, max_size=n)),
                       "k2": data.draw(st.lists(st.sampled_from(["1", "2"]), min_size=n, max_size=n)),
                       "v": data.draw(st.lists(WORDS, min_size=n, max_size=n))})
    for by in (["k"], ["k", "k2"]):
        g = df.groupby(by)
        pd.testing.assert_series_equal(gjoin(g, "v", ";"), g["v"].agg(";".join), check_names=False)


def test_gjoin_keeps_the_dtype():
    g = pd.DataFrame({"k": ["x", "x"], "v": ["a", "b"]}).groupby("k")
    pd.testing.assert_series_equal(gjoin(g, "v", ";"), g["v"].agg(";".join), check_names=False)


@SETTINGS
@given(cells=st.lists(st.sampled_from(["a", "b", "c", ""]), max_size=8))
def test_map_str_is_map_blank_where_unmapped(cells):
    s = pd.Series(cells, index=np.arange(len(cells)) * 3, dtype=object)
    mapping = {"a": "A", "b": "", "": "blank"}
    pd.testing.assert_series_equal(map_str(s, mapping), s.map(mapping).fillna("").astype(object))


FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)


@SETTINGS
@given(xs=st.lists(st.one_of(FLOATS, st.sampled_from([0.0, -0.0, 0.5, 12345.6, 1e4, 9999.95, 2.5e-5])),
                   max_size=20), repeat=st.integers(1, 8))
def test_fmt_arr_is_fmt_on_each(xs, repeat):
    x = xs * repeat  # more than 64 numbers with repeats: the once-per-distinct path
    assert fmt_arr(x).tolist() == [fmt(float(v)) for v in x]


@SETTINGS
@given(xs=st.lists(st.one_of(FLOATS, st.sampled_from([0.0, -0.0, 0.125, 2.5])), max_size=20),
       repeat=st.integers(1, 8), spec=st.sampled_from(["%.3g", "%.4g", "%.1f", "%.0f", "%.2e"]))
def test_format_floats_is_char_mod(xs, repeat, spec):
    x = np.array(xs * repeat, dtype="float64")
    assert format_floats(spec, x).tolist() == np.char.mod(spec, x).astype(object).tolist()


@SETTINGS
@given(data=st.data())
def test_fmt_dec_is_fixed_point_per_row(data):
    n = data.draw(st.integers(0, 80))
    x = data.draw(st.lists(st.one_of(FLOATS, st.sampled_from([12.345, -0.0, 2.0, 0.05])), min_size=n, max_size=n))
    d = data.draw(st.lists(st.integers(-1, 4), min_size=n, max_size=n))
    assert fmt_dec(x, d).tolist() == ["%.*f" % (max(k, 0), v) for v, k in zip(x, d)]


@SETTINGS
@given(ints=st.lists(st.integers(-10**12, 10**12), max_size=8))
def test_int_str_is_astype_str(ints):
    s = pd.Series(ints, index=np.arange(len(ints))[::-1], dtype="int64")
    got = int_str(s)
    assert got.tolist() == [str(i) for i in ints] and got.index.equals(s.index) and got.dtype == object


# ------------------------------------------------------------------ two_arm_printings
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_two_arm_printings_with_codes_equal_without(data):
    """``two_arm_printings(v, ctx)`` groups on the context's integer codes; without ``ctx`` it
    factorises the strings itself: the same rows in the same order, on the full table or a subset."""
    rows = []
    for i in range(data.draw(st.integers(0, 16))):
        rows.append({"value_id": data.draw(st.sampled_from(["e", "c", "é", "x"])) + f"{i:02d}",
                     "study_id": data.draw(st.sampled_from(["s1", "s2", ""])),
                     "location": data.draw(st.sampled_from(["text 1", "table 1"])),
                     "quantity": data.draw(st.sampled_from(["median", "count"])),
                     "endpoint": data.draw(st.sampled_from(["os", "pfs"])),
                     "arm": data.draw(st.sampled_from(["experimental", "control", "total", "Arm B"])),
                     "value": data.draw(st.sampled_from(["6", "9.5", "NR", "x", "12"])),
                     "comparator": data.draw(st.sampled_from(["", "<"])),
                     "value_offset": str(data.draw(st.integers(1, 6)))})
    ctx = AuditContext(toy_review(values=rows))
    v = ctx.values
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(v), max_size=len(v))), dtype=bool)
    for sub in (v, v.loc[mask]):
        fast, plain = two_arm_printings(sub, ctx), two_arm_printings(sub)
        pd.testing.assert_frame_equal(fast, plain)


def test_two_arm_printings_finds_a_pair():
    """Guard against the property above passing on empty results only."""
    mk = lambda i, arm, x, o: {"value_id": i, "study_id": "s", "location": "t", "quantity": "median",  # noqa: E731
                               "arm": arm, "value": x, "value_offset": o}
    ctx = AuditContext(toy_review(values=[mk("c", "control", "6", 1), mk("e", "experimental", "9", 2)]))
    out = two_arm_printings(ctx.values, ctx)
    assert len(out) == 1
    pd.testing.assert_frame_equal(out, two_arm_printings(ctx.values))


def test_empty_inputs():
    assert len(ngroup_codes([np.zeros(0, dtype="int64")])) == 0 and len(ngroup_codes([])) == 0
    assert len(group_cumcount([])) == 0 and len(group_nunique([], [])) == 0
    assert stable_order([OBJ([])])[0].tolist() == [] and fmt_arr([]).tolist() == []
