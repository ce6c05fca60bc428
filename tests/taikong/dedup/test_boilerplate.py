import random
import textwrap

import polars as pl
import pytest
from corpus import (
    LAUNCH_BODY,
    PROBE_BODY,
    REPORT_WITH_PAGE_BREAK,
    STATION_BODY,
    doc_id_of,
    news_page,
    run_in_memory,
)

from taikong.dedup import boilerplate
from taikong.dedup.boilerplate import line_fingerprints, template_counts
from taikong.dedup.templates import template_key


def _site():
    return {
        "a.txt": news_page(
            "Rocket Puts Three Weather Satellites in Orbit", "Mar 3, 2024", LAUNCH_BODY, 2024
        ),
        "b.txt": news_page("Lunar Probe Lowers Its Orbit", "14th April 2023", PROBE_BODY, 2023),
        "c.txt": news_page(
            "Astronauts Complete Six-Hour Spacewalk", "2022-09-01", STATION_BODY, 2022
        ),
    }


def test_template_key_masks_numbers_months_and_punctuation():
    keys = pl.DataFrame(
        {
            "t": [
                "Copyright © 2015 - 2024 Orbital",
                "Copyright (c) 2016-2023 ORBITAL",
                "Jun 27, 2013 Share",
                "Dec 1 2011 share",
            ]
        }
    ).select(template_key(pl.col("t")))
    k = keys.to_series().to_list()
    assert k[0] == k[1]
    assert k[2] == k[3]
    assert (
        pl.DataFrame({"t": ["•", "2022"]})
        .select(template_key(pl.col("t")))
        .to_series()
        .null_count()
        == 2
    )


def test_site_furniture_is_removed_and_every_body_sentence_kept():
    texts = _site()
    tables, _ = run_in_memory(texts)
    kept = "\n".join(tables.paragraphs["text"].to_list())
    for furniture in [
        "Home | News | Launches",
        "Print Font Size",
        "Related Stories",
        "About Us",
        "Address: 12 Star Road",
        "Tel: 029",
        "Copyright ©",
        "More coverage of rockets",
    ]:
        assert furniture not in kept, furniture
    for para in LAUNCH_BODY + PROBE_BODY + STATION_BODY:
        assert para in tables.paragraphs["text"].to_list()
    bp = tables.boilerplate
    # Copyright lines differ only in their years: one template, shared by all three pages.
    copyright_rows = bp.filter(pl.col("text").str.starts_with("Copyright"))
    assert copyright_rows.height == 3
    assert copyright_rows["template_id"].n_unique() == 1
    # Its counts are the template's: one row of `templates`, not a copy on each line.
    copyright = tables.templates.filter(
        pl.col("template_id") == copyright_rows["template_id"][0]
    ).row(0, named=True)
    assert copyright["masked_text"] == "d orbital news network"
    assert (copyright["n_docs"], copyright["n_clusters"]) == (3, 3)
    assert set(bp["template_id"]) == set(tables.templates["template_id"])
    # Furniture by repetition; a date line by its own evidence (the documents table reads
    # its date from that reason), though every page has one.
    assert set(bp["reason"]) == {"repeated_template", "metadata_dateline"}
    dated = bp.filter(pl.col("reason") == "metadata_dateline")["text"].to_list()
    assert len(dated) == 3  # one a page, each with its own date
    assert len({t.split(" Share")[0] for t in dated}) == 3
    # Every boilerplate row points at its exact source characters.
    raw = dict(zip(tables.documents["doc_id"], tables.documents["raw_text"], strict=True))
    for row in bp.iter_rows(named=True):
        source = raw[row["doc_id"]][row["raw_start"] : row["raw_end"]]
        assert source.replace("\u00a0", " ").split()[0] == row["text"].split()[0]


