"""The pipeline, declared once: every stage with its inputs, outputs, grain and versions.

A stage is a function over polars frames. `grain="shard"` maps it over the shards (it
gets each per-shard input for one shard, and run-level inputs whole); `grain="run"`
reduces across shards (it gets each per-shard input for all shards at once). Stages
never read or write files: the runner (`taikong.runner`) reads their inputs from the
work area, writes their outputs, and serves cached outputs. Every work-area dataset is
written by exactly one stage and never overwritten, so a name means one thing.

Adding a stage is one entry in STAGES plus its function in `taikong.stages`; the
progress stages, the Prefect tasks (flows/) and the in-memory test runner are derived
from this list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from taikong import stages
from taikong.clean.hyphens import HYPHENS_VERSION
from taikong.clean.lines import CLEAN_VERSION
from taikong.dedup.boilerplate import BOILERPLATE_VERSION
from taikong.dedup.near_duplicates import NEAR_DUP_VERSION
from taikong.dedup.paragraph_duplicates import PARAGRAPH_DUP_VERSION
from taikong.enrich.mentions import MENTIONS_VERSION
from taikong.enrich.quantities import QUANTITIES_VERSION
from taikong.ingest.decode import DECODE_VERSION
from taikong.ingest.html import HTML_VERSION
from taikong.structure.metadata import METADATA_VERSION
from taikong.structure.paragraphs import STRUCTURE_VERSION

Grain = Literal["shard", "run"]


@dataclass(frozen=True)
class Dataset:
    """A named work-area dataset, declared by the stage that writes it: one file per
    shard when that stage is a shard stage, else one per run."""

    name: str
    columns: tuple[str, ...]  # the runner checks the stage's output has at least these
    about: str
    # Of a document-local stage's output: its rows come grouped by document, the
    # documents in the order of the shard's `docs` ("docs") or sorted by doc_id.
    doc_order: Literal["docs", "doc_id"] = "docs"


@dataclass(frozen=True)
class Slice:
    """The rows of a run-level input that one shard's output depends on: those whose
    `on` columns match a row of the shard's `by` dataset (its `by_columns`, by default
    the same names). A stage cached by content is given only these rows, so its key,
    which hashes them, covers everything it reads."""

    input: str  # a run-level dataset the stage reads
    on: tuple[str, ...]
    by: str  # a per-shard dataset written before the stage
    by_columns: tuple[str, ...] | None = None

    @property
    def match(self) -> tuple[str, ...]:
        return self.by_columns or self.on


# RunSpec fields a stage cached by content may read (declared in `run_fields`); the
# others name files or shards, not content, and such a stage is not given them.
CONTENT_RUN_FIELDS = ("catalog", "max_bytes", "near_duplicate_threshold")


@dataclass(frozen=True)
class Stage:
    name: str  # also the progress stage and the Prefect task name
    fn: Callable
    grain: Grain
    inputs: tuple[str, ...]  # dataset names, each written by an earlier stage
    writes: tuple[Dataset, ...]
    # The heuristic versions that decide this stage's output (upstream ones are added
    # by `lineage_versions`), and the libraries whose versions may change it.
    versions: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ("polars", "pyarrow")
    # Cached by: None; "input_files" (the shard's file names and sha256, for ingest);
    # "doc_ids" (the output is a function of the shard's documents, named by doc_id,
    # given the upstream versions: only for stages whose inputs are all per shard);
    # "content" (a hash of exactly what the stage is given: its per-shard inputs, the
    # `slices` of its run-level inputs, its `run_fields`; see taikong.runner).
    cached_by: Literal["input_files", "doc_ids", "content"] | None = None
    slices: tuple[Slice, ...] = ()
    # RunSpec fields the output depends on (CONTENT_RUN_FIELDS); the catalog is given
    # as the entries of the shard's documents.
    run_fields: tuple[str, ...] = ()
    # Per-shard inputs a run stage reads lazily (large reduce inputs).
    lazy: tuple[str, ...] = field(default=())
    # Modules (or packages) whose source decides the output beyond `versions`: their
    # files' digest is part of the cache key.
    code: tuple[str, ...] = ()
    # Each document's output rows depend only on that document's rows of each input
    # (and of each slice): a rebuilt shard reuses the cached rows of its unchanged
    # documents and runs the stage on the others only (taikong.runner).
    document_local: bool = False

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.writes)


STAGES: tuple[Stage, ...] = (
    Stage(
        name="ingest",
        fn=stages.ingest,
        grain="shard",
        inputs=(),
        writes=(
            Dataset("ingested_docs", ("doc_id", "source_path", "raw_text"), "decoded inputs"),
            Dataset("file_fates", ("source_path", "fate", "reason"), "every input of a shard"),
        ),
        versions=(DECODE_VERSION, HTML_VERSION),
        libraries=("polars", "pyarrow", "chardet", "inscriptis"),
        cached_by="input_files",
    ),
    Stage(
        name="resolve-duplicate-files",
        fn=stages.resolve_duplicate_files,
        grain="run",
        inputs=("file_fates",),
        writes=(
            Dataset("inputs", ("source_path", "fate", "reason"), "every input, duplicates found"),
        ),
    ),
    Stage(
        name="select-documents",
        fn=stages.select_documents,
        grain="shard",
        inputs=("ingested_docs", "inputs"),
        writes=(Dataset("docs", ("doc_id", "source_path", "raw_text"), "one per distinct file"),),
    ),
    Stage(
        name="clean",
        fn=stages.clean,
        grain="shard",
        inputs=("docs",),
        writes=(
            Dataset(
                "lines", ("doc_id", "line_no", "text"), "cleaned lines with features", "doc_id"
            ),
        ),
        versions=(CLEAN_VERSION, HYPHENS_VERSION),
        libraries=("polars", "pyarrow", "ftfy"),
        document_local=True,
        cached_by="doc_ids",
    ),
    Stage(
        name="minhash",
        fn=stages.minhash,
        grain="shard",
        inputs=("lines", "docs"),
        writes=(Dataset("signatures", ("doc_id",), "MinHash signatures", "doc_id"),),
        versions=(NEAR_DUP_VERSION,),
        document_local=True,
        cached_by="doc_ids",
    ),
    Stage(
        name="cluster-near-duplicates",
        fn=stages.cluster_near_duplicates,
        grain="run",
        inputs=("signatures",),
        writes=(Dataset("clusters", ("doc_id", "near_duplicate_of"), "near-duplicate links"),),
        versions=(NEAR_DUP_VERSION,),
    ),
    Stage(
        name="fingerprint",
        fn=stages.fingerprint,
        grain="shard",
        inputs=("lines",),
        writes=(
            Dataset(
                "fingerprints", ("doc_id", "template"), "line templates per document", "doc_id"
            ),
        ),
        versions=(BOILERPLATE_VERSION,),
        document_local=True,
        cached_by="doc_ids",
    ),
    Stage(
        name="count-templates",
        fn=stages.count_templates,
        grain="run",
        inputs=("fingerprints", "clusters"),
        writes=(
            Dataset("template_counts", ("template",), "documents per line template"),
            Dataset("template_levels", ("template", "n_clusters"), "counts as labels read them"),
        ),
        versions=(BOILERPLATE_VERSION,),
        lazy=("fingerprints",),
    ),
    Stage(
        name="label-boilerplate",
        fn=stages.label_boilerplate,
        grain="shard",
        inputs=("lines", "template_levels"),
        writes=(
            Dataset(
                "labelled_lines", ("doc_id", "line_no", "bp_reason"), "lines, labelled", "doc_id"
            ),
        ),
        versions=(BOILERPLATE_VERSION,),
        document_local=True,
        cached_by="content",
        # the levels of the templates that occur in the shard: a count that moves without
        # crossing a threshold leaves them, and the shard's cache key, as they were
        slices=(Slice("template_levels", ("template",), by="fingerprints"),),
    ),
    Stage(
        name="describe-templates",
        fn=stages.describe_templates,
        grain="run",
        inputs=("labelled_lines", "template_counts"),
        writes=(Dataset("templates", ("template_id", "n_docs"), "table: templates"),),
        versions=(BOILERPLATE_VERSION,),
        lazy=("labelled_lines",),
    ),
    Stage(
        name="structure",
        fn=stages.structure,
        grain="shard",
        inputs=("docs", "labelled_lines"),
        writes=(
            Dataset(
                "structured_lines", ("doc_id", "line_no", "bp_reason"), "as structured", "doc_id"
            ),
            Dataset("blocks", ("doc_id", "para_no", "kind", "text"), "paragraph blocks", "doc_id"),
            Dataset("pieces", ("doc_id", "para_no"), "block offsets to raw offsets", "doc_id"),
            Dataset("sections", ("section_id", "doc_id"), "table: sections"),
            Dataset("located_paragraphs", ("paragraph_id", "para_no"), "with their block"),
            Dataset("boilerplate", ("boilerplate_id", "doc_id"), "table: boilerplate"),
            Dataset("edits", ("edit_id", "doc_id"), "table: edits"),
        ),
        versions=(STRUCTURE_VERSION, HYPHENS_VERSION),
        document_local=True,
        cached_by="content",
    ),
    Stage(
        name="enrich",
        fn=stages.enrich,
        grain="shard",
        inputs=("docs", "located_paragraphs", "blocks", "pieces"),
        writes=(
            Dataset("mentions", ("mention_id", "doc_id"), "table: mentions"),
            Dataset("quantities", ("quantity_id", "doc_id"), "table: quantities"),
        ),
        versions=(MENTIONS_VERSION, QUANTITIES_VERSION),
        document_local=True,
        cached_by="content",
    ),
    Stage(
        name="describe-documents",
        fn=stages.describe_documents,
        grain="shard",
        inputs=(
            "docs",
            "structured_lines",
            "blocks",
            "sections",
            "located_paragraphs",
            "boilerplate",
            "edits",
            "mentions",
            "quantities",
            "clusters",
        ),
        writes=(Dataset("documents", ("doc_id", "source_path"), "table: documents"),),
        versions=(METADATA_VERSION,),
        document_local=True,
        cached_by="content",
        slices=(Slice("clusters", ("doc_id",), by="docs"),),
        run_fields=("catalog",),
    ),
    Stage(
        name="paragraph-keys",
        fn=stages.paragraph_keys,
        grain="shard",
        inputs=("located_paragraphs", "docs"),
        writes=(Dataset("paragraph_keys", ("text_hash", "paragraph_id"), "normalized hashes"),),
        versions=(PARAGRAPH_DUP_VERSION,),
        cached_by="content",
    ),
    Stage(
        name="find-duplicate-paragraphs",
        fn=stages.find_duplicate_paragraphs,
        grain="run",
        inputs=("paragraph_keys",),
        writes=(Dataset("paragraph_duplicates", ("paragraph_id", "duplicate_of"), "later copies"),),
        versions=(PARAGRAPH_DUP_VERSION,),
        lazy=("paragraph_keys",),
    ),
    Stage(
        name="mark-duplicates",
        fn=stages.mark_duplicates,
        grain="shard",
        inputs=("located_paragraphs", "paragraph_duplicates"),
        writes=(Dataset("paragraphs", ("paragraph_id", "doc_id", "duplicate_of"), "table"),),
        versions=(PARAGRAPH_DUP_VERSION,),
        document_local=True,
        cached_by="content",
        slices=(Slice("paragraph_duplicates", ("paragraph_id",), by="located_paragraphs"),),
    ),
    Stage(
        name="audit-shard",
        fn=stages.audit_shard,
        grain="shard",
        inputs=(
            "documents",
            "sections",
            "paragraphs",
            "boilerplate",
            "edits",
            "mentions",
            "quantities",
        ),
        writes=(
            Dataset("contract_cases", ("table", "check", "doc_id"), "contract failure cases"),
            Dataset("relation_failures", ("check", "doc_id", "row"), "rows breaking a relation"),
            Dataset("audit_rows", ("table", "rows"), "rows audited per table"),
        ),
        libraries=("polars", "pyarrow", "pandera"),
        cached_by="content",
        # the checks are code, not a heuristic version: their source is in the key
        code=("contracts", "taikong.shard_audit", "taikong.validation"),
    ),
)
STAGE_BY_NAME = {s.name: s for s in STAGES}
# Every work-area dataset of the pipeline, by name.
DATASETS = {d.name: d for s in STAGES for d in s.writes}

# The release tables and the work-area dataset each is written from: one file per shard,
# or one per run for a table across documents (templates).
TABLE_DATASETS = {
    "documents": "documents",
    "sections": "sections",
    "paragraphs": "paragraphs",
    "boilerplate": "boilerplate",
    "templates": "templates",
    "edits": "edits",
    "mentions": "mentions",
    "quantities": "quantities",
}

SHARD_STAGES = tuple(s.name for s in STAGES if s.grain == "shard")


def producer(dataset: str) -> Stage:
    """The one stage that writes `dataset`."""
    for stage in STAGES:
        if dataset in stage.outputs:
            return stage
    raise KeyError(f"no stage writes the dataset {dataset!r}")


def table_grain(table: str) -> Grain:
    """How a release table's dataset is written: one file per shard, or one per run."""
    return producer(TABLE_DATASETS[table]).grain


