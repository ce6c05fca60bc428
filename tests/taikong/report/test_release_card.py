"""write_release_metadata on a small real staged release, checked by the tools that read it.

The release is built from invented documents (tests/corpus.py) run through the real
transforms, written with the contract schemas, and described by a manifest made with
taikong.publish's own functions. The Croissant file is loaded (and its records read) by
mlcroissant, the Data Package by frictionless, the card's front matter by PyYAML.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
from pathlib import Path

import duckdb
import frictionless
import mlcroissant as mlc
import pandera.polars as pa_pl
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from corpus import LAUNCH_BODY, PROBE_BODY, STATION_BODY, news_page, run_in_memory

import taikong.report.release_card as rc
from contracts import TABLES
from contracts.arrow import arrow_schema, schema_hash
from contracts.base import DocumentScoped
from contracts.relations import RELATION_CHECKS
from taikong.io import ReleaseDir
from taikong.report.escape import escape_markdown
from taikong.versions import HEURISTICS, code_version

RELEASE_ID = "2026-11-21.2"

# An invented, hard-wrapped report with numbered headings, so `sections` has a tree.
REPORT = (
    "\n".join(
        [
            " Summary",
            "The tracking network added three ground stations this year and can now follow a",
            "spacecraft through most of its orbit without gaps in the telemetry stream.",
            " I. Ground Stations",
            "1. New sites",
            "Two of the new stations stand in the western desert, where the dry air keeps the",
            "antennas clear of ice and the sky free of cloud for most nights of the year.",
            "2. Upgrades",
            "Older stations received faster receivers that can lock on to a signal in seconds.",
            " II. Ships",
            "A tracking ship spent four months at sea to cover the gap over the southern ocean.",
        ]
    )
    + "\n"
)
# Not English: its language is 'und', which the card must not list.
GERMAN = (
    "Raumfahrt heute\n\n"
    "Die Sonde hat ihre Bahn um den Mond erneut gesenkt und sendet nun Bilder der Oberfläche "
    "an die Bodenstation, die sie noch in dieser Woche auswerten will.\n"
)

TEXTS = {
    "orbit/launch.txt": news_page(
        "Rocket lifts three weather satellites", "2024-03-05", LAUNCH_BODY
    ),
    "orbit/probe.txt": news_page("Lunar probe lowers its orbit", "2024-04-07", PROBE_BODY),
    "orbit/station.txt": news_page(
        "Astronauts finish second spacewalk", "2024-05-09", STATION_BODY
    ),
    "skyline/probe.txt": news_page(
        "Lunar probe lowers its orbit again", "2024-04-08", PROBE_BODY, site="skyline"
    ),
    "reports/tracking.txt": REPORT,
    "misc/raumfahrt.txt": GERMAN,
}
CATALOG = {"reports/tracking.txt": {"title": "Tracking Network Report", "license": "CC-BY-4.0"}}


# Row groups of ~2 KB, each its own part file (a part is closed once it holds 1 byte), so
# that the tables of this small corpus span several part files.
ROW_GROUP_BYTES = 2_000


def write_tables(release_dir: Path, frames: dict[str, pl.DataFrame]) -> dict:
    """Write every contract table like the release does; tables without a frame are empty."""
    release = ReleaseDir(release_dir)
    facts = {}
    for name, model in TABLES.items():
        schema = arrow_schema(model)
        frame = frames.get(name)
        info = release.write_table(
            name,
            [] if frame is None else [frame],
            schema,
            row_group_bytes=ROW_GROUP_BYTES,
            part_bytes=1,
        )
        facts[name] = {
            **info,
            "schema_hash": schema_hash(schema),
            "schema_version": model.__schema_version__,
            "grain": schema.metadata[b"taikong.grain"].decode(),
        }
    return facts


def make_manifest(release_dir: Path, frames: dict[str, pl.DataFrame]) -> dict:
    tables = write_tables(release_dir, frames)
    docs = frames["documents"]
    inputs = pl.concat(
        [
            docs.select(
                "source_path",
                "doc_id",
                "raw_sha256",
                "n_bytes",
                pl.lit("published").alias("fate"),
                pl.lit(None, dtype=pl.String).alias("reason"),
            ),
            pl.DataFrame(
                [
                    {
                        "source_path": "orbit/empty.txt",
                        "doc_id": "e3b0c44298fc1c14",
                        "raw_sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                        "n_bytes": 0,
                        "fate": "quarantined",
                        "reason": "empty",
                    }
                ],
                schema=docs.select("source_path", "doc_id", "raw_sha256", "n_bytes").schema
                | {"fate": pl.String, "reason": pl.String},
            ),
        ]
    ).sort("source_path")
    by_reason = dict(frames["boilerplate"].group_by("reason").len().sort("reason").iter_rows())
    quarantined = inputs.filter(pl.col("fate") == "quarantined")
    # The shape taikong.publish.build_manifest returns (built here, so that work on the
    # validation part of the manifest elsewhere does not break this test).
    return {
        "release_id": RELEASE_ID,
        "created_at": "2026-11-21T10:00:00+00:00",
        "fingerprint": "f" * 64,
        "predecessor": "2026-11-21",
        "code_version": code_version(),
        "heuristics": HEURISTICS,
        "options": {"max_bytes": 52428800},
        "catalog_sha256": None,
        "inputs": inputs.to_dicts(),
        "tables": tables,
        "summary": {
            "inputs": inputs.height,
            "documents": tables["documents"]["rows"],
            "sections": tables["sections"]["rows"],
            "paragraphs": tables["paragraphs"]["rows"],
            "boilerplate_by_reason": by_reason,
            "quarantined": quarantined.select("source_path", "reason").to_dicts(),
        },
        "validation": {"passed": True, "report": "validation/report.json"},
    }


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    tables, _ = run_in_memory(TEXTS, catalog=CATALOG)
    return {name: getattr(tables, name) for name in TABLES if hasattr(tables, name)}


@pytest.fixture(scope="module")
def release(tmp_path_factory, frames):
    release_dir = tmp_path_factory.mktemp("release")
    (release_dir / "validation").mkdir()
    (release_dir / "validation" / "report.json").write_text('{"passed": true}\n')
    manifest = make_manifest(release_dir, frames)
    paths = rc.write_release_metadata(release_dir, manifest)
    return release_dir, manifest, paths


def front_matter(readme: Path) -> dict:
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    head, sep, _ = text[4:].partition("\n---\n")
    assert sep, "front matter is not closed"
    return yaml.safe_load(head)


# ---- the corpus exercises what the files describe -------------------------------------------


def test_fixture_corpus_covers_links_and_languages(frames):
    docs = frames["documents"]
    assert docs["near_duplicate_of"].drop_nulls().len() >= 1
    assert frames["sections"]["parent_id"].drop_nulls().len() >= 1
    assert frames["paragraphs"]["duplicate_of"].drop_nulls().len() >= 1
    assert set(docs["language"]) == {"en", "und"}
    assert frames["boilerplate"].height > 0


def test_writes_the_three_files(release):
    release_dir, manifest, paths = release
    assert [p.name for p in paths] == ["README.md", "croissant.json", "datapackage.json"]
    assert all(p.parent == release_dir and p.is_file() for p in paths)
    # The fixture's tables span several part files: what follows is tested on parts.
    assert len(manifest["tables"]["paragraphs"]["files"]) > 1
    assert len(manifest["tables"]["documents"]["files"]) > 1


# ---- Croissant ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def croissant(release):
    release_dir, _, _ = release
    # Loading by path lets mlcroissant resolve the relative contentUrl of each FileObject.
    return mlc.Dataset(jsonld=release_dir / "croissant.json")


def test_croissant_validates_without_errors_or_warnings(release, caplog):
    release_dir, _, _ = release
    with caplog.at_level(logging.WARNING):
        # Raises mlcroissant.ValidationError on any error in the metadata.
        ds = mlc.Dataset(jsonld=release_dir / "croissant.json")
    issues = ds.metadata.ctx.issues
    assert not issues.errors, issues.report()
    assert not issues.warnings, issues.report()
    # Some checks (e.g. a non-standard @context) only log a warning.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert ds.metadata.ctx.conforms_to.value == "http://mlcommons.org/croissant/1.0"


def test_croissant_describes_every_table_and_column(release, croissant):
    release_dir, manifest, _ = release
    metadata = croissant.metadata.to_json()  # as mlcroissant understood it
    assert [rs["@id"] for rs in metadata["recordSet"]] == list(TABLES)
    for rs in metadata["recordSet"]:
        schema = arrow_schema(TABLES[rs["@id"]])
        contract = TABLES[rs["@id"]].to_schema().columns
        assert [f["name"] for f in rs["field"]] == schema.names
        for f, arrow_field in zip(rs["field"], schema, strict=True):
            assert f["description"].startswith(contract[f["name"]].description)
            assert f["source"] == {
                "fileSet": {"@id": f"{rs['@id']}-parquet-files"},
                "extract": {"column": f["name"]},
            }
            assert f.get("repeated", False) == pa.types.is_list(arrow_field.type)
    file_sets = {fs["@id"]: fs for fs in metadata["distribution"]}
    assert set(file_sets) == {f"{t}-parquet-files" for t in TABLES}
    for table in TABLES:
        fs = file_sets[f"{table}-parquet-files"]
        assert fs["@type"] == "cr:FileSet"
        assert fs["encodingFormat"] == "application/x-parquet"
        # The glob matches exactly the table's part files listed in the manifest.
        matched = sorted(
            p.relative_to(release_dir).as_posix() for p in release_dir.glob(fs["includes"])
        )
        assert matched == manifest["tables"][table]["files"]
    types = {f["@id"]: f["dataType"] for rs in metadata["recordSet"] for f in rs["field"]}
    assert types["documents/catalog_fields"] == "sc:Text"
    assert types["documents/published_date"] == "sc:Date"
    assert types["documents/n_sections"] == "sc:Integer"
    assert types["documents/near_duplicate_similarity"] == "sc:Float"
    assert types["documents/title_truncated"] == "sc:Boolean"
    keys = {rs["@id"]: rs.get("key") for rs in metadata["recordSet"]}
    assert keys["paragraphs"] == {"@id": "paragraphs/paragraph_id"}
    refs = {
        f["@id"]: f["references"]["field"]["@id"]
        for rs in metadata["recordSet"]
        for f in rs["field"]
        if "references" in f
    }
    assert refs["paragraphs/section_id"] == "sections/section_id"
    assert refs["boilerplate/doc_id"] == "documents/doc_id"


def test_croissant_records_read_the_parquet_files(croissant, frames):
    docs = frames["documents"]
    records = list(croissant.records("documents"))
    assert len(records) == docs.height
    by_id = {r["documents/doc_id"].decode(): r for r in records}
    assert set(by_id) == set(docs["doc_id"])
    report = docs.filter(pl.col("source_path") == "reports/tracking.txt").row(0, named=True)
    record = by_id[report["doc_id"]]
    assert record["documents/title"].decode() == "Tracking Network Report"
    assert [v.decode() for v in record["documents/catalog_fields"]] == report["catalog_fields"]
    assert record["documents/n_sections"] == report["n_sections"] > 0
    for table in ("sections", "paragraphs", "boilerplate"):
        assert len(list(croissant.records(table))) == frames[table].height


# ---- Frictionless ---------------------------------------------------------------------------


def test_datapackage_descriptor_is_valid(release):
    release_dir, _, _ = release
    path = release_dir / "datapackage.json"
    report = frictionless.Package.validate_descriptor(str(path))
    assert report.valid, report.flatten(["type", "note"])


def test_frictionless_validate_on_the_parquet_files(release):
    """frictionless.validate reads each table's parts (pyarrow -> pandas): no error at all."""
    release_dir, manifest, _ = release
    report = frictionless.validate(str(release_dir / "datapackage.json"))
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])
    assert [t.name for t in report.tasks] == list(TABLES)
    for task in report.tasks:
        # Every part was read (frictionless leaves "rows" out of an empty table's stats).
        assert task.stats.get("rows", 0) == manifest["tables"][task.name]["rows"]


