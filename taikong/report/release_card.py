"""Describe a staged release for people and for tools: README.md, croissant.json, datapackage.json.

Everything about the tables comes from the contracts (`contracts.TABLES`): names, grains,
column types, nullability, descriptions and value constraints are never typed here, so a
table or column added to a contract shows up in all three files without a change to this
module. Row counts and sizes are read from the staged Parquet part files and must agree
with the manifest (which also holds every part's sha256).

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

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from contracts import TABLES
from contracts.arrow import arrow_schema, schema_hash
from contracts.base import TaikongModel, grain, primary_key
from taikong.io.store import ReleaseDir, sha256_file
from taikong.report.escape import escape_markdown

README = "README.md"
CROISSANT = "croissant.json"
DATAPACKAGE = "datapackage.json"
METADATA_FILES = (README, CROISSANT, DATAPACKAGE)

CROISSANT_1_0 = "http://mlcommons.org/croissant/1.0"
DATAPACKAGE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
PARQUET_CROISSANT_FORMAT = "application/x-parquet"  # the value mlcroissant reads as Parquet
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"  # the IANA-registered media type

DEFAULT_TAGS = ["space", "china", "spaceflight", "text", "documents", "parquet"]
DEFAULT_LICENSE = "other"
DEFAULT_DESCRIPTION = (
    "Documents about China's space program (scraped web pages and PDF-extracted reports), "
    "cleaned, stripped of site and page furniture, de-duplicated and structured into "
    "linked tables of documents, sections, paragraphs and the removed boilerplate."
)

# Columns that point at another row of their own table.
SELF_REFERENCES = ("parent_id", "duplicate_of", "near_duplicate_of")

# The JSON-LD @context of Croissant 1.0 as in the spec's example datasets (datasets/1.0),
# which is also what mlcroissant checks a file's @context against.
CROISSANT_CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

# Arrow type kind -> (Croissant dataType, Frictionless type).
_KINDS = {
    "text": ("sc:Text", "string"),
    "integer": ("sc:Integer", "integer"),
    "float": ("sc:Float", "number"),
    "boolean": ("sc:Boolean", "boolean"),
    "date": ("sc:Date", "date"),
    "datetime": ("sc:DateTime", "datetime"),
    "other": ("sc:Text", "any"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    nullable: bool
    unique: bool
    description: str
    checks: tuple[tuple[str, dict], ...]

    @property
    def is_list(self) -> bool:
        return pa.types.is_list(self.type) or pa.types.is_large_list(self.type)

    @property
    def kind(self) -> str:
        """Kind of the value, or of each item for a list column."""
        return _kind(self.type.value_type if self.is_list else self.type)


@dataclass(frozen=True)
class Table:
    name: str
    model: type[TaikongModel]
    columns: tuple[Column, ...]
    dir: str
    files: tuple[str, ...]
    rows: int
    bytes: int
    schema_hash: str
    primary_key: str | None

    @property
    def glob(self) -> str:
        """The table's part files, as a glob relative to the release directory."""
        return f"{self.dir}/*.parquet"

    @property
    def grain(self) -> str:
        return grain(self.model)

    @property
    def notes(self) -> str:
        """The contract's docstring after the grain line."""
        lines = (self.model.__doc__ or "").strip().splitlines()[1:]
        return " ".join(line.strip() for line in lines if line.strip())


@dataclass(frozen=True)
class ForeignKey:
    table: str
    column: str
    ref_table: str
    ref_column: str


