"""Mentions of countries, of acronym-defined names, and of numbered designations.

Three kinds, found per paragraph with regular expressions (no model):

* `country`: a country's name from ISO 3166 (pycountry: short, common and official
  names, the part before a comma when it names one country only) plus a few usual
  English names ISO does not use ("Russia", "Britain", "Turkey"), and states that no
  longer exist ("Soviet Union", "USSR", "East Germany": ISO 3166-3 codes, lexicon
  `historic_countries`). A country's name that begins an organisation's name (capitalised
  words follow at once, an organisation head among the next six: "China Aerospace Science
  and Technology Corporation", "China Daily", "United States Space Force") is no
  mention; adjectives ("Chinese") never are. `name` is the short
  name (see `_short_name`: pycountry's common_name, else a usual name ISO's name begins
  with, "Russia" for "Russian Federation", else ISO's name), `code` the alpha-3 code.
* `acronym`: a name the document defines with an acronym, "Long Name (ACR)" or "ACR
  (Long Name)", where the acronym's letters can be read off the name's words in order
  (each capitalised word gives one or more leading letters; function words and, in a
  lower-case name, adjectives may give none). Every later use of the acronym or of the
  long name in the same document is a mention. `name` is the long name, `code` the
  acronym.
* `designation`: a numbered vehicle, spacecraft, satellite or system: a capitalised
  name (one or two words, "Long March") joined by a hyphen to a serial ("Tianwen-1",
  "Long March-5B", "Haiyang-2B/2C/2D"). A name seen so in the document also counts
  when written with a space ("Chang'e 4"). `name` is the name, `code` the serial.
  Designations of things that are not craft (diseases such as COVID-19) are excluded.

* `launch_site`: "<Name> (Satellite|Space) Launch Center/Centre/Site/Base", "<Name>[,
  <Name> and <Name>] launch site(s)" (one mention per place), and a place a launch leaves
  from: "lifted off from X", "launched the probe from X", "launch pads installed at X" (a
  launch word at most four words before from/at, no function word but an article
  between). A place is a pycountry subdivision ("Hainan Sheng" -> "Hainan") or a word
  the English dictionaries list only capitalised or not at all; "Space", "Moon" are no
  places, nor a country, nor a name followed by a capitalised word or a craft noun
  ("Halvor space station").

Where mentions overlap the longest wins ("China Manned Space Agency" over "China").

One module per detector: `countries`, `acronyms`, `designations`, `launch_sites`;
`entity_types` gives each mention its entity and type (head nouns in `heads`); `common`
holds what they share. Their word lists are data files in `lexicons/`, read once by
`lexicon` (shipped inside the package).
Headings are not searched (they are sections, not paragraphs).

Each mention then gets a `canonical` entity and an `entity_type` (ENTITY_TYPES), with the
rule that decided it in `type_rule`:

* designations: "Long March-5B" (name, hyphen, serial); a serial list gives one mention
  per entity: "Fengyun-4A/4B" -> "Fengyun-4A" (span: name and first serial) and
  "Fengyun-4B" (span: its own serial "4B"; a one-letter part keeps its slash, "/B").
  The type is a per-document vote of the head nouns next to any use of the family name
  (with or without serial; a list "A-1, B-2 and other ... vehicles" shares the noun after
  it): rocket/launcher/vehicle -> launch_vehicle; probe/spacecraft/module/space station/
  rover/lander/telescope/... -> spacecraft_probe; satellite/system/constellation/
  program/project/series -> satellite_system_program. Only the document is read, so a
  document's output does not depend on the rest of its shard. Also votes (same rule,
  head_noun_vote): a name in apposition, whose last word is the head ("the Algerian
  Communications Satellite (X-1)", "X-1 (... Lunar Orbiter)", "X-1, also known as the
  ... Satellite," / "X-1, China's ... satellite."), and a head noun after plural noun
  modifiers ("X-3 earth resources satellite,": an -s word followed by a singular head
  noun that closes the phrase is no verb). Fallback, documented and marked
  type_rule="fallback": a designation with no vote is spacecraft_probe.
* acronyms: canonical = the long form (the acronym stays in `code`) for both forms;
  type by the long form's head word (the last word before of/for/on/in): a launch-site
  name -> launch_site_place, Organization/Agency/... -> organization, System/Program/
  Initiative/Project/Satellite -> satellite_system_program, a craft noun (Explorer,
  Telescope...) -> its type, an instrument (Monitor, Imager, Radar...) in a name that puts
  it in space ("Space-based ... Monitor") -> spacecraft_probe; else a head-noun vote as
  for designations. An acronym whose
  type cannot be decided ("Telemetry, Tracking and Command (TT&C)", a method, a service)
  is dropped, counted as acronym_untyped in the log line of `find_mentions`.
* countries: the pycountry common name, country. A one-word country name used as a
  person's name (after a title, or after a capitalised word inside a sentence: "Dr.
  Jordan", "said Mary Jordan") is no mention.
* launch sites: launch_site_place; canonical = the full name ("Centre" spelt "Center")
  when the document writes it, else "<Name> Launch Site" when the document lists it as a
  launch site, else (a place found by a launch context only) the place's name.

Speed: the document is scanned with few, cheap passes: literal forms (acronyms, series,
family names) are located with `str.find` and then matched where found
(`common.form_matches`), country names only where a capitalised word can start one, launch
centers only before "Launch Center"; family votes are computed once per family and
document. The output is the one the plain regular expressions give (tested).
"""

from __future__ import annotations

import bisect
import logging
from dataclasses import replace

import polars as pl

