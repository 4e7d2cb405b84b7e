"""Only Textual's public API is used in reader/ and tests/.

Textual marks its internals with a leading underscore: private modules
(``textual._context``) and private attributes (``app._notifications``,
``screen._modal_binding_chain``, ``DataTable._update_dimensions``). They
change without notice between releases, so that the Textual pin can follow
the current major only while none of them is used.

The check is static (AST):
* no import of a private Textual module;
* no attribute access ``x._name`` where ``_name`` is a private name that
  Textual defines and we do not (our own ``self._cache`` is fine);
* no class of ours that subclasses a Textual class defines a method whose
  name is a private method of Textual (an override of Textual internals).
"""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import textual

ROOT = Path(__file__).resolve().parents[2]
OUR_DIRS = (ROOT / "reader", ROOT / "tests", ROOT / "bench")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and len(name) > 1


def _parse(path: Path) -> ast.AST | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (SyntaxError, UnicodeDecodeError):
        return None


def _defined_names(tree: ast.AST) -> tuple[set[str], set[str], set[str]]:
    """(private names defined anywhere, private method names, class names)."""
    names: set[str] = set()
    methods: set[str] = set()
    classes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if _private(node.name):
                names.add(node.name)
                methods.add(node.name)
        elif isinstance(node, ast.ClassDef):
            classes.add(node.name)
            if _private(node.name):
                names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Attribute) and _private(sub.attr):
                        names.add(sub.attr)
                    elif isinstance(sub, ast.Name) and _private(sub.id):
                        names.add(sub.id)
        elif isinstance(node, ast.arg) and _private(node.arg):
            names.add(node.arg)
    return names, methods, classes


def _class_table(tree: ast.AST) -> dict[str, tuple[set[str], set[str]]]:
    """Class name -> (base names, private methods it defines)."""
    table: dict[str, tuple[set[str], set[str]]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases, methods = table.setdefault(node.name, (set(), set()))
            bases.update(filter(None, map(_base_name, node.bases)))
            methods.update(
                item.name for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and _private(item.name)
            )
    return table


@lru_cache(maxsize=1)
def textual_names() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """Private names Textual defines; per Textual class, the private methods it has (inherited too)."""
    names: set[str] = set()
    classes: dict[str, tuple[set[str], set[str]]] = {}
    for path in Path(textual.__file__).parent.rglob("*.py"):
        tree = _parse(path)
        if tree is None:
            continue
        names |= _defined_names(tree)[0]
        for name, (bases, methods) in _class_table(tree).items():
            entry = classes.setdefault(name, (set(), set()))
            entry[0].update(bases)
            entry[1].update(methods)

    inherited: dict[str, frozenset[str]] = {}

    def resolve(name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        if name in inherited:
            return inherited[name]
        bases, methods = classes.get(name, (set(), set()))
        out = set(methods)
        for base in bases:
            if base in classes and base not in seen:
                out |= resolve(base, seen | {name})
        inherited[name] = frozenset(out)
        return inherited[name]

    for name in classes:
        resolve(name)
    return frozenset(names), inherited


def our_files() -> list[Path]:
    files: list[Path] = []
    for folder in OUR_DIRS:
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*.py") if ".venv" not in p.parts)
    return files


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):  # ModalScreen[bool]
        return _base_name(node.value)
    return None


def private_uses(files: list[Path]) -> list[str]:
    t_names, t_classes = textual_names()
    trees = {path: _parse(path) for path in files}
    ours: set[str] = set()
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        if tree is None:
            continue
        ours |= _defined_names(tree)[0]
        for name, (parents, _methods) in _class_table(tree).items():
            bases.setdefault(name, set()).update(parents)

    def textual_private_methods(name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        """Private methods our class ``name`` inherits from Textual (through our classes too)."""
        out: set[str] = set()
        for parent in bases.get(name, ()):
            if parent in bases and parent not in seen:
                out |= textual_private_methods(parent, seen | {name})
            elif parent in t_classes:
                out |= t_classes[parent]
        return frozenset(out)

    problems: list[str] = []
    for path, tree in trees.items():
        if tree is None:
            continue
        rel = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "textual":
                parts = node.module.split(".")
                if any(_private(p) for p in parts) or any(_private(a.name) for a in node.names):
                    problems.append(f"{rel}:{node.lineno}: imports private Textual name from {node.module}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] == "textual" and any(_private(p) for p in parts):
                        problems.append(f"{rel}:{node.lineno}: imports private Textual module {alias.name}")
            elif isinstance(node, ast.Attribute) and _private(node.attr):
                if node.attr in t_names and node.attr not in ours:
                    problems.append(f"{rel}:{node.lineno}: uses Textual's private .{node.attr}")
            elif isinstance(node, ast.ClassDef):
                inherited = textual_private_methods(node.name)
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in inherited:
                        problems.append(f"{rel}:{item.lineno}: {node.name}.{item.name} overrides a private Textual method")
    return problems


def test_no_private_textual_names_in_our_code():
    problems = private_uses(our_files())
    assert not problems, "Textual private API in use:\n" + "\n".join(problems)


def test_the_check_catches_private_uses(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from textual._context import active_app\n"
        "import textual._compat\n"
        "from textual.widgets import DataTable\n"
        "class T(DataTable):\n"
        "    def _update_dimensions(self, rows):\n"
        "        return self._row_locations\n"
        "def f(app):\n"
        "    return app._notifications\n",
        encoding="utf-8",
    )
    global ROOT
    old = ROOT
    ROOT = tmp_path
    try:
        found = "\n".join(private_uses([sample]))
    finally:
        ROOT = old
    assert "textual._context" in found
    assert "textual._compat" in found
    assert "T._update_dimensions overrides" in found
    assert "._row_locations" in found
    assert "._notifications" in found
