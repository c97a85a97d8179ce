"""The offers package sits above the booking engine: offers import reservations (a withdrawal
cancels bookings), never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[2] / "service"


def _imported_by(package: str) -> dict[str, set[str]]:
    """Each module of a service package and the absolute modules it imports."""
    found = {}
    for path in sorted((SERVICE / package).glob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                # `from ..offers import x` inside service/<package>/ is service.offers
                base = ["service", package][:2 - node.level + 1] if node.level else []
                module = ".".join([*base, *(node.module.split(".") if node.module else [])])
                names.update({module, *(f"{module}.{alias.name}" for alias in node.names)})
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[path.name] = names
    return found


def test_no_module_of_the_booking_engine_imports_the_offers_package():
    offending = {module: sorted(n for n in names if n.startswith("service.offers"))
                 for module, names in _imported_by("reservations").items()
                 if any(n.startswith("service.offers") for n in names)}
    assert offending == {}


def test_the_offers_package_does_import_the_booking_engine():
    # The check above reads relative imports right: the edge it forbids exists the other way.
    assert any(n.startswith("service.reservations")
               for names in _imported_by("offers").values() for n in names)
