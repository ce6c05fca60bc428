"""Describe a staged release for people and for tools: README.md, croissant.json, datapackage.json.

This module only wires the parts: `taikong.io` reads the facts of the staged part files,
`card_model` builds the description from them and the manifest (checked against each
other), and one renderer per file writes it out; `taikong.io` writes the files.

Each table is a directory of part files (`paragraphs/part-00000.parquet`, ...), described
as a whole:

- `README.md`: a dataset card with Hugging Face front matter (one config per table, its
  data files the glob `<table>/*.parquet`).
- `croissant.json`: Croissant 1.0 JSON-LD (one FileSet, `includes` the table's glob, and
  one RecordSet per table).
- `datapackage.json`: a Frictionless Data Package v2 (one tabular resource per table,
  its `path` the table's directory).
"""

from __future__ import annotations

import json
from pathlib import Path

from contracts import TABLES
from taikong.io import ReleaseDir
from taikong.report.card_model import (
    CROISSANT,
    DATAPACKAGE,
    LANGUAGE_COLUMN,
    METADATA_FILES,
    README,
    languages,
    tables_from_parts,
)
from taikong.report.croissant import croissant
from taikong.report.datapackage import datapackage
from taikong.report.dataset_card import readme

__all__ = ["METADATA_FILES", "write_release_metadata"]


def write_release_metadata(release_dir: Path, manifest: dict) -> list[Path]:
    """Write README.md, croissant.json and datapackage.json into a staged release.

    `release_dir` holds one `<table>/` directory of part files per contract table;
    `manifest` is the dict that `taikong.publish.build_manifest` returns. Returns the
    three paths written.
    """
    release = ReleaseDir(Path(release_dir))
    parts = {name: release.part_facts(name) for name in TABLES}
    tables = tables_from_parts(manifest, TABLES, parts)
    langs = languages(release.distinct_values(*LANGUAGE_COLUMN)) if LANGUAGE_COLUMN else []
    outputs = {
        README: readme(manifest, tables, langs),
        CROISSANT: json.dumps(croissant(manifest, tables, langs), indent=2, ensure_ascii=False),
        DATAPACKAGE: json.dumps(datapackage(manifest, tables), indent=2, ensure_ascii=False),
    }
    return [
        release.put_text_atomically(name, text if text.endswith("\n") else text + "\n")
        for name, text in outputs.items()
    ]
