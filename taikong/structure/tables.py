"""Build the release tables of one shard.

documents, sections, paragraphs and boilerplate, plus what is found in the paragraphs:
edits (hyphens rejoined or restored, references and mojibake repaired), mentions and
quantities.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from contracts import Boilerplate, Documents, Edits, Mentions, Paragraphs, Quantities, Sections
from contracts.arrow import polars_schema
from taikong.clean.hyphens import revert_hyphen_edits
from taikong.dedup.templates import template_id
from taikong.enrich.mentions import acronym_definitions, find_mentions
from taikong.enrich.quantities import find_quantities
from taikong.structure.offsets import to_raw_spans
from taikong.structure.paragraphs import (
    HEADING_PATTERNS,
    UNNUMBERED_RANK,
    assemble_blocks,
    published_dates,
    segment,
)
from taikong.text import COPYRIGHT_RE, MONTH_NUMBERS, SHORT_LINE_WORDS

METADATA_VERSION = "metadata_v3"

# A news agency credited in parentheses: one to four capitalised words ("Xinhua", "AP").
_AGENCY = r"\((?P<agency>[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){0,3})\)"
# "... last sentence. (Xinhua)" at the end of a paragraph.
AGENCY_CREDIT_RE = re.compile(rf"(?:^|[.!?\"”’]\s*){_AGENCY}\s*$")
# "BEIJING, June 26 (Xinhua) -- ..." at the start of a paragraph.
AGENCY_DATELINE_RE = re.compile(
    rf"^[A-Z][A-Za-z .'’-]{{1,40}},[^()]{{0,40}}?{_AGENCY}\s*(?:--|—|–)"
)
_NAME_WORD = r"(?:[A-Z][\w'’&.-]*|of|for|and|the|on|in|de|du)"
# A running header that names an organisation: capitalised words, no digits.
_ORG_NAME_RE = rf"^[A-Z][\w'’&.-]*(?:\s+{_NAME_WORD}){{1,8}}$"
_NAME_FUNCTION_WORDS = frozenset(["of", "for", "and", "the", "on", "in", "de", "du"])
# "Institute of Space Law (ISL)": an organisation name and its acronym, alone on a line.
_NAME_WITH_ACRONYM_RE = (
    rf"^(?P<name>[A-Z][\w'’&.-]*(?:\s+{_NAME_WORD}){{1,8}})\s+\((?P<acronym>[A-Z]{{2,10}})\)$"
)

# Frequent English function words: a cheap, dependency-free language signal.
_EN_STOPWORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "on",
        "with",
        "as",
        "by",
        "was",
        "are",
        "it",
        "its",
        "from",
        "at",
        "be",
        "this",
        "have",
        "has",
        "which",
        "an",
        "or",
        "were",
        "will",
        "their",
        "been",
        "also",
        "more",
        "than",
        "other",
    ]
)


@dataclass(frozen=True)
class ShardTables:
    documents: pl.DataFrame
    sections: pl.DataFrame
    paragraphs: pl.DataFrame
    boilerplate: pl.DataFrame
    edits: pl.DataFrame
    mentions: pl.DataFrame
    quantities: pl.DataFrame

    NAMES = (
        "documents",
        "sections",
        "paragraphs",
        "boilerplate",
        "edits",
        "mentions",
        "quantities",
    )


def parse_date(text: str | None) -> dt.date | None:
    """Parse the date styles seen in datelines: 'Jun 27, 2013', '29th May 2018', ISO."""
    if not text:
        return None
    t = text.strip().lower().replace(",", " ").replace(".", " ")
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t):
        y, mo, d = map(int, m.groups())
    elif m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\s+(\d{4})", t):
        d, mo, y = int(m[1]), MONTH_NUMBERS.get(m[2], 0), int(m[3])
    elif m := re.fullmatch(r"([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?\s+(\d{4})", t):
        mo, d, y = MONTH_NUMBERS.get(m[1], 0), int(m[2]), int(m[3])
    else:
        return None
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def detect_language(text: str) -> str:
    words = re.findall(r"[a-z]+", text.lower())
    if len(words) < 5:
        return "und"
    share = sum(w in _EN_STOPWORDS for w in words) / len(words)
    return "en" if share >= 0.15 else "und"


def publisher_from_copyright(lines: pl.DataFrame) -> pl.DataFrame:
    """The holder named in the last copyright line of each document: doc_id, publisher."""
    holder = (
        pl.col("text")
        .str.replace(r"(?i)^.*?(?:copyright|©|\(c\))\s*(?:©|@|\(c\))?", "")
        .str.replace(r"^[\s\d\-–,.@]*", "")
        .str.replace(r"(?i)\.?\s*all rights reserved\.?$", "")
        .str.strip_chars(" .,")
    )
    return (
        lines.filter(pl.col("text").str.contains(COPYRIGHT_RE))
        .sort("doc_id", "line_no")
        .group_by("doc_id", maintain_order=True)
        .agg(holder.last().alias("publisher"))
        .filter(pl.col("publisher").str.len_chars() > 1)
    )


def publisher_from_running_header(boilerplate: pl.DataFrame) -> pl.DataFrame:
    """The organisation a PDF's running header names (its most frequent name-like line)."""
    return (
        boilerplate.filter(
            (pl.col("reason") == "running_header") & pl.col("text").str.contains(_ORG_NAME_RE)
        )
        .group_by("doc_id", "text")
        .agg(pl.len().alias("_n"), pl.col("line_no").min().alias("_first"))
        .sort("doc_id", "_n", "_first", descending=[False, True, False])
        .group_by("doc_id", maintain_order=True)
        .agg(pl.col("text").first().alias("publisher"))
    )


