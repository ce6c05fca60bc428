"""README.md of a release: a dataset card with Hugging Face front matter (one config per
table, its data files the glob `<table>/*.parquet`), the release's facts, its audit, its
tables and links, its sources and how to load it."""

from __future__ import annotations

from typing import Any

import yaml

from taikong.report.card_model import (
    CROISSANT,
    DATAPACKAGE,
    DEFAULT_TAGS,
    ForeignKey,
    Table,
    dataset_description,
    foreign_keys,
    input_counts,
    license_of,
    pretty_name,
    release_id_of,
    type_key,
)
from taikong.report.escape import escape_markdown


def _cell(value: Any) -> str:
    if value is None or value == "":
        return ""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(text.split())


def _row(*cells: Any) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _front_matter(manifest: dict, tables: list[Table], langs: list[str]) -> str:
    license_id = license_of(manifest)
    meta: dict[str, Any] = {"pretty_name": pretty_name(manifest), "license": license_id}
    if license_id == "other":
        meta["license_name"] = "per-document"
        meta["license_details"] = (
            "Each document keeps its own license (documents.license, from the seeds catalog)."
        )
    if langs:
        meta["language"] = langs
    meta["tags"] = manifest.get("tags") or DEFAULT_TAGS
    configs = []
    for table in _loadable(tables):
        config: dict[str, Any] = {
            "config_name": table.name,
            "data_files": [{"split": "train", "path": table.glob}],
        }
        if table.name == "documents":
            config["default"] = True
        configs.append(config)
    meta["configs"] = configs
    dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{dumped}---\n"


def _loadable(tables: list[Table]) -> list[Table]:
    """Tables that get a Hugging Face config: the `datasets` loader fails on a table of
    zero rows ('Instruction "train" corresponds to no data'), so an empty one gets none."""
    return [t for t in tables if t.rows > 0]


def _release_section(manifest: dict) -> list[str]:
    code = manifest.get("code_version") or {}
    code_text = ", ".join(f"{k} {v}" for k, v in code.items()) if isinstance(code, dict) else code
    lines = [
        "## Release",
        "",
        "| | |",
        "| --- | --- |",
        _row("release id", f"`{release_id_of(manifest)}`"),
        _row("created at", manifest.get("created_at")),
        _row("predecessor", manifest.get("predecessor") or "none (first release)"),
        _row("code version", code_text),
        _row("fingerprint", manifest.get("fingerprint")),
        _row("catalog sha256", manifest.get("catalog_sha256") or "no catalog"),
    ]
    options = manifest.get("options") or {}
    for key, value in options.items():
        lines.append(_row(f"option `{key}`", value))
    validation = manifest.get("validation")
    if isinstance(validation, dict) and "passed" in validation:
        verdict = "passed" if validation["passed"] else "FAILED"
        lines.append(_row("validation", f"{verdict} ({validation.get('report', '')})"))
    heuristics = manifest.get("heuristics") or {}
    if heuristics:
        lines += ["", "Heuristic versions:", "", "| heuristic | version |", "| --- | --- |"]
        lines += [_row(f"`{k}`", v) for k, v in heuristics.items()]
    return lines


def _audit_section(manifest: dict) -> list[str]:
    """What the audit saw: published with warnings, or clean; documents it quarantined."""
    validation = manifest.get("validation") or {}
    warnings = validation.get("warnings") or []
    quarantined = validation.get("quarantined") or []
    verdict = "passed with warnings" if warnings else "passed"
    lines = [
        "## Audit",
        "",
        f"Verdict: {verdict}. Critical checks (contracts, cross-table relations, keys, schema "
        "evolution) all hold; warnings are unusual data, published and listed here. Details: "
        "`validation/summary.json`, Data Docs: `validation/gx/index.html`.",
    ]
    if warnings:
        lines += ["", "Warnings:", ""] + [f"- {escape_markdown(w)}" for w in warnings]
    if quarantined:
        lines += ["", "Documents quarantined because their rows broke a contract:", ""]
        lines += [f"- {escape_markdown(path)}" for path in quarantined]
    return lines


def _tables_section(tables: list[Table], links: list[ForeignKey]) -> list[str]:
    lines = [
        "## Tables",
        "",
        "Offsets `raw_start`/`raw_end` are character offsets into `documents.raw_text`.",
    ]
    for table in tables:
        lines += [
            "",
            f"### `{table.name}`",
            "",
            f"**Grain:** {table.grain}",
            "",
        ]
        if table.notes:
            lines += [table.notes, ""]
        lines += [
            f"Files `{table.glob}` ({len(table.files)} part file(s)): {table.rows} rows, "
            f"{table.bytes} bytes, schema version {table.model.__schema_version__} "
            f"(schema hash `{table.schema_hash}`); each part's sha256 is in `manifest.json`.",
        ]
        if table.primary_key:
            lines.append(f"Primary key: `{table.primary_key}`.")
        refs = [fk for fk in links if fk.table == table.name]
        if refs:
            lines.append(
                "References: "
                + ", ".join(f"`{fk.column}` → `{fk.ref_table}.{fk.ref_column}`" for fk in refs)
                + "."
            )
        lines += ["", "| column | type | nullable | description |", "| --- | --- | --- | --- |"]
        for c in table.columns:
            lines.append(
                _row(
                    f"`{c.name}`",
                    f"`{type_key(c.type)}`",
                    "yes" if c.nullable else "no",
                    c.description,
                )
            )
    return lines


