"""Propose an extraction of a review's text in the schema of ``data/extracted/README.md``.

``propose_tables(source)`` reads the text (:mod:`~helpers.extract.forms`,
:mod:`~helpers.extract.annotate`, :mod:`~helpers.extract.bibliography`) and returns the seven
tables; ``write_proposal(raw, out_dir)`` writes ``out_dir/raw/`` (the text, byte for byte) and
``out_dir/extracted/`` so that ``python -m helpers validate out_dir`` passes.

Every row carries ``origin = proposed`` and a ``confidence`` (0..1: how specific the form
that produced it is, lowered when no endpoint term was found); ``reading`` says which form
and which rule. A value is always the token printed at its ``value_offset`` (checked before
writing), and its quote is the clause around it, verbatim.
"""
from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..schema import COLUMNS, OPTIONAL_COLUMNS
from . import bibliography as bib
from .annotate import Annotator
from .forms import Item, Reader
from .links import link_among, link_partitions, refs_of
from .nonstat import covered_by_patterns, source_patterns
from .text import layout, normalise, reference_heading

FORM_NAMES = {"frac_pct": "x/n (p%)", "x_of_n": "x of n (p%)", "pct_frac": "p% (x/n)", "count_pct": "n (p%)", "frac": "x/n",
              "hr": "HR/OR", "p": "P", "mean_sd": "mean ± SD", "study_n": "table N column", "range": "a%~b%",
              "median": "time after a time-to-event term", "se": "p% (se%)", "pct": "p%", "count": "count",
              "n": "sample size"}


@dataclass
class Proposal:
    """The proposed tables, the body end marker and what the proposer could not place."""

    tables: dict[str, pd.DataFrame]
    body_end_marker: str | None
    skipped_refs: list[int] = field(default_factory=list)
    unexplained: int = 0


def _loc_prefix(location: str) -> str:
    kind, num = location.split(" ", 1)
    return ("t" if kind == "table" else "f" if kind == "figure" else "s") + num.replace(".", "")


def _quote(reader: Reader, ann: Annotator, it: Item) -> tuple[int, str]:
    """The clause around an item (the sentence when the clause is short), verbatim from the source."""
    u = it.unit
    cs, _ = ann.clause(u, it.start)
    _, ce = ann.clause(u, max(it.start, it.end - 1))
    if ce - cs < 12:
        cs, ce = ann.sentence(u, it.start)
    txt = reader.t
    while cs < ce and txt[cs] in " ,、;:":
        cs += 1
    while ce > cs and txt[ce - 1] in " ,、;":
        ce -= 1
    s, e = reader.norm.span(cs, ce)
    return s, reader.norm.source[s:e]