def publisher_from_front_matter(lines: pl.DataFrame) -> pl.DataFrame:
    """The organisation a report's front matter names with its acronym: doc_id, publisher.

    "Academy of Launch Vehicle Technology (ALVT)" on a line of its own before the body,
    furniture included, when the acronym is the initials of the name's capitalised words.
    """
    long_line = (pl.col("n_words") > SHORT_LINE_WORDS).cast(pl.Int32)
    candidates = (
        lines.filter(pl.col("is_blank").not_() & pl.col("wrapped"))
        .with_columns(
            (long_line.cum_sum().over("doc_id", order_by="line_no") - long_line).alias("_body")
        )
        .filter(pl.col("_body") == 0)
        .with_columns(pl.col("text").str.extract_groups(_NAME_WITH_ACRONYM_RE).alias("_m"))
        .unnest("_m")
        .drop_nulls("name")
        .sort("doc_id", "line_no")
    )
    rows = [
        (doc_id, name)
        for doc_id, name, acronym in candidates.select("doc_id", "name", "acronym").iter_rows()
        if _initials(name) == acronym
    ]
    return (
        pl.DataFrame(rows, schema={"doc_id": pl.String, "publisher": pl.String}, orient="row")
        .group_by("doc_id", maintain_order=True)
        .first()
    )


def _initials(name: str) -> str:
    words = re.findall(r"[A-Za-z][\w'’]*", name)
    return "".join(w[0] for w in words if w.lower() not in _NAME_FUNCTION_WORDS).upper()


def publisher_acronym(publisher: str | None, text: str, definitions: dict[str, str]) -> str | None:
    """The acronym the text uses for the publisher, if any.

    An acronym the text defines for the publisher's name (or for the unit that ends it:
    "Technology and Engineering Center for Space Utilization" -> "Center for Space
    Utilization (CSU)"), else the initials of the name when the text uses them as a word.
    The name is the part before a comma ("Center for Space Utilization, CAS").
    """
    if not publisher:
        return None
    name = " ".join(publisher.split(",")[0].split())
    for acronym, long_name in definitions.items():
        letters = acronym.split("-")[0]
        if (name == long_name or name.endswith(" " + long_name)) and letters.isalpha():
            return letters
    words = re.findall(r"[A-Za-z][\w'’]*", name)
    initials = "".join(w[0] for w in words if w.lower() not in _NAME_FUNCTION_WORDS)
    used = re.search(rf"(?<![\w-]){re.escape(initials)}(?![\w-])", text)
    if len(initials) >= 2 and initials.isupper() and used:
        return initials
    return None


