"""The three reading pages in a real browser (headless Chromium over the DevTools protocol).

No console errors, every image decoded, every internal link and anchor resolves (within a page,
across the three pages, and to files such as the rendered notebooks), every value_id of
values.csv present in the annotated text, and a reader's path summary → finding or flag → its
place in the review → back. Screenshots go to build/screenshots/ (not committed).

Needs the Debian package ``chromium`` (``make browser`` installs it as root); without it the test
fails and says how to install it.
"""
from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser import INSTALL_HINT, Browser, find_chromium  # noqa: E402

from helpers import paths  # noqa: E402
from helpers.review import read_table  # noqa: E402

pytestmark = pytest.mark.slow

PAGES = ["report.html", "report.zh.html", "review_annotated.html"]
SHOTS = paths.ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def loaded():
    if not find_chromium():
        pytest.fail(INSTALL_HINT, pytrace=False)
    out = {}
    with Browser(width=1200, height=900) as b:
        for name in PAGES:
            out[name] = b.open(paths.OUTPUTS / name)
            b.screenshot(SHOTS / f"{name}.png")
        # a reader's path: the annotated text at a marked number, then the report at what it links to
        ann = out["review_annotated.html"]
        target = next(h for h in ann["hrefs"] if h.startswith("report.html#"))
        b.open(paths.OUTPUTS / "review_annotated.html")
        b.goto_fragment(next(i for i in ann["ids"] if i.startswith("v-") and "s222" in i or i.startswith("v-s2")))
        b.screenshot(SHOTS / "review_annotated.at_value.png")
        page = b.open(paths.OUTPUTS / "report.html")
        b.goto_fragment(target.split("#", 1)[1])
        out["_landing"] = {"target": target, "scroll": b.evaluate("window.scrollY"),
                           "found": b.evaluate(f"!!document.getElementById({target.split('#', 1)[1]!r})")}
        b.screenshot(SHOTS / "report.at_link_target.png")
        b.open(paths.OUTPUTS / "report.zh.html")
        b.goto_fragment("studies")
        b.screenshot(SHOTS / "report.zh.studies.png")
        assert page["title"]
    return out


@pytest.mark.parametrize("name", PAGES)
def test_no_console_errors(loaded, name):
    assert loaded[name]["console_errors"] == [], loaded[name]["console_errors"]


@pytest.mark.parametrize("name", PAGES[:2])
def test_every_image_decoded(loaded, name):
    images = loaded[name]["images"]
    assert images, "the report embeds its figures"
    bad = [i["src"] for i in images if not i["ok"]]
    assert not bad, bad
    assert len(images) == len(list((paths.OUTPUTS / "figures").glob("*.png")))


@pytest.mark.parametrize("name", PAGES)
def test_every_internal_link_resolves(loaded, name):
    ids_of = {n: set(loaded[n]["ids"]) for n in PAGES}
    broken = []
    for href in loaded[name]["hrefs"]:
        scheme = urlparse(href).scheme
        if scheme in ("http", "https", "mailto", "data"):
            continue
        path, _, frag = href.partition("#")
        if not path:
            if frag not in ids_of[name]:
                broken.append(href)
            continue
        target = paths.OUTPUTS / unquote(path)
        if not target.exists():
            broken.append(href)
        elif frag and (path not in ids_of or frag not in ids_of[path]):
            broken.append(href)
    assert not broken, broken[:10]


def test_every_value_id_is_in_the_annotated_text(loaded):
    values = read_table(paths.EXTRACTED / "values.csv")
    ids = {i[2:] for i in loaded["review_annotated.html"]["ids"] if i.startswith("v-")}
    missing = set(values["value_id"]) - ids
    assert not missing, sorted(missing)[:10]


def test_pages_have_their_language_and_content(loaded):
    assert loaded["report.html"]["lang"] == "en" and loaded["report.zh.html"]["lang"] == "zh-Hans"
    for name in PAGES:
        assert loaded[name]["text_length"] > 5000, name


def test_a_number_links_to_a_place_in_the_report(loaded):
    landing = loaded["_landing"]
    assert landing["found"], landing
    assert landing["scroll"] > 0, "the link did not move the reader to its target"
