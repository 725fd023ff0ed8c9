"""One source of truth for versions: environment.yml, requirements.txt, pyproject.toml and the lock agree."""
from __future__ import annotations

import re
import tomllib
from importlib import metadata

import yaml

from helpers import paths


def _conda_pins() -> dict[str, str]:
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text(encoding="utf-8"))
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=", 1)
            pins[name.lower()] = version.lstrip("=")
    return pins


def _pip_pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (paths.ROOT / name).read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_environment_yml_equals_requirements():
    conda = _conda_pins()
    python = conda.pop("python")
    assert python == "3.11"
    pip = _pip_pins("requirements.txt")
    assert conda == pip, {k: (conda.get(k), pip.get(k)) for k in set(conda) | set(pip) if conda.get(k) != pip.get(k)}


def test_pyproject_pins_equal_requirements():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + [d for deps in project.get("optional-dependencies", {}).values() for d in deps]
    pins = {}
    for spec in specs:
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", spec)
        assert m, f"pyproject.toml: {spec!r} is not pinned with =="
        pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    pip = _pip_pins("requirements.txt")
    assert pins == pip, {k: (pins.get(k), pip.get(k)) for k in set(pins) | set(pip) if pins.get(k) != pip.get(k)}


def test_design_card_packages_listed():
    conda = _conda_pins()
    for pkg in ["jupyterlab", "papermill", "pandas", "seaborn", "pingouin", "pytest-notebook"]:
        assert pkg in conda, pkg


def test_lock_contains_every_direct_pin_at_same_version():
    direct = _pip_pins("requirements.txt")
    lock = _pip_pins("requirements-lock.txt")
    for name, version in direct.items():
        assert lock.get(name) == version, (name, version, lock.get(name))


def test_installed_versions_match_the_lock():
    lock = _pip_pins("requirements-lock.txt")
    mismatched = {}
    for name, version in lock.items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            mismatched[name] = (version, None)
            continue
        if have != version:
            mismatched[name] = (version, have)
    assert not mismatched, mismatched
