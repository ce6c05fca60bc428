"""Line templates: what the mask merges, and what it must not."""

import polars as pl

from taikong.dedup.templates import template_key


def _keys(*lines: str) -> list[str | None]:
    return pl.DataFrame({"t": list(lines)}).select(template_key(pl.col("t"))).to_series().to_list()


def test_years_that_stamp_the_page_are_masked():
    # A copyright's years, a range, a month's year, a full date: one template each pair.
    pairs = [
        (
            "Copyright 1995-2024 Example. All rights reserved.",
            "Copyright 1995-2026 Example. All rights reserved.",
        ),
        ("© 2024 Skyline Media Group", "© 2019 Skyline Media Group"),
        ("October 2008, Beijing", "May 2011, Beijing"),
        ("2026-February-26 16:58 By: Xinhua", "2025-March-02 09:10 By: Xinhua"),
        ("Published: Dec 01, 2025 08:14 PM", "Published: Jan 12, 2026 10:02 PM"),
    ]
    for a, b in pairs:
        ka, kb = _keys(a, b)
        assert ka is not None and ka == kb, (a, b, ka, kb)


def test_a_year_that_is_content_is_not_masked():
    """A year inside a title or a heading is what the line says: two documents' titles
    that differ only by it are two lines, not one template."""
    titles = _keys(
        "China's Space Activities in 2006",
        "China's Space Activities in 2011",
        "China's Space Activities in 2016",
        "Rockets in Review: 2022 Annual Report",
        "Rockets in Review: 2023 Annual Report",
    )
    assert len(set(titles)) == 5
    # Same title, same key: the year is kept, not the whole line verbatim.
    assert _keys("CHINA'S SPACE ACTIVITIES IN 2006") == titles[:1]


def test_a_year_in_running_text_is_masked_like_any_number():
    """A site's teaser or footer sentence that moves on by a year is the same furniture:
    only a title- or heading-shaped line keeps its year."""
    teasers = _keys(
        "There are 118 institutes under the Academy by the end of 2015, with 100 research "
        "institutes and five universities.",
        "There are 121 institutes under the Academy by the end of 2016, with 104 research "
        "institutes and five universities.",
    )
    assert teasers[0] is not None and teasers[0] == teasers[1]
    # A sentence end makes a short line running text too; a heading does not end so.
    assert len(set(_keys("Founded in 2006.", "Founded in 2011."))) == 1
    assert len(set(_keys("Founded in 2006", "Founded in 2011"))) == 2
