"""The optional catalog: facts about an input that extraction cannot know.

`catalog.csv` in the seeds directory has one row per file (column `path`, relative to
the seeds directory) and any of the columns in `CATALOG_FIELDS`. An empty cell means
"no statement": extraction's value is kept. A filled cell wins over extraction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from taikong.io.files import read_bytes
from taikong.vocabulary import DOC_TYPES

CATALOG_FILE = "catalog.csv"
CATALOG_FIELDS = ("title", "source_url", "publisher", "published_date", "license", "doc_type")
_ALLOWED_COLUMNS = {"path", "note", *CATALOG_FIELDS}


class CatalogError(ValueError):
    """The catalog file cannot be used; the message names the file, line and reason."""


@dataclass(frozen=True)
class Catalog:
    entries: dict[str, dict[str, str]]
    sha256: str | None

    def for_path(self, source_path: str) -> dict[str, str]:
        return self.entries.get(source_path, {})


def load_catalog(seeds_dir: Path, known_paths: Iterable[str] | None = None) -> Catalog:
    """Read `catalog.csv` if present, strictly; raise CatalogError with file:line and reason.

    Strict means: UTF-8 (with or without BOM); every row has the header's number of
    fields; no cell but `note` spans lines (an unterminated quote would swallow the rows
    after it);
    `path` is relative and stays inside the seeds directory; with `known_paths` (the
    entries the seeds walk met) every path names one of them; `published_date` is an
    ISO date, `doc_type` one of the contract's types, `source_url` an http(s) URL.
    """
    import hashlib

    path = seeds_dir / CATALOG_FILE
    if not os.path.lexists(path):
        return Catalog({}, None)
    if path.is_symlink() or not path.is_file():
        what = "a link" if path.is_symlink() else ("a directory" if path.is_dir() else "special")
        raise CatalogError(f"{path}: cannot read the catalog: it is {what}, not a regular file")
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_no = raw[: exc.start].count(b"\n") + 1
        raise CatalogError(
            f"{path}:{line_no}: not UTF-8 (byte 0x{raw[exc.start]:02x}); save the catalog as UTF-8"
        ) from exc
    known = set(known_paths) if known_paths is not None else None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = _rows(reader, path)
    header_line, header = next(rows, (1, []))
    columns = [c.strip() for c in header]
    if "path" not in columns:
        raise CatalogError(f"{path}:{header_line}: header must include a 'path' column")
    if unknown := set(columns) - _ALLOWED_COLUMNS:
        raise CatalogError(
            f"{path}:{header_line}: unknown column(s) {sorted(unknown)}; "
            f"allowed: {sorted(_ALLOWED_COLUMNS)}"
        )
    if len(set(columns)) != len(columns):
        raise CatalogError(f"{path}:{header_line}: a column is named twice")
    entries: dict[str, dict[str, str]] = {}
    for line_no, cells in rows:
        where = f"{path}:{line_no}"
        if len(cells) != len(columns):
            raise CatalogError(
                f"{where}: malformed row: {len(cells)} fields, the header has {len(columns)}"
            )
        row = dict(zip(columns, cells, strict=True))
        # Only a free-text note may span lines: elsewhere it means an unterminated quote.
        if spans := [k for k, v in row.items() if k != "note" and ("\n" in v or "\r" in v)]:
            raise CatalogError(
                f"{where}: malformed row: the {spans[0]!r} cell spans lines "
                "(an unterminated quote?)"
            )
        rel = row["path"].strip()
        if not rel:
            raise CatalogError(f"{where}: empty 'path'")
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or "\\" in rel:
            raise CatalogError(
                f"{where}: path {rel!r} must be relative to the seeds directory, with "
                "forward slashes and no '..'"
            )
        if known is not None and rel not in known:
            raise CatalogError(f"{where}: path {rel!r}: no such file in the seeds directory")
        if rel in entries:
            raise CatalogError(f"{where}: '{rel}' is listed twice")
        facts = {k: v.strip() for k, v in row.items() if k in CATALOG_FIELDS and v.strip()}
        _check_values(facts, where)
        entries[rel] = facts
    return Catalog(entries, hashlib.sha256(raw).hexdigest())


def _rows(reader, path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first line of the row, cells) for each non-blank row; csv errors name the line."""
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CatalogError(f"{path}:{start}: malformed row: {exc}") from exc
        if cells and any(c.strip() for c in cells):
            yield start, cells


def _check_values(facts: dict[str, str], where: str) -> None:
    if "published_date" in facts:
        try:
            dt.date.fromisoformat(facts["published_date"])
        except ValueError as exc:
            raise CatalogError(
                f"{where}: published_date {facts['published_date']!r} "
                "is not an ISO date (YYYY-MM-DD)"
            ) from exc
    if "doc_type" in facts and facts["doc_type"] not in DOC_TYPES:
        raise CatalogError(
            f"{where}: doc_type {facts['doc_type']!r} is not one of {', '.join(DOC_TYPES)}"
        )
    if "source_url" in facts and not re.fullmatch(r"https?://\S+", facts["source_url"]):
        raise CatalogError(f"{where}: source_url {facts['source_url']!r} is not an http(s) URL")