def propose_tables(source: str) -> Proposal:
    """Propose all seven tables for the review text ``source``.

    Examples
    --------
    >>> text = "## 1. Results\\n\\nIn the trial of Okafor [1], PFS was 8.3 and 5.1 months in the " \\
    ...        "experimental and control groups (HR 0.57, P = 0.018).\\n\\n## References\\n\\n" \\
    ...        "- [1] Okafor, A. (2020) A Randomised Trial. *J Onc*."
    >>> v = propose_tables(text).tables["values"]
    >>> v[["value", "quantity", "endpoint", "arm", "unit"]].values.tolist()
    [['8.3', 'median', 'pfs', 'experimental', 'months'], ['5.1', 'median', 'pfs', 'control', 'months'], \
['0.57', 'hr', 'pfs', '', ''], ['0.018', 'p_value', 'pfs', '', '']]
    """
    marker = reference_heading(source)
    body_end = source.index(marker) if marker else len(source)
    norm = normalise(source)
    lay = layout(norm, body_end)
    reader = Reader(norm, lay, body_end)
    reader.read()
    ann = Annotator(reader)
    ann.run()
    link_among(reader, ann)

    refs, skipped = bib.parse_references(source, body_end)
    ref_by_num = {r.ref: r for r in refs}
    # studies: every table row, then every single reference a text figure cites
    studies: dict[tuple[int, ...], dict] = {}
    taken: set[str] = set()

    def study_for(nums: tuple[int, ...], row=None) -> str:
        """The study id of a set of reference numbers (a new study when needed)."""
        nums = tuple(n for n in nums if n in ref_by_num)
        if not nums:
            return ""
        if nums in studies:
            return studies[nums]["study_id"]
        for key, st in studies.items():
            if set(nums) <= set(key) and st["row"] is not None:
                return st["study_id"]
        if len(nums) > 1 and row is None:
            return ""
        sid = bib.study_key(ref_by_num[nums[0]], taken)
        taken.add(sid)
        studies[nums] = {"study_id": sid, "refs": nums, "row": row, "nums": []}
        return sid

    for u in lay.units:
        if u.row is not None and u.col == 0 and not u.row.continuation:
            study_for(tuple(u.row.refs), u.row)

    items = sorted(reader.items, key=lambda i: i.start)
    item_refs = {it.id: [r for r in refs_of(reader, ann, it) if r in ref_by_num] for it in items}
    for it in items:
        sid = study_for(tuple(item_refs[it.id]), it.unit.row) if item_refs[it.id] else ""
        it.study = sid  # type: ignore[attr-defined]
        factor = getattr(it, "factor", False) or re.search(r"因素|factor|prognos", it.unit.header, re.I)
        for n in it.nums:
            if n.arm or not sid or n.bound != "point" or n.role == "arm_n":
                continue
            if n.quantity not in ("hr", "or", "p_value"):
                n.arm = "total"
            elif factor:  # a prognostic factor's HR or p: within the whole study, not between arms
                n.arm = "total"
    link_partitions(items, ann, lambda n: _loc_prefix(next(i for i in items if i.id == n.item).unit.location))

    # ------------------------------------------------------------------ values
    ids: dict[int, str] = {}
    rows = []
    counter: dict[str, int] = {}
    for it in items:
        off, quote = _quote(reader, ann, it)
        for n in sorted(it.nums, key=lambda x: x.pos):
            pfx = _loc_prefix(it.unit.location)
            counter[pfx] = counter.get(pfx, 0) + 1
            vid = f"{pfx}_{counter[pfx]:03d}_{n.quantity}" + (f"_{n.endpoint}" if n.endpoint else "")
            ids[id(n)] = vid
            vo, _ = norm.span(n.pos, n.pos + len(n.value))
            if source[vo:vo + len(n.value)] != n.value:  # never write a number that is not printed there
                raise AssertionError(f"value {n.value!r} is not at source offset {vo}")
            if not (off <= vo and vo + len(n.value) <= off + len(quote)):
                off, quote = min(off, vo), source[min(off, vo):max(off + len(quote), vo + len(n.value))]
            reading = "; ".join([f"proposed from the form {FORM_NAMES.get(n.form, n.form)}"] + n.notes)
            rows.append({
                "value_id": vid, "section": it.unit.section, "location": it.unit.location,
                "refs": ";".join(map(str, item_refs[it.id])), "study_id": it.study, "quantity": n.quantity,
                "endpoint": n.endpoint, "term": n.term, "arm": n.arm, "subgroup": n.subgroup,
                "timepoint": n.timepoint, "unit": n.unit, "comparator": n.comparator, "value": n.value,
                "value_offset": str(vo), "bound": n.bound, "_count": n.count, "_den": n.den, "_total": n.total,
                "partition_id": n.partition, "offset": str(off), "quote": quote, "reading": reading,
                "origin": "proposed", "confidence": f"{n.conf:.2f}", "_item": it.id,
            })
    for r in rows:
        for col, key in (("count_id", "_count"), ("denominator_id", "_den"), ("total_id", "_total")):
            target = r.pop(key)
            r[col] = ids.get(id(target), "") if target is not None else ""
    values = _frame(rows, "values")

    # ------------------------------------------------------------------ other tables
    ref_rows = [{"ref": str(r.ref), "first_author": r.first_author, "year": r.year, "title": r.title,
                 "journal": r.journal, "doi": r.doi, "kind": r.kind, "offset": str(r.offset), "quote": r.quote,
                 "origin": "proposed", "confidence": "0.80"} for r in refs]
    mention_rows = []
    for k, m in enumerate(bib.mentions(source, 0, body_end, ref_by_num), start=1):
        known = [r for r in m.refs if r in ref_by_num]
        p = norm.at(m.start)
        unit = next((u for u in lay.units if u.start <= p < u.end), None)
        if not known or unit is None:
            continue
        mention_rows.append({"mention_id": f"m_{_loc_prefix(unit.location)}_{k:03d}", "location": unit.location,
                             "section": unit.section, "author_printed": m.name, "refs": ";".join(map(str, known)),
                             "offset": str(m.start), "quote": source[m.start:m.end].rstrip(),
                             "origin": "proposed", "confidence": "0.80"})
    study_rows = _study_rows(studies, ref_by_num, values, reader, source)
    claim_rows = []
    for it in items:
        if it.kind == "range" and len(it.nums) == 2:
            lo, hi = it.nums
            vrow = values[values["value_id"] == ids[id(lo)]].iloc[0]
            claim_rows.append({"claim_id": f"{ids[id(lo)]}_range", "claim_type": "range", "section": vrow["section"],
                               "location": vrow["location"], "refs": vrow["refs"], "quantity": "percent",
                               "endpoint": lo.endpoint, "subgroup": lo.subgroup, "low_id": ids[id(lo)],
                               "high_id": ids[id(hi)], "offset": vrow["offset"], "quote": vrow["quote"],
                               "reading": "range printed as a%~b%", "origin": "proposed", "confidence": "0.80"})
    pattern_rows = source_patterns(source)
    covered = covered_by_patterns(source, pattern_rows)
    offset_rows = []
    for p, (reason, note) in sorted(reader.nonstat.items()):
        end, tok, s = reader.tok[p]
        if s not in covered:
            offset_rows.append({"pattern": "", "offset": str(s), "token": tok, "reason": reason, "note": note})
    nonstat = _frame([{**r, "origin": "proposed", "confidence": "0.70"} for r in pattern_rows + offset_rows],
                     "non_statistics")
    claimed = set(reader.claimed)
    unexplained = sum(1 for p, (_, _, s) in reader.tok.items() if p not in claimed and s not in covered)
    tables = {"references": _frame(ref_rows, "references"), "studies": _frame(study_rows, "studies"),
              "mentions": _frame(mention_rows, "mentions"), "values": values,
              "prognostic": _frame([], "prognostic"), "claims": _frame(claim_rows, "claims"),
              "non_statistics": nonstat}
    return Proposal(tables, marker, skipped, unexplained)