from taikong.enrich.mentions.acronyms import acronym_definitions, find_acronyms
from taikong.enrich.mentions.common import ENTITY_TYPES, MENTION_KINDS, Mention
from taikong.enrich.mentions.countries import find_countries
from taikong.enrich.mentions.designations import (
    hyphenated_designations,
    series_designations,
)
from taikong.enrich.mentions.entity_types import typed
from taikong.enrich.mentions.launch_sites import find_launch_sites

__all__ = [
    "ENTITY_TYPES",
    "MENTIONS_VERSION",
    "MENTION_KINDS",
    "Mention",
    "acronym_definitions",
    "find_mentions",
]

log = logging.getLogger(__name__)

MENTIONS_VERSION = "mentions_v5"


def _resolve(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions (then the earliest)."""
    kept: list[Mention] = []
    cluster: list[Mention] = []
    cluster_end = -1

    def settle() -> None:
        chosen: list[Mention] = []
        for m in sorted(cluster, key=lambda m: (-(m.end - m.start), m.start)):
            if all(m.end <= k.start or m.start >= k.end for k in chosen):
                chosen.append(m)
        kept.extend(chosen)

    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if cluster and m.start >= cluster_end:
            settle()
            cluster = []
        cluster.append(m)
        cluster_end = max(cluster_end, m.end) if len(cluster) > 1 else m.end
    if cluster:
        settle()
    return sorted(kept, key=lambda m: m.start)


def _in_paragraphs(
    found: list[Mention], whole: str, texts: list[str], starts: list[int]
) -> list[Mention] | None:
    """`found` in `whole` (in text order, none spanning a line break), moved to the
    paragraphs joined (paragraph i at `starts[i]`): the ones inside the paragraphs, each
    paragraph located in order in `whole` as a block between line breaks. None when a
    paragraph cannot be located so."""
    out: list[Mention] = []
    k = cursor = 0
    for text, start in zip(texts, starts, strict=True):
        pos = whole.find(text, cursor)
        while pos >= 0 and not (
            (pos == 0 or whole[pos - 1] == "\n")
            and (pos + len(text) == len(whole) or whole[pos + len(text)] == "\n")
        ):
            pos = whole.find(text, pos + 1)
        if pos < 0:
            return None
        stop = pos + len(text)
        while k < len(found) and found[k].start < pos:
            k += 1
        while k < len(found) and found[k].end <= stop:
            m = found[k]
            out.append(replace(m, start=m.start - pos + start, end=m.end - pos + start))
            k += 1
        cursor = stop
    return out


def find_mentions(
    paragraphs: pl.DataFrame, definitions_text: dict[str, str] | None = None
) -> pl.DataFrame:
    """One row per mention: doc_id, para_no, kind, text, name, code, canonical,
    entity_type, type_rule, char_start, char_end.

    Input: paragraphs with doc_id, para_no, text (in document order).
    `definitions_text`: per document, the text searched for acronym definitions and
    designation series (headings included); by default its paragraphs.
    """
    schema = {
        "doc_id": pl.String,
        "para_no": pl.Int32,
        "kind": pl.String,
        "text": pl.String,
        "name": pl.String,
        "code": pl.String,
        "canonical": pl.String,
        "entity_type": pl.String,
        "type_rule": pl.String,
        "char_start": pl.Int32,
        "char_end": pl.Int32,
    }
    rows = []
    dropped: dict[str, int] = {}
    doc_ids = paragraphs["doc_id"].to_list()
    all_texts = paragraphs["text"].to_list()
    all_para_nos = paragraphs["para_no"].to_list()
    bounds = [i for i in range(1, len(doc_ids)) if doc_ids[i] != doc_ids[i - 1]]
    for lo, hi in zip([0, *bounds], [*bounds, len(doc_ids)], strict=True):
        if lo == hi:
            continue
        doc_id = doc_ids[lo]
        texts = all_texts[lo:hi]
        # Scan the paragraphs joined (one regex pass per kind), then split by paragraph.
        joined = "\n\n".join(texts)
        whole = (definitions_text or {}).get(doc_id) or joined
        definitions = acronym_definitions(whole)
        starts = [0]
        for text in texts[:-1]:
            starts.append(starts[-1] + len(text) + 2)
        hyphenated = hyphenated_designations(whole)
        series = {m.name for m in hyphenated}
        if whole is not joined:
            hyphenated = _in_paragraphs(hyphenated, whole, texts, starts)
            if hyphenated is None:  # the paragraphs are not blocks of `whole`
                hyphenated = hyphenated_designations(joined)
        found = find_countries(joined) + find_acronyms(joined, definitions)
        found += hyphenated + series_designations(joined, series) + find_launch_sites(joined)
        para_nos = all_para_nos[lo:hi]
        for m in typed(_resolve(found), joined, whole, definitions, dropped):
            i = bisect.bisect_right(starts, m.start) - 1
            offset = starts[i]
            if m.end > offset + len(texts[i]):
                continue  # runs across a paragraph break
            rows.append(
                {
                    "doc_id": doc_id,
                    "para_no": para_nos[i],
                    "kind": m.kind,
                    "text": joined[m.start : m.end],
                    "name": m.name,
                    "code": m.code,
                    "canonical": m.canonical,
                    "entity_type": m.entity_type,
                    "type_rule": m.type_rule,
                    "char_start": m.start - offset,
                    "char_end": m.end - offset,
                }
            )
    if dropped:
        # Counted, not silent: acronyms left without a type are dropped, designations
        # without a head-noun vote take the fallback type (and say so in type_rule).
        log.info("mentions: %s", ", ".join(f"{k}={v}" for k, v in sorted(dropped.items())))
    return pl.DataFrame(rows, schema=schema)