def _sources_section(manifest: dict) -> list[str]:
    inputs = manifest.get("inputs") or []
    n_inputs, published, quarantined = input_counts(manifest)
    summary = manifest.get("summary") or {}
    lines = [
        "## Sources and lineage",
        "",
        f"{n_inputs} input files: {published} published as documents, "
        f"{quarantined} quarantined. Every published document's `doc_id` is the first 16 "
        "hex digits of the SHA-256 of its input file, and `documents.raw_text` is the "
        "decoded input, so every row traces back to its source characters.",
    ]
    counts = [(k, v) for k, v in summary.items() if isinstance(v, int | float)]
    if counts:
        lines += ["", "| count | value |", "| --- | --- |"]
        lines += [_row(k, v) for k, v in counts]
    by_reason = summary.get("boilerplate_by_reason") or {}
    lines += ["", "Boilerplate removed, by reason:", ""]
    if by_reason:
        lines += ["| reason | lines |", "| --- | --- |"]
        lines += [_row(f"`{k}`", v) for k, v in by_reason.items()]
    else:
        lines.append("None.")
    lines += [
        "",
        "Inputs:",
        "",
        "| source path | doc_id | sha256 | bytes | fate | reason |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for item in inputs:
        # Paths and reasons (which quote paths) come from the inputs: shown as text only.
        lines.append(
            "| "
            + " | ".join(
                [
                    escape_markdown(item.get("source_path") or ""),
                    _cell(item.get("doc_id")),
                    _cell(item.get("raw_sha256")),
                    _cell(item.get("n_bytes")),
                    _cell(item.get("fate")),
                    escape_markdown(item.get("reason") or ""),
                ]
            )
            + " |"
        )
    return lines


def _loading_section(manifest: dict, tables: list[Table]) -> list[str]:
    rid = release_id_of(manifest)
    names = [t.name for t in tables]
    first = "paragraphs" if "paragraphs" in names else names[0]
    loadable = [t.name for t in _loadable(tables)]
    hf_first = first if first in loadable else (loadable or [first])[0]
    listed = ", ".join(f'"{n}"' for n in loadable)
    empty = [n for n in names if n not in loadable]
    hf_note = (
        f" Tables without rows in this release ({', '.join(f'`{n}`' for n in empty)}) have "
        "no config: the loader cannot read a table of zero rows."
        if empty
        else ""
    )
    return [
        "## Loading",
        "",
        f"Paths are relative to this directory (`datasets/{rid}/`, or `datasets/latest/`). "
        "Each table is a directory of Parquet part files (`<table>/part-00000.parquet`, "
        "...): read it with the glob `<table>/*.parquet`, or the directory itself.",
        "",
        "polars:",
        "",
        "```python",
        "import polars as pl",
        "",
        f'{first} = pl.read_parquet("{first}/*.parquet")',
        'documents = pl.scan_parquet("documents/*.parquet")',
        "```",
        "",
        "pandas (pyarrow reads a directory of parts as one table):",
        "",
        "```python",
        "import pandas as pd",
        "",
        'documents = pd.read_parquet("documents")',
        "```",
        "",
        "DuckDB:",
        "",
        "```sql",
        "SELECT d.source_path, d.title, count(*) AS paragraphs",
        "FROM 'paragraphs/*.parquet' p JOIN 'documents/*.parquet' d USING (doc_id)",
        "WHERE p.duplicate_of IS NULL",
        "GROUP BY ALL ORDER BY paragraphs DESC, d.source_path;",
        "```",
        "",
        "Hugging Face `datasets` (each table is a config of this card, its data files the "
        f"table's glob; all rows are in the `train` split).{hf_note}",
        "",
        "```python",
        "from pathlib import Path",
        "",
        "from datasets import load_dataset",
        "",
        'here = str(Path().resolve())  # this directory, by name ("." gives the loader none)',
        f'{hf_first} = load_dataset(here, "{hf_first}", split="train")',
        f'tables = {{name: load_dataset(here, name, split="train") for name in [{listed}]}}',
        f'# without the card: load_dataset("parquet", data_files="{first}/*.parquet")',
        "```",
        "",
        f"Machine-readable descriptions: `{CROISSANT}` (Croissant 1.0, e.g. "
        '`mlcroissant.Dataset(jsonld="croissant.json")`) and '
        f"`{DATAPACKAGE}` (Frictionless Data Package v2). `manifest.json` records the "
        "inputs, every file's size and sha256, and versions; `validation/report.json` the "
        "contract checks; `changelog/` the rows changed since the previous release.",
    ]


def readme(manifest: dict, tables: list[Table], langs: list[str]) -> str:
    links = foreign_keys(tables)
    body = [
        f"# {pretty_name(manifest)}",
        "",
        dataset_description(manifest, tables),
        "",
        *_release_section(manifest),
        "",
        *_audit_section(manifest),
        "",
        *_tables_section(tables, links),
        "",
        *_sources_section(manifest),
        "",
        *_loading_section(manifest, tables),
    ]
    return _front_matter(manifest, tables, langs) + "\n" + "\n".join(body) + "\n"