def _study_rows(studies: dict, ref_by_num: dict, values: pd.DataFrame, reader: Reader, source: str) -> list[dict]:
    rows = []
    for key, st in studies.items():
        refs = [ref_by_num[r] for r in key]
        own = values[values["study_id"] == st["study_id"]]
        if own.empty and st["row"] is None:
            continue
        row = st["row"]
        if row is not None:
            a, b = row.cells[0]
            author = re.sub(r"\s*\[\d+\].*$", "", reader.t[a:b]).strip()
            end_cell = row.cells[1] if len(row.cells) > 1 else row.cells[0]
            s, e = reader.norm.span(a, end_cell[1])
            quote = source[s:e].rstrip()
            location = f"table {row.table}"
            context = reader.t[row.start:row.end] + " ".join(reader.t[x:y] for x, y in reader.lay.captions.get(row.table, []))
            n_ids = own[(own["quantity"] == "n") & own["reading"].str.contains("table N column")
                        & (own["arm"].isin(["total", ""]))]["value_id"]
        else:
            author, location, context = "", own["location"].iloc[0], ""
            s, quote = int(own["offset"].iloc[0]), own["quote"].iloc[0]
            n_ids = pd.Series([], dtype=object)
        arms = [a for a in dict.fromkeys(own["arm"]) if a and a != "total"]
        rows.append({
            "study_id": st["study_id"], "refs": ";".join(map(str, key)), "author_printed": author,
            "author_romanised": bib.ascii_name(author) or bib.ascii_name(refs[0].first_author),
            "location": location,
            "design": bib.guess_design([r.kind for r in refs], [r.title for r in refs], context),
            "arm_order": ";".join(arms) if len(arms) >= 2 else "", "n_id": n_ids.iloc[0] if len(n_ids) else "",
            "offset": str(s), "quote": quote, "reading": "proposed", "origin": "proposed", "confidence": "0.60"})
    return rows


def _frame(rows: list[dict], table: str) -> pd.DataFrame:
    cols = COLUMNS[table] + OPTIONAL_COLUMNS
    df = pd.DataFrame(rows, dtype=object).reindex(columns=cols).fillna("").astype(str)
    if "offset" in df.columns and len(df):
        key = pd.to_numeric(df["offset"], errors="coerce").fillna(-1)
        first = COLUMNS[table][0]
        df = df.assign(_k=key).sort_values(["_k", first], kind="stable").drop(columns="_k")
    return df.reset_index(drop=True)


def write_proposal(raw: Path | str, out_dir: Path | str) -> Proposal:
    """Write ``out_dir/raw/<name>.txt`` (a byte copy of ``raw``) and the proposed ``out_dir/extracted/``.

    ``source_config.json`` records the reference-list heading as the body end marker when the
    text has one. Existing files of ``out_dir/extracted`` are replaced table by table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "r.txt").write_text("## 1. Results\\n\\nORR 14/52 (26.9%).\\n", encoding="utf-8")
    >>> p = write_proposal(tmp / "r.txt", tmp / "out")
    >>> sorted(x.name for x in (tmp / "out" / "extracted").iterdir())[:3], len(p.tables["values"])
    (['claims.csv', 'mentions.csv', 'non_statistics.csv'], 3)
    """
    from ..validation import write_csv_atomic

    raw, out_dir = Path(raw), Path(out_dir)
    data = raw.read_bytes()
    source = data.decode("utf-8")
    proposal = propose_tables(source)
    (out_dir / "raw").mkdir(parents=True, exist_ok=True)
    name = raw.name if raw.suffix == ".txt" else raw.name + ".txt"
    for old in (out_dir / "raw").glob("*.txt"):
        if old.name != name:
            old.unlink()
    target = out_dir / "raw" / name
    if raw.resolve() != target.resolve():
        shutil.copyfile(raw, target)
    ext = out_dir / "extracted"
    ext.mkdir(parents=True, exist_ok=True)
    for table, df in proposal.tables.items():
        write_csv_atomic(df, ext / f"{table}.csv")
    cfg = ext / "source_config.json"
    if proposal.body_end_marker:
        cfg.write_text(json.dumps({"body_end_marker": proposal.body_end_marker}, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    elif cfg.exists():
        cfg.unlink()
    return proposal
