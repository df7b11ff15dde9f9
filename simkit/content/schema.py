"""JSON Schemas of the content files, for editor completion and checking.

Each content file names its schema in its first line (``# yaml-language-server: $schema=...``),
so editors with the YAML language server complete keys and flag wrong values as the author types.
"""

from __future__ import annotations

import json
from pathlib import Path

from .kit import SCHEMAS


def schemas() -> dict[str, str]:
    """File name -> JSON text of every content schema."""
    out = {}
    for model, name in SCHEMAS.items():
        schema = model.model_json_schema()
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
        out[name] = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    return out


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schemas().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
