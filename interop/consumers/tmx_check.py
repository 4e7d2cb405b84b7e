"""Read our TMX export with translate-toolkit's TMX reader and compare every segment with the
spans we meant. Usage: tmx_check.py EXPORT.tmx EXPECTED.json; prints one JSON line."""
from __future__ import annotations

import json
import sys
from importlib.metadata import version

from translate.storage.tmx import tmxfile


def main(path: str, expected_path: str) -> None:
    expected = json.load(open(expected_path, encoding="utf-8"))
    problems: list[str] = []
    with open(path, "rb") as f:
        store = tmxfile(f)
    segs = 0
    for unit in store.units:
        tuvs = unit.xmlelement.findall("{*}tuv") or unit.xmlelement.findall("tuv")
        if len(tuvs) < 2:
            problems.append(f"unit {unit.getid()}: fewer than two variants")
        for tuv in tuvs:
            props = {p.get("type"): p.text for p in tuv.findall("prop")}
            seg = "".join(tuv.find("seg").itertext())
            doc = expected.get(props.get("x-doc", ""))
            if doc is None:
                problems.append(f"unknown document {props.get('x-doc')!r}")
                continue
            if doc["text"][int(props["x-start"]):int(props["x-end"])] != seg:
                problems.append(f"{props['x-doc']}: segment {seg!r} is not the text at its offsets")
            segs += 1
    if not store.units:
        problems.append("no translation unit read")
    print(json.dumps({"version": version("translate-toolkit"), "units": len(store.units), "segments": segs,
                      "problems": problems}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
