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


ANSWER = (
    "Our survey program has always been open to partners, and we will keep sharing its "
    "data with every country that takes part in the peaceful use of outer space."
)


def _doc_types(pages: dict[str, str]) -> dict[str, tuple[str, str]]:
    tables, _ = run_in_memory(pages)
    return {
        r[0]: (r[1], r[2])
        for r in tables.documents.select("source_path", "doc_type", "doc_type_evidence").rows()
    }


def test_a_dated_transcript_is_a_web_page_unless_a_byline_or_agency_makes_it_news():
    turns = [
        "Orbit TV: The agency said a partner astronaut will fly this year. Any comment?",
        "Wen Hao: " + ANSWER,
        ANSWER,
        "Star Daily: Some say the survey satellites have other aims. How do you respond?",
        "Wen Hao: " + ANSWER,
    ]
    head = [
        "Home > Press > Briefings",
        "Spokesperson Wen Hao's Regular Briefing",
        "2030-03-04 20:15",
    ]
    byline = ["Home", "Interview: the survey program's next steps", "By Ana Ruiz", "2030-03-04"]
    one_dateline = [
        "Survey satellite reaches orbit",
        "2030-03-04 20:15",
        "BEIJING: " + PROSE,
        ANSWER,
        ANSWER,
    ]
    got = _doc_types(
        {
            "briefing.txt": "\n".join(head + turns) + "\n",
            "interview.txt": "\n".join(byline + turns) + "\n",
            "news.txt": "\n".join(one_dateline) + "\n",
        }
    )
    assert got == {
        "briefing.txt": ("web_page", "transcript (4 speaker turns)"),
        "interview.txt": ("news_article", "byline under the title"),
        "news.txt": ("news_article", "date under the title"),
    }
