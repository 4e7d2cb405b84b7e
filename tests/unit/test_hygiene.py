"""Domain code never imports textual; the UI never opens store files."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2] / "reader"


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


def test_ui_does_not_touch_store_files():
    """The UI goes through AnnotationStore; it never opens, reads or writes files itself."""
    tui = ROOT / "tui"
    forbidden_calls = {"open", "read_text", "write_text", "read_bytes", "write_bytes", "replace", "unlink", "rename"}
    for p in tui.rglob("*.py"):
        names = _imports(p)
        assert not names & {"tinydb", "filelock"}, p
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module not in ("reader.store.engine", "reader.store.journal", "reader.fsutil"), (
                    f"{p}: imports the store's file engine"
                )
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name):  # a bare open(...)
                    bad = func.id == "open"
                elif isinstance(func, ast.Attribute):  # os.replace, path.read_text, shutil...
                    owner = func.value.id if isinstance(func.value, ast.Name) else ""
                    bad = func.attr in forbidden_calls and (
                        owner in ("os", "io", "shutil", "builtins", "Path") or func.attr.endswith(("_text", "_bytes"))
                    )
                else:
                    bad = False
                if bad:
                    raise AssertionError(f"{p}:{node.lineno}: file access in the UI")


def test_mypy_is_strict_on_all_of_reader():
    """The strict override covers every module of reader/, and nothing switches it off again."""
    import tomllib

    config = tomllib.loads((ROOT.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert "reader" in config["files"]
    strict = {"disallow_untyped_defs", "disallow_incomplete_defs", "disallow_untyped_calls",
              "disallow_any_generics", "check_untyped_defs", "warn_return_any", "no_implicit_reexport"}
    overrides = config.get("overrides", [])
    covering = [o for o in overrides if {"reader", "reader.*"} <= set(o["module"])]
    assert covering and all(covering[0].get(flag) is True for flag in strict), covering
    for o in overrides:
        ours = [m for m in o["module"] if m == "reader" or m.startswith("reader.")]
        if ours and o is not covering[0]:
            loosened = {k for k in o if k != "module" and (k == "ignore_errors" or (k in strict and o[k] is False))}
            assert not loosened, f"{ours}: {sorted(loosened)} loosens the strict check"


MAX_CLASS_LINES = 450  # a class longer than this has more than one job (CONTRIBUTING.md)


def test_no_class_is_over_450_lines():
    long = []
    for p in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES:
                long.append(f"{p.relative_to(ROOT.parent)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert long == []


def _layer_contract() -> list[str]:
    import tomllib

    config = tomllib.loads((ROOT.parent / "pyproject.toml").read_text(encoding="utf-8"))
    contract = config["tool"]["importlinter"]["contracts"][0]
    assert contract["type"] == "layers"
    return [name.strip() for layer in contract["layers"] for name in layer.replace(":", "|").split("|")]


def test_every_module_is_in_the_layers():
    """import-linter checks only what its layers name: every module of reader/ is named, or sits in a named package."""
    named = set(_layer_contract())
    missing = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
            body = ast.parse(path.read_text(encoding="utf-8")).body
            if all(isinstance(node, ast.Expr) for node in body):
                continue  # a package that only holds its modules (a docstring, no code)
        if len(parts) == 1:
            continue  # reader/__init__.py: the package itself
        dotted = [".".join(parts[:i]) for i in range(2, len(parts) + 1)]
        if not named.intersection(dotted):
            missing.append(".".join(parts))
    assert not missing, f"modules outside the import-linter layers (name them in pyproject.toml): {missing}"


def test_folders_show_the_architecture():
    """Flat folders stay small: the top of reader/ and of reader/tui/ hold packages, not a heap of modules."""
    top = [p.name for p in ROOT.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    tui = [p.name for p in (ROOT / "tui").glob("*.py") if p.name != "__init__.py"]
    assert len(top) <= 16, f"reader/ has {len(top)} flat modules: put them in a package ({sorted(top)})"
    assert len(tui) <= 6, f"reader/tui/ has {len(tui)} flat modules: widgets/, dialogs/, services/ or screens/ ({sorted(tui)})"