def news_agency(paragraph_texts: list[str]) -> str | None:
    """The agency credited in a dateline or after a paragraph's last sentence."""
    for text in paragraph_texts:
        m = AGENCY_DATELINE_RE.search(text) or AGENCY_CREDIT_RE.search(text)
        if m:
            return m.group("agency")
    return None


def _sections_and_paragraphs(blocks: pl.DataFrame) -> tuple[list[dict], list[dict]]:
    """Nest headings by style rank and give every block its innermost section."""
    ranks = {style: rank for style, (_, rank) in HEADING_PATTERNS.items()}
    ranks["unnumbered"] = UNNUMBERED_RANK
    patterns = {style: re.compile(p) for style, (p, _) in HEADING_PATTERNS.items()}
    sections: list[dict] = []
    paragraphs: list[dict] = []
    for (doc_id,), doc_blocks in blocks.group_by("doc_id", maintain_order=True):
        stack: list[dict] = []
        n_sec = n_par = 0
        for row in doc_blocks.iter_rows(named=True):
            if row["kind"] == "heading":
                style = row["heading_style"]
                rank = ranks[style]
                while stack and stack[-1]["_rank"] >= rank:
                    stack.pop()
                if style == "unnumbered":
                    ordinal, heading = None, row["text"]
                else:
                    m = patterns[style].match(row["text"])
                    ordinal, heading = m[1], m[2].strip()
                    if style == "dash":
                        ordinal = None
                n_sec += 1
                section = {
                    "section_id": f"{doc_id}-s{n_sec:03d}",
                    "doc_id": doc_id,
                    "parent_id": stack[-1]["section_id"] if stack else None,
                    "level": len(stack) + 1,
                    "seq": n_sec,
                    "ordinal": ordinal,
                    "heading": heading,
                    "heading_style": style,
                    "raw_start": row["raw_start"],
                    "raw_end": row["raw_end"],
                    "_rank": rank,
                }
                sections.append(section)
                stack.append(section)
                continue
            n_par += 1
            for open_section in stack:
                open_section["raw_end"] = max(open_section["raw_end"], row["raw_end"])
            paragraphs.append(
                {
                    "paragraph_id": f"{doc_id}-p{n_par:04d}",
                    "doc_id": doc_id,
                    "section_id": stack[-1]["section_id"] if stack else None,
                    "seq": n_par,
                    "para_no": row["para_no"],
                    "kind": row["kind"],
                    "text": row["text"],
                    "raw_start": row["raw_start"],
                    "raw_end": row["raw_end"],
                }
            )
    for s in sections:
        del s["_rank"]
    return sections, paragraphs


# Dtypes come from the contracts; these are the columns structure fills itself
# (documents.n_* counts and paragraphs.n_chars/duplicate_of are added later).
_SECTION_COLUMNS = polars_schema(Sections)
_PARAGRAPH_COLUMNS = {
    **polars_schema(
        Paragraphs,
        ["paragraph_id", "doc_id", "section_id", "seq", "kind", "text", "raw_start", "raw_end"],
    ),
    "para_no": pl.Int32,
}


