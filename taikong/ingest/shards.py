"""List the inputs of a seeds directory and cut them into shards."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

import polars as pl

from taikong.ingest.catalog import CATALOG_FILE
from taikong.ingest.decode import DEFAULT_MAX_BYTES, content_id, decode_bytes
from taikong.ingest.html import html_to_text, is_html
from taikong.io.files import open_no_follow, scan_directory

# The hard limits of a shard (plan_shards cuts at content-defined boundaries, averaging a
# quarter of them). Task runs grow with shards, not files; memory grows with the shards
# in flight (one per task thread), so shards stay small.
DEFAULT_SHARD_DOCS = 1_000
DEFAULT_SHARD_BYTES = 8 * 1024 * 1024


class InputError(ValueError):
    """The inputs cannot be used as given (the message says why); the CLI exits with 2."""


@dataclass(frozen=True)
class InputFile:
    source_path: str  # relative to the seeds directory, forward slashes, shown escaped
    n_bytes: int
    # The name as the OS gives it (undecodable bytes as surrogates), when it differs from
    # source_path: a name that is not UTF-8 is shown escaped but opened by its real bytes.
    fs_path: str | None = None

    @property
    def os_path(self) -> str:
        return self.fs_path or self.source_path


@dataclass(frozen=True)
class SeedsWalk:
    """Every entry the walk of a seeds directory met: files to read, and the rest."""

    files: list[InputFile]
    skipped: list[dict]  # INPUT_SCHEMA rows, fate "quarantined", with the reason

    @property
    def n_entries(self) -> int:
        return len(self.files) + len(self.skipped)

    @property
    def skipped_paths(self) -> list[str]:
        return [r["source_path"] for r in self.skipped]


def display_path(os_path: str) -> tuple[str, str | None]:
    """(path shown in every output, hex of the name's bytes when they are not UTF-8).

    In a name that is not UTF-8 every non-ASCII byte is shown as `\\xNN` (no guessed
    characters); the hex keeps the real name losslessly.
    """
    raw = os.fsencode(os_path)
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return raw.decode("ascii", "backslashreplace"), raw.hex()


def _is_inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def check_not_nested(seeds_dir: Path, datasets_dir: Path) -> None:
    """Refuse a datasets directory inside the seeds (its releases would be read back as
    input) and seeds inside the datasets directory (they would sit among releases)."""
    seeds, datasets = os.path.realpath(seeds_dir), os.path.realpath(datasets_dir)
    if _is_inside(datasets, seeds):
        raise InputError(
            f"the datasets directory {datasets_dir} is inside the seeds directory {seeds_dir}: "
            "releases would be read back as inputs; put them side by side"
        )
    if _is_inside(seeds, datasets):
        raise InputError(
            f"the seeds directory {seeds_dir} is inside the datasets directory {datasets_dir}; "
            "put them side by side"
        )


_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "named pipe (FIFO)"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
)


def _special_kind(mode: int) -> str:
    return next((kind for test, kind in _SPECIAL_KINDS if test(mode)), "not a regular file")


def _symlink_verdict(path: str, seeds_real: str) -> str | None:
    """None if the link resolves to a regular file inside the seeds, else the reason."""
    try:
        target = os.path.realpath(path, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink_loop: the link resolves to itself through a cycle"
        return "dangling_symlink: the link points at nothing"
    if not _is_inside(target, seeds_real):
        return "symlink_outside: the link resolves outside the seeds directory"
    mode = os.stat(target).st_mode
    if stat.S_ISDIR(mode):
        return "symlink_to_directory: links to directories are not followed"
    if not stat.S_ISREG(mode):
        return f"special_file: the link points at a {_special_kind(mode)}"
    return None


def walk_seeds(seeds_dir: Path) -> SeedsWalk:
    """Walk seeds_dir: every entry met is an input file or a skipped entry with its reason.

    Rules: directories are walked into (never through a symlink); regular files are
    inputs; a symlink is an input only if it resolves to a regular file inside the seeds
    directory; names starting with "." (hidden files and directories) are skipped and
    listed, their contents not walked; the top-level `catalog.csv` is the catalog, not an
    input. Files are not opened here: sizes come from lstat/stat.
    """
    if not seeds_dir.is_dir():
        raise FileNotFoundError(f"seeds directory not found: {seeds_dir}")
    root = os.fspath(seeds_dir)
    seeds_real = os.path.realpath(root)
    files: list[InputFile] = []
    skipped: list[dict] = []

    def skip(rel: str, reason: str, n_bytes: int | None = None) -> None:
        shown, name_hex = display_path(rel)
        skipped.append(
            {
                **_EMPTY_INPUT,
                "source_path": shown,
                "name_hex": name_hex,
                "n_bytes": n_bytes,
                "fate": "quarantined",
                "reason": reason,
            }
        )

    def walk(rel_dir: str) -> None:
        try:
            entries = scan_directory(os.path.join(root, rel_dir) if rel_dir else root)
        except OSError as exc:
            skip(rel_dir, f"unreadable_directory: {exc.strerror or exc}")
            return
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                skip(rel, f"unreadable: {exc.strerror or exc}")
                continue
            if entry.name.startswith("."):
                skip(rel, "hidden: names starting with '.' are not read (rule: hidden entries)")
            elif rel == CATALOG_FILE:
                continue  # the catalog, read by load_catalog
            elif stat.S_ISLNK(st.st_mode):
                if reason := _symlink_verdict(entry.path, seeds_real):
                    skip(rel, reason)
                else:
                    files.append(_input_file(rel, os.stat(entry.path).st_size))
            elif stat.S_ISDIR(st.st_mode):
                walk(rel)
            elif stat.S_ISREG(st.st_mode):
                files.append(_input_file(rel, st.st_size))
            else:
                skip(rel, f"special_file: a {_special_kind(st.st_mode)} is not a text file")

    walk("")
    files.sort(key=lambda f: PurePosixPath(f.source_path))
    skipped.sort(key=lambda r: PurePosixPath(r["source_path"]))
    return SeedsWalk(files, skipped)


def _input_file(rel: str, n_bytes: int) -> InputFile:
    shown, name_hex = display_path(rel)
    return InputFile(shown, n_bytes, rel if name_hex else None)


def list_inputs(seeds_dir: Path) -> list[InputFile]:
    """The files of seeds_dir that are read as inputs (see walk_seeds), sorted."""
    return walk_seeds(seeds_dir).files


def boundary_draw(os_path: str) -> float:
    """The file's draw in [0, 1): the sha256 of its name (bytes as the OS gives them).

    The name, not the content, so that editing a file moves no boundary, and a file too
    large to be read (never hashed) gets its place like any other.
    """
    digest = hashlib.sha256(os.fsencode(os_path)).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def bytes_read(f: InputFile, read_limit: int | None) -> int:
    """What reading `f` costs: nothing for a file over the limit (it is never read)."""
    return 0 if read_limit is not None and f.n_bytes > read_limit else f.n_bytes


def ends_shard(f: InputFile, target_docs: int, target_bytes: int, read_limit: int | None) -> bool:
    """Whether a content-defined boundary falls after `f`: its draw is below its weight,
    max(1 / target_docs, bytes / target_bytes), so shards average about `target_docs`
    files or `target_bytes` bytes, whichever comes first. The test reads `f` alone."""
    weight = max(1 / target_docs, bytes_read(f, read_limit) / target_bytes)
    return boundary_draw(f.os_path) < weight


def plan_shards(
    files: list[InputFile],
    max_docs: int = DEFAULT_SHARD_DOCS,
    max_bytes: int = DEFAULT_SHARD_BYTES,
    read_limit: int | None = None,
) -> list[list[str]]:
    """Cut the files (in path order) into shards at content-defined boundaries.

    A shard ends after a file that `ends_shard` picks, a test on that file alone (target:
    a quarter of each limit), so adding or removing a file changes only the shard it
    falls in: one shard gains or loses it, or, when the file itself is a boundary, its
    shard splits in two (added) or merges with the next (removed). Editing a file keeps
    every boundary unless its new size flips its own test.

    The limits are a hard guard: a shard also ends before a file that would take it past
    `max_docs` files or `max_bytes` bytes (a single larger file gets a shard of its own).
    Such a forced cut depends on what precedes it since the last content-defined
    boundary, so an added file can shift forced cuts up to the next content-defined
    boundary, never past it. With the target at a quarter of the limit, a run of files
    without a boundary reaches the limit in about e^-4 (2 %) of shards.

    Files over `read_limit` bytes are never read (quarantined as too large): they weigh
    nothing. Shards stay in path order, so the tables, written shard after shard, keep
    the path order whatever the cuts.
    """
    target_docs = max(1, max_docs // 4)
    target_bytes = max(1, max_bytes // 4)
    shards: list[list[str]] = []
    current: list[str] = []
    size = 0
    for f in files:
        n_read = bytes_read(f, read_limit)
        if current and (len(current) >= max_docs or size + n_read > max_bytes):
            shards.append(current)
            current, size = [], 0
        current.append(f.os_path)
        size += n_read
        if ends_shard(f, target_docs, target_bytes, read_limit):
            shards.append(current)
            current, size = [], 0
    if current:
        shards.append(current)
    return shards


INPUT_SCHEMA = {
    "source_path": pl.String,
    "doc_id": pl.String,
    "raw_sha256": pl.String,
    "n_bytes": pl.Int64,
    "fate": pl.String,
    "reason": pl.String,
    # Hex of the path's bytes when they are not UTF-8 (source_path then shows them escaped).
    "name_hex": pl.String,
    # "html" when the text was converted from HTML markup: offsets refer to the converted text.
    "converted_from": pl.String,
}
_EMPTY_INPUT = dict.fromkeys(INPUT_SCHEMA)
DOC_SCHEMA = {
    "doc_id": pl.String,
    "source_path": pl.String,
    "raw_text": pl.String,
    "raw_sha256": pl.String,
    "n_bytes": pl.Int64,
    "encoding": pl.String,
    "encoding_evidence": pl.String,
    "n_replaced": pl.Int64,
    "markup_title": pl.String,  # HTML inputs: the first heading, else the <title>
    "converted_from": pl.String,
    # HTML inputs: each heading element's span in raw_text (the converted text) and its
    # level (1 for <h1>); null for inputs that were not markup.
    "markup_headings": pl.List(pl.Struct({"start": pl.Int64, "end": pl.Int64, "level": pl.Int8})),
}


def read_contained(seeds_dir: Path, rel: str, max_bytes: int) -> bytes | tuple[str, int | None]:
    """The bytes of a regular file inside seeds_dir, or (reason, size) why not.

    The walk already classified the entry; this checks again at open time (the tree may
    have changed since): the resolved path must be inside the seeds directory and a
    regular file, and its size is checked with fstat before anything is read.
    """
    seeds_real = os.path.realpath(seeds_dir)
    real = os.path.realpath(os.path.join(seeds_dir, rel))
    if not _is_inside(real, seeds_real):
        return "symlink_outside: the path resolves outside the seeds directory", None
    try:
        handle = open_no_follow(real)
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}", None
    with handle as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            return f"special_file: a {_special_kind(st.st_mode)} is not a text file", None
        if st.st_size > max_bytes:
            return f"too_large: {st.st_size} bytes exceeds the {max_bytes}-byte limit", st.st_size
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew after the fstat
        return f"too_large: more than {max_bytes} bytes (the limit)", len(data)
    return data


def ingest_files(
    seeds_dir: Path, paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read and decode one shard: (documents to process, every input with its fate).

    `paths` are the names as the OS gives them (InputFile.os_path). An input whose bytes
    equal an earlier input of the same shard is quarantined as a duplicate file: one
    document per content. HTML inputs are converted to their visible text.
    """
    docs, inputs = [], []
    seen: dict[str, str] = {}
    for rel in paths:
        shown, name_hex = display_path(rel)
        entry = {**_EMPTY_INPUT, "source_path": shown, "name_hex": name_hex}
        data = read_contained(seeds_dir, rel, max_bytes)
        if isinstance(data, tuple):
            reason, size = data
            inputs.append({**entry, "n_bytes": size, "fate": "quarantined", "reason": reason})
            continue
        doc_id, sha = content_id(data)
        entry |= {"doc_id": doc_id, "raw_sha256": sha, "n_bytes": len(data)}
        decoded = decode_bytes(data, max_bytes=max_bytes)
        reason, text, markup_title, markup_headings = decoded.reason, decoded.text, None, None
        if reason is None and is_html(shown, text):
            page = html_to_text(text)
            # The article's own heading names it better than a <title> with the site name.
            text, markup_title = page.text, (page.headings or [page.title])[0]
            markup_headings = [asdict(span) for span in page.heading_spans]
            entry["converted_from"] = "html"
            if not text.strip():
                reason = "empty: the HTML page has no visible text"
        if reason is None and doc_id in seen:
            reason = f"duplicate_file: same bytes as {seen[doc_id]}"
        if reason is not None:
            inputs.append({**entry, "fate": "quarantined", "reason": reason})
            continue
        seen[doc_id] = shown
        inputs.append({**entry, "fate": "published", "reason": None})
        docs.append(
            {
                **{k: entry[k] for k in ("doc_id", "source_path", "raw_sha256", "n_bytes")},
                "raw_text": text,
                "encoding": decoded.encoding,
                "encoding_evidence": decoded.evidence,
                "n_replaced": decoded.n_replaced,
                "markup_title": markup_title,
                "converted_from": entry["converted_from"],
                "markup_headings": markup_headings,
            }
        )
    return pl.DataFrame(docs, schema=DOC_SCHEMA), pl.DataFrame(inputs, schema=INPUT_SCHEMA)


def account_for_walk(inputs: pl.DataFrame, walk: SeedsWalk) -> pl.DataFrame:
    """All inputs for the manifest: the ingested files plus the entries the walk skipped.

    Raises if the count differs from the entries the walk met: every entry is published
    or quarantined, none is lost between the walk and the manifest.
    """
    skipped = pl.DataFrame(walk.skipped, schema=INPUT_SCHEMA)
    everything = pl.concat([inputs.select(INPUT_SCHEMA.keys()), skipped]).sort("source_path")
    if everything.height != walk.n_entries or everything["source_path"].n_unique() != (
        walk.n_entries
    ):
        raise RuntimeError(
            f"input accounting: the walk met {walk.n_entries} entries but "
            f"{everything.height} inputs ({everything['source_path'].n_unique()} distinct) "
            "were recorded"
        )
    return everything
