"""Reading-page benchmark: prints measurements from ONE run (no assertions).

    .venv/bin/python benchmarks/bench_report.py [--repeat 3]

1. Page generation: building report.html, report.zh.html and review_annotated.html from the
   committed audit tables (in process, after loading the review; best and median of N runs).
   Target: under 3 s for the three pages.
2. Page load in headless Chromium: navigation start to the load event of each committed page
   (the page's own Navigation Timing), best and median of N loads. Target: under 1 s each.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from helpers import paths, report  # noqa: E402
from helpers.review import load_review  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    t0 = time.perf_counter()
    review = load_review(paths.DATA, validate=False)
    inputs = report.load_inputs(review, paths.OUTPUTS, paths.DATA, citation=report.citation_line(paths.RAW / "CITATION.md"))
    t_load = time.perf_counter() - t0
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        pages = report.build_pages(inputs)
        times.append(time.perf_counter() - t)
    sizes = ", ".join(f"{name} {len(text.encode()) / 1e6:.2f} MB" for name, text in pages.items())
    print(f"page generation (3 pages): best {min(times):.2f} s, median {statistics.median(times):.2f} s "
          f"over {args.repeat} runs (+ {t_load:.2f} s reading the review and the audit tables); {sizes}")

    from browser import Browser, find_chromium

    if not find_chromium():
        print("page load: skipped, no Chromium (make browser)")
        return
    with Browser() as b:
        for name in pages:
            loads = []
            for _ in range(args.repeat):
                info = b.open(paths.OUTPUTS / name)
                loads.append(info["load_ms"] / 1000)
            print(f"page load {name}: best {min(loads):.2f} s, median {statistics.median(loads):.2f} s "
                  f"(navigation start to load event, headless Chromium, {args.repeat} loads)")


if __name__ == "__main__":
    main()
