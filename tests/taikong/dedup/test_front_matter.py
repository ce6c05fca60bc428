"""The boilerplate labels are final: titles are decided with them, structure only reads them.

Every document here is invented.
"""

import polars as pl
from corpus import LAUNCH_BODY, PROBE_BODY, STATION_BODY, news_page, run_in_memory


def test_labels_carry_the_title_and_structure_keeps_them_as_they_are():
    # A headline two articles share repeats across documents like furniture; the
    # labelling stage itself decides it is their title, not structure afterwards.
    same = "Rocket Flies Again"
    pages = {
        "a.txt": news_page(same, "Mar 3, 2024", LAUNCH_BODY),
        "b.txt": news_page(same, "Mar 9, 2024", STATION_BODY),
        "c.txt": news_page("Probe Reaches Orbit", "Mar 12, 2024", PROBE_BODY),
    }
    tables, labelled = run_in_memory(pages)
    titles = labelled.filter(pl.col("is_title"))
    assert sorted(titles["text"].to_list()) == sorted([same, same, "Probe Reaches Orbit"])
    assert titles["bp_reason"].is_null().all()
    # Every line labelled furniture is a boilerplate row with the same reason, and no
    # other line is: structure relabels nothing.
    labelled_furniture = sorted(
        labelled.filter(pl.col("bp_reason").is_not_null())
        .select("doc_id", "line_no", "bp_reason")
        .rows()
    )
    assert labelled_furniture
    assert labelled_furniture == sorted(
        tables.boilerplate.select("doc_id", "line_no", "reason").rows()
    )
    # The title blocks are the lines labelled titles.
    assert sorted(tables.paragraphs.filter(pl.col("kind") == "title")["text"].to_list()) == sorted(
        titles["text"].to_list()
    )
