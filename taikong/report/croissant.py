"""croissant.json: Croissant 1.0 JSON-LD of a release (one FileSet per table, whose
`includes` is the table's glob, and one RecordSet per table)."""

from __future__ import annotations

import re
from typing import Any

from taikong.report.card_model import (
    DEFAULT_TAGS,
    KINDS,
    Column,
    ForeignKey,
    Table,
    dataset_description,
    date_published,
    foreign_keys,
    license_of,
    pretty_name,
    release_id_of,
    semver,
)

CROISSANT_1_0 = "http://mlcommons.org/croissant/1.0"
PARQUET_CROISSANT_FORMAT = "application/x-parquet"  # the value mlcroissant reads as Parquet

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


def _cr_field(table: Table, column: Column, links: dict[tuple[str, str], ForeignKey]) -> dict:
    data_type, _ = KINDS[column.kind]
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
    rid = release_id_of(manifest)
    links = {(fk.table, fk.column): fk for fk in foreign_keys(tables)}
    year = date_published(manifest)[:4]
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
        "alternateName": pretty_name(manifest),
        "description": dataset_description(manifest, tables),
        "conformsTo": CROISSANT_1_0,
        "citeAs": (
            f"@misc{{taikong_{re.sub(r'[^0-9A-Za-z]', '_', rid)},\n"
            f"  title = {{{pretty_name(manifest)}}},\n"
            f"  year = {{{year}}},\n"
            f"  note = {{Taikong release {rid}}}\n}}"
        ),
        "license": license_of(manifest),
        "url": manifest.get("url") or f"datasets/{rid}/",
        "identifier": rid,
        "version": semver(rid),
        "datePublished": date_published(manifest),
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