def test_sentence_quoted_in_two_article_bodies_is_content_not_boilerplate():
    quote = (
        '"Space belongs to everyone who is patient enough to reach it," the agency\'s '
        "chief engineer told reporters at the briefing."
    )
    a = LAUNCH_BODY[:2] + [quote] + LAUNCH_BODY[2:]
    b = PROBE_BODY[:1] + [quote] + PROBE_BODY[1:]
    texts = {
        "a.txt": news_page("Rocket Flies Again", "Mar 3, 2024", a),
        "b.txt": news_page("Probe Lowers Orbit", "Mar 9, 2024", b),
        "c.txt": news_page("Spacewalk Done", "Mar 12, 2024", STATION_BODY),
    }
    tables, _ = run_in_memory(texts)
    quoted = tables.paragraphs.filter(pl.col("text") == quote)
    assert quoted.height == 2, "both articles keep the quoted sentence"
    assert quote not in tables.boilerplate["text"].to_list()
    # ... and the second occurrence is marked as a duplicate of the first.
    assert quoted["duplicate_of"].null_count() == 1


def test_single_page_footer_is_found_without_any_other_document():
    text = "\n".join(
        [
            "Station Crew Returns Home",
            "",
            "The three crew members landed safely in the grassland after six months in orbit, the agency said.",
            "",
            "Doctors will monitor their health for several weeks as they readapt to gravity on the ground.",
            "",
            "Related files:",
            "",
            "mission-summary.pdf",
            "",
            "12th June 2024 Source:",
            "Questions to the editors",
            "No 5 Comet Lane, Hefei 230000",
            "TEL:0551-5550100 FAX:0551-5550101",
            "Copyright @2010-2024 Example Space Center",
        ]
    )
    tables, _ = run_in_memory({"solo.txt": text})
    bp = tables.boilerplate
    assert bp["reason"].to_list() == ["site_footer"] * 5
    assert "mission-summary.pdf" in tables.paragraphs["text"].to_list()
    doc = tables.documents.row(0, named=True)
    assert doc["publisher"] == "Example Space Center"
    assert str(doc["published_date"]) == "2024-06-12"


def test_running_header_between_two_halves_of_a_sentence_is_removed_and_sentence_rejoined():
    tables, _ = run_in_memory({"r.txt": REPORT_WITH_PAGE_BREAK})
    assert tables.boilerplate["reason"].to_list() == ["running_header", "running_header"]
    texts = tables.paragraphs["text"].to_list()
    assert any("activity, from the infrastructure on the ground" in t for t in texts)
    assert not any("Institute for Orbital Policy Studies" in t for t in texts)


def test_republished_article_keeps_its_body_and_is_marked_near_duplicate():
    original = news_page(
        "Rocket Puts Three Weather Satellites in Orbit", "Mar 3, 2024", LAUNCH_BODY
    )
    copy = news_page(
        "Rocket Puts Three Weather Satellites in Orbit", "Mar 4, 2024", LAUNCH_BODY, site="skyline"
    )
    other = news_page("Lunar Probe Lowers Its Orbit", "Mar 5, 2024", PROBE_BODY)
    tables, _ = run_in_memory({"a.txt": original, "z.txt": copy, "b.txt": other})
    docs = {r["source_path"]: r for r in tables.documents.iter_rows(named=True)}
    assert docs["z.txt"]["near_duplicate_of"] == doc_id_of(original)
    assert docs["a.txt"]["near_duplicate_of"] is None
    assert docs["b.txt"]["near_duplicate_of"] is None
    # The copy's body is not mistaken for furniture although two documents share it.
    copy_paragraphs = tables.paragraphs.filter(pl.col("doc_id") == doc_id_of(copy))[
        "text"
    ].to_list()
    for para in LAUNCH_BODY:
        assert para in copy_paragraphs


