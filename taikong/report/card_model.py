"""What the release card describes, as data: the contract tables with the facts of their
part files, the links between tables, and the manifest fields every rendering shares.

Everything about the tables comes from the contracts (`contracts.TABLES`): names, grains,
column types, nullability, descriptions and value constraints are never typed here, so a
table or column added to a contract shows up in all three files without a change to this
module. Row counts, sizes and sha256 of the part files are passed in (read by
`taikong.io`), and must agree with the manifest.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pyarrow as pa

from contracts import TABLES
from contracts.arrow import arrow_schema, schema_hash
from contracts.base import TaikongModel, grain, primary_key
from taikong.io.release_dir import PartFacts

README = "README.md"
CROISSANT = "croissant.json"
DATAPACKAGE = "datapackage.json"
METADATA_FILES = (README, CROISSANT, DATAPACKAGE)

DEFAULT_TAGS = ["space", "china", "spaceflight", "text", "documents", "parquet"]
DEFAULT_LICENSE = "other"
DEFAULT_DESCRIPTION = (
    "Documents about China's space program (scraped web pages and PDF-extracted reports), "
    "cleaned, stripped of site and page furniture, de-duplicated and structured into "
    "linked tables of documents, sections, paragraphs, the removed boilerplate and its line "
    "templates."
)

# Columns that point at another row of their own table.
SELF_REFERENCES = ("parent_id", "duplicate_of", "near_duplicate_of")

# Arrow type kind -> (Croissant dataType, Frictionless type).
KINDS = {
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


def type_key(t: pa.DataType) -> str:
    """Type as text, without the list item's field name (Parquet renames it 'element')."""
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"list<{type_key(t.value_type)}>"
    return str(t)


def _shape(schema: pa.Schema) -> list[tuple[str, str, bool]]:
    return [(f.name, type_key(f.type), f.nullable) for f in schema]


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


def tables_from_parts(
    manifest: dict, contracts: dict[str, type[TaikongModel]], parts: dict[str, list[PartFacts]]
) -> list[Table]:
    """Every contract table from its part files' facts (`ReleaseDir.part_facts`), checked
    against the contract's schema and against the manifest (dir, files, rows, bytes,
    schema hash and each part's sha256)."""
    recorded = manifest.get("tables") or {}
    tables = []
    for name, model in contracts.items():
        files = parts.get(name) or []
        if not files:
            raise FileNotFoundError(f"staged release has no part files in {name}/")
        contract_schema = arrow_schema(model)
        for part in files:
            if _shape(part.schema) != _shape(contract_schema):
                raise ValueError(f"{part.file} does not have the schema of the {name} contract")
        table = Table(
            name=name,
            model=model,
            columns=_columns(model),
            dir=name,
            files=tuple(part.file for part in files),
            rows=sum(part.rows for part in files),
            bytes=sum(part.bytes for part in files),
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
        staged_sha = {part.file: part.sha256 for part in files}
        for part in facts.get("parts", []):
            actual = staged_sha.get(part["file"])
            if actual != part["sha256"]:
                raise ValueError(
                    f"manifest says {part['file']} has sha256 {part['sha256']}, "
                    f"the staged file has {actual or 'no such part'}"
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


# Where the languages of a release are read from (None: the contracts have no such column).
LANGUAGE_COLUMN: tuple[str, str] | None = (
    ("documents", "language")
    if "documents" in TABLES and "language" in TABLES["documents"].to_schema().columns
    else None
)


def languages(codes: list[str | None]) -> list[str]:
    """Distinct language codes (documents.language), without nulls and 'und'."""
    return sorted({c for c in codes if c is not None and c != "und"})


def semver(release_id: str) -> str:
    """Release id 2026-11-21(.N) as a Croissant (semantic) version: 2026.1121.N (N from 1)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:\.(\d+))?", release_id)
    if not m:
        return release_id
    year, month, day, n = m.groups()
    return f"{int(year)}.{int(month) * 100 + int(day)}.{int(n or 1)}"


def license_of(manifest: dict) -> str:
    return manifest.get("license") or DEFAULT_LICENSE


def pretty_name(manifest: dict) -> str:
    return (
        manifest.get("pretty_name")
        or f"Taikong: China space program documents ({release_id_of(manifest)})"
    )


def release_id_of(manifest: dict) -> str:
    return str(manifest["release_id"])


def input_counts(manifest: dict) -> tuple[int, int, int]:
    inputs = manifest.get("inputs") or []
    published = sum(1 for i in inputs if i.get("fate") == "published")
    quarantined = sum(1 for i in inputs if i.get("fate") == "quarantined")
    return len(inputs), published, quarantined


def dataset_description(manifest: dict, tables: list[Table]) -> str:
    n_inputs, published, quarantined = input_counts(manifest)
    rows = ", ".join(f"{t.rows} {t.name}" for t in tables)
    return (
        f"{manifest.get('description') or DEFAULT_DESCRIPTION} Release {release_id_of(manifest)}: "
        f"{n_inputs} inputs ({published} published, {quarantined} quarantined); {rows} rows."
    )


def date_published(manifest: dict) -> str:
    created = manifest.get("created_at")
    if not created:
        return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return str(created)
