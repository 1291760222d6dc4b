"""The package's shape: imports flow one way between stages, and each stage says what it owns.

Stages (framing/<stage>/) may import only the stages listed for them; `framing.cli`,
`framing.api`, `framing.__main__` and `framing/__init__.py` may import anything. Imports inside
functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "framing"
SHARED = {"errors", "taxonomy", "provenance", "resources", "aggregate"}
ALLOWED: dict[str, set[str]] = {
    "shared": SHARED,
    "data": SHARED | {"data"},
    "text": SHARED | {"data", "text"},
    "inference": SHARED | {"text", "inference"},
    "training": SHARED | {"data", "text", "inference", "training"},
    "scoring": SHARED | {"text", "inference", "scoring"},
    "labelling": SHARED | {"data", "text", "scoring", "labelling"},
    "comparison": SHARED | {"data", "text", "scoring", "comparison"},
    "report": SHARED | {"text", "comparison", "report"},
}
FREE = {"cli", "api", "__main__", "__init__"}


def _stage(path: Path) -> str:
    part = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    return "shared" if part in SHARED else part


def _imported_stages(path: Path) -> set[tuple[str, int]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names
                                     if node.module == "framing"]
        for name in names:
            parts = name.split(".")
            if parts[0] == "framing" and len(parts) > 1 and parts[1] != "__version__":
                found.add((parts[1], node.lineno))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if _stage(p) not in FREE)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_one_way(path: Path) -> None:
    stage = _stage(path)
    assert stage in ALLOWED, f"{path}: stage {stage!r} is not in the layout test; add it"
    bad = sorted((imp, line) for imp, line in _imported_stages(path)
                 if (imp if imp not in SHARED else "shared") not in ALLOWED[stage]
                 and imp not in ALLOWED[stage])
    assert not bad, f"{path}: {stage} may not import {bad} (allowed: {sorted(ALLOWED[stage])})"


def test_the_checker_catches_a_reach_back(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("def f():\n    from framing.inference.predict import Classifier\n")
    assert ("inference", 2) in _imported_stages(bad)
    assert "inference" not in ALLOWED["comparison"]  # comparison never loads the model


@pytest.mark.parametrize("package", sorted(p for p in PACKAGE.iterdir()
                                           if p.is_dir() and (p / "__init__.py").exists()
                                           and p.name not in ("resources",)))
def test_each_stage_says_what_it_owns(package: Path) -> None:
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
    assert doc and len(doc) > 40, f"{package}/__init__.py needs a docstring: what it owns"


def test_module_size() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 320}
    assert not long, f"modules over ~300 lines: {long}"
