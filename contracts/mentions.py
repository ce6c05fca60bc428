from __future__ import annotations

import pandera.polars as pa
import polars as pl

from contracts.base import ParagraphSpan
from taikong.vocabulary import EntityType, MentionKind, TypeRule, values


class Mentions(ParagraphSpan):
    """One row per entity mentioned in a paragraph: country, acronym name, designation, site.

    country: ISO 3166 countries (name = common name, code = alpha-3). acronym: names the
    document defines with an acronym, "China Manned Space Agency (CMSA)" (name = long
    name, code = acronym); every use of either form is a mention of the long form's
    entity. designation: numbered craft and systems, "Long March-5B", "Tianwen-1" (name =
    series, code = serial); "Fengyun-4A/4B" is two rows, "Fengyun-4A" and "4B" (each
    later entity of a list spans its own serial). launch_site: "Jiuquan Satellite Launch
    Center", "Xichang and Taiyuan launch sites" (one row per place). Overlapping candidates
    keep the longest. Headings are not searched. entity_type comes from general rules
    (type_rule); acronyms whose type cannot be decided are dropped (counted in the log).
    """

    __table_name__ = "mentions"
    # 2.0.0: paragraph_id, char_start, char_end moved after raw_end (ParagraphSpan).
    __schema_version__ = "2.0.0"

    mention_id: str = pa.Field(
        unique=True,
        str_matches=r"^[0-9a-f]{16}-m\d{5,}$",
        description="Stable id: doc_id, '-m', seq.",
    )
    seq: pl.Int32 = pa.Field(ge=1, description="Position of the mention in the document.")
    kind: str = pa.Field(
        isin=values(MentionKind), description="country, acronym, designation or launch_site."
    )
    text: str = pa.Field(
        str_length={"min_value": 2}, description="The mention as it reads in the paragraph."
    )
    name: str = pa.Field(
        str_length={"min_value": 2},
        description="Canonical name: country common name, long name, or designation series.",
    )
    code: str = pa.Field(
        nullable=True,
        description="ISO 3166 alpha-3 code, the acronym, or the entity's serial ('5B', '2C').",
    )
    canonical: str = pa.Field(
        str_length={"min_value": 2},
        description=(
            "Canonical entity: 'Long March-5B' (one row per entity of 'Fengyun-4A/4B'), the "
            "long form of an acronym (the acronym is in code), the country's common name, "
            "the launch site's full name."
        ),
    )
    entity_type: str = pa.Field(
        isin=values(EntityType),
        description=(
            "spacecraft_probe, launch_vehicle, satellite_system_program, organization, "
            "country or launch_site_place."
        ),
    )
    type_rule: str = pa.Field(
        isin=values(TypeRule),
        description=(
            "How entity_type was decided: pycountry, launch_site_pattern, acronym_head_word, "
            "head_noun_vote (head nouns next to the family's names in the document) or "
            "fallback (a designation with no vote: spacecraft_probe)."
        ),
    )

    @pa.dataframe_check(description="countries carry an ISO 3166 alpha-3 code")
    @classmethod
    def country_code(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("kind") != MentionKind.COUNTRY) | pl.col("code").str.contains(r"^[A-Z]{3}$")
        )
