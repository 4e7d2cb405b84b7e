"""The frozen outputs under ``tests/data`` (``facts_frozen/``, ``align_frozen/``): each folder's
``build.py`` (its inputs, and how it writes them) and its gzipped JSON."""
from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def build_module(folder: str) -> ModuleType:
    """``tests/data/<folder>/build.py``, loaded as a module."""
    spec = importlib.util.spec_from_file_location(f"{folder}_build", DATA / folder / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def frozen(folder: str, name: str) -> Any:
    """The frozen JSON ``tests/data/<folder>/<name>``."""
    with gzip.open(DATA / folder / name, "rt", encoding="utf-8") as fh:
        return json.load(fh)
