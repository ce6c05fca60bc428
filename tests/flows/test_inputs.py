"""End-to-end: hostile and multilingual inputs through the release flow.

One release over the seeds plus a corpus of known sentences in every supported encoding
(short and long files) and every kind of entry that is not a plain text file. Checks:
every sentence is published exactly or its file quarantined with a reason (none
garbled), nothing outside the seeds is read, inputs = published + quarantined counted by
an independent walk of the directory, and text leaves every output file as text.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import shutil
import socket
from pathlib import Path

import polars as pl
import pytest
from corpus import LAUNCH_BODY, PROBE_BODY, STATION_BODY, news_page

from flows.release import ValidationFailed, release

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SECRET = "root:x:0:0:a secret that lives outside the seeds directory"
PAYLOAD = "<svg/onload=alert(1)>"
NAME_PAYLOAD = "<svg onload=alert(1)>"  # a file name cannot hold a '/'

LATIN = "Résumé: the crew’s mission from Zürich–Genève was a “complete success”, été 2024."
LATIN1 = "Résumé: the mission from Zürich to Genève was a success in the summer of 2024."
HANS = "嫦娥五号探测器在月球正面着陆，并把月球样品带回地球。"
HANT = "嫦娥四號探測器在月球背面著陸，這是人類首次。"
JPAN = "はやぶさ2は小惑星リュウグウから試料を持ち帰った。"
MIXED = "Tianwen-1 天问一号 reached Mars orbit; the crew’s résumé — 神舟五号."
FILLER = {
    "latin": "The launch vehicle carried three satellites into a sun-synchronous orbit.",
    "hans": "长征五号运载火箭在文昌航天发射场点火升空，飞行正常。",
    "hant": "長征五號運載火箭在文昌航天發射場點火升空，飛行正常。",
    "jpan": "ロケットは種子島宇宙センターから打ち上げられ、衛星は予定の軌道に投入された。",
}

# name -> (sentence, filler language, encode)
CORPUS = {
    "utf8": (MIXED, "latin", lambda t: t.encode("utf-8")),
    "utf8_bom": (MIXED, "latin", lambda t: codecs.BOM_UTF8 + t.encode("utf-8")),
    "utf16le": (MIXED, "latin", lambda t: t.encode("utf-16-le")),
    "utf16le_bom": (MIXED, "latin", lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le")),
    "utf16be": (MIXED, "latin", lambda t: t.encode("utf-16-be")),
    "utf16be_bom": (MIXED, "latin", lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be")),
    "cp1252": (LATIN, "latin", lambda t: t.encode("cp1252")),
    "latin1": (LATIN1, "latin", lambda t: t.encode("latin-1")),
    "gb18030": (HANS, "hans", lambda t: t.encode("gb18030")),
    "gbk": (HANS, "hans", lambda t: t.encode("gbk")),
    "big5": (HANT, "hant", lambda t: t.encode("big5")),
    "shift_jis": (JPAN, "jpan", lambda t: t.encode("shift_jis")),
}


DAMAGED_UTF8 = f"Report damaged\n\n{MIXED} [damaged]\n\n{FILLER['latin']}\n".encode().replace(
    b"Mars", b"M\xffa\xferss\xff"
)


def _known_sentence(name: str, long: bool) -> str:
    # Tagged per file: one sentence shared by many files would be furniture, rightly.
    return f"{CORPUS[name][0]} [{name} {'long' if long else 'short'}]"


def _corpus_text(name: str, long: bool) -> str:
    _, language, _ = CORPUS[name]
    sentence = _known_sentence(name, long)
    if not long:
        return sentence + "\n"
    filler = [f"{FILLER[language]} ({i})" for i in range(60)]
    return "\n\n".join([f"Report {name}", *filler[:30], sentence, *filler[30:]]) + "\n"


@pytest.fixture(scope="module")
def hostile_release(tmp_path_factory):
    """The seeds plus every kind of entry that is not a plain text file, a file name full
    of markup, and an HTML page: a release that must publish."""
    root = tmp_path_factory.mktemp("hostile")
    seeds, datasets = root / "seeds", root / "datasets"
    shutil.copytree(SEEDS, seeds)
    (root / "passwd").write_text(SECRET + "\n")
    os.symlink(root / "passwd", seeds / "passwd_link.txt")
    os.symlink("../passwd", seeds / "dotdot_link.txt")
    os.symlink("loop_b", seeds / "loop_a")
    os.symlink("loop_a", seeds / "loop_b")
    os.symlink("nowhere.txt", seeds / "dangling.txt")
    (seeds / "sub").mkdir()
    os.symlink("sub", seeds / "sub_link")
    os.mkfifo(seeds / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(seeds / "control.sock"))
    (seeds / ".hidden.txt").write_text("hidden\n")
    (seeds / ".git").mkdir()
    (seeds / ".git" / "config").write_text("[core]\n")
    with open(os.path.join(os.fsencode(seeds), "嫦娥.txt".encode("gbk")), "wb") as f:
        f.write(news_page("Lunar Probe Lowers Its Orbit", "Mar 5, 2024", PROBE_BODY).encode())
    hostile_name = f"news {NAME_PAYLOAD} | `tick` *star* [x](javascript:alert(1)).txt"
    (seeds / hostile_name).write_text(
        news_page(f"Rocket {PAYLOAD} Puts Three Satellites in Orbit", "Mar 3, 2024", LAUNCH_BODY)
    )
    (seeds / "page.html").write_text(
        "<!DOCTYPE html><html><head><title>Tianwen &amp; Mars</title>"
        "<style>body { color: red }</style><script>var stolen = 1;</script></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li>News</li></ul></nav>"
        f"<h1>Tianwen-1 reaches Mars {PAYLOAD}</h1>"
        "<p>The probe&#8217;s orbiter &mdash; launched in July 2020 &mdash; entered orbit "
        "in February 2021 after a seven-month cruise.</p>"
        + "".join(f"<p>{line}</p>" for line in STATION_BODY)
        + "<footer>Copyright 2021 CNSA</footer></body></html>"
    )
    try:
        result = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    finally:
        sock.close()
    return seeds, datasets / "latest", result


@pytest.fixture(scope="module")
def encodings_run(tmp_path_factory):
    """The seeds plus the corpus of known sentences in every supported encoding. The
    audit's corpus-level suites may reject so odd a corpus; the tables are kept either
    way (published, or under .failed/), and are what is checked."""
    root = tmp_path_factory.mktemp("encodings")
    seeds, datasets = root / "seeds", root / "datasets"
    shutil.copytree(SEEDS, seeds)
    for name, (_, _, encode) in CORPUS.items():
        for size in ("short", "long"):
            (seeds / "corpus" / size).mkdir(parents=True, exist_ok=True)
            path = seeds / "corpus" / size / f"{name}.txt"
            path.write_bytes(encode(_corpus_text(name, size == "long")))
    # Valid UTF-8 but for three bad bytes: one rule, replaced and counted.
    (seeds / "corpus" / "damaged.txt").write_bytes(DAMAGED_UTF8)
    try:
        result = release(seeds_dir=str(seeds), datasets_dir=str(datasets))
    except ValidationFailed as exc:
        result = exc.result
    return seeds, Path(result["path"]), result


def _independent_walk(seeds: Path) -> int:
    """Entries the walk must account for: every name met, not descending into hidden
    directories or through links; directories themselves are containers."""
    count = 0
    for entry in os.scandir(seeds):
        if entry.name == "catalog.csv":
            continue
        if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
            count += _independent_walk(Path(entry.path))
        else:
            count += 1
    return count


@pytest.mark.slow
@pytest.mark.flow
def test_every_entry_is_published_or_quarantined(hostile_release):
    seeds, latest, result = hostile_release
    assert result["status"] == "published", result["problems"]
    manifest = json.loads((latest / "manifest.json").read_text())
    inputs = manifest["inputs"]
    documents = pl.read_parquet(latest / "documents" / "*.parquet")
    published = [i for i in inputs if i["fate"] == "published"]
    quarantined = [i for i in inputs if i["fate"] == "quarantined"]
    assert len(inputs) == len(published) + len(quarantined) == _independent_walk(seeds)
    assert len(published) == documents.height
    assert all(q["reason"] for q in quarantined)
    # The command's summary accounts for the same entries, each with its reason.
    assert result["summary"]["inputs"] == len(inputs)
    assert {(q["source_path"], q["reason"]) for q in result["summary"]["quarantined"]} == {
        (q["source_path"], q["reason"]) for q in quarantined
    }
    reasons = {i["source_path"]: (i["reason"] or "").split(":")[0] for i in inputs}
    assert {k: reasons[k] for k in ("passwd_link.txt", "dotdot_link.txt", "loop_a", "loop_b")} == {
        "passwd_link.txt": "symlink_outside",
        "dotdot_link.txt": "symlink_outside",
        "loop_a": "symlink_loop",
        "loop_b": "symlink_loop",
    }
    assert reasons["dangling.txt"] == "dangling_symlink"
    assert reasons["sub_link"] == "symlink_to_directory"
    assert reasons[".git"] == "hidden"
    assert reasons["pipe.txt"] == reasons["control.sock"] == "special_file"
    assert reasons[".hidden.txt"] == "hidden"
    gbk_name = next(i for i in inputs if i.get("name_hex"))
    assert bytes.fromhex(gbk_name["name_hex"]) == "嫦娥.txt".encode("gbk")
    assert gbk_name["source_path"] == "\\xe6\\xcf\\xb6\\xf0.txt"
    assert gbk_name["fate"] == "published"


@pytest.mark.slow
@pytest.mark.flow
def test_every_known_sentence_is_published_exactly_or_quarantined(encodings_run):
    seeds, latest, result = encodings_run
    quarantined = {q["source_path"]: q["reason"] for q in result["summary"]["quarantined"]}
    documents = pl.read_parquet(latest / "documents" / "*.parquet")
    paragraphs = pl.read_parquet(latest / "paragraphs" / "*.parquet")
    texts = dict(paragraphs.group_by("doc_id").agg(pl.col("text").str.join("\n")).iter_rows())
    outcomes = {}
    for name in CORPUS:
        for size in ("short", "long"):
            path = f"corpus/{size}/{name}.txt"
            sentence = _known_sentence(name, size == "long")
            doc = documents.filter(pl.col("source_path") == path)
            if doc.is_empty():
                assert quarantined[path]
                outcomes[path] = quarantined[path].split(":")[0]
                continue
            raw = doc["raw_text"][0]
            assert raw == _corpus_text(name, size == "long"), path  # not garbled
            assert sentence in raw
            # Published exactly: in a paragraph, or as the title of a one-line document.
            kept = texts.get(doc["doc_id"][0], "") + "\n" + (doc["title"][0] or "")
            assert sentence in kept, path
            outcomes[path] = doc["encoding"][0]
    # The exact outcome for each file: the encoding it was read as, or its quarantine.
    # inputs = published + quarantined, counted by an independent walk
    assert result["summary"]["inputs"] == documents.height + len(quarantined)
    assert result["summary"]["inputs"] == _independent_walk(seeds)
    assert outcomes == {
        **{f"corpus/{s}/utf8.txt": "utf-8" for s in ("short", "long")},
        **{f"corpus/{s}/utf8_bom.txt": "utf-8" for s in ("short", "long")},
        **{f"corpus/{s}/utf16le.txt": "utf-16-le" for s in ("short", "long")},
        **{f"corpus/{s}/utf16le_bom.txt": "utf-16-le" for s in ("short", "long")},
        **{f"corpus/{s}/utf16be.txt": "utf-16-be" for s in ("short", "long")},
        **{f"corpus/{s}/utf16be_bom.txt": "utf-16-be" for s in ("short", "long")},
        **{f"corpus/{s}/cp1252.txt": "cp1252" for s in ("short", "long")},
        **{f"corpus/{s}/latin1.txt": "cp1252" for s in ("short", "long")},
        **{f"corpus/{s}/gb18030.txt": "gb18030" for s in ("short", "long")},
        **{f"corpus/{s}/gbk.txt": "gb18030" for s in ("short", "long")},
        **{f"corpus/{s}/big5.txt": "big5" for s in ("short", "long")},
        **{f"corpus/{s}/shift_jis.txt": "shift_jis" for s in ("short", "long")},
    }


@pytest.mark.slow
@pytest.mark.flow
def test_documents_record_how_each_encoding_was_chosen(encodings_run):
    _, latest, _ = encodings_run
    documents = pl.read_parquet(latest / "documents" / "*.parquet")
    chosen = {
        path: (encoding, re.split(r":| \(", evidence)[0], n)
        for path, encoding, evidence, n in documents.filter(
            pl.col("source_path").str.starts_with("corpus/")
        )
        .select("source_path", "encoding", "encoding_evidence", "n_replaced_bytes")
        .iter_rows()
    }
    legacy = "only plausible legacy reading"
    assert chosen == {
        "corpus/damaged.txt": ("utf-8", "UTF-8 with 3 invalid byte(s), each replaced by U+FFFD", 3),
        **{f"corpus/{s}/utf8.txt": ("utf-8", "valid UTF-8", 0) for s in ("short", "long")},
        **{
            f"corpus/{s}/{n}_bom.txt": (e, "byte-order mark", 0)
            for s in ("short", "long")
            for n, e in (("utf8", "utf-8"), ("utf16le", "utf-16-le"), ("utf16be", "utf-16-be"))
        },
        **{
            f"corpus/{s}/{n}.txt": (e, "UTF-16 byte pattern", 0)
            for s in ("short", "long")
            for n, e in (("utf16le", "utf-16-le"), ("utf16be", "utf-16-be"))
        },
        **{
            f"corpus/{s}/{n}.txt": (e, legacy, 0)
            for s in ("short", "long")
            for n, e in (
                ("cp1252", "cp1252"),
                ("latin1", "cp1252"),
                ("gb18030", "gb18030"),
                ("gbk", "gb18030"),
                ("big5", "big5"),
                ("shift_jis", "shift_jis"),
            )
        },
    }
    damaged = documents.filter(pl.col("source_path") == "corpus/damaged.txt")["raw_text"][0]
    assert damaged == DAMAGED_UTF8.decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.flow
def test_html_page_is_converted_and_keeps_its_navigation(hostile_release):
    _, latest, _ = hostile_release
    documents = pl.read_parquet(latest / "documents" / "*.parquet")
    page = documents.filter(pl.col("source_path") == "page.html").row(0, named=True)
    assert page["converted_from"] == "html"
    assert page["title"] == "Tianwen-1 reaches Mars"  # the <h1>; its <svg> is markup
    raw = page["raw_text"]
    assert (
        "var stolen" not in raw and "color: red" not in raw and "<" not in raw.replace(PAYLOAD, "")
    )
    assert "Home" in raw and "Copyright 2021 CNSA" in raw  # visible furniture stays
    assert "The probe’s orbiter — launched in July 2020 — entered orbit" in raw
    # A page saved on one line of markup: paragraphs of its own, its footer recorded as
    # furniture, its navigation still in the raw text the furniture stage read.
    paragraphs = pl.read_parquet(latest / "paragraphs" / "*.parquet").filter(
        pl.col("doc_id") == page["doc_id"]
    )
    assert paragraphs.select("kind", "text").rows() == [
        ("title", "Tianwen-1 reaches Mars"),  # the <h1> line, above the menu's run
        (
            "paragraph",
            "The probe’s orbiter — launched in July 2020 — entered orbit in February 2021 "
            "after a seven-month cruise.",
        ),
        *(("paragraph", line) for line in STATION_BODY),
    ]
    boilerplate = pl.read_parquet(latest / "boilerplate" / "*.parquet").filter(
        pl.col("doc_id") == page["doc_id"]
    )
    assert boilerplate.select("reason", "text").rows() == [
        ("navigation", "* Home"),
        ("navigation", "* News"),
        ("site_footer", "Copyright 2021 CNSA"),
    ]
    manifest = json.loads((latest / "manifest.json").read_text())
    entry = next(i for i in manifest["inputs"] if i["source_path"] == "page.html")
    assert entry["converted_from"] == "html"


@pytest.mark.slow
@pytest.mark.flow
def test_no_output_file_carries_markup_or_the_outside_secret(hostile_release):
    _, latest, _ = hostile_release
    release_dir = latest.resolve()
    checked = 0
    for path in release_dir.rglob("*"):
        if not path.is_file() or path.suffix not in (".md", ".html", ".json", ".yaml"):
            continue
        text = path.read_text(encoding="utf-8")
        checked += 1
        assert SECRET not in text, path
        if path.suffix in (".md", ".html"):
            for payload in (PAYLOAD, NAME_PAYLOAD, "<script>alert(1)"):
                assert payload not in text, (path, payload)
            assert "javascript:alert" not in text.replace("javascript:alert(1)).txt", ""), path
        else:
            json.loads(text)
    assert checked >= 5
    readme = (release_dir / "README.md").read_text(encoding="utf-8")
    front = readme.split("---\n")[1]
    import yaml

    assert set(yaml.safe_load(front)) >= {"pretty_name", "license", "configs"}
    assert "&lt;svg onload=alert(1)&gt;" in readme  # the file name, shown as text
