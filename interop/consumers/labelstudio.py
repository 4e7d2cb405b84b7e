"""Label Studio as a real server on 127.0.0.1, driven through its REST API.

Runs in the project's Python (plain HTTP with urllib); the server itself runs
from ``.interop/label-studio``. A user and its API token are created by
Label Studio's own ``start --username --password --user-token`` options.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable

LABEL_CONFIG = """<View>
  <Labels name="label" toName="text">
    <Label value="salary"/><Label value="quote"/><Label value="claim"/><Label value="opinion"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>"""

EMAIL = "interop@example.org"
STARTUP_SECONDS = 600  # first start runs every migration on a new SQLite database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabelStudio:
    """One server process. ``data`` persists between runs (a migrated SQLite database is the slow part of
    a first start); the API token of its user is kept beside it, and every run works in a new project."""

    def __init__(self, exe: Path, data: Path, log: Path):
        self.exe = exe
        self.data = data
        self.log = log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        token_file, password_file = data / "interop-token", data / "interop-password"
        if token_file.is_file() and not password_file.is_file():
            shutil.rmtree(data)  # a cache from before the page check kept no password to log in with: start afresh
        if token_file.is_file():
            self.token = token_file.read_text(encoding="utf-8").strip()
            self.password = password_file.read_text(encoding="utf-8").strip()
        else:
            data.mkdir(parents=True, exist_ok=True)
            self.token, self.password = secrets.token_hex(20), secrets.token_hex(12)
            password_file.write_text(self.password, encoding="utf-8")
            token_file.write_text(self.token, encoding="utf-8")
        self.proc: subprocess.Popen | None = None

    def start(self) -> float:
        self.data.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": str(self.data), "SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": "",
               "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true", "COLLECT_ANALYTICS": "false"}
        args = [str(self.exe), "start", "--no-browser", "--internal-host", "127.0.0.1", "-p", str(self.port),
                "--data-dir", str(self.data), "--username", EMAIL,
                "--password", self.password, "--user-token", self.token, "--enable-legacy-api-token",
                "--log-level", "ERROR"]
        began = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=open(self.log, "w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env, start_new_session=True)
        while time.monotonic() - began < STARTUP_SECONDS:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Label Studio exited with {self.proc.returncode} while starting; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=5) as r:
                    if r.status == 200:
                        return time.monotonic() - began
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(2)
        raise RuntimeError(f"Label Studio did not answer /health within {STARTUP_SECONDS} s; see {self.log}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def api(self, method: str, path: str, body: Any = None, timeout: float = 120) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(f"{self.base}{path}", data=data, method=method,
                                     headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            raise RuntimeError(f"Label Studio {method} {path}: HTTP {exc.code}: {detail}") from None
        return json.loads(raw) if raw else None


PageCheck = Callable[[str, str, str, int, list[dict[str, Any]]], dict[str, Any]]


def round_trip(exe: Path, data: Path, work: Path, export_file: Path, page_check: PageCheck | None = None) -> dict[str, Any]:
    """Start the server, create a project, import our export, export it again; returns counts and the export path.

    ``page_check(base, email, password, project_id, tasks)`` runs while the project exists (its result: ``page``)."""
    ls = LabelStudio(exe, data, work / "label-studio.log")
    try:
        startup = ls.start()
        version = ls.api("GET", "/api/version").get("release", "?")
        project = ls.api("POST", "/api/projects", {"title": "reader interop", "label_config": LABEL_CONFIG})
        pid = project["id"]
        tasks = json.loads(export_file.read_text(encoding="utf-8"))
        imported = ls.api("POST", f"/api/projects/{pid}/import", tasks, timeout=300)
        info = ls.api("GET", f"/api/projects/{pid}/")
        page = None
        if page_check is not None:
            listed = ls.api("GET", f"/api/tasks?project={pid}&page_size=1000")
            page_began = time.monotonic()
            page = page_check(ls.base, EMAIL, ls.password, pid, listed["tasks"] if isinstance(listed, dict) else listed)
            page["seconds"] = round(time.monotonic() - page_began, 1)
        exported = ls.api("GET", f"/api/projects/{pid}/export?exportType=JSON&download_all_tasks=true", timeout=300)
        out = work / "labelstudio-export.json"
        out.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
        ls.api("DELETE", f"/api/projects/{pid}/")
        return {
            "version": version, "startup_s": round(startup, 1), "export": out, "port": ls.port,
            "task_count": imported.get("task_count"), "annotation_count": imported.get("annotation_count"),
            "prediction_count": imported.get("prediction_count"),
            "tasks_in_project": info.get("task_number"), "annotations_in_project": info.get("total_annotations_number"),
            "predictions_in_project": info.get("total_predictions_number"),
            "exported_tasks": len(exported), "page": page,
        }
    finally:
        ls.stop()