def upstream_stages(stage: Stage, stage_list: tuple[Stage, ...] | None = None) -> list[Stage]:
    """`stage` first, then every stage whose output it reads, directly or not (in
    `stage_list`, by default the pipeline's)."""
    writer = {name: s for s in (STAGES if stage_list is None else stage_list) for name in s.outputs}
    found: dict[str, Stage] = {}
    pending = [stage]
    while pending:
        current = pending.pop()
        if current.name not in found:
            found[current.name] = current
            pending.extend(writer[name] for name in current.inputs if name in writer)
    return list(found.values())


def lineage_versions(stage: Stage) -> tuple[str, ...]:
    """The heuristic versions of `stage` and of every stage upstream of it."""
    return tuple(sorted({v for s in upstream_stages(stage) for v in s.versions}))


def check_declaration(stage_list: tuple[Stage, ...] = STAGES) -> list[str]:
    """What is wrong with a stage list (empty when it is sound)."""
    problems = []
    written: dict[str, Stage] = {}
    for stage in stage_list:
        for name in stage.inputs:
            if name not in written:
                problems.append(f"{stage.name}: reads {name!r} before any stage writes it")
        problems += _content_problems(stage, written)  # before its own outputs count
        for name in stage.outputs:
            if name in written:
                problems.append(
                    f"{stage.name}: overwrites {name!r} (written by {written[name].name})"
                )
            written[name] = stage
        if stage.cached_by == "doc_ids":
            run_level = [n for n in stage.inputs if n in written and written[n].grain == "run"]
            if run_level or stage.grain != "shard":
                problems.append(f"{stage.name}: cached by doc_ids but reads run-level {run_level}")
            upstream = upstream_stages(stage, stage_list)[1:]
            if not any("docs" in s.outputs for s in upstream):
                problems.append(f"{stage.name}: cached by doc_ids but not downstream of docs")
        for name in stage.lazy:
            if name not in stage.inputs or stage.grain != "run":
                problems.append(f"{stage.name}: lazy input {name!r} is not a run-stage input")
    for table, name in TABLE_DATASETS.items():
        if name not in written:
            problems.append(f"table {table}: dataset {name!r} is written by no stage")
    return problems


