"""What a module imports, read from its source (for the migrations that must carry
their own copies of what they run)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path


def imported_by(module_name: str) -> list[str]:
    """The modules ``module_name`` imports (``import x`` and ``from x import …``)."""
    module = importlib.import_module(module_name)
    tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    return [
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [node.module or ""] if isinstance(node, ast.ImportFrom) else [alias.name for alias in node.names]
        )
    ]