def test_syndicated_article_with_edits_keeps_its_body_on_both_sites():
    """Two sites carry the same article, lightly edited, so it is no near-duplicate: the
    long paragraphs they share sit between each site's furniture, but they are content."""
    edited = [
        LAUNCH_BODY[0],
        LAUNCH_BODY[1] + " Officials declined to name the customer.",
        LAUNCH_BODY[2],
        "A second launch from the same pad is planned for the autumn, weather permitting, the agency added.",
    ]
    original = news_page(
        "Rocket Puts Three Weather Satellites in Orbit", "Mar 3, 2024", LAUNCH_BODY
    )
    copy = news_page("Weather Satellites Reach Orbit", "Mar 4, 2024", edited, site="skyline")
    other = news_page("Lunar Probe Lowers Its Orbit", "Mar 5, 2024", PROBE_BODY)
    tables, _ = run_in_memory({"a.txt": original, "z.txt": copy, "b.txt": other})
    docs = {r["source_path"]: r for r in tables.documents.iter_rows(named=True)}
    assert docs["z.txt"]["near_duplicate_of"] is None  # too different for MinHash
    for path, body in (("a.txt", LAUNCH_BODY), ("z.txt", edited)):
        kept = tables.paragraphs.filter(pl.col("doc_id") == docs[path]["doc_id"])["text"].to_list()
        for para in body:
            assert para in kept, (path, para)


def test_story_carried_by_three_sites_unclustered_keeps_its_body():
    """Three sites carry one story, each copy edited enough that MinHash does not group
    them, and one copy adds nothing of its own: its long lines are repeated in three
    clusters and sit at its edges, yet they are the story, not furniture."""
    story = LAUNCH_BODY + [
        "The rocket's upper stage will be deorbited over the ocean later this week, officials said."
    ]
    versions = {
        "a.txt": news_page("Rocket Lifts Weather Satellites", "Mar 3, 2024", story),
        "b.txt": news_page(
            "Weather Satellites Reach Orbit",
            "Mar 4, 2024",
            story[:2]
            + ["Analysts said the customer is a regional weather agency in the south."]
            + story[2:]
            + ["The company plans eight launches next year from two coastal pads."],
            site="skyline",
        ),
        "c.txt": news_page(
            "Solid Rocket Flies Again",
            "Mar 5, 2024",
            ["Our correspondent watched the launch from a beach ten kilometres away."]
            + story
            + ["Local fishermen were told to keep clear of the drop zone until noon."],
            year=2023,
        ),
        "d.txt": news_page("Lunar Probe Lowers Its Orbit", "Mar 6, 2024", PROBE_BODY),
    }
    tables, _ = run_in_memory(versions)
    docs = {r["source_path"]: r for r in tables.documents.iter_rows(named=True)}
    assert all(d["near_duplicate_of"] is None for d in docs.values())  # no cluster formed
    kept = tables.paragraphs.filter(pl.col("doc_id") == docs["a.txt"]["doc_id"])["text"]
    assert kept.to_list() == ["Rocket Lifts Weather Satellites", *story]
    # The sites' own furniture is still removed from the copy with nothing of its own.
    assert not kept.str.contains("Copyright|Related Stories|Address").any()


def test_a_template_keeps_its_id_whatever_the_other_documents_and_their_order():
    site = _site()
    whole, _ = run_in_memory(site)
    part, _ = run_in_memory({"c.txt": site["c.txt"], "a.txt": site["a.txt"]})
    ids = dict(whole.templates.select("masked_text", "template_id").iter_rows())
    assert part.templates.height and all(
        ids[text] == template
        for text, template in part.templates.select("masked_text", "template_id").iter_rows()
    )
    # Only the counts differ: two documents carry the copyright line now, not three.
    copyright = "d orbital news network"
    n_docs = {
        t.filter(pl.col("masked_text") == copyright)["n_docs"].item()
        for t in (whole.templates, part.templates)
    }
    assert n_docs == {3, 2}
    # and a removed line's own row is the same in both runs.
    common = whole.boilerplate.join(part.boilerplate, on="boilerplate_id", suffix="_part")
    assert common.height and (common["template_id"] == common["template_id_part"]).all()


