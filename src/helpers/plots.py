"""Figures of the compendium. Every function takes DataFrames and returns a Figure.

Labels are ASCII only (romanised study labels, English snake_case categories), so that no
CJK font is needed. Flagged values are drawn in red and marked.
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

FLAG_COLOUR = "#c0392b"
OK_COLOUR = "#2c7fb8"
GREY = "#7f7f7f"


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce")


def _ids(marked) -> set[str]:
    """The value_ids to mark: a set as given, or every value_id named by a flags frame."""
    if marked is None:
        return set()
    if isinstance(marked, (set, frozenset, list, tuple)):
        return set(marked)
    if marked.empty:
        return set()
    return {v for ids in marked["value_ids"] for v in str(ids).split(";") if v}


def _log_ticks(ax, lo: float, hi: float) -> None:
    """Readable ticks on a log axis: 1-2-5 steps, plain numbers, no minor labels."""
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    steps = [m * 10.0 ** e for e in range(-3, 4) for m in (1, 2, 5)]
    ticks = [x for x in steps if lo <= x <= hi]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(ticks, [f"{x:g}" for x in ticks])


def _ascii(text: str) -> str:
    return str(text).encode("ascii", "replace").decode("ascii")


def partition_bars(values: pd.DataFrame, marked=None) -> plt.Figure:
    """Stacked bars of each percentage partition with its sum against 100%.

    Parameters
    ----------
    values : DataFrame
        Extracted values with ``partition_id``, ``quantity == 'percent'``, ``value`` and
        ``subgroup``/``arm`` labels.
    marked : set of value_ids (or a flags frame), optional
        Partitions with a marked member get their sum written in red.
    """
    pct = values[(values["quantity"] == "percent") & (values["partition_id"] != "")].copy()
    pct["x"] = _num(pct["value"])
    pct["name"] = pct["subgroup"].where(pct["subgroup"] != "", pct["arm"])
    groups = list(dict.fromkeys(pct["partition_id"]))
    flagged = _ids(marked)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.9 * max(len(groups), 1)))
    palette = plt.get_cmap("tab20").colors
    for row, pid in enumerate(groups):
        part = pct[pct["partition_id"] == pid]
        left = 0.0
        for k, (_, r) in enumerate(part.iterrows()):
            ax.barh(row, r["x"], left=left, color=palette[k % len(palette)], edgecolor="white")
            ax.text(left + r["x"] / 2, row, f"{_ascii(r['name'])}\n{r['value']}%", ha="center", va="center", fontsize=7)
            left += r["x"]
        bad = bool(flagged.intersection(part["value_id"]))
        ax.text(left + 1, row, f"sum {left:g}%", va="center", fontsize=8, color=FLAG_COLOUR if bad else "black",
                fontweight="bold" if bad else "normal")
    ax.axvline(100, color="black", linestyle="--", linewidth=1)
    ax.set_yticks(range(len(groups)), [_ascii(g) for g in groups])
    ax.set_xlim(0, 115)
    ax.set_xlabel("percent (dashed line: 100%)")
    ax.set_title("Distributions printed by the review and what they add up to")
    ax.invert_yaxis()
    fig.tight_layout()
    return fig


WORDS_COLOUR = "#e67e22"


def forest_plot(hr: pd.DataFrame, marked=None, title: str = "Hazard ratios", words_vs_numbers: bool = False) -> plt.Figure:
    """Forest plot of hazard ratios on a log scale; marked ones in red with "(!)".

    Parameters
    ----------
    hr : DataFrame
        Rows with ``label`` (ASCII y-axis text), ``value`` (HR as printed), ``value_id`` and
        optionally ``harmonised`` (HR re-oriented so that < 1 means the review's 'better' group) and
        ``directed`` (bool: the review states a direction for it). Where the harmonised value is not
        the printed one, the point is labelled ``1/printed``; HRs without a stated direction are
        drawn hollow and grey (no side of 1 is wrong for them).
    marked : set of value_ids (or a flags frame)
        The values a finding shows wrong.
    words_vs_numbers : bool
        Harmonised HRs with a stated direction lie left of 1 when number and words agree: draw the
        ones right of 1 in orange (the number contradicts the review's words), with a legend.
    """
    d = hr.copy()
    d["x"] = _num(d["harmonised"] if "harmonised" in d else d["value"])
    d = d[d["x"] > 0].reset_index(drop=True)
    directed = d["directed"] if "directed" in d else pd.Series(True, index=d.index)
    flagged = _ids(marked)
    fig, ax = plt.subplots(figsize=(8, 0.9 + 0.28 * max(len(d), 1)))
    bad = d["value_id"].isin(flagged).to_numpy()
    filled = directed.to_numpy(dtype=bool) | bad
    against = words_vs_numbers & directed.to_numpy(dtype=bool) & (d["x"] > 1).to_numpy()
    colour = np.where(bad, FLAG_COLOUR, np.where(against, WORDS_COLOUR, OK_COLOUR))
    # one collection per style (the points never overlap: one per row)
    if filled.any():
        ax.scatter(d["x"][filled], np.flatnonzero(filled), color=list(colour[filled]), marker="s", s=22, zorder=3)
    if not filled.all():
        ax.scatter(d["x"][~filled], np.flatnonzero(~filled), facecolors="white", edgecolors=GREY, marker="s", s=22,
                   zorder=3)
    printed = _num(d["value"]).to_numpy()
    for i, r in d.iterrows():
        inverted = "harmonised" in d and printed[i] != r["x"]
        text = f"1/{r['value']}" if inverted else f"{r['value']}"
        ax.text(r["x"] * 1.1, i, text + (" (!)" if bad[i] else ""), va="center", fontsize=7,
                color=FLAG_COLOUR if bad[i] else "black")
    ax.axvline(1, color="black", linewidth=1)
    ax.set_xscale("log")
    lo, hi = (d["x"].min(), d["x"].max()) if len(d) else (0.5, 2)
    lo, hi = min(lo, 0.5) / 1.5, max(hi, 2) * 3
    ax.set_xlim(lo, hi)
    _log_ticks(ax, lo, hi)
    ax.set_yticks(range(len(d)), [_ascii(s) for s in d["label"]], fontsize=7)
    ax.set_ylim(len(d) - 0.5, -0.5)
    ax.set_xlabel("hazard ratio (log scale); red (!) = shown wrong by a finding")
    if words_vs_numbers:
        ax.scatter([], [], color=OK_COLOUR, marker="s", label="number agrees with the review's words")
        ax.scatter([], [], color=WORDS_COLOUR, marker="s", label="number contradicts the review's words")
        ax.scatter([], [], facecolors="white", edgecolors=GREY, marker="s", label="no direction stated (as printed)")
        ax.legend(loc="upper right", fontsize=7, framealpha=0.95)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def arms_text_vs_table(pairs: pd.DataFrame, marked=None, confirmed=None) -> plt.Figure:
    """Per comparison, the experimental and control values as printed in each location.

    One row per (comparison, location): the experimental value (circle) and the control value
    (square) joined by a line, the location written at the right. Swapped arms show up as the
    circle and square changing sides between the rows of one comparison. Values shown wrong are
    outlined red and their row says "wrong"; a row whose values the primary source confirms says
    "source agrees", which is how the figure shows the right printing.

    Parameters
    ----------
    pairs : DataFrame
        Columns ``label`` (comparison, ASCII), ``location``, ``arm`` (experimental/control),
        ``value``, ``value_id``.
    marked, confirmed : sets of value_ids
        Values shown wrong (by a finding), values the primary source confirms.
    """
    d = pairs.copy()
    d["x"] = _num(d["value"])
    rows = list(dict.fromkeys(zip(d["label"], d["location"])))
    flagged, good = _ids(marked), set(confirmed or ())
    fig, ax = plt.subplots(figsize=(9, 1.0 + 0.3 * max(len(rows), 1)))
    colour = {"experimental": "#1b9e77", "control": "#7570b3"}
    marker = {"experimental": "o", "control": "s"}
    xmax = d["x"].max() if len(d) else 1
    d["y"] = d[["label", "location"]].apply(tuple, axis=1).map({r: y for y, r in enumerate(rows)}) if len(d) else []
    for y, (lab, loc) in enumerate(rows):
        s = d[(d["label"] == lab) & (d["location"] == loc)]
        ax.plot(s["x"], [y] * len(s), color=GREY, linewidth=0.8, zorder=1)
        note, col = _ascii(loc), GREY
        if flagged.intersection(s["value_id"]):
            note, col = note + ": wrong", FLAG_COLOUR
        elif set(s["value_id"]) <= good:
            note, col = note + ": source agrees", "#1b7837"
        ax.text(xmax * 1.04, y, note, va="center", fontsize=7, color=col)
    # one collection per arm (marker); within a row the arms are drawn in this order
    for arm in list(dict.fromkeys(d["arm"])):
        g = d[d["arm"] == arm]
        bad = g["value_id"].isin(flagged).to_numpy()
        ax.scatter(g["x"], g["y"], marker=marker.get(arm, "^"), color=colour.get(arm, GREY), s=34, zorder=3,
                   edgecolors=list(np.where(bad, FLAG_COLOUR, "none")), linewidths=list(np.where(bad, 1.8, 0.0)))
    ticks, last = [], None
    for lab, _ in rows:
        ticks.append(_ascii(lab) if lab != last else "")
        last = lab
    ax.set_yticks(range(len(rows)), ticks, fontsize=7)
    ax.set_xlim(right=xmax * 1.32)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.scatter([], [], marker="o", color=colour["experimental"], label="experimental")
    ax.scatter([], [], marker="s", color=colour["control"], label="control")
    ax.scatter([], [], marker="o", color="white", edgecolors=FLAG_COLOUR, linewidths=1.8, label="shown wrong")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.6 / max(len(rows), 1) - 0.04), ncol=3, fontsize=7, frameon=False)
    ax.set_xlabel("value as printed")
    ax.set_title("Experimental vs control as printed in each place", fontsize=10)
    fig.tight_layout()
    return fig


def landmarks_vs_exponential(rows: pd.DataFrame, marked=None) -> plt.Figure:
    """Reported landmark rates against the exponential curve through the reported median.

    Parameters
    ----------
    rows : DataFrame
        Columns ``label`` (study/arm/endpoint, ASCII), ``median_months``, ``t_months``, ``rate``
        (percent) and ``value_id`` of the rate.
    marked : set of value_ids
        Rates shown wrong (red); every other rate is drawn blue.
    """
    d = rows.copy()
    groups = list(dict.fromkeys(d["label"]))
    n = max(len(groups), 1)
    cols = min(4, n)
    nrows = math.ceil(n / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(3.1 * cols, 2.6 * nrows), squeeze=False, sharey=True)
    flagged = _ids(marked)
    for ax, lab in zip(axes.flat, groups):
        g = d[d["label"] == lab]
        med = float(g["median_months"].iloc[0])
        tmax = max(float(g["t_months"].max()), med) * 1.3
        t = np.linspace(0, tmax, 100)
        ax.plot(t, 100 * 0.5 ** (t / med), color=GREY, linewidth=1)
        ax.axhline(50, color="black", linewidth=0.6, linestyle=":")
        ax.axvline(med, color="black", linewidth=0.6, linestyle=":")
        colours = [FLAG_COLOUR if v in flagged else OK_COLOUR for v in g["value_id"]]
        ax.scatter(g["t_months"].astype(float), g["rate"].astype(float), c=colours, zorder=3, s=18)
        ax.set_title(_ascii(lab), fontsize=7)
        ax.set_ylim(0, 105)
        ax.set_xlabel("months", fontsize=7)
    for ax in list(axes.flat)[len(groups):]:
        ax.axis("off")
    axes[0][0].set_ylabel("survival (%)")
    fig.suptitle("Landmark rates vs the exponential curve through the median (dotted: median, 50%)", fontsize=9)
    fig.tight_layout()
    return fig


def study_overview(studies: pd.DataFrame) -> plt.Figure:
    """Bar chart of study sizes by design, one bar per study (``label``, ``n``, ``design``, ``location``)."""
    d = studies.copy()
    d["n_num"] = _num(d["n"])
    d = d.sort_values(["location", "n_num"], ascending=[True, False]).reset_index(drop=True)
    designs = list(dict.fromkeys(d["design"]))
    palette = dict(zip(designs, plt.get_cmap("Set2").colors))
    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.3 * max(len(d), 1)))
    ax.barh(range(len(d)), d["n_num"].fillna(0), color=[palette[x] for x in d["design"]])
    for i, r in d.iterrows():
        txt = r["n"] if r["n"] else "N not printed"
        ax.text((r["n_num"] if r["n_num"] == r["n_num"] else 0) + 2, i, f"{txt}  {_ascii(r.get('endpoints', ''))}", va="center", fontsize=7)
    ax.set_yticks(range(len(d)), [_ascii(f"{r['label']} ({r['location']})") for _, r in d.iterrows()], fontsize=7)
    ax.invert_yaxis()
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=v, label=k) for k, v in palette.items()], fontsize=7, loc="lower right")
    ax.set_xlabel("patients (N as printed)")
    ax.set_title("Studies of tables 1-3: size, design, endpoints reported")
    fig.tight_layout()
    return fig


def ranges_with_members(claims: pd.DataFrame, marked=None) -> plt.Figure:
    """The ranges the text claims (bars) with the individual values they summarise (dots).

    Parameters
    ----------
    claims : DataFrame
        One row per (claim, member): ``label`` (ASCII), ``low``, ``high``, ``member`` (may be NaN),
        ``claim_id``, ``member_id``.
    """
    d = claims.copy()
    labels = list(dict.fromkeys(d["label"]))
    flagged = _ids(marked)
    fig, ax = plt.subplots(figsize=(8, 0.8 + 0.45 * max(len(labels), 1)))
    for i, lab in enumerate(labels):
        g = d[d["label"] == lab]
        lo, hi = float(g["low"].iloc[0]), float(g["high"].iloc[0])
        ax.plot([lo, hi], [i, i], color=GREY, linewidth=6, alpha=0.5, solid_capstyle="butt")
        m = g.dropna(subset=["member"])
        colours = [FLAG_COLOUR if (float(x) < lo or float(x) > hi) else OK_COLOUR for x in m["member"]]
        ax.scatter(m["member"].astype(float), [i] * len(m), c=colours, zorder=3, s=18)
        if m.empty:
            ax.text(hi + 1, i, "no individual figures printed", fontsize=7, va="center")
    ax.set_yticks(range(len(labels)), [_ascii(s) for s in labels], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("percent (bar: range claimed in the text; dots: the figures it summarises, red = outside)")
    ax.set_title("Ranges claimed vs the figures behind them")
    fig.tight_layout()
    return fig


def toxicity_rates(rates: pd.DataFrame, ranges: pd.DataFrame, marked=None) -> plt.Figure:
    """Every toxicity percentage printed, one row per toxicity and study, with the ranges claimed.

    Parameters
    ----------
    rates : DataFrame
        ``subgroup`` (toxicity, ASCII), ``value`` (percent as printed), ``value_id``, ``label`` (study).
    ranges : DataFrame
        ``subgroup``, ``low``, ``high`` of the ranges the text claims (drawn as grey bars on a row
        of their own: the text prints no study-level figure behind them).
    marked : set of value_ids
        Values shown wrong (red).
    """
    d = rates.copy()
    d["x"] = _num(d["value"])
    d["who"] = d["label"].map(lambda x: _ascii(x).split(" [")[0]).where(d["label"] != "", "(no study)")
    flagged = _ids(marked)
    rows: list[tuple[str, str]] = []
    for k in sorted(set(d["subgroup"]) | set(ranges["subgroup"])):
        if (ranges["subgroup"] == k).any():
            rows.append((k, "range claimed in the text"))
        rows += [(k, w) for w in sorted(set(d.loc[d["subgroup"] == k, "who"]))]
    fig, ax = plt.subplots(figsize=(8.5, 0.9 + 0.26 * max(len(rows), 1)))
    for i, (k, who) in enumerate(rows):
        if who == "range claimed in the text":
            for _, rr in ranges[ranges["subgroup"] == k].iterrows():
                ax.plot([rr["low"], rr["high"]], [i, i], color=GREY, linewidth=6, alpha=0.5, solid_capstyle="butt")
            continue
        g = d[(d["subgroup"] == k) & (d["who"] == who)]
        cols = [FLAG_COLOUR if v in flagged else OK_COLOUR for v in g["value_id"]]
        ax.scatter(g["x"], [i] * len(g), c=cols, s=20, zorder=3)
    labels, last = [], None
    for k, who in rows:
        labels.append(f"{_ascii(k).replace('_', ' ')} | {who}" if k != last else who)
        last = k
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel("percent (grey bar: range claimed in the text; dots: figures printed; red = shown wrong)")
    ax.set_title("Toxicity rates printed by the review", fontsize=10)
    fig.tight_layout()
    return fig


def checks_heatmap(flags: pd.DataFrame, labels: pd.Series) -> plt.Figure:
    """Heatmap of flags: checks (rows) x studies (columns), cell = number of flags.

    Parameters
    ----------
    flags : DataFrame
        ``inconsistencies.csv``.
    labels : Series
        ASCII study label of each flag (aligned with ``flags``), e.g. from
        :func:`helpers.sections.flag_labels`.
    """
    import seaborn as sns

    d = flags.copy()
    d["study_label"] = labels.map(_ascii).values
    table = pd.crosstab(d["check"], d["study_label"])
    fig, ax = plt.subplots(figsize=(2 + 0.45 * max(table.shape[1], 1), 1 + 0.35 * max(table.shape[0], 1)))
    if table.empty:
        ax.text(0.5, 0.5, "no flags", ha="center")
    else:
        annot = table.astype(str).where(table > 0, "")
        sns.heatmap(table, annot=annot, fmt="", cmap="Reds", cbar=False, linewidths=0.5, ax=ax)
    ax.set_xlabel("study")
    ax.set_ylabel("check")
    ax.set_title("Flags by check and study")
    fig.tight_layout()
    return fig