def build_tables(
    docs: pl.DataFrame, lines: pl.DataFrame, clusters: pl.DataFrame, catalog: dict[str, dict]
) -> ShardTables:
    """Structure one shard. `lines` carry boilerplate labels; `clusters` near-dup links."""
    # Removed furniture keeps its words as extracted: edits are only made to paragraphs.
    lines = revert_hyphen_edits(lines, pl.col("bp_reason").is_not_null())
    blocks, pieces, block_edits = assemble_blocks(segment(lines), lines)
    sec_rows, par_rows = _sections_and_paragraphs(blocks)
    sections = pl.DataFrame(sec_rows, schema=_SECTION_COLUMNS)
    located = pl.DataFrame(par_rows, schema=_PARAGRAPH_COLUMNS)
    paragraphs = located.drop("para_no").with_columns(
        pl.col("text").str.len_chars().cast(pl.Int32).alias("n_chars")
    )
    raw_texts = dict(docs.select("doc_id", "raw_text").iter_rows())
    index = located.select("doc_id", "para_no", "paragraph_id", "seq")
    edits = _found_in_paragraphs(
        block_edits.rename(
            {"start": "char_start", "raw_start": "_known_start", "raw_end": "_known_end"}
        ).with_columns(
            (pl.col("char_start") + pl.col("after").str.len_chars())
            .cast(pl.Int32)
            .alias("char_end")
        ),
        index,
        pieces,
        raw_texts,
        Edits,
        "e",
    )
    # `before` is what the raw text says (a line break included, for a rejoined word).
    edits = edits.with_columns(
        pl.Series(
            "before",
            [
                raw_texts[d][a:b]
                for d, a, b in edits.select("doc_id", "raw_start", "raw_end").iter_rows()
            ],
            dtype=pl.String,
        )
    )
    # Acronyms may be defined in headings ("Telemetry, Tracking and Command (TT&C)").
    block_texts = dict(
        blocks.group_by("doc_id", maintain_order=True)
        .agg(pl.col("text").str.join("\n\n"))
        .iter_rows()
    )
    mentions = _found_in_paragraphs(
        find_mentions(located, block_texts), index, pieces, raw_texts, Mentions, "m"
    )
    quantities = _found_in_paragraphs(
        find_quantities(located), index, pieces, raw_texts, Quantities, "q"
    )

    bp = lines.filter(pl.col("bp_reason").is_not_null())
    boilerplate = pl.DataFrame(
        [
            {
                "boilerplate_id": f"{r['doc_id']}-b{r['line_no']:05d}",
                "doc_id": r["doc_id"],
                "line_no": r["line_no"],
                "text": r["text"],
                "reason": r["bp_reason"],
                "template_id": template_id(r["bp_template_key"], r["text"]),
                "n_docs": r["bp_n_docs"],
                "raw_start": r["raw_start"],
                "raw_end": r["raw_end"],
            }
            for r in bp.iter_rows(named=True)
        ],
        schema=polars_schema(Boilerplate),
    )
    documents = _documents(
        docs,
        lines,
        blocks,
        {
            "sections": sections,
            "paragraphs": paragraphs,
            "boilerplate": boilerplate,
            "edits": edits,
            "mentions": mentions,
            "quantities": quantities,
        },
        clusters,
        catalog,
    )
    # Rows follow the inputs' order (source_path), then position in the document, so
    # the release does not depend on how the corpus was cut into shards.
    order = documents.select("doc_id").with_row_index("_doc_order")

    def in_source_order(frame: pl.DataFrame, position: str) -> pl.DataFrame:
        return (
            frame.join(order, on="doc_id", how="left", maintain_order="left")
            .sort("_doc_order", position)
            .drop("_doc_order")
        )

    return ShardTables(
        documents,
        in_source_order(sections, "seq"),
        in_source_order(paragraphs, "seq"),
        in_source_order(boilerplate, "line_no"),
        in_source_order(edits, "seq"),
        in_source_order(mentions, "seq"),
        in_source_order(quantities, "seq"),
    )


# Id column and digits of the seq in it, per table of things found in paragraphs.
_ID_COLUMNS = {
    "edits": ("edit_id", 4),
    "mentions": ("mention_id", 5),
    "quantities": ("quantity_id", 5),
}


def _found_in_paragraphs(
    found: pl.DataFrame,
    index: pl.DataFrame,
    pieces: pl.DataFrame,
    raw_texts: dict[str, str],
    model,
    letter: str,
) -> pl.DataFrame:
    """Spans found in paragraph texts (doc_id, para_no, char_start, char_end, ...) as
    rows of `model`: paragraph id, per-document seq and id, raw span."""
    schema = polars_schema(model)
    id_column, width = _ID_COLUMNS[model.__table_name__]
    rows = (
        found.join(index.rename({"seq": "_p_seq"}), on=["doc_id", "para_no"], how="inner")
        .sort("doc_id", "_p_seq", "char_start")
        .with_columns(pl.int_range(1, pl.len() + 1).over("doc_id").cast(pl.Int32).alias("seq"))
        .with_columns(
            pl.format(
                "{}-{}{}",
                "doc_id",
                pl.lit(letter),
                pl.col("seq").cast(pl.String).str.zfill(width),
            ).alias(id_column)
        )
    )
    rows = to_raw_spans(rows, pieces, raw_texts)
    if "_known_start" in rows.columns:  # an exact raw span wins over the aligned one
        rows = rows.with_columns(
            pl.coalesce("_known_start", "raw_start").alias("raw_start"),
            pl.coalesce("_known_end", "raw_end").alias("raw_end"),
        )
    return rows.select(
        [
            pl.col(c).cast(dtype) if c in rows.columns else pl.lit(None, dtype=dtype).alias(c)
            for c, dtype in schema.items()
        ]
    )


