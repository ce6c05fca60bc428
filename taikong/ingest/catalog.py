"""The optional catalog: facts about an input that extraction cannot know.

`catalog.csv` in the seeds directory has one row per file (column `path`, relative to
the seeds directory) and any of the columns in `CATALOG_FIELDS`. An empty cell means
"no statement": extraction's value is kept. A filled cell wins over extraction.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

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


def load_catalog(seeds_dir: Path) -> Catalog:
    """Read `catalog.csv` if present; raise CatalogError with file:line on any bad row."""
    import hashlib

    path = seeds_dir / CATALOG_FILE
    if not path.exists():
        return Catalog({}, None)
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    reader = csv.DictReader(text.splitlines())
    columns = set(reader.fieldnames or [])
    if "path" not in columns:
        raise CatalogError(f"{path}: header must include a 'path' column")
    if unknown := columns - _ALLOWED_COLUMNS:
        raise CatalogError(
            f"{path}: unknown column(s) {sorted(unknown)}; allowed: {sorted(_ALLOWED_COLUMNS)}"
        )
    entries: dict[str, dict[str, str]] = {}
    for row in reader:
        line_no = reader.line_num  # the file line the row ends on (blank lines count)
        rel = (row.get("path") or "").strip()
        if not rel:
            raise CatalogError(f"{path}:{line_no}: empty 'path'")
        if rel in entries:
            raise CatalogError(f"{path}:{line_no}: '{rel}' is listed twice")
        facts = {k: v.strip() for k, v in row.items() if k in CATALOG_FIELDS and v and v.strip()}
        if "published_date" in facts:
            try:
                dt.date.fromisoformat(facts["published_date"])
            except ValueError as exc:
                raise CatalogError(
                    f"{path}:{line_no}: published_date {facts['published_date']!r} "
                    "is not an ISO date (YYYY-MM-DD)"
                ) from exc
        entries[rel] = facts
    return Catalog(entries, hashlib.sha256(raw).hexdigest())
