"""Shared test helpers: a scratch copy of the repository for build tests."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import paths

VENV = Path(sys.executable).parents[1]


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


def make(repo: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    """Run make in ``repo`` with this checkout's virtual environment."""
    env = {**os.environ, "MAKEFLAGS": "", "PYTHONWARNINGS": "ignore:Field"}
    return subprocess.run(["make", *args, f"VENV={VENV}"], cwd=repo, capture_output=True, text=True, env=env, **kw)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (relative path -> bytes)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
