"""doc_type from the text's own evidence, with that evidence recorded. Invented texts."""

from corpus import LAUNCH_BODY, PROBE_BODY, run_in_memory

PROSE = (
    "The agency launched its first survey satellite in the spring and has since added two "
    "more, which now cover the whole country every four days with a resolution of ten "
    "metres, good enough to map new roads, reservoirs and fields."
)


def test_doc_type_and_its_evidence():
    pages = {
        # a web white paper: contents list and numbered sections, an "Updated:" date
        "paper.txt": "\n".join(
            ["Survey Satellites in 2030", "Updated: 2030-10-14 10:05", "Contents"]
            + ["I. Aims", "II. Missions", "I. Aims", PROSE, "II. Missions", PROSE]
        )
        + "\n",
        # a news page: headline, then a byline
        "news.txt": "\n".join(["Home", "Science", "Small rocket lifts three satellites"])
        + "\nBy Ana Ruiz\n"
        + "\n".join(LAUNCH_BODY)
        + "\n",
        # an agency story: no byline, but a "CITY, date (Agency) --" dateline
        "agency.txt": "Probe lowers its orbit\n\nBEIJING, May 3 (Orbitnews) -- "
        + "\n\n".join(PROBE_BODY)
        + "\n",
        # an encyclopedia page edited on a date: markup headings, no news evidence
        "wiki.txt": "= Survey Center =\n"
        + PROSE
        + "\n== History ==\n"
        + PROSE
        + "\nThis page was last edited on 3 May 2030, at 10:05.\n",
    }
    tables, _ = run_in_memory(pages)
    got = {
        r[0]: (r[1], r[2])
        for r in tables.documents.select("source_path", "doc_type", "doc_type_evidence").rows()
    }
    assert got == {
        "paper.txt": ("report", "contents list"),
        "news.txt": ("news_article", "byline under the title"),
        "agency.txt": ("news_article", "agency credit (Orbitnews)"),
        "wiki.txt": ("web_page", "no report or news evidence"),
    }
