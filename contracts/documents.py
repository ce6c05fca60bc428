from __future__ import annotations

import pandera.polars as pa
import polars as pl

from contracts.base import DOC_ID_PATTERN, DocumentScoped
from taikong.vocabulary import DOC_TYPES, ConvertedFrom, DocType, values

__all__ = ["DOC_TYPES", "Documents"]


class Documents(DocumentScoped):
    """One row per input document that was published (quarantined inputs are in the manifest).

    Metadata comes from the optional seeds catalog where it states a fact, otherwise
    from extraction; `catalog_fields` says which fields the catalog supplied.
    """

    __table_name__ = "documents"
    __primary_key__ = "doc_id"
    __schema_version__ = "1.3.0"

    source_path: str = pa.Field(
        unique=True, description="Input path, relative to the seeds directory."
    )
    title: str = pa.Field(
        nullable=True, description="Document title (catalog, else the page's title line)."
    )
    title_truncated: bool = pa.Field(
        description="True when the title ends in an ellipsis: the source cut it."
    )
    published_date: pl.Date = pa.Field(
        nullable=True,
        description=(
            "Publication date (catalog, else the dateline or timestamp; never a revision "
            "stamp or a reference's date). A numbers-only date such as 12/01/2026 is read "
            "day first or month first from the page's own evidence, else left null."
        ),
    )
    publisher: str = pa.Field(
        nullable=True,
        description=(
            "Publisher (catalog, else the copyright holder, else the organisation named "
            "in a PDF's running header)."
        ),
    )
    publisher_acronym: str = pa.Field(
        nullable=True,
        str_matches=r"^[A-Z][A-Za-z&]*[A-Z][A-Za-z&]*$",
        description=(
            "The publisher's acronym as the text uses it: one a text defines for the "
            "publisher's name, or the initials of the name when the text uses them; null "
            "if none."
        ),
    )
    news_agency: str = pa.Field(
        nullable=True,
        description=(
            "News agency the text credits: '(Xinhua)' after the last sentence of a "
            "paragraph or in a 'CITY, date (Agency) --' dateline; null if none."
        ),
    )
    source_url: str = pa.Field(
        nullable=True, description="Where the document was fetched from (catalog only)."
    )
    license: str = pa.Field(nullable=True, description="License of the document (catalog only).")
    doc_type: str = pa.Field(
        isin=values(DocType),
        description="news_article, report or web_page (see doc_type_evidence).",
    )
    language: str = pa.Field(
        str_matches=r"^(?:[a-z]{2}|und)$", description="ISO 639-1 code, or 'und' if undetermined."
    )
    encoding: str = pa.Field(description="Text encoding the input was decoded from.")
    encoding_evidence: str = pa.Field(
        description=(
            "How the encoding was chosen: byte-order mark, valid UTF-8, UTF-8 with invalid "
            "bytes replaced, or the plausibility evidence for a legacy encoding."
        )
    )
    n_replaced_bytes: int = pa.Field(
        ge=0,
        description="Invalid UTF-8 bytes replaced by U+FFFD while decoding (one per byte).",
    )
    converted_from: str = pa.Field(
        nullable=True,
        isin=values(ConvertedFrom),
        description=(
            "'html' when raw_text is the visible text converted from an HTML page (offsets "
            "refer to the converted text); null for plain text inputs."
        ),
    )
    raw_sha256: str = pa.Field(
        str_matches=r"^[0-9a-f]{64}$", description="SHA-256 of the input file's bytes."
    )
    n_bytes: int = pa.Field(gt=0, description="Size of the input file in bytes.")
    n_chars_raw: int = pa.Field(
        gt=0, description="Length of the decoded raw text (the offset reference)."
    )
    n_chars_clean: int = pa.Field(
        ge=0,
        description=("Length of the kept text: title, headings and paragraphs, one per line."),
    )
    n_sections: pl.Int32 = pa.Field(
        ge=0, description="Number of rows in `sections` for this document."
    )
    n_paragraphs: pl.Int32 = pa.Field(
        ge=0, description="Number of rows in `paragraphs` for this document."
    )
    n_boilerplate: pl.Int32 = pa.Field(
        ge=0, description="Number of rows in `boilerplate` for this document."
    )
    n_edits: pl.Int32 = pa.Field(ge=0, description="Number of rows in `edits` for this document.")
    n_mentions: pl.Int32 = pa.Field(
        ge=0, description="Number of rows in `mentions` for this document."
    )
    n_quantities: pl.Int32 = pa.Field(
        ge=0, description="Number of rows in `quantities` for this document."
    )
    near_duplicate_of: str = pa.Field(
        nullable=True,
        str_matches=DOC_ID_PATTERN,
        description=(
            "doc_id of the representative of this document's near-duplicate group "
            "(MinHash); null if none."
        ),
    )
    near_duplicate_similarity: float = pa.Field(
        nullable=True,
        ge=0,
        le=1,
        description="Estimated Jaccard similarity with near_duplicate_of.",
    )
    catalog_fields: list[str] = pa.Field(
        description="Fields whose value came from the seeds catalog."
    )
    raw_text: str = pa.Field(
        description="The decoded raw text: every raw_start/raw_end offset points into it."
    )
    doc_type_evidence: str = pa.Field(
        description=(
            "What decided doc_type: catalog; hard-wrapped text, contents list or numbered "
            "sections (report); agency credit (X), byline or date under the title, "
            "date line and title (news_article); no report or news evidence (web_page)."
        )
    )
    updated_date: pl.Date = pa.Field(
        nullable=True,
        description=(
            "Date the page says it was last updated ('Updated: ...', 'Last Updated'), "
            "from its metadata lines (boilerplate reasons metadata_*)."
        ),
    )

    @pa.dataframe_check(
        description="clean text is never longer than the raw text plus one character per edit"
    )
    @classmethod
    def clean_not_longer_than_raw(cls, data) -> pl.LazyFrame:
        # A restored hyphen is the only character cleaning adds.
        return data.lazyframe.select(
            pl.col("n_chars_clean") <= pl.col("n_chars_raw") + pl.col("n_edits")
        )

    @pa.dataframe_check(description="n_chars_raw is the length of raw_text")
    @classmethod
    def raw_length_matches(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("raw_text").str.len_chars() == pl.col("n_chars_raw"))

    @pa.dataframe_check(description="a document is never its own near-duplicate")
    @classmethod
    def not_own_duplicate(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("near_duplicate_of").is_null()
            | (pl.col("near_duplicate_of") != pl.col("doc_id"))
        )
