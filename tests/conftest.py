"""Shared test helpers: scratch copies of the repository and the scratch builds the slow tests share.

Three builds execute notebooks: ``rebuilt`` (this checkout's tracked files without outputs/, then
``make -j2 all``), ``synthetic_built`` (every notebook on the synthetic review) and
``new_review_built`` (``make new-review`` on a text the proposer was never tuned on, then every
notebook on it). Each runs once per session, for every test that needs it, and all start in the
background as soon as the tests are collected (only when a selected test needs them), so that the
other tests run meanwhile.
"""
from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from helpers import paths

VENV = Path(sys.executable).parents[1]
#: tolerances the synthetic build passes, as a user would (through the Makefile's AUDIT_PARAMS)
SYNTHETIC_AUDIT_PARAMS = "AUDIT_PARAMS=-p alpha 0.05 -p exponential_band_pp 25.0"


def tracked_files() -> list[str]:
    """Files git tracks in this checkout."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=paths.ROOT, capture_output=True, check=True)
    return [p for p in out.stdout.decode().split("\0") if p]


def copy_repo(dest: Path, with_outputs: bool) -> Path:
    """Copy the tracked files (mtimes preserved) into ``dest``; outputs/ only if asked."""
    for rel in tracked_files():
        if rel.startswith("outputs/") and not with_outputs:
            continue
        src = paths.ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def make_env() -> dict[str, str]:
    return {**os.environ, "MAKEFLAGS": "", "PYTHONWARNINGS": "ignore:Field"}


def make(repo: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    """Run make in ``repo`` with this checkout's virtual environment."""
    return subprocess.run(["make", *args, f"VENV={VENV}"], cwd=repo, capture_output=True, text=True,
                          env=make_env(), **kw)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (relative path -> bytes)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ the shared scratch builds
class Build:
    """A ``make`` run started in the background; :meth:`result` waits for it (once)."""

    def __init__(self, name: str, cwd: Path, args: list[str], where: Path, then: list[str] | None = None):
        """``make ARGS`` in ``cwd`` (then ``make THEN`` when the first succeeds)."""
        self.name, self.where = name, where
        self._log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        cmd = " ".join(shlex.quote(a) for a in ["make", *args, f"VENV={VENV}"])
        if then:
            cmd += " && " + " ".join(shlex.quote(a) for a in ["make", *then, f"VENV={VENV}"])
        self._proc = subprocess.Popen(["bash", "-c", cmd], cwd=cwd, env=make_env(), text=True,
                                      stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def result(self) -> Path:
        """Wait for the build; fail the requesting test with make's output if it failed."""
        rc = self._proc.wait()
        self._log.seek(0)
        log = self._log.read()
        assert rc == 0, f"{self.name} failed (make exit {rc}):\n{log[-6000:]}"
        return self.where

    def stop(self) -> None:
        if self._proc.poll() is None:  # the session ended early: stop make and its kernels
            os.killpg(self._proc.pid, signal.SIGTERM)
            self._proc.wait()
        self._log.close()


_BUILDS: dict[str, Build] = {}
_SCRATCH: list[Path] = []
#: the real outputs/ as they were before any build started (a build must never touch them)
OUTPUTS_BEFORE: dict[str, bytes] = {}
#: the text of the new-review build: one the proposer was never tuned on
UNSEEN_TEXT = Path(__file__).parent / "fixtures" / "texts" / "unseen_hcc.txt"


def _start_builds(needed: set[str]) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="pytest-builds-"))
    _SCRATCH.append(scratch)
    if "rebuilt" in needed:
        repo = copy_repo(scratch / "rebuild" / "repo", with_outputs=False)
        _BUILDS["rebuilt"] = Build("scratch rebuild (make -j2 all)", repo, ["-j2", "all"], repo)
    if "synthetic_built" in needed:
        out = scratch / "synthetic" / "out"
        _BUILDS["synthetic_built"] = Build(
            "synthetic build (make all DATA_DIR=tests/synthetic_review)", paths.ROOT,
            ["all", "DATA_DIR=tests/synthetic_review", f"OUT_DIR={out}", SYNTHETIC_AUDIT_PARAMS], out)
    if "new_review_built" in needed:
        OUTPUTS_BEFORE.update(snapshot(paths.OUTPUTS))
        reviews = scratch / "new_review"
        _BUILDS["new_review_built"] = Build(
            "new review (make new-review, then make -j2 all on it)", paths.ROOT,
            ["new-review", "NAME=hcc", f"RAW={UNSEEN_TEXT}", f"REVIEWS_DIR={reviews}"], reviews,
            then=["-j2", "all", f"DATA_DIR={reviews / 'hcc'}", f"OUT_DIR={reviews / 'out'}"])


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the builds the selected tests need, before the first test runs."""
    needed = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    needed &= {"rebuilt", "synthetic_built", "new_review_built"}
    if needed and not session.config.option.collectonly:
        _start_builds(needed)


def pytest_sessionfinish(session: pytest.Session, exitstatus) -> None:
    for build in _BUILDS.values():
        build.stop()
    for d in _SCRATCH:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def rebuilt() -> Path:
    """A scratch copy of the tracked files without outputs/, after ``make -j2 all`` (run once)."""
    return _BUILDS["rebuilt"].result()


@pytest.fixture(scope="session")
def synthetic_built() -> Path:
    """OUT_DIR of ``make all`` on the synthetic review with other tolerances (run once)."""
    return _BUILDS["synthetic_built"].result()


@pytest.fixture(scope="session")
def new_review_built() -> Path:
    """REVIEWS_DIR of ``make new-review NAME=hcc`` (then ``make -j2 all`` into its ``out/``; run once)."""
    return _BUILDS["new_review_built"].result()
