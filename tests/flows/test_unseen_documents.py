"""End-to-end on documents the code has never seen: a CAS newsroom page, a CSU page and a
PDF-style report, all written here (none of their text comes from the seeds), released
by the real flow together with the five seeds (whose furniture is the cross-document
evidence a site's boilerplate needs). Every expected value below was written by reading
these documents, not computed by the code under test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import polars as pl
import pytest

from contracts import TABLES
from flows.release import release
from taikong.vocabulary import BoilerplateReason, values

BOILERPLATE_REASONS = values(BoilerplateReason)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
REASONS = set(BOILERPLATE_REASONS)

# ---- a CAS newsroom page: its own story under the site's navigation, share widget,
# "CAS Institutes" teaser and "Contact Us" block, as the site would have served them a
# year later (other dates, counts, phone number and copyright years; same wording).
CAS_TITLE = "Chinese Researchers Grow Rice Seedlings in Orbit Test"
CAS_BODY = [
    "Chinese scientists said Tuesday that rice and thale cress seeds sent into orbit aboard "
    "the Shijian-10 recoverable satellite had sprouted, the first test of a complete plant "
    "life cycle in space by the country.",
    "The experiment unit, built by the Institute of Botany under the Chinese Academy of "
    "Sciences (CAS), weighs about 12 kilograms and holds more than 100 seeds in eight small "
    "boxes, said Zheng Huiqiong, the lead researcher.",
    "Cameras inside the unit send pictures to the ground every day, allowing researchers in "
    "Shanghai to compare the seedlings with a control group grown in the laboratory.",
    "Scientists from Germany and France have asked to join the next round of tests, which "
    "will fly on the Tiangong-2 space lab, Zheng said. (Xinhua)",
]
CAS_HEAD = [
    "/   Home   /   Newsroom   /   Research in China",
    CAS_TITLE,
    'Sep 14, 2016     Email"> PrintText Size',
]
CAS_TEASER = [
    "CAS Institutes",
    "There are 118 Institutions directly under the CAS by the end of 2015, with 100 research "
    "institutes, five universities & supporting organizations, 11 management organizations "
    "that consist of the headquarters and branches, and three other units. Moreover, there are "
    "23 legal entities affiliated and 20 CAS invested holding enterprisesThere are 118 I...",
    ">> more",
]
CAS_CONTACT = [
    "Contact Us",
    "Chinese Academy of Sciences",
    "Add: 52 Sanlihe Rd., Xicheng District, Beijing, China ",
    "Postcode: 100864",
    "Tel: 86-10-68597521 (day) 86-10-68597289 (night)",
    "Fax: 86-10-68511095 (day) 86-10-68512458 (night)",
    "E-mail: cas_en@cas.cn",
    "Contact Us",
    "Copyright © 2002 - 2016 Chinese Academy of Sciences",
]
CAS_PAGE = (
    "\n\n".join(CAS_HEAD + CAS_BODY + CAS_TEASER[:1])
    + "\n\n"
    + "\n".join(CAS_TEASER[1:])
    + "\n\n"
    + "\n\n\n".join(["\n\n".join(CAS_CONTACT[:1]), "\n\n".join(CAS_CONTACT[1:7])])
    + "\n\n\n\n"
    + "\n\n".join(CAS_CONTACT[7:])
)
CAS_FURNITURE = CAS_HEAD[:1] + CAS_HEAD[2:] + CAS_TEASER + CAS_CONTACT

# ---- a CSU page: title line first, captions and an attachment in the body, and the
# site's dated "From:" footer with address, fax and copyright.
CSU_TITLE = "Space Utilization Payloads Pass Final Checks Before Tianzhou-1 Cargo Flight"
CSU_BODY = [
    "Engineers of the Technology and Engineering Center for Space Utilization (CSU) finished "
    "the last checks of the science payloads that will fly on the Tianzhou-1 cargo ship, the "
    "first supply mission to the Tiangong-2 space lab.",
    "Pic.1 Engineers check the payload rack",
    "The payloads include a furnace for melting metal samples, a rack for growing cells and a "
    "device that tests how liquids flow in microgravity. Together they weigh about 90 kilograms.",
    "Pic.2 The cell growth rack before delivery",
    "The ship will stay docked with the space lab for about two months, and the samples will "
    "return to Earth with the next crew. Researchers from Italy and Pakistan will receive part "
    "of the data under earlier cooperation agreements.",
    "(Cited from CSU news office)",
    "Payload Test Summary.pdf",
]
CSU_FOOTER = [
    "17th March 2017 From:",
    "Questions and Comments to",
    "No 9.Deng Zhuang South Rd, Hai Dian Dist,Beijing,100094,China",
    "FAX:86-10-82178280 TEL:86-10-82178267",
    "Copyright @2002-2017 Center for Space Utilization, CAS",
]
CSU_PAGE = (
    CSU_TITLE
    + "\n\n"
    + "\n\n".join(CSU_BODY)
    + "\n\n\n"
    + "\n".join(CSU_FOOTER[:1])
    + "\n"
    + "\n".join(CSU_FOOTER[1:])
)

# ---- a PDF-style report: hard-wrapped at ~88 characters, the institute's running
# header (name, year, page) on top and at page breaks, one break in mid-sentence.
HEADER = ["Institute for Cislunar Studies", "", "2024", ""]
REPORT_LINES = [
    *HEADER,
    "Cislunar Transport in the Next Decade:",
    "Crews, Landers and Relay Satellites",
    "",
    "Institute for Cislunar Studies (ICS)",
    "",
    "Published 12 March 2024",
    "",
    " I. Background",
    "Ten years after the first robotic landing on the far side of the moon, the national",
    "programme is preparing to send crews beyond low earth orbit. This report reviews the",
    "transport systems that such missions need, from launch vehicles and landers to the",
    "ground stations that track them, and sets out the plans of the agencies and companies",
    "involved for the years from 2024 to 2028.",
    "The review draws on public documents and on interviews with engineers at eleven",
    "organisations. It does not cover military programmes or the financing of the private",
    "launch companies.",
    "1. Transport Needs",
    "A crewed landing needs a heavy launch vehicle able to send about 27 tonnes towards the",
    "moon, a lander that can carry two astronauts to the surface and back, and a next-generation",
    "crew ship that can survive a return at lunar speed. The programme plans two launches per",
    "landing for three reasons, of which the first is safety.",
    "2. The second reason is the cost of each landing",
    "mission, which falls when the two launches share one pad and one crew.",
    "2. Ground Segment",
    "Three deep-space stations now track every mission beyond the moon, and a fourth is under",
    "",
    "Institute for Cislunar Studies",
    "",
    "2024",
    "",
    "2",
    "",
    "construction in Argentina. Each station has a large dish and can follow two spacecraft",
    "at once, so that a lander and a relay satellite can be served by one station.",
    " II. Plans for the Next Five Years",
    "The plans below were approved by the programme board at the end of last year.",
    "1. Crewed Missions",
    "Crewed missions will begin after two landers have been tested on the moon without crews.",
    "(1) Landers",
    "The lander will weigh about 26 tonnes when fully fuelled and will use four engines for",
    "the descent. Engineers completed the first full-scale drop test of its legs in 2023 at a",
    "site in the northwest, and the next tests will check the ladder and the airlock con-",
    "trols.",
    "(2) Orbital Stations",
    "A small station in lunar orbit would let crews wait for their lander and would serve as",
    "a relay for robotic missions on the far side. The programme has not yet decided whether",
    "to build it alone or with partners from Russia and other countries.",
    "Before that decision the agencies will:",
    "• Complete studies of two orbit options and of the docking systems that each of them",
    "would require for crewed and cargo ships;",
    "• Test the life support system of the first module on the ground for six months.",
    "",
    "Institute for Cislunar Studies",
    "",
    "2024",
    "",
    "3",
    "",
    "2. Robotic Missions",
    "The robotic programme will launch three more probes before the first crewed landing in",
    # The extractor merged two lines and lost the line-end hyphen of "next-".
    "2030. They will map water ice near the south pole, test ways to make oxygen, and the next"
    "generation relay satellite will be placed in a high orbit, where it will also serve the",
    "probes of other countries for at least eight years.",
    " III. Cooperation",
    "The programme invites foreign partners to fly instruments on its landers and probes.",
    "Agreements have been signed with research institutes in France, Pakistan and Sweden, and",
    "more than 40 proposals from universities are under review.",
]
REPORT = "\n".join(REPORT_LINES) + "\n"
REPORT_TITLE = "Cislunar Transport in the Next Decade: Crews, Landers and Relay Satellites"

NEW_DOCS = {
    "100_cas_rice_seedlings.txt": CAS_PAGE,
    "101_csu_tianzhou_payloads.txt": CSU_PAGE,
    "102_ics_cislunar_report.txt": REPORT,
}


def _doc_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> dict[str, pl.DataFrame]:
    seeds = tmp_path_factory.mktemp("seeds")
    for path in SEEDS.iterdir():
        shutil.copy(path, seeds / path.name)
    for name, text in NEW_DOCS.items():
        (seeds / name).write_text(text, encoding="utf-8")
    datasets = tmp_path_factory.mktemp("datasets")
    result = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    assert result["status"] == "published"
    latest = datasets / "latest"
    return {table: pl.read_parquet(latest / table / "*.parquet") for table in TABLES}


def _mine(published, table: str, text: str) -> pl.DataFrame:
    return published[table].filter(pl.col("doc_id") == _doc_id(text))


def _doc(published, text: str) -> dict:
    return _mine(published, "documents", text).row(0, named=True)


# ---- documents ----------------------------------------------------------------------


def test_metadata_of_the_new_documents(published):
    cas, csu, report = (_doc(published, t) for t in (CAS_PAGE, CSU_PAGE, REPORT))
    assert (cas["title"], cas["published_date"], cas["doc_type"]) == (
        CAS_TITLE,
        dt.date(2016, 9, 14),
        "news_article",
    )
    assert (cas["publisher"], cas["publisher_acronym"], cas["news_agency"]) == (
        "Chinese Academy of Sciences",
        "CAS",
        "Xinhua",
    )
    assert (csu["title"], csu["published_date"], csu["doc_type"]) == (
        CSU_TITLE,
        dt.date(2017, 3, 17),
        "news_article",
    )
    assert (csu["publisher"], csu["publisher_acronym"], csu["news_agency"]) == (
        "Center for Space Utilization, CAS",
        "CSU",
        None,  # "(Cited from ...)" names a source, not an agency
    )
    assert (report["title"], report["published_date"], report["doc_type"]) == (
        REPORT_TITLE,
        dt.date(2024, 3, 12),
        "report",
    )
    assert (report["publisher"], report["publisher_acronym"], report["news_agency"]) == (
        "Institute for Cislunar Studies",
        "ICS",
        None,
    )
    for doc in (cas, csu, report):
        assert doc["language"] == "en"
        assert doc["catalog_fields"] == []


# ---- furniture ----------------------------------------------------------------------


def _furniture_spans(text: str, furniture: list[str]) -> list[tuple[int, int]]:
    """Raw spans (stripped) of every line of `text` that is exactly a furniture line."""
    wanted = {line.strip() for line in furniture}
    spans, pos = [], 0
    for line in text.split("\n"):
        content = line.strip()
        if content in wanted:
            start = pos + line.index(content)
            spans.append((start, start + len(content)))
        pos += len(line) + 1
    return spans


REPORT_FURNITURE = ["Institute for Cislunar Studies", "2024", "2", "3"]


@pytest.mark.parametrize(
    ("text", "furniture", "n_lines"),
    [
        (CAS_PAGE, CAS_FURNITURE, 14),  # "Contact Us" twice
        (CSU_PAGE, CSU_FOOTER, 5),
        # The header on top of page 1 and at both page breaks.
        (REPORT, REPORT_FURNITURE, 8),
    ],
    ids=["cas", "csu", "report"],
)
def test_furniture_is_removed_with_a_reason_and_never_in_a_paragraph(
    published, text, furniture, n_lines
):
    bp = _mine(published, "boilerplate", text)
    paragraphs = _mine(published, "paragraphs", text)
    removed = {(r["raw_start"], r["raw_end"]): r["reason"] for r in bp.iter_rows(named=True)}
    spans = _furniture_spans(text, furniture)
    assert len(spans) == n_lines
    for start, end in spans:
        assert removed.get((start, end)) in REASONS, text[start:end]
    for p in paragraphs.iter_rows(named=True):
        for start, end in spans:
            disjoint = p["raw_end"] <= start or p["raw_start"] >= end
            # A paragraph cut by a page break spans the running header between its halves
            # (its text, checked in test_report_paragraph_texts, leaves the header out).
            encloses = p["raw_start"] < start and end < p["raw_end"]
            assert disjoint or (text is REPORT and encloses), (p["text"], text[start:end])
        assert p["text"] not in {" ".join(f.split()) for f in furniture}
    # Nothing else was removed: the body and title are kept; the report's title page
    # (its issuing body and its date line) is metadata, recorded with its reason.
    # (A furniture line may be labelled by its metadata: the CAS dateline shares its line
    # with the share widget, and the documents table reads its date from that label.)
    metadata = {k: r for k, r in removed.items() if r.startswith("metadata_") or r == "title_page"}
    assert set(removed) - set(spans) <= set(metadata)
    if text is REPORT:
        assert {text[a:b]: r for (a, b), r in metadata.items()} == {
            "Institute for Cislunar Studies (ICS)": "title_page",
            "Published 12 March 2024": "metadata_timestamp",
        }
        # The institute's name is a running header on every page, the first included.
        names = bp.filter(pl.col("text") == "Institute for Cislunar Studies")
        assert names["reason"].to_list() == ["running_header"] * 3


# ---- structure ----------------------------------------------------------------------


def test_report_section_tree(published):
    sections = _mine(published, "sections", REPORT).sort("seq")
    heading = dict(zip(sections["section_id"], sections["heading"], strict=True))
    rows = [
        (r["level"], r["ordinal"], r["heading"], heading.get(r["parent_id"]))
        for r in sections.iter_rows(named=True)
    ]
    assert rows == [
        (1, "I", "Background", None),
        (2, "1", "Transport Needs", "Background"),
        (2, "2", "Ground Segment", "Background"),
        (1, "II", "Plans for the Next Five Years", None),
        (2, "1", "Crewed Missions", "Plans for the Next Five Years"),
        (3, "(1)", "Landers", "Crewed Missions"),
        (3, "(2)", "Orbital Stations", "Crewed Missions"),
        (2, "2", "Robotic Missions", "Plans for the Next Five Years"),
        (1, "III", "Cooperation", None),
    ]


def _per_section(published, text: str) -> list[tuple[str | None, str, int]]:
    paragraphs = _mine(published, "paragraphs", text)
    sections = _mine(published, "sections", text).select("section_id", "heading")
    counted = (
        paragraphs.join(sections, on="section_id", how="left", maintain_order="left")
        .group_by("heading", "kind", maintain_order=True)
        .len()
    )
    return counted.rows()


def test_report_paragraphs_per_section(published):
    assert _per_section(published, REPORT) == [
        (None, "title", 1),
        # (the title page's "Institute for Cislunar Studies (ICS)" and "Published 12 March
        # 2024" are metadata lines, in boilerplate)
        ("Background", "paragraph", 2),
        ("Transport Needs", "paragraph", 2),  # the second starts "2. The second reason"
        ("Ground Segment", "paragraph", 1),  # across the page break
        ("Plans for the Next Five Years", "paragraph", 1),
        ("Crewed Missions", "paragraph", 1),
        ("Landers", "paragraph", 1),
        ("Orbital Stations", "paragraph", 2),
        ("Orbital Stations", "list_item", 2),
        ("Robotic Missions", "paragraph", 1),
        ("Cooperation", "paragraph", 1),
    ]


def test_report_paragraph_texts(published):
    texts = _mine(published, "paragraphs", REPORT)["text"].to_list()
    assert texts[0] == REPORT_TITLE
    assert "Institute for Cislunar Studies (ICS)" not in texts  # title page: boilerplate
    assert "Published 12 March 2024" not in texts
    assert (
        "2. The second reason is the cost of each landing mission, which falls when the two "
        "launches share one pad and one crew."
    ) in texts
    assert (
        "Three deep-space stations now track every mission beyond the moon, and a fourth is "
        "under construction in Argentina. Each station has a large dish and can follow two "
        "spacecraft at once, so that a lander and a relay satellite can be served by one "
        "station."
    ) in texts
    assert any("the airlock controls." in t for t in texts)
    assert (
        "The robotic programme will launch three more probes before the first crewed landing "
        "in 2030. They will map water ice near the south pole, test ways to make oxygen, and "
        "the next-generation relay satellite will be placed in a high orbit, where it will "
        "also serve the probes of other countries for at least eight years."
    ) in texts


def test_report_list_items(published):
    items = _mine(published, "paragraphs", REPORT).filter(pl.col("kind") == "list_item")
    assert items["text"].to_list() == [
        "Complete studies of two orbit options and of the docking systems that each of them "
        "would require for crewed and cargo ships;",
        "Test the life support system of the first module on the ground for six months.",
    ]


def test_report_edits_rejoin_and_restore_hyphens(published):
    edits = _mine(published, "edits", REPORT)
    got = sorted(
        (r["kind"], r["before"], r["after"], r["rule"]) for r in edits.iter_rows(named=True)
    )
    assert got == [
        ("dehyphenate", "con-\ntrols", "controls", "dictionary"),
        ("restore_hyphen", "nextgeneration", "next-generation", "document_form"),
    ]
    for r in edits.iter_rows(named=True):
        assert REPORT[r["raw_start"] : r["raw_end"]] == r["before"]


def test_web_pages_paragraph_kinds(published):
    assert _per_section(published, CAS_PAGE) == [(None, "title", 1), (None, "paragraph", 4)]
    csu = _mine(published, "paragraphs", CSU_PAGE).select("kind", "text").rows()
    assert csu == [
        ("title", CSU_TITLE),
        ("paragraph", CSU_BODY[0]),
        ("caption", CSU_BODY[1]),
        ("paragraph", CSU_BODY[2]),
        ("caption", CSU_BODY[3]),
        ("paragraph", CSU_BODY[4]),
        ("paragraph", CSU_BODY[5]),
        ("attachment", CSU_BODY[6]),
    ]
    cas = _mine(published, "paragraphs", CAS_PAGE)["text"].to_list()
    assert cas == [CAS_TITLE, *CAS_BODY]


# ---- mentions and quantities ----------------------------------------------------------


def _mentions(published, text: str) -> set[tuple[str, str]]:
    """(kind, code) of countries, (kind, text) of everything else."""
    m = _mine(published, "mentions", text)
    return {
        (r["kind"], r["code"] if r["kind"] == "country" else r["text"])
        for r in m.iter_rows(named=True)
    }


def test_mentions_the_texts_clearly_contain(published):
    assert {
        ("designation", "Shijian-10"),
        ("designation", "Tiangong-2"),
        ("country", "DEU"),
        ("country", "FRA"),
    } <= _mentions(published, CAS_PAGE)
    assert {
        ("designation", "Tianzhou-1"),
        ("designation", "Tiangong-2"),
        ("country", "ITA"),
        ("country", "PAK"),
    } <= _mentions(published, CSU_PAGE)
    assert {
        ("country", "ARG"),
        ("country", "RUS"),
        ("country", "FRA"),
        ("country", "PAK"),
        ("country", "SWE"),
    } <= _mentions(published, REPORT)


def _quantities(published, text: str) -> set[tuple]:
    q = _mine(published, "quantities", text)
    return {(r["value"], r["unit"], r["qualifier"]) for r in q.iter_rows(named=True)}


def test_quantities_the_texts_clearly_contain(published):
    assert {(12.0, "kg", "about")} <= _quantities(published, CAS_PAGE)
    seeds = _mine(published, "quantities", CAS_PAGE).filter(pl.col("value") == 100)
    assert seeds.select("counted", "qualifier").row(0) == ("seeds", "more than")
    assert {(90.0, "kg", "about"), (2.0, "month", "about")} <= _quantities(published, CSU_PAGE)
    assert {(27.0, "t", "about"), (26.0, "t", "about"), (6.0, "month", None)} <= _quantities(
        published, REPORT
    )
    proposals = _mine(published, "quantities", REPORT).filter(pl.col("value") == 40)
    assert proposals.select("counted", "qualifier").row(0) == ("proposals", "more than")
