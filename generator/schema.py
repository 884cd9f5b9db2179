"""JSON Schema for the input files, generated from the pydantic models.

The files under schemas/ are what an editor (the ``# yaml-language-server: $schema=…``
line at the top of each YAML file) uses to complete keys and flag unknown ones.
"""

from __future__ import annotations

import json
from pathlib import Path

from .models import Catalog, Kind, RolesFile, Unit
from .write import write_atomic

MODELS = {"catalog": Catalog, "roles": RolesFile, "kind": Kind, "unit": Unit}


def schemas() -> dict[str, str]:
    """File name -> JSON text, stable (sorted keys, trailing newline)."""
    out = {}
    for name, model in MODELS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[f"{name}.schema.json"] = (
            json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        )
    return out


def write_schemas(folder: Path) -> list[Path]:
    return [
        write_atomic(folder / name, text.encode("utf-8"), force=True)
        for name, text in schemas().items()
    ]