def _kind(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "text"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "float"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "datetime"
    return "other"


def _type_key(t: pa.DataType) -> str:
    """Type as text, without the list item's field name (Parquet renames it 'element')."""
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"list<{_type_key(t.value_type)}>"
    return str(t)


def _shape(schema: pa.Schema) -> list[tuple[str, str, bool]]:
    return [(f.name, _type_key(f.type), f.nullable) for f in schema]


def _columns(model: type[TaikongModel]) -> tuple[Column, ...]:
    contract = model.to_schema().columns
    return tuple(
        Column(
            name=field.name,
            type=field.type,
            nullable=field.nullable,
            unique=bool(contract[field.name].unique),
            description=contract[field.name].description or "",
            checks=tuple((c.name, dict(c.statistics or {})) for c in contract[field.name].checks),
        )
        for field in arrow_schema(model)
    )


def load_tables(release_dir: Path, manifest: dict) -> list[Table]:
    """File facts of every contract table, checked against the file schemas and the manifest."""
    recorded = manifest.get("tables") or {}
    release = ReleaseDir(Path(release_dir))
    tables = []
    for name, model in TABLES.items():
        paths = [p for p in release.table_files(name) if p.parent == release.table_dir(name)]
        if not paths:
            raise FileNotFoundError(f"staged release has no part files in {name}/")
        contract_schema = arrow_schema(model)
        for path in paths:
            if _shape(pq.read_schema(path)) != _shape(contract_schema):
                raise ValueError(
                    f"{name}/{path.name} does not have the schema of the {name} contract"
                )
        table = Table(
            name=name,
            model=model,
            columns=_columns(model),
            dir=name,
            files=tuple(f"{name}/{p.name}" for p in paths),
            rows=sum(pq.ParquetFile(p).metadata.num_rows for p in paths),
            bytes=sum(p.stat().st_size for p in paths),
            schema_hash=schema_hash(contract_schema),
            primary_key=primary_key(model),
        )
        facts = dict(recorded.get(name, {}))
        if "files" in facts:
            facts["files"] = tuple(facts["files"])
        for key in ("dir", "files", "rows", "bytes", "schema_hash"):
            if key in facts and facts[key] != getattr(table, key):
                raise ValueError(
                    f"manifest says {name}.{key} = {facts[key]!r}, "
                    f"the staged files have {getattr(table, key)!r}"
                )
        for part in facts.get("parts", []):
            actual = sha256_file(release.root / part["file"])
            if actual != part["sha256"]:
                raise ValueError(
                    f"manifest says {part['file']} has sha256 {part['sha256']}, "
                    f"the staged file has {actual}"
                )
        tables.append(table)
    return tables


def foreign_keys(tables: list[Table]) -> list[ForeignKey]:
    """Links between tables, by naming convention.

    A column named like another table's primary key references that table
    (`doc_id` -> documents, `section_id` -> sections); `parent_id`, `duplicate_of` and
    `near_duplicate_of` reference the primary key of their own table.
    """
    owners = {t.primary_key: t.name for t in tables if t.primary_key}
    links = []
    for table in tables:
        for column in table.columns:
            if column.name == table.primary_key:
                continue
            if column.name in SELF_REFERENCES and table.primary_key:
                links.append(ForeignKey(table.name, column.name, table.name, table.primary_key))
            elif column.name in owners:
                links.append(ForeignKey(table.name, column.name, owners[column.name], column.name))
    return links


def languages(release_dir: Path) -> list[str]:
    """Distinct documents.language codes, without 'und'."""
    if "documents" not in TABLES or "language" not in TABLES["documents"].to_schema().columns:
        return []
    documents = ReleaseDir(Path(release_dir)).scan_table("documents")
    codes = documents.select("language").unique().collect()["language"]
    return sorted(c for c in codes.drop_nulls().to_list() if c != "und")


def _semver(release_id: str) -> str:
    """Release id 2026-11-21(.N) as a Croissant (semantic) version: 2026.1121.N (N from 1)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:\.(\d+))?", release_id)
    if not m:
        return release_id
    year, month, day, n = m.groups()
    return f"{int(year)}.{int(month) * 100 + int(day)}.{int(n or 1)}"


def _license(manifest: dict) -> str:
    return manifest.get("license") or DEFAULT_LICENSE


def _pretty_name(manifest: dict) -> str:
    return (
        manifest.get("pretty_name") or f"Taikong: China space program documents ({_rid(manifest)})"
    )


def _rid(manifest: dict) -> str:
    return str(manifest["release_id"])


def _counts(manifest: dict) -> tuple[int, int, int]:
    inputs = manifest.get("inputs") or []
    published = sum(1 for i in inputs if i.get("fate") == "published")
    quarantined = sum(1 for i in inputs if i.get("fate") == "quarantined")
    return len(inputs), published, quarantined


def _description(manifest: dict, tables: list[Table]) -> str:
    n_inputs, published, quarantined = _counts(manifest)
    rows = ", ".join(f"{t.rows} {t.name}" for t in tables)
    return (
        f"{manifest.get('description') or DEFAULT_DESCRIPTION} Release {_rid(manifest)}: "
        f"{n_inputs} inputs ({published} published, {quarantined} quarantined); {rows} rows."
    )


def _date_published(manifest: dict) -> str:
    created = manifest.get("created_at")
    if not created:
        return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return str(created)


# ---------------------------------------------------------------- Croissant


def _cr_field(table: Table, column: Column, links: dict[tuple[str, str], ForeignKey]) -> dict:
    data_type, _ = _KINDS[column.kind]
    description = column.description
    if column.kind == "other":
        description += f" (Parquet type {column.type}; described as text.)"
    field: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{table.name}/{column.name}",
        "name": column.name,
        "description": description,
        "dataType": data_type,
        "source": {
            "fileSet": {"@id": _file_set_id(table)},
            "extract": {"column": column.name},
        },
    }
    if column.is_list:
        field["repeated"] = True
    link = links.get((table.name, column.name))
    if link and link.ref_table != table.name:
        field["references"] = {"field": {"@id": f"{link.ref_table}/{link.ref_column}"}}
    elif link:
        # A reference into its own RecordSet is valid Croissant, but mlcroissant (1.1)
        # builds a cyclic operation graph from it and cannot read the records: say it.
        field["description"] += f" (Refers to {link.ref_column} of another {table.name} row.)"
    return field


def _file_set_id(table: Table) -> str:
    return f"{table.name}-parquet-files"


def croissant(manifest: dict, tables: list[Table], langs: list[str]) -> dict:
    """Croissant 1.0 JSON-LD of the release."""
    rid = _rid(manifest)
    links = {(fk.table, fk.column): fk for fk in foreign_keys(tables)}
    year = _date_published(manifest)[:4]
    record_sets = []
    for table in tables:
        record_set: dict[str, Any] = {
            "@type": "cr:RecordSet",
            "@id": table.name,
            "name": table.name,
            "description": f"{table.grain} {table.notes}".strip(),
            "field": [_cr_field(table, c, links) for c in table.columns],
        }
        if table.primary_key:
            record_set["key"] = {"@id": f"{table.name}/{table.primary_key}"}
        record_sets.append(record_set)
    doc: dict[str, Any] = {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "name": f"taikong-{rid}",
        "alternateName": _pretty_name(manifest),
        "description": _description(manifest, tables),
        "conformsTo": CROISSANT_1_0,
        "citeAs": (
            f"@misc{{taikong_{re.sub(r'[^0-9A-Za-z]', '_', rid)},\n"
            f"  title = {{{_pretty_name(manifest)}}},\n"
            f"  year = {{{year}}},\n"
            f"  note = {{Taikong release {rid}}}\n}}"
        ),
        "license": _license(manifest),
        "url": manifest.get("url") or f"datasets/{rid}/",
        "identifier": rid,
        "version": _semver(rid),
        "datePublished": _date_published(manifest),
        "creator": {"@type": "sc:Organization", "name": manifest.get("creator") or "Taikong"},
        "keywords": manifest.get("tags") or DEFAULT_TAGS,
        # One FileSet per table: its part files, by the same glob readers use. (A FileSet
        # has no checksum; each part's sha256 is in manifest.json.)
        "distribution": [
            {
                "@type": "cr:FileSet",
                "@id": _file_set_id(t),
                "name": _file_set_id(t),
                "description": f"{t.grain} {len(t.files)} Parquet part file(s), {t.bytes} B.",
                "encodingFormat": PARQUET_CROISSANT_FORMAT,
                "includes": t.glob,
            }
            for t in tables
        ],
        "recordSet": record_sets,
    }
    if langs:
        doc["inLanguage"] = langs
    return doc


# ---------------------------------------------------------------- Data Package


def _xsd_pattern(regex: str) -> str | None:
    """A `^...$` regex as an (implicitly anchored) Table Schema pattern; None if unsafe."""
    if not (regex.startswith("^") and regex.endswith("$") and not regex.endswith("\\$")):
        return None
    inner = regex[1:-1]
    depth, escaped = 0, False
    for ch in inner:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "|" and depth == 0:
            return None  # anchoring the whole alternation would change its meaning
    return inner


def _constraints(column: Column) -> dict:
    constraints: dict[str, Any] = {}
    if not column.nullable:
        constraints["required"] = True
    if column.unique:
        constraints["unique"] = True
    numeric = column.kind in ("integer", "float") and not column.is_list
    text = column.kind == "text" and not column.is_list
    for name, stats in column.checks:
        if name == "isin" and not column.is_list:
            constraints["enum"] = list(stats["allowed_values"])
        elif numeric and name == "greater_than_or_equal_to":
            constraints["minimum"] = stats["min_value"]
        elif numeric and name == "greater_than":
            constraints["exclusiveMinimum"] = stats["min_value"]
        elif numeric and name == "less_than_or_equal_to":
            constraints["maximum"] = stats["max_value"]
        elif numeric and name == "less_than":
            constraints["exclusiveMaximum"] = stats["max_value"]
        elif text and name == "str_matches":
            pattern = _xsd_pattern(stats["pattern"])
            if pattern is not None:
                constraints["pattern"] = pattern
        elif text and name == "str_length":
            if stats.get("exact_value") is not None:
                constraints["minLength"] = constraints["maxLength"] = stats["exact_value"]
            if stats.get("min_value") is not None:
                constraints["minLength"] = stats["min_value"]
            if stats.get("max_value") is not None:
                constraints["maxLength"] = stats["max_value"]
    return constraints


def _dp_field(column: Column) -> dict:
    # Frictionless reads Parquet through pandas, which hands over a list cell as a numpy
    # array (not an "array" value to it) and a null float as NaN: a list column is typed
    # "any" (its item type in the description), and "nan" is a missing value of a
    # nullable float column, so the data as written pass the standard validator.
    field: dict[str, Any] = {
        "name": column.name,
        "type": "any" if column.is_list else _KINDS[column.kind][1],
        "description": column.description,
    }
    if column.is_list:
        item = _KINDS[column.kind][1]
        field["description"] += f" (Parquet list of {item} values.)"
    elif column.kind == "float" and column.nullable:
        field["missingValues"] = ["", "nan"]
    if constraints := _constraints(column):
        field["constraints"] = constraints
    return field


def datapackage(manifest: dict, tables: list[Table]) -> dict:
    """Frictionless Data Package (v2) descriptor of the release."""
    rid = _rid(manifest)
    links = foreign_keys(tables)
    resources = []
    for table in tables:
        schema: dict[str, Any] = {"fields": [_dp_field(c) for c in table.columns]}
        if table.primary_key:
            schema["primaryKey"] = [table.primary_key]
        fks = []
        for fk in links:
            if fk.table != table.name:
                continue
            reference: dict[str, Any] = {"fields": [fk.ref_column]}
            if fk.ref_table != table.name:  # v2: no "resource" means this resource
                reference = {"resource": fk.ref_table, **reference}
            fks.append({"fields": [fk.column], "reference": reference})
        if fks:
            schema["foreignKeys"] = fks
        # `path` is the table's directory: a Data Package "multipart" path concatenates
        # its parts' bytes (meaningless for Parquet; frictionless then reads only the first
        # part), while a directory is what pyarrow, and so frictionless, reads as one
        # table. No `bytes`/`hash`: frictionless's Parquet reader counts neither (it would
        # report a byte-count error); every part's size and sha256 are in manifest.json.
        resources.append(
            {
                "name": table.name,
                "type": "table",
                "path": table.dir,
                "format": "parquet",
                "mediatype": PARQUET_MEDIATYPE,
                "title": table.name,
                "description": f"{table.grain} {table.notes}".strip(),
                "schema": schema,
            }
        )
    license_id = _license(manifest)
    license_entry = {"name": license_id}
    if license_id == DEFAULT_LICENSE:
        license_entry["title"] = "Per-document licenses: see documents.license"
    return {
        "$schema": DATAPACKAGE_V2,
        "name": f"taikong-{rid}".lower(),
        "title": _pretty_name(manifest),
        "description": _description(manifest, tables),
        "version": _semver(rid),
        "created": _date_published(manifest),
        "keywords": manifest.get("tags") or DEFAULT_TAGS,
        "licenses": [license_entry],
        "resources": resources,
    }


# ---------------------------------------------------------------- README


def _cell(value: Any) -> str:
    if value is None or value == "":
        return ""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(text.split())


def _row(*cells: Any) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _front_matter(manifest: dict, tables: list[Table], langs: list[str]) -> str:
    license_id = _license(manifest)
    meta: dict[str, Any] = {"pretty_name": _pretty_name(manifest), "license": license_id}
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
        _row("release id", f"`{_rid(manifest)}`"),
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
                    f"`{_type_key(c.type)}`",
                    "yes" if c.nullable else "no",
                    c.description,
                )
            )
    return lines


def _sources_section(manifest: dict) -> list[str]:
    inputs = manifest.get("inputs") or []
    n_inputs, published, quarantined = _counts(manifest)
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
    rid = _rid(manifest)
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
        f"# {_pretty_name(manifest)}",
        "",
        _description(manifest, tables),
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


# ---------------------------------------------------------------- entry point


def write_release_metadata(release_dir: Path, manifest: dict) -> list[Path]:
    """Write README.md, croissant.json and datapackage.json into a staged release.

    `release_dir` holds one `<table>/` directory of part files per contract table;
    `manifest` is the dict that `taikong.publish.build_manifest` returns. Returns the
    three paths written.
    """
    release_dir = Path(release_dir)
    tables = load_tables(release_dir, manifest)
    langs = languages(release_dir)
    outputs = {
        README: readme(manifest, tables, langs),
        CROISSANT: json.dumps(croissant(manifest, tables, langs), indent=2, ensure_ascii=False),
        DATAPACKAGE: json.dumps(datapackage(manifest, tables), indent=2, ensure_ascii=False),
    }
    paths = []
    for name, text in outputs.items():
        path = release_dir / name
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        tmp.replace(path)
        paths.append(path)
    return paths