def test_lines_without_letters_have_no_template():
    """ "2024", "- 7 -" or "•" carry no site signal: they must not all share one template
    and so count as repeated across every document."""
    lines = pl.DataFrame(
        {
            "doc_id": ["a", "a", "b", "b"],
            "line_no": [0, 1, 0, 1],
            "text": ["2024", "Launch Report", "- 7 -", "Launch Report"],
            "is_blank": [False] * 4,
        }
    )
    fingerprints = line_fingerprints(lines)
    assert fingerprints.height == 2  # only "Launch Report", once per document
    no_clusters = pl.DataFrame(schema={"doc_id": pl.String, "cluster_id": pl.String})
    counts = template_counts(fingerprints, no_clusters)
    assert counts["n_docs"].to_list() == [2]


# ---- hard-wrapped reports: repeated fragments of body text are not furniture -------

# A standard sentence every report of the series repeats: wrapped at one width, it gives
# the same lines in each report, the last one short ("in orbit.").
STOCK = (
    "The institute publishes its reviews every year so that its partners can follow the "
    "progress of the programme from one year to the next and compare it with the plans made "
    "for the five years ahead in orbit."
)
COVER = [
    "About the Institute",
    "",
    "The Institute for Orbital Policy Studies is an independent research body that advises",
    "agencies and companies on launch markets, space law and the long-term plans of the",
    "national programme.",
]


def _wrapped_report(title: str, body: list[str], year: int, cover: bool = False) -> str:
    """A report of the invented institute: front matter, a page break, stock sentences."""
    name = "Institute for Orbital Policy Studies"
    lines = [f"{title}: {year} Annual Report", "", f"{name} (IOPS)", "", f"May {year}", ""]
    lines += [" Preamble"] + textwrap.wrap(" ".join(body), 88) + textwrap.wrap(STOCK, 88)
    lines += textwrap.wrap(" ".join(body[::-1]), 88)
    lines += ["", name, "", str(year), "", "2", ""]
    lines += textwrap.wrap(" ".join(body[1:] + body[:1]), 88) + textwrap.wrap(STOCK, 88)
    if cover:
        lines += ["", *COVER]
    return "\n".join(lines) + "\n"


def _reports(cover: bool = False) -> dict[str, str]:
    return {
        "r1.txt": _wrapped_report("Rockets in Review", LAUNCH_BODY, 2022, cover),
        "r2.txt": _wrapped_report("Probes in Review", PROBE_BODY, 2023, cover),
        "r3.txt": _wrapped_report("Stations in Review", STATION_BODY, 2024, cover),
    }


def test_repeated_lines_of_wrapped_body_text_are_kept():
    """Three reports of one series share a heading, front matter and a stock sentence:
    every one of those lines is repeated across documents, and the stock sentence's short
    last line ends each document, yet all of it is text. The running header between the
    pages is still furniture."""
    tables, labelled = run_in_memory(_reports())
    assert labelled["wrapped"].all()
    stock_lines = textwrap.wrap(STOCK, 88)
    assert len(stock_lines[-1].split()) <= 12  # a short last line, as meant
    removed = tables.boilerplate
    for text in ["Preamble", *stock_lines]:
        assert text not in removed["text"].to_list(), text
    furniture = removed.filter(pl.col("reason") != "title_page")
    assert set(furniture["text"]) == {
        "Institute for Orbital Policy Studies",
        "2022",
        "2023",
        "2024",
        "2",
        # The title page's date: a metadata line, recorded with its reason.
        "May 2022",
        "May 2023",
        "May 2024",
    }
    # The title page's issuing body and date are metadata lines, recorded as such: the
    # body as the title page's, the date as a dateline (the per-line evidence wins).
    title_page = removed.filter(pl.col("reason") == "title_page")
    assert title_page["text"].to_list() == ["Institute for Orbital Policy Studies (IOPS)"] * 3
    dates = removed.filter(pl.col("text").str.starts_with("May "))
    assert sorted(dates["text"]) == ["May 2022", "May 2023", "May 2024"]
    assert set(dates["reason"]) == {"metadata_dateline"}
    for doc_id in tables.documents["doc_id"]:
        paragraphs = tables.paragraphs.filter(pl.col("doc_id") == doc_id)["text"].to_list()
        assert sum(STOCK in p for p in paragraphs) == 2, paragraphs
    assert set(tables.sections["heading"]) == {"Preamble"}


