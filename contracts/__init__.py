"""Table contracts of a Taikong release: one pandera model per table."""

from contracts.boilerplate import Boilerplate
from contracts.documents import Documents
from contracts.edits import Edits
from contracts.mentions import Mentions
from contracts.paragraphs import Paragraphs
from contracts.quantities import Quantities
from contracts.sections import Sections
from contracts.templates import Templates

TABLES = {
    m.__table_name__: m
    for m in (
        Documents,
        Sections,
        Paragraphs,
        Boilerplate,
        Templates,
        Edits,
        Mentions,
        Quantities,
    )
}

__all__ = [
    "TABLES",
    "Boilerplate",
    "Documents",
    "Edits",
    "Mentions",
    "Paragraphs",
    "Quantities",
    "Sections",
    "Templates",
]