def _documents(docs, lines, blocks, tables, clusters, catalog):
    paragraphs, boilerplate = tables["paragraphs"], tables["boilerplate"]
    dates = {d: parse_date(t) for d, t in published_dates(lines).iter_rows()}
    publishers = {
        **dict(publisher_from_front_matter(lines).iter_rows()),
        **dict(publisher_from_running_header(boilerplate).iter_rows()),
        **dict(publisher_from_copyright(lines).iter_rows()),
    }
    paragraph_texts = dict(
        paragraphs.group_by("doc_id", maintain_order=True).agg(pl.col("text")).iter_rows()
    )
    titles = dict(blocks.filter(pl.col("kind") == "title").select("doc_id", "text").iter_rows())
    layout = dict(lines.group_by("doc_id").agg(pl.col("wrapped").first()).iter_rows())
    has_dateline = set(dates)
    # One block per line: every block stands for at least one raw line and its newline.
    clean_text = dict(
        blocks.group_by("doc_id", maintain_order=True)
        .agg(pl.col("text").str.join("\n"))
        .iter_rows()
    )
    counts = {
        name: dict(frame.group_by("doc_id").len().iter_rows()) for name, frame in tables.items()
    }
    links = {
        r[0]: r[1:]
        for r in clusters.select(
            "doc_id", "near_duplicate_of", "near_duplicate_similarity"
        ).iter_rows()
    }
    rows = []
    for d in docs.iter_rows(named=True):
        doc_id = d["doc_id"]
        facts = catalog.get(d["source_path"], {})
        body = clean_text.get(doc_id, "")
        if layout.get(doc_id):
            doc_type = "report"
        elif doc_id in has_dateline and doc_id in titles:
            doc_type = "news_article"
        else:
            doc_type = "web_page"
        title = facts.get("title") or d.get("markup_title") or titles.get(doc_id)
        published = (
            dt.date.fromisoformat(facts["published_date"])
            if facts.get("published_date")
            else dates.get(doc_id)
        )
        near_of, near_sim = links.get(doc_id, (None, None))
        texts = paragraph_texts.get(doc_id, [])
        publisher = facts.get("publisher") or publishers.get(doc_id)
        acronym = publisher_acronym(
            publisher, d["raw_text"], acronym_definitions(clean_text.get(doc_id, ""))
        )
        rows.append(
            {
                "doc_id": doc_id,
                "source_path": d["source_path"],
                "title": title,
                "title_truncated": bool(title) and title.rstrip().endswith(("...", "…")),
                "published_date": published,
                "publisher": publisher,
                "publisher_acronym": acronym,
                "news_agency": news_agency(texts[::-1]),
                "source_url": facts.get("source_url"),
                "license": facts.get("license"),
                "doc_type": facts.get("doc_type") or doc_type,
                "language": detect_language(body),
                "encoding": d["encoding"],
                "encoding_evidence": d.get("encoding_evidence"),
                "n_replaced_bytes": d.get("n_replaced") or 0,
                "converted_from": d.get("converted_from"),
                "raw_sha256": d["raw_sha256"],
                "n_bytes": d["n_bytes"],
                "n_chars_raw": len(d["raw_text"]),
                "n_chars_clean": len(body),
                **{f"n_{name}": n.get(doc_id, 0) for name, n in counts.items()},
                "near_duplicate_of": near_of,
                "near_duplicate_similarity": near_sim,
                "catalog_fields": sorted(facts),
                "raw_text": d["raw_text"],
            }
        )
    return pl.DataFrame(
        rows,
        schema=polars_schema(Documents),
    )