def test_cover_block_repeated_across_wrapped_reports_is_still_removed():
    """A blank-separated block that every report of the series ends with, and that holds
    no text of its own, is furniture, sentences and all."""
    tables, _ = run_in_memory(_reports(cover=True))
    removed = tables.boilerplate.filter(pl.col("reason") == "repeated_template")
    assert removed.group_by("text").len()["len"].to_list() == [3] * len([c for c in COVER if c])
    assert set(removed["text"]) == {c for c in COVER if c}
    kept = "\n".join(tables.paragraphs["text"])
    assert "independent research body" not in kept
    assert STOCK in kept  # the text just before the cover block is not taken with it


def test_sentence_finished_after_a_page_break_is_text_though_repeated():
    """The last page holds only the end of a sentence, short and repeated across the
    series: it follows page furniture, but continues the open line before it."""
    page = ["", "Institute for Orbital Policy Studies", "", "3", "", "the first quarter.", ""]
    texts = {}
    for path, text in _reports().items():
        # The last stock sentence runs on over the page break.
        head, _ = text.rsplit(" in orbit.", 1)
        texts[path] = head + " in orbit before\n" + "\n".join(page)
    tables, labelled = run_in_memory(texts)
    tail = labelled.filter(pl.col("text") == "the first quarter.")
    assert tail.height == 3
    assert tail["bp_reason"].null_count() == 3
    assert tables.boilerplate["text"].to_list().count("Institute for Orbital Policy Studies") == 6


def test_running_header_in_mid_sentence_is_removed_when_reports_share_it():
    """The page break of REPORT_WITH_PAGE_BREAK, in three reports of one institute: its
    header is repeated across documents and sits between two halves of a sentence."""
    texts = {
        f"r{i}.txt": REPORT_WITH_PAGE_BREAK.replace("five years", f"{n} years")
        + "\n".join(textwrap.wrap(" ".join(body), 88))
        + "\n"
        for i, (n, body) in enumerate(
            [("five", LAUNCH_BODY), ("six", PROBE_BODY), ("seven", STATION_BODY)]
        )
    }
    tables, _ = run_in_memory(texts)
    assert sorted(set(tables.boilerplate["text"])) == ["17", "Institute for Orbital Policy Studies"]
    assert tables.boilerplate.height == 6
    for text in tables.paragraphs["text"]:
        assert "Institute for Orbital Policy Studies" not in text
    assert (
        tables.paragraphs["text"]
        .str.contains("activity, from the infrastructure on the ground")
        .sum()
        == 3
    )


def test_web_teaser_and_contact_block_repeated_across_a_site_are_removed():
    """On web pages (not wrapped) a teaser of several lines and a contact block with
    lines glued together stay furniture: the wrapped-text rule does not apply there."""
    teaser = [
        "Our Institutes",
        "",
        "There are 40 institutes of the academy, with research on launchers, probes and",
        "the science of the solar system, and 12 joint laboratories abroad.",
        ">> more",
        "",
        "Contact Us",
        "Orbital Academy",
        "Add: 12 Star Road, Xi'an",
        "Tel: 029-5550123",
    ]
    texts = {
        name: "\n".join(["Home | News", "", title, "", *[p + "\n" for p in body], *teaser]) + "\n"
        for name, title, body in [
            ("a.txt", "Rocket Flies", LAUNCH_BODY),
            ("b.txt", "Probe Lowers Orbit", PROBE_BODY),
            ("c.txt", "Spacewalk Done", STATION_BODY),
        ]
    }
    tables, labelled = run_in_memory(texts)
    assert not labelled["wrapped"].any()
    kept = "\n".join(tables.paragraphs["text"])
    for line in teaser:
        if line:
            assert line not in kept, line
    for para in LAUNCH_BODY + PROBE_BODY + STATION_BODY:
        assert para in tables.paragraphs["text"].to_list()


