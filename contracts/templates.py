from __future__ import annotations

import pandera.polars as pa
import polars as pl

from contracts.base import TaikongModel

TEMPLATE_ID_PATTERN = r"^tpl_[0-9a-f]{12}$"


class Templates(TaikongModel):
    """One row per line template of a removed furniture line, with how many documents carry it.

    A template is a line with case, digits, dates, month names and punctuation masked
    (taikong/dedup/templates.py), so "Copyright 2002-2013" and "Copyright 2002-2014"
    are one template. The counts belong to the template, not to each removed line: a new
    document that carries a site's footer changes this row, not every removed copy of
    that footer. They are counted over every document of the run when the lines were
    labelled (a document quarantined later included), the counts the labels were
    decided with.
    """

    __table_name__ = "templates"
    __primary_key__ = "template_id"
    __schema_version__ = "1.0.0"

    template_id: str = pa.Field(
        unique=True,
        str_matches=TEMPLATE_ID_PATTERN,
        description="Stable id: 'tpl_' and the first 12 hex digits of the SHA-1 of masked_text.",
    )
    masked_text: str = pa.Field(
        str_length={"min_value": 2},
        description=(
            "The line as its template: lower case, '#' for a number, 'd' for a date, 'm' "
            "for a month name, punctuation removed."
        ),
    )
    n_docs: pl.Int32 = pa.Field(ge=1, description="Documents carrying a line of this template.")
    n_clusters: pl.Int32 = pa.Field(
        ge=1,
        description=(
            "Near-duplicate clusters among those documents (a document in no cluster counts "
            "as one): a line is repeated furniture only when at least two carry it."
        ),
    )

    @pa.dataframe_check(description="n_clusters <= n_docs")
    @classmethod
    def clusters_within_documents(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("n_clusters") <= pl.col("n_docs"))
