"""The shape of the code, as docs/architecture.md draws it: packages named for the stages
of the flow, imports that run one way only, small modules and functions.

These tests read the source (ast), nothing is imported or run.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# What each stage may import besides itself (docs/architecture.md, "Who may import whom").
ALLOWED = {
    "core": set(),
    "model": {"core"},
    "write": {"core"},
    "resolve": {"core", "model"},
    "check": {"core", "model", "resolve"},
    "render": {"core", "resolve", "write"},
    "flow": {"core", "model", "resolve", "check", "render", "write"},
    "readback": {"core", "model", "resolve", "check", "render", "write", "flow"},
    "cycle": {"core", "model", "resolve", "check", "render", "write", "flow", "readback"},
    "web": {"core", "model", "resolve", "check", "render", "write", "flow", "readback", "cycle"},
    "cli": {
        "core",
        "model",
        "resolve",
        "check",
        "render",
        "write",
        "flow",
        "readback",
        "cycle",
        "web",
    },
}
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 120


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def imports(path: Path, module: str) -> list[tuple[str, int]]:
    """Every generator module `path` imports (absolute or relative, anywhere in the file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("generator")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if not name.startswith("generator"):
                continue
            known = modules()
            for alias in node.names:  # "from generator.x import y": y may be a module
                sub = f"{name}.{alias.name}"
                found.append((sub if sub in known else name, node.lineno))
    return found


def test_every_module_is_in_a_stage():
    stray = [m for m in modules() if m != "generator" and stage(m) not in ALLOWED]
    assert stray == [], "modules outside the stage packages of docs/architecture.md"


def test_imports_run_one_way():
    wrong = []
    for module, path in modules().items():
        own = stage(module)
        for target, line in imports(path, module):
            other = stage(target)
            if other is None or other == own or own is None:
                continue
            if other not in ALLOWED[own]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {own} -> {other}")
    assert wrong == []


def test_no_import_circles():
    known = modules()
    graph = defaultdict(set)
    for module, path in known.items():
        for target, _ in imports(path, module):
            if target in known and target != module and target != "generator":
                graph[module].add(target)
    state: dict[str, int] = {}
    circles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join(trail[trail.index(nxt) :] + [nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(known):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_modules_are_small():
    big = {
        str(path.relative_to(PACKAGE.parent)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert big == {}


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_functions_are_short(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_no_private_name_crosses_a_package():
    """A name starting with "_" is its module's own: another stage package never imports it
    (it asks for a public function instead)."""
    wrong = []
    for module, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            if not node.module.startswith("generator.") or stage(node.module) == stage(module):
                continue
            private = [a.name for a in node.names if a.name.startswith("_")]
            if private:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {private}")
    assert wrong == []