def _white_paper(year: int, body: list[str], copyright_year: int) -> str:
    """A white paper as a web page: its title, then the title again as the text's heading."""
    title = f"China's Space Activities in {year}"
    lines = ["Home | White Papers | Policies", "", title, "", f"Updated: {year}-10-12 10:05", ""]
    lines += ["Following is the full text:", "", title, ""]
    for para in body:
        lines += [para, ""]
    lines += [f"Copyright 1995-{copyright_year} Example. All rights reserved."]
    return "\n".join(lines) + "\n"


def test_a_year_in_titles_and_headings_is_content_a_year_in_a_footer_is_not():
    """Three white papers whose titles differ only by their year: the mask must not merge
    them into one repeated template and remove the heading lines; the copyright footer,
    whose years differ too, is still one template and removed."""
    texts = {
        "a.txt": _white_paper(2006, LAUNCH_BODY, 2024),
        "b.txt": _white_paper(2011, PROBE_BODY, 2025),
        "c.txt": _white_paper(2016, STATION_BODY, 2026),
    }
    tables, _ = run_in_memory(texts)
    titles = [f"China's Space Activities in {y}" for y in (2006, 2011, 2016)]
    assert sorted(tables.documents["title"]) == titles
    # The heading line under "Following is the full text:" is kept too (as a section or
    # a paragraph: structure decides), with the title: the line twice in each document.
    kept = [*tables.paragraphs["text"], *tables.sections["heading"]]
    assert sorted(t for t in kept if t.startswith("China's Space")) == sorted(titles * 2)
    bp = tables.boilerplate
    assert not bp.filter(pl.col("text").str.starts_with("China's Space")).height
    footer = bp.filter(pl.col("text").str.starts_with("Copyright"))
    assert footer.height == 3
    assert set(footer["reason"]) == {"repeated_template"}
    assert footer["template_id"].n_unique() == 1


@pytest.mark.parametrize("per_pass", [None, 7])
def test_template_counts_match_distinct_documents_and_clusters(monkeypatch, per_pass):
    """Counted from row totals (one row per document and template), in passes over
    template hash ranges, and the clustered documents only; must equal the distinct
    documents and clusters carrying each, whatever the number of passes."""
    if per_pass:
        monkeypatch.setattr(boilerplate, "TEMPLATES_PER_PASS", per_pass)
    rng = random.Random(5)
    docs = [f"d{i:02d}" for i in range(40)]
    # clusters of 1-4 documents; the last documents are missing from the clusters frame
    cluster_of, i = {}, 0
    while i < 34:
        size = rng.choice([1, 1, 2, 3, 4])
        for d in docs[i : i + size]:
            cluster_of[d] = docs[i]
        i += size
    clusters = pl.DataFrame({"doc_id": list(cluster_of), "cluster_id": list(cluster_of.values())})
    pool = [rng.randrange(2**64) for _ in range(12)]  # hash-like: spread over the passes
    pairs = {(d, rng.choice(pool)) for d in docs for _ in range(rng.randrange(1, 8))}
    fingerprints = pl.DataFrame(
        sorted(pairs), schema={"doc_id": pl.String, "template": pl.UInt64}, orient="row"
    )
    expected = (
        fingerprints.with_columns(
            pl.col("doc_id").replace_strict(cluster_of, default=pl.col("doc_id")).alias("c")
        )
        .group_by("template")
        .agg(
            pl.col("c").n_unique().cast(pl.Int32).alias("n_clusters"),
            pl.col("doc_id").n_unique().cast(pl.Int32).alias("n_docs"),
        )
        .filter(pl.col("n_docs") >= 2)
        .sort("template")
    )
    counts = template_counts(fingerprints.lazy(), clusters)
    assert counts.equals(expected)
    assert (counts["n_clusters"] < counts["n_docs"]).any()  # the clusters are counted
