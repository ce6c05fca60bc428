"""Unit tests for taikong.ingest.catalog with catalog files written to tmp_path."""

from __future__ import annotations

import codecs
import hashlib

import pytest

from taikong.ingest.catalog import CATALOG_FILE, Catalog, CatalogError, load_catalog


def write_catalog(directory, text: str, bom: bool = False):
    path = directory / CATALOG_FILE
    data = text.encode("utf-8")
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path


def test_missing_file_gives_empty_catalog(tmp_path):
    catalog = load_catalog(tmp_path)
    assert isinstance(catalog, Catalog)
    assert catalog.entries == {}
    assert catalog.sha256 is None
    assert catalog.for_path("anything.txt") == {}


def test_valid_catalog_loads(tmp_path):
    path = write_catalog(
        tmp_path,
        "path,title,published_date,publisher,note,license\n"
        "news/shenzhou5.txt, Shenzhou-5 launched ,2003-10-15,Xinhua,checked by hand,\n"
        "reports/white_paper.txt,China's Space Program,,,,CC-BY-4.0\n",
    )
    catalog = load_catalog(tmp_path)
    assert catalog.entries == {
        "news/shenzhou5.txt": {
            "title": "Shenzhou-5 launched",  # surrounding spaces stripped
            "published_date": "2003-10-15",
            "publisher": "Xinhua",
            # `note` is allowed but is not a fact; empty `license` means no statement
        },
        "reports/white_paper.txt": {
            "title": "China's Space Program",
            "license": "CC-BY-4.0",
        },
    }
    assert catalog.for_path("news/shenzhou5.txt")["publisher"] == "Xinhua"
    assert catalog.for_path("not/listed.txt") == {}
    assert catalog.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_utf8_bom_in_header_is_accepted(tmp_path):
    write_catalog(tmp_path, "path,title\na.txt,Tianwen-1\n", bom=True)
    assert load_catalog(tmp_path).entries == {"a.txt": {"title": "Tianwen-1"}}


def test_quoted_field_with_comma(tmp_path):
    write_catalog(tmp_path, 'path,title\na.txt,"Long March 5, Wenchang"\n')
    assert load_catalog(tmp_path).for_path("a.txt") == {"title": "Long March 5, Wenchang"}


def test_bad_published_date_names_file_and_line(tmp_path):
    path = write_catalog(
        tmp_path,
        "path,published_date\na.txt,2003-10-15\nb.txt,15/10/2003\nc.txt,2003-10-16\n",
    )
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    message = str(info.value)
    assert f"{path}:3:" in message  # header is line 1, b.txt is on line 3
    assert "15/10/2003" in message


def test_impossible_date_is_rejected(tmp_path):
    path = write_catalog(tmp_path, "path,published_date\na.txt,2003-02-30\n")
    with pytest.raises(CatalogError, match="published_date") as info:
        load_catalog(tmp_path)
    assert f"{path}:2:" in str(info.value)