def test_datapackage_matches_contracts_and_files(release):
    release_dir, _, _ = release
    package = frictionless.Package(str(release_dir / "datapackage.json"))
    assert package.resource_names == list(TABLES)
    for resource in package.resources:
        contract = TABLES[resource.name].to_schema().columns
        assert resource.schema.field_names == list(contract)
        for field in resource.schema.fields:
            assert field.description.startswith(contract[field.name].description)
            assert field.required is not contract[field.name].nullable
        assert resource.path == resource.name  # the table's directory of parts
        assert (release_dir / resource.path).is_dir()
        assert resource.format == "parquet"
    pk = {r.name: r.schema.primary_key for r in package.resources}
    assert pk == {
        "documents": ["doc_id"],
        "sections": ["section_id"],
        "paragraphs": ["paragraph_id"],
        "boilerplate": ["boilerplate_id"],
        "templates": ["template_id"],
        "edits": ["edit_id"],
        "mentions": ["mention_id"],
        "quantities": ["quantity_id"],
    }


def _fk_set(package: frictionless.Package) -> set[tuple[str, str, str, str]]:
    return {
        (
            r.name,
            fk["fields"][0],
            fk["reference"].get("resource") or r.name,
            fk["reference"]["fields"][0],
        )
        for r in package.resources
        for fk in r.schema.foreign_keys
    }


