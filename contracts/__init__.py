"""Table contracts of a Taikong release: one pandera model per table."""

from contracts.boilerplate import Boilerplate
from contracts.documents import Documents
from contracts.paragraphs import Paragraphs
from contracts.sections import Sections

TABLES = {m.__table_name__: m for m in (Documents, Sections, Paragraphs, Boilerplate)}

__all__ = ["TABLES", "Boilerplate", "Documents", "Paragraphs", "Sections"]