def test_line_number_counts_blank_lines(tmp_path):
    path = write_catalog(tmp_path, "path,published_date\na.txt,2003-10-15\n\nb.txt,2003-13-01\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert f"{path}:4:" in str(info.value)


def test_line_number_after_multiline_cell(tmp_path):
    path = write_catalog(
        tmp_path,
        'path,note,published_date\na.txt,"first line\nsecond line",2003-10-15\nb.txt,,2003-13-01\n',
    )
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert f"{path}:4:" in str(info.value)


def test_unknown_column(tmp_path):
    path = write_catalog(tmp_path, "path,title,author\na.txt,T,Someone\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert "author" in str(info.value)
    assert str(path) in str(info.value)


def test_missing_path_column(tmp_path):
    write_catalog(tmp_path, "file,title\na.txt,T\n")
    with pytest.raises(CatalogError, match="path"):
        load_catalog(tmp_path)


def test_duplicate_path(tmp_path):
    path = write_catalog(tmp_path, "path,title\na.txt,One\nb.txt,Two\na.txt,Three\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert f"{path}:4:" in str(info.value)
    assert "a.txt" in str(info.value)


def test_duplicate_path_after_stripping(tmp_path):
    write_catalog(tmp_path, "path,title\na.txt,One\n a.txt ,Two\n")
    with pytest.raises(CatalogError):
        load_catalog(tmp_path)


def test_empty_path_cell(tmp_path):
    path = write_catalog(tmp_path, "path,title\na.txt,One\n ,Two\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert f"{path}:3:" in str(info.value)


def test_catalog_error_is_a_value_error():
    assert issubclass(CatalogError, ValueError)


# ---- strict parsing: every bad row names catalog.csv:LINE and the reason ----------------


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            'path,title,publisher\na.txt,"Unterminated title,Xinhua\nb.txt,Other,CNSA\n',
            2,
            "malformed row: unexpected end of data",
        ),
        (
            'path,title,publisher\na.txt,"Broken,Xinhua\nb.txt,Other",CNSA\n',
            2,
            "malformed row: the 'title' cell spans lines (an unterminated quote?)",
        ),
        ('path,title\na.txt,"Quoted" tail\n', 2, "malformed row: ',' expected after '\"'"),
        ("path,title\na.txt,One,extra\n", 2, "malformed row: 3 fields, the header has 2"),
        ("path,title,publisher\na.txt,One\n", 2, "malformed row: 2 fields, the header has 3"),
        (
            "path,title\n../outside.txt,T\n",
            2,
            "path '../outside.txt' must be relative to the seeds directory, with forward "
            "slashes and no '..'",
        ),
        ("path,title\na.txt,T\n/etc/passwd,T\n", 3, "path '/etc/passwd' must be relative"),
        ("path,title\nnews\\a.txt,T\n", 2, "path 'news\\\\a.txt' must be relative"),
        (
            "path,doc_type\na.txt,press_release\n",
            2,
            "doc_type 'press_release' is not one of news_article, report, web_page",
        ),
        (
            "path,source_url\na.txt,javascript:alert(1)\n",
            2,
            "source_url 'javascript:alert(1)' is not an http(s) URL",
        ),
    ],
    ids=[
        "unterminated-quote",
        "quote-swallows-a-row",
        "text-after-quote",
        "extra-field",
        "missing-field",
        "dotdot-path",
        "absolute-path",
        "backslash-path",
        "bad-doc-type",
        "bad-url",
    ],
)
def test_strict_rows(tmp_path, text, line, reason):
    path = write_catalog(tmp_path, text)
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path, known_paths=["a.txt", "b.txt"])
    assert str(info.value).startswith(f"{path}:{line}: {reason}")


def test_a_row_for_a_file_that_does_not_exist(tmp_path):
    path = write_catalog(tmp_path, "path,title\na.txt,T\nnews/gone.txt,Gone\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path, known_paths=["a.txt"])
    assert str(info.value) == (
        f"{path}:3: path 'news/gone.txt': no such file in the seeds directory"
    )


def test_a_row_for_a_quarantined_entry_is_known(tmp_path):
    write_catalog(tmp_path, "path,title\n.hidden.txt,T\n")
    assert load_catalog(tmp_path, known_paths=[".hidden.txt"]).entries == {
        ".hidden.txt": {"title": "T"}
    }


def test_cp1252_catalog_is_a_clear_error(tmp_path):
    path = tmp_path / CATALOG_FILE
    path.write_bytes("path,title\na.txt,Résumé\n".encode("cp1252"))
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert str(info.value) == f"{path}:2: not UTF-8 (byte 0xe9); save the catalog as UTF-8"


def test_catalog_must_be_a_regular_file(tmp_path):
    (tmp_path / "elsewhere.csv").write_text("path,title\na.txt,T\n")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / CATALOG_FILE).symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(CatalogError, match="it is a link, not a regular file"):
        load_catalog(tmp_path / "seeds")
