"""Layers point down only: index <- qa <- ui <- front; bench uses any of them, nothing uses bench."""

import ast
from pathlib import Path

from qa.settings import REPO_ROOT

LAYERS = ["index", "qa", "ui", "front"]  # each may import only those before it (and itself)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_no_module_imports_a_layer_above_its_own():
    upward = []
    for i, layer in enumerate(LAYERS):
        banned = set(LAYERS[i + 1 :]) | {"bench", "tests"}
        for path in sorted((REPO_ROOT / layer).rglob("*.py")):
            for name in _imports(path) & banned:
                upward.append(f"{path.relative_to(REPO_ROOT)} imports {name}")
    assert upward == []


def test_the_check_itself_can_fail(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text("import os\nfrom qa.app import App\n\ndef f():\n    from ui import render\n")
    assert _imports(bad) >= {"qa", "ui", "os"}
