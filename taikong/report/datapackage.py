"""datapackage.json: a Frictionless Data Package v2 of a release (one tabular resource
per table, its `path` the table's directory of part files)."""

from __future__ import annotations

from typing import Any

from taikong.report.card_model import (
    DEFAULT_LICENSE,
    DEFAULT_TAGS,
    KINDS,
    Column,
    Table,
    dataset_description,
    date_published,
    foreign_keys,
    license_of,
    pretty_name,
    release_id_of,
    semver,
)

DATAPACKAGE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"  # the IANA-registered media type


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
        "type": "any" if column.is_list else KINDS[column.kind][1],
        "description": column.description,
    }
    if column.is_list:
        item = KINDS[column.kind][1]
        field["description"] += f" (Parquet list of {item} values.)"
    elif column.kind == "float" and column.nullable:
        field["missingValues"] = ["", "nan"]
    if constraints := _constraints(column):
        field["constraints"] = constraints
    return field


def datapackage(manifest: dict, tables: list[Table]) -> dict:
    """Frictionless Data Package (v2) descriptor of the release."""
    rid = release_id_of(manifest)
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
    license_id = license_of(manifest)
    license_entry = {"name": license_id}
    if license_id == DEFAULT_LICENSE:
        license_entry["title"] = "Per-document licenses: see documents.license"
    return {
        "$schema": DATAPACKAGE_V2,
        "name": f"taikong-{rid}".lower(),
        "title": pretty_name(manifest),
        "description": dataset_description(manifest, tables),
        "version": semver(rid),
        "created": date_published(manifest),
        "keywords": manifest.get("tags") or DEFAULT_TAGS,
        "licenses": [license_entry],
        "resources": resources,
    }
