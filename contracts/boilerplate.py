from __future__ import annotations

import pandera.polars as pa
import polars as pl

from contracts.base import RawSpan
from contracts.templates import TEMPLATE_ID_PATTERN
from taikong.vocabulary import BoilerplateReason, values


class Boilerplate(RawSpan):
    """One row per removed line of site or page furniture, with the reason it was removed.

    Reasons: repeated_template (a line template shared by several documents, at a
    document edge), site_footer (trailing contact/copyright block), copyright_notice,
    running_header (PDF page header/footer); metadata_* (a byline, source/editor,
    timestamp or dateline line, recorded here rather than lost) and furniture judged on
    the page's own evidence (language_switch, share_bar, page_controls, breadcrumb,
    navigation, related_links, page_tail, masthead, disclaimer, contact_line,
    wiki_furniture): see taikong/dedup/line_roles.py. What belongs to the line's template
    (how many documents carry it) is in `templates`, referenced by template_id.
    """

    __table_name__ = "boilerplate"
    __primary_key__ = "boilerplate_id"
    __schema_version__ = "2.0.0"

    boilerplate_id: str = pa.Field(
        unique=True,
        str_matches=r"^[0-9a-f]{16}-b\d{5,}$",
        description="Stable id: doc_id, '-b', line number.",
    )
    line_no: pl.Int32 = pa.Field(ge=0, description="0-based line number in the raw document.")
    text: str = pa.Field(
        str_length={"min_value": 1}, description="Cleaned text of the removed line."
    )
    reason: str = pa.Field(isin=values(BoilerplateReason), description="Why the line was removed.")
    template_id: str = pa.Field(
        nullable=True,
        str_matches=TEMPLATE_ID_PATTERN,
        description=(
            "The line's template in `templates` (the line with digits, months, case and "
            "punctuation masked); null for a line with no letters to mask (a bare number)."
        ),
    )
