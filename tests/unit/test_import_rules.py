"""The import rules of ARCHITECTURE.md, checked on the source (every import, also those inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "policyqa"

#: each stage imports only its own layer or lower ones
LAYERS = {"records": 0, "settings": 0, "text": 0, "progress": 0, "ingest": 1, "chunking": 2, "embedding": 3,
          "index": 4, "retrieve": 5, "answer": 6, "evaluate": 7, "app": 8, "cli": 9}
#: app sees the answer layer, the eval and the index builder; nothing of ranking or storage
APP_MAY_IMPORT = {"records", "settings", "text", "progress", "answer", "evaluate", "index.build", "app"}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name or "__init__"] = path
    return modules


def _imports(name: str, path: Path) -> set[str]:
    """Every module `name` imports: policyqa modules without the 'policyqa.' prefix, others as named."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.update(f"{target}.{a.name}".lstrip(".") if not node.module else target for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module.removeprefix("policyqa."))
    return found


MODULES = _modules()
EDGES = {name: _imports(name, path) for name, path in MODULES.items()}


def _stage(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_a_layer_above_its_own(name: str) -> None:
    if _stage(name) not in LAYERS:
        return
    above = [m for m in EDGES[name] if _stage(m) in LAYERS and LAYERS[_stage(m)] > LAYERS[_stage(name)]]
    assert not above, f"{name} imports {above}, a later stage"


def test_index_never_imports_chunking_except_the_build_pipeline() -> None:
    offenders = [n for n in MODULES if _stage(n) == "index" and n != "index.build"
                 and any(_stage(m) == "chunking" for m in EDGES[n])]
    assert not offenders


def test_retrieve_reads_an_index_never_builds_one() -> None:
    offenders = {n: sorted(m for m in EDGES[n] if m in ("index.build", "index.writer"))
                 for n in MODULES if _stage(n) == "retrieve"}
    assert not any(offenders.values()), offenders


def test_only_the_lexical_index_imports_bm25s() -> None:
    assert [n for n in MODULES if "bm25s" in EDGES[n]] == ["index.lexical"]


def test_app_imports_only_answer_evaluate_the_index_builder_and_the_ground_floor() -> None:
    def allowed(module: str) -> bool:
        return module in APP_MAY_IMPORT or _stage(module) in APP_MAY_IMPORT - {"index.build"}

    offenders = {n: sorted(m for m in EDGES[n] if _stage(m) in LAYERS and not allowed(m))
                 for n in MODULES if _stage(n) == "app"}
    assert not any(offenders.values()), offenders