def _columns(written: dict[str, Stage], name: str) -> tuple[str, ...]:
    return next(d.columns for d in written[name].writes if d.name == name)


def _content_problems(stage: Stage, written: dict[str, Stage]) -> list[str]:
    """A stage cached by content must be given only what its key hashes: every run-level
    input sliced by a per-shard dataset written before it, on declared columns, and only
    content run fields."""
    if stage.cached_by != "content":
        extra = [n for n, v in (("slices", stage.slices), ("run_fields", stage.run_fields)) if v]
        return [f"{stage.name}: declares {extra} but is not cached by content"] if extra else []
    problems = [] if stage.grain == "shard" else [f"{stage.name}: cached by content per run"]
    sliced = [sl.input for sl in stage.slices]
    run_level = [n for n in stage.inputs if n in written and written[n].grain == "run"]
    for name in run_level:
        if sliced.count(name) != 1:
            problems.append(f"{stage.name}: cached by content but reads {name!r} unsliced")
    for sl in stage.slices:
        by = written.get(sl.by)
        if sl.input not in run_level:
            problems.append(f"{stage.name}: slices {sl.input!r}, not a run-level input")
        elif not set(sl.on) <= set(_columns(written, sl.input)):
            problems.append(f"{stage.name}: slices {sl.input!r} on undeclared {sl.on}")
        if by is None or by.grain != "shard":
            problems.append(f"{stage.name}: slices by {sl.by!r}, not an earlier shard dataset")
        elif len(sl.match) != len(sl.on) or not set(sl.match) <= set(_columns(written, sl.by)):
            problems.append(f"{stage.name}: slices by undeclared {sl.by!r} columns {sl.match}")
    for field_name in stage.run_fields:
        if field_name not in CONTENT_RUN_FIELDS:
            problems.append(f"{stage.name}: cached by content but reads run field {field_name!r}")
    if "catalog" in stage.run_fields and "docs" not in stage.inputs:
        problems.append(f"{stage.name}: reads the catalog of its documents but not docs")
    return problems


def stages_after(dataset: str, stage_list: tuple[Stage, ...] = STAGES) -> tuple[Stage, ...]:
    """The stages that follow the one writing `dataset` (the list is in run order), for
    runs that start from a dataset given in memory."""
    start = stage_list.index(producer(dataset))
    return stage_list[start + 1 :]
