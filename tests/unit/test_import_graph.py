"""The packages of service/ import one another without a cycle, and reads never import writes."""

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[2] / "service"

# Packages that hold a business domain. The calendar floor (service/calendar/) sits under all
# of them, so it may import none of them: only the standard library, SQLAlchemy and service.db.
DOMAIN_PACKAGES = frozenset(
    {
        "accounts",
        "audit",
        "catalogue",
        "classes",
        "dashboard",
        "idempotency",
        "idle",
        "impact",
        "imports",
        "notifications",
        "offers",
        "outcomes",
        "practice",
        "qualifications",
        "reports",
        "reservations",
        "signon",
    }
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(SERVICE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in SERVICE.rglob("*.py")}


def _statements(body: list[ast.stmt]):
    """Every statement, nested ones included (in functions, classes, if, try, with, match):
    imports are statements, so expressions need no visit (a sixth of the time of ast.walk)."""
    for statement in body:
        yield statement
        for name in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(statement, name, None) or [])
        for clause in [*getattr(statement, "handlers", []), *getattr(statement, "cases", [])]:
            yield from _statements(clause.body)


def _imported_modules(module: str, path: Path) -> set[str]:
    """Every service module `module` imports, wherever the import statement stands.

    Imports inside functions (and under `if TYPE_CHECKING:`) count like top-level ones:
    deferring an import hides a cycle from the interpreter, but the two packages stay just
    as dependent on each other. `from package import name` counts as importing package.name
    when that is a module, else as importing the package's __init__.
    """
    modules = _modules()
    is_package = path.name == "__init__.py"
    imported = set()
    for node in _statements(ast.parse(path.read_text(), filename=str(path)).body):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # A package's own __init__ is level 1's anchor; a module's anchor is its package.
                anchor = module.split(".")
                drop = node.level - 1 if is_package else node.level
                anchor = anchor[: len(anchor) - drop]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                imported.add(submodule if submodule in modules else base)
    return {name for name in imported if name in modules}


def _node(module: str) -> str:
    """The graph node of a module: its package under service/, or itself if top-level."""
    parts = module.split(".")
    if len(parts) == 1:
        return module
    if len(parts) == 2 and not (SERVICE / parts[1]).is_dir():
        return module
    return ".".join(parts[:2])


@cache
def _module_edges() -> frozenset[tuple[str, str]]:
    return frozenset(
        (module, imported)
        for module, path in _modules().items()
        for imported in _imported_modules(module, path)
    )


def _package_graph() -> dict[str, set[str]]:
    graph = defaultdict(set)
    for module, imported in _module_edges():
        if _node(module) != _node(imported):
            graph[_node(module)].add(_node(imported))
    return graph


def _a_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the list of its nodes with the first repeated, or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for successor in sorted(graph.get(node, ())):
            if state.get(successor) == "open":
                return stack[stack.index(successor) :] + [successor]
            if successor not in state and (found := visit(successor)):
                return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _edges_along(cycle: list[str]) -> list[str]:
    return [
        f"{module} -> {imported}"
        for source, target in zip(cycle, cycle[1:], strict=False)
        for module, imported in sorted(_module_edges())
        if _node(module) == source and _node(imported) == target
    ]


def test_every_module_is_found_and_parsed():
    assert "service.reservations.booking" in _modules()
    assert ("service.reservations.routes", "service.reservations.booking") in _module_edges()


def test_the_packages_import_one_another_without_a_cycle():
    cycle = _a_cycle(_package_graph())

    assert cycle is None, "import cycle " + " -> ".join(cycle) + ":\n" + "\n".join(
        _edges_along(cycle)
    )


def test_the_calendar_floor_imports_no_domain_package():
    domain_imports = sorted(
        f"{module} -> {imported}"
        for module, imported in _module_edges()
        if _node(module) == "service.calendar"
        and imported.split(".")[1] in DOMAIN_PACKAGES
    )

    assert not domain_imports, "\n".join(domain_imports)


def test_no_read_module_imports_a_use_case_module():
    reads_importing_writes = sorted(
        f"{module} -> {imported}"
        for module, imported in _module_edges()
        if module.endswith(".queries") and imported.endswith(".services")
    )

    assert not reads_importing_writes, "\n".join(reads_importing_writes)
