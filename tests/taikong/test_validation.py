import pytest

from taikong.validation import schema_changes


def _table(version, columns):
    return {"schema_version": version, "columns": columns}


BASE = [["doc_id", "string", False], ["n", "int32", False], ["note", "string", True]]


def test_identical_schema_is_compatible():
    assert schema_changes({"t": _table("1.0.0", BASE)}, {"t": _table("1.0.0", BASE)}) == []


def test_no_previous_release_is_compatible():
    assert schema_changes(None, {"t": _table("1.0.0", BASE)}) == []


@pytest.mark.parametrize(("version", "ok"), [("1.0.0", False), ("1.1.0", True), ("2.0.0", True)])
def test_added_column_needs_a_minor_bump(version, ok):
    new = _table(version, [*BASE, ["extra", "string", True]])
    problems = schema_changes({"t": _table("1.0.0", BASE)}, {"t": new})
    assert (problems == []) is ok
    if not ok:
        assert problems[0]["change"] == "additive" and "extra" in problems[0]["detail"]


@pytest.mark.parametrize(
    "columns",
    [
        BASE[:2],  # removed
        [BASE[0], ["count", "int32", False], BASE[2]],  # renamed
        [BASE[0], ["n", "int16", False], BASE[2]],  # narrowed
        [BASE[0], ["n", "string", False], BASE[2]],  # retyped
        [BASE[0], ["n", "int32", True], BASE[2]],  # may now be null
        [BASE[1], BASE[0], BASE[2]],  # reordered
    ],
)
def test_breaking_changes_fail_unless_major_is_raised(columns):
    old = {"t": _table("1.3.0", BASE)}
    problems = schema_changes(old, {"t": _table("1.4.0", columns)})
    assert [p["change"] for p in problems] == ["breaking"]
    assert schema_changes(old, {"t": _table("2.0.0", columns)}) == []


def test_a_column_inserted_between_others_is_additive():
    inserted = [BASE[0], ["extra", "string", True], *BASE[1:]]
    problems = schema_changes({"t": _table("1.0.0", BASE)}, {"t": _table("1.0.0", inserted)})
    assert [p["change"] for p in problems] == ["additive"]


def test_widening_is_additive():
    widened = [BASE[0], ["n", "int64", False], BASE[2]]
    old = {"t": _table("1.0.0", BASE)}
    assert [p["change"] for p in schema_changes(old, {"t": _table("1.0.0", widened)})] == [
        "additive"
    ]
    assert schema_changes(old, {"t": _table("1.1.0", widened)}) == []


def test_removed_table_is_reported():
    problems = schema_changes({"t": _table("1.0.0", BASE)}, {})
    assert problems[0]["change"] == "table_removed"


def test_contract_failures_name_their_documents_and_line_up_with_the_declared_checks(tmp_path):
    import polars as pl
    from corpus import LAUNCH_BODY, PROBE_BODY, news_page, run_in_memory

    from contracts import TABLES
    from contracts.arrow import arrow_schema
    from taikong.io import ReleaseDir
    from taikong.validation import contract_view, validate_table

    tables, _ = run_in_memory(
        {
            "a.txt": news_page("Rocket Flies", "Mar 3, 2024", LAUNCH_BODY),
            "b.txt": news_page("Probe Lands", "Mar 5, 2024", PROBE_BODY),
        }
    )
    bad = tables.documents.with_columns(
        pl.when(pl.col("source_path") == "b.txt")
        .then(pl.lit("press_release"))
        .otherwise(pl.col("doc_type"))
        .alias("doc_type")
    )
    release = ReleaseDir(tmp_path)
    release.write_table("documents", [bad], arrow_schema(TABLES["documents"]))
    result, cases = validate_table(release, "documents")
    [failed] = result["failed_checks"]
    b_id = bad.filter(pl.col("source_path") == "b.txt")["doc_id"].item()
    assert failed["doc_ids"] == [b_id] and not failed["table_wide"]
    view = contract_view(result)
    rows = dict(view.select("check", "failed_rows").iter_rows())
    assert rows["doc_type: isin"] == 1
    assert sum(rows.values()) == 1  # every other declared check has its row, with 0
    assert "press_release" in view.filter(pl.col("check") == "doc_type: isin")["examples"].item()


def test_relations_split_into_buckets_on_disk_find_what_one_pass_finds(tmp_path, monkeypatch):
    import polars as pl
    from corpus import LAUNCH_BODY, PROBE_BODY, news_page, run_in_memory

    from contracts import TABLES
    from contracts.arrow import arrow_schema
    from taikong import validation
    from taikong.io import ReleaseDir

    tables, _ = run_in_memory(
        {
            f"{i}.txt": news_page(f"Story {i}", "Mar 3, 2024", body)
            for i, body in enumerate([LAUNCH_BODY, PROBE_BODY, LAUNCH_BODY + PROBE_BODY])
        }
    )
    release = ReleaseDir(tmp_path)
    for name in TABLES:
        frame = getattr(tables, name)
        if name == "paragraphs":  # a span past its document's end, and a dangling section
            frame = frame.with_columns(
                pl.when(pl.col("seq") == 1)
                .then(pl.col("raw_end") + 10**6)
                .otherwise("raw_end")
                .alias("raw_end"),
                pl.when(pl.col("seq") == 2)
                .then(pl.lit("0000000000000000-s999"))
                .otherwise("section_id")
                .alias("section_id"),
            )
        release.write_table(name, [frame], arrow_schema(TABLES[name]))
    one_pass = validation.relations_of(release)
    assert {r["check"] for r in one_pass if not r["passed"]} >= {
        "paragraphs.span_inside_document",
        "paragraphs.section_id_resolves",
    }
    monkeypatch.setattr(validation, "RELATION_BUCKET_CHARS", 200)
    monkeypatch.setattr(validation, "RELATION_BUCKET_ROWS", 3)
    assert validation.relations_of(release) == one_pass
