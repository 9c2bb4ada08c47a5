"""The simulator is an honest outside client: it never imports the CSMS."""

import ast
from pathlib import Path

from charger_simulator import station


def test_no_module_imports_csms():
    root = Path(station.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n == "csms" or n.startswith("csms.")]
    assert offenders == []
    assert len(list(root.rglob("*.py"))) > 20
