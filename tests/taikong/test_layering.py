"""Layers: the library (taikong/, contracts/) imports no Prefect and nothing above it;
flows/ adapts the library to Prefect; taikong_cli/ sits on top of both."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# package -> top-level modules it must not import
FORBIDDEN = {
    "taikong": {"prefect", "prefect_dask", "flows", "taikong_cli"},
    # (contracts share the vocabularies of taikong/vocabulary.py)
    "contracts": {"prefect", "prefect_dask", "flows", "taikong_cli"},
    "flows": {"taikong_cli"},
}


def imported_roots(source: str) -> dict[str, int]:
    """Top-level module -> first line that imports it (absolute imports only)."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            found.setdefault(name.split(".")[0], node.lineno)
    return found


def test_the_reader_sees_every_import_form():
    source = "import prefect.task\nfrom flows.tasks import x\ndef f():\n    import taikong_cli\n"
    assert imported_roots(source) == {"prefect": 1, "flows": 2, "taikong_cli": 4}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(package):
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: imports {root}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for root, line in imported_roots(path.read_text()).items()
        if root in FORBIDDEN[package]
    ]
    assert not wrong, "\n".join(wrong)