def test_datapackage_foreign_keys_cover_the_relation_checks(release):
    release_dir, _, _ = release
    fks = _fk_set(frictionless.Package(str(release_dir / "datapackage.json")))
    assert ("sections", "parent_id", "sections", "section_id") in fks
    assert ("paragraphs", "duplicate_of", "paragraphs", "paragraph_id") in fks
    assert ("documents", "near_duplicate_of", "documents", "doc_id") in fks
    # Every "<table>.<column>_resolves" check of contracts/relations.py is a declared link.
    for check in RELATION_CHECKS:
        if check.name.endswith("_resolves"):
            table, column = check.name.removesuffix("_resolves").split(".")
            assert any(fk[:2] == (table, column) for fk in fks), check.name


def inline_package(release_dir: Path, edit=None) -> frictionless.Package:
    """The release's Data Package with each resource's rows inline (read with pyarrow)."""
    descriptor = json.loads((release_dir / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        rows = pq.read_table(release_dir / resource["path"]).to_pylist()  # all parts
        if edit:
            rows = edit(resource["name"], rows)
        header = [f["name"] for f in resource["schema"]["fields"]]
        resource["data"] = [header, *([row[h] for h in header] for row in rows)]
        for key in ("path", "format", "mediatype"):
            resource.pop(key)
    return frictionless.Package(descriptor)


def test_datapackage_schemas_accept_the_release_data(release):
    """Types, constraints, primary keys and foreign keys checked on every row."""
    release_dir, manifest, _ = release
    report = inline_package(release_dir).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    assert sum(t.stats.get("rows", 0) for t in report.tasks) == sum(
        manifest["tables"][t]["rows"] for t in TABLES
    )


@pytest.mark.parametrize(
    ("table", "column", "value", "error"),
    [
        ("paragraphs", "section_id", "0000000000000000-s999", "foreign-key"),
        ("paragraphs", "duplicate_of", "0000000000000000-p9999", "foreign-key"),
        ("documents", "language", "english", "constraint-error"),
        ("documents", "doc_type", "press_release", "constraint-error"),
        ("boilerplate", "boilerplate_id", None, "constraint-error"),
    ],
)
def test_datapackage_schemas_reject_bad_rows(release, table, column, value, error):
    """Control: the same check finds dangling links, values off their enum or pattern, a null key."""
    release_dir, _, _ = release

    def corrupt(name, rows):
        if name == table:
            rows[0] = {**rows[0], column: value}
        return rows

    report = inline_package(release_dir, corrupt).validate()
    assert not report.valid
    types = {row[0] for row in report.flatten(["type"])}
    assert error in types


# ---- README ---------------------------------------------------------------------------------


def test_readme_front_matter(release):
    release_dir, manifest, _ = release
    meta = front_matter(release_dir / "README.md")
    assert meta["license"] == "other"
    assert meta["language"] == ["en"]
    assert meta["pretty_name"] and meta["tags"]
    configs = {c["config_name"]: c for c in meta["configs"]}
    # The fixture has tables without rows (edits, mentions): no config, the loader fails on them.
    empty = [t for t, info in manifest["tables"].items() if info["rows"] == 0]
    assert empty
    assert list(configs) == [t for t in TABLES if t not in empty]
    for name, config in configs.items():
        assert config["data_files"] == [{"split": "train", "path": f"{name}/*.parquet"}]
        matched = release_dir.glob(config["data_files"][0]["path"])
        assert (
            sorted(p.relative_to(release_dir).as_posix() for p in matched)
            == (manifest["tables"][name]["files"])
        )
    assert [n for n, c in configs.items() if c.get("default")] == ["documents"]


def _markdown_rows(text: str, header: str) -> list[list[str]]:
    """Rows of the first markdown table after the line `header` (cells unescaped)."""
    lines = text.splitlines()
    start = lines.index(header) + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")]
        rows.append(cells)
    return rows


def test_readme_body_describes_release_tables_and_inputs(release):
    release_dir, manifest, _ = release
    text = (release_dir / "README.md").read_text(encoding="utf-8")
    assert f"`{RELEASE_ID}`" in text and "2026-11-21" in text
    assert manifest["code_version"]["source_sha256"] in text
    for heuristic in manifest["heuristics"]:
        assert f"`{heuristic}`" in text
    # Each table section: grain, rows, schema version, and the contract's columns in order.
    sections = text.split("\n### ")[1:]
    assert [s.split("`")[1] for s in sections] == list(TABLES)
    for name, section in zip(TABLES, sections, strict=True):
        model = TABLES[name]
        facts = manifest["tables"][name]
        assert f"**Grain:** {facts['grain']}" in section
        assert f"{facts['rows']} rows" in section
        assert f"schema version {model.__schema_version__}" in section
        rows = _markdown_rows(section, "| column | type | nullable | description |")
        schema = arrow_schema(model)
        contract = model.to_schema().columns
        assert [r[0].strip("`") for r in rows] == schema.names
        for row, field in zip(rows, schema, strict=True):
            if pa.types.is_list(field.type):
                assert row[1] == f"`list<{field.type.value_type}>`"
            else:
                assert row[1] == f"`{field.type}`"
            assert row[2] == ("yes" if field.nullable else "no")
            assert row[3] == contract[field.name].description
    # Every input with its sha256 and fate; the quarantined one with its reason.
    inputs = _markdown_rows(text, "| source path | doc_id | sha256 | bytes | fate | reason |")
    assert {r[0]: (r[2], r[4], r[5]) for r in inputs} == {
        escape_markdown(i["source_path"]): (
            i["raw_sha256"],
            i["fate"],
            escape_markdown(i["reason"] or ""),
        )
        for i in manifest["inputs"]
    }
    by_reason = _markdown_rows(text, "| reason | lines |")
    assert {r[0].strip("`"): int(r[1]) for r in by_reason} == manifest["summary"][
        "boilerplate_by_reason"
    ]
    assert 'load_dataset("parquet"' in text


def _code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.M | re.S)


def _run_block(text: str, marker: str) -> dict:
    block = next(b for b in _code_blocks(text, "python") if marker in b)
    scope: dict = {}
    exec(block, scope)
    return scope


def test_readme_polars_pandas_and_duckdb_examples_run_in_the_release(release, monkeypatch):
    release_dir, manifest, _ = release
    text = (release_dir / "README.md").read_text(encoding="utf-8")
    monkeypatch.chdir(release_dir)
    rows = {t: info["rows"] for t, info in manifest["tables"].items()}
    scope = _run_block(text, "import polars")
    assert scope["paragraphs"].height == rows["paragraphs"]
    assert scope["documents"].select(pl.len()).collect().item() == rows["documents"]
    assert len(_run_block(text, "import pandas")["documents"]) == rows["documents"]
    (sql,) = _code_blocks(text, "sql")
    result = duckdb.sql(sql).fetchall()
    published = {i["source_path"] for i in manifest["inputs"] if i["fate"] == "published"}
    assert result and {r[0] for r in result} <= published
    assert (
        sum(r[2] for r in result)
        == duckdb.sql(
            "SELECT count(*) FROM 'paragraphs/*.parquet' WHERE duplicate_of IS NULL"
        ).fetchall()[0][0]
    )


@pytest.mark.slow
def test_readme_hugging_face_example_loads_every_config(release, monkeypatch, tmp_path):
    """The card's `datasets` example, run offline: every config reads all its parts."""
    release_dir, manifest, _ = release
    text = (release_dir / "README.md").read_text(encoding="utf-8")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.chdir(release_dir)
    scope = _run_block(text, "from datasets import load_dataset")
    assert scope["paragraphs"].num_rows == manifest["tables"]["paragraphs"]["rows"]
    assert {n: d.num_rows for n, d in scope["tables"].items()} == {
        n: info["rows"] for n, info in manifest["tables"].items() if info["rows"]
    }
    for name in (n for n, info in manifest["tables"].items() if not info["rows"]):
        assert f"`{name}`" in text.split("Hugging Face `datasets`")[1].split("```")[0]


# ---- inputs the function must check ----------------------------------------------------------


@pytest.fixture
def release_copy(release, tmp_path):
    release_dir, manifest, _ = release
    copy = tmp_path / "release"
    shutil.copytree(release_dir, copy)
    for name in rc.METADATA_FILES:
        (copy / name).unlink()
    return copy, json.loads(json.dumps(manifest))


def test_manifest_license_is_used(release_copy):
    release_dir, manifest = release_copy
    manifest["license"] = "cc-by-4.0"
    rc.write_release_metadata(release_dir, manifest)
    assert front_matter(release_dir / "README.md")["license"] == "cc-by-4.0"
    assert json.loads((release_dir / "croissant.json").read_text())["license"] == "cc-by-4.0"
    package = frictionless.Package(str(release_dir / "datapackage.json"))
    assert package.licenses == [{"name": "cc-by-4.0"}]
    assert frictionless.Package.validate_descriptor(str(release_dir / "datapackage.json")).valid


def test_checksum_that_disagrees_with_the_manifest_is_refused(release_copy):
    release_dir, manifest = release_copy
    part = manifest["tables"]["paragraphs"]["parts"][1]
    part["sha256"] = "0" * 64
    with pytest.raises(ValueError, match=f"{part['file']} has sha256 0000"):
        rc.write_release_metadata(release_dir, manifest)
    assert not any((release_dir / name).exists() for name in rc.METADATA_FILES)


def test_row_count_that_disagrees_with_the_manifest_is_refused(release_copy):
    release_dir, manifest = release_copy
    manifest["tables"]["sections"]["rows"] += 1
    with pytest.raises(ValueError, match="sections.rows"):
        rc.write_release_metadata(release_dir, manifest)


def test_missing_or_extra_part_files_are_refused(release_copy):
    release_dir, manifest = release_copy
    last = release_dir / manifest["tables"]["paragraphs"]["files"][-1]
    renamed = last.rename(last.with_name("part-09999.parquet"))  # not in the manifest
    with pytest.raises(ValueError, match="paragraphs.files"):
        rc.write_release_metadata(release_dir, manifest)
    renamed.rename(last)
    shutil.rmtree(release_dir / "boilerplate")
    with pytest.raises(FileNotFoundError, match="boilerplate/"):
        rc.write_release_metadata(release_dir, manifest)


class Launches(DocumentScoped):
    """One row per launch mentioned in a document.

    Invented for this test: a table the release card has never heard of.
    """

    __table_name__ = "launches"
    __schema_version__ = "1.0.0"

    launch_id: str = pa_pl.Field(unique=True, description="Stable id of the launch.")
    launch_date: pl.Date = pa_pl.Field(nullable=True, description="Day of the launch.")
    payload_mass_kg: float = pa_pl.Field(nullable=True, ge=0, description="Payload mass.")
    crewed: bool = pa_pl.Field(description="True for a crewed flight.")
    payloads: list[str] = pa_pl.Field(description="Names of the payloads.")


def test_a_new_contract_table_is_described_everywhere(release_copy, monkeypatch):
    release_dir, manifest = release_copy
    monkeypatch.setattr(rc, "TABLES", {**TABLES, "launches": Launches})
    docs = pq.read_table(release_dir / "documents", columns=["doc_id"])
    launches = pa.table(
        {
            "doc_id": docs["doc_id"].to_pylist()[:1],
            "launch_id": ["L-1"],
            "launch_date": [dt.date(2024, 3, 5)],
            "payload_mass_kg": [None],
            "crewed": [False],
            "payloads": [["sat-a", "sat-b"]],
        }
    ).cast(arrow_schema(Launches))
    (release_dir / "launches").mkdir()
    pq.write_table(launches, release_dir / "launches" / "part-00000.parquet")

    rc.write_release_metadata(release_dir, manifest)

    configs = [c["config_name"] for c in front_matter(release_dir / "README.md")["configs"]]
    assert configs == [*(t for t in TABLES if manifest["tables"][t]["rows"]), "launches"]
    assert "### `launches`" in (release_dir / "README.md").read_text()

    ds = mlc.Dataset(jsonld=release_dir / "croissant.json")
    assert not ds.metadata.ctx.issues.errors and not ds.metadata.ctx.issues.warnings
    fields = {f["@id"]: f for rs in ds.metadata.to_json()["recordSet"] for f in rs["field"]}
    assert fields["launches/payloads"]["repeated"] is True
    assert fields["launches/crewed"]["dataType"] == "sc:Boolean"
    assert fields["launches/payload_mass_kg"]["dataType"] == "sc:Float"
    assert fields["launches/launch_date"]["dataType"] == "sc:Date"
    assert fields["launches/doc_id"]["references"] == {"field": {"@id": "documents/doc_id"}}
    records = list(ds.records("launches"))
    assert [[p.decode() for p in r["launches/payloads"]] for r in records] == [["sat-a", "sat-b"]]

    path = release_dir / "datapackage.json"
    assert frictionless.Package.validate_descriptor(str(path)).valid
    package = frictionless.Package(str(path))
    resource = package.get_resource("launches")
    assert resource.schema.primary_key == ["launch_id"]
    assert [f.type for f in resource.schema.fields] == [
        "string",
        "string",
        "date",
        "number",
        "boolean",
        "any",  # a list column: see release_card._dp_field
    ]
    assert ("launches", "doc_id", "documents", "doc_id") in _fk_set(package)
    report = inline_package(release_dir).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
