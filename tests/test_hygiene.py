"""Domain code never imports textual; the UI never opens store files."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1] / "reader"


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_does_not_import_textual():
    offenders = [
        str(p.relative_to(ROOT.parent))
        for p in ROOT.rglob("*.py")
        if "tui" not in p.relative_to(ROOT).parts and "textual" in _imports(p)
    ]
    assert offenders == []


def test_ui_does_not_touch_store_internals():
    tui = ROOT / "tui"
    if not tui.exists():
        return
    for p in tui.rglob("*.py"):
        names = _imports(p)
        assert "tinydb" not in names, p
        assert "filelock" not in names, p
        src = p.read_text(encoding="utf-8")
        assert "journal" not in src.lower() or "store" in src, p
