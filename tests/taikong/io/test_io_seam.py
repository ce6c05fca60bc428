"""The one IO seam: no module outside `taikong/io/` opens, reads, writes, lists, moves or
removes files itself; it calls `taikong.io` instead.

A static check over the syntax tree of every library module (taikong/, flows/, contracts/):
builtin `open`, the pathlib methods that touch file contents or the tree, `os`/`shutil`/
`tempfile`/`sqlite3` calls that do, JSON to and from files, and polars/pyarrow Parquet reads and
writes. Existence and type checks (`exists`, `is_dir`, `is_file`, `stat`) are not IO of a
file's contents and stay allowed: bad-input checks name a path before anything is read.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LIBRARY = ("taikong", "taikong_cli", "flows", "contracts")
SEAM = ROOT / "taikong" / "io"

# Method names that only file objects or paths have here: `x.write_text(...)`. A method
# of Taikong's own with such a name would be flagged too, so io classes use `put_*`.
METHODS = frozenset(
    {
        # pathlib
        "open", "read_text", "write_text", "read_bytes", "write_bytes", "mkdir", "unlink",
        "rmdir", "touch", "chmod", "lchmod", "symlink_to", "hardlink_to", "iterdir",
        "glob", "rglob",
        # polars frames
        "write_parquet", "write_csv", "write_ndjson", "write_json", "write_ipc",
        "write_avro", "write_excel", "write_delta", "sink_parquet", "sink_csv",
        "sink_ipc", "sink_ndjson",
    }
)  # fmt: skip
# Calls through a module (after resolving import aliases): module -> names, or None for
# every name of the module.
MODULE_CALLS: dict[str, frozenset[str] | None] = {
    "os": frozenset(
        {
            "open", "fdopen", "remove", "unlink", "rename", "renames", "replace", "makedirs",
            "mkdir", "rmdir", "removedirs", "symlink", "link", "utime", "walk", "fwalk",
            "scandir", "listdir", "chmod", "lchmod", "truncate", "readlink", "mkfifo",
        }
    ),
    "shutil": None,
    "json": frozenset({"dump", "load"}),
    "tempfile": frozenset(
        {"mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryDirectory", "TemporaryFile",
         "SpooledTemporaryFile"}
    ),
    "io": frozenset({"open", "FileIO"}),
    "gzip": frozenset({"open"}),
    "sqlite3": frozenset({"connect"}),
    "polars": frozenset(
        {"read_parquet", "scan_parquet", "read_csv", "scan_csv", "read_ndjson", "scan_ndjson",
         "read_json", "read_ipc", "scan_ipc", "read_excel", "read_delta", "scan_delta",
         "read_avro", "read_database_uri"}
    ),
    "pyarrow": frozenset({"OSFile", "memory_map", "input_stream", "output_stream"}),
    "pyarrow.parquet": None,
    "pyarrow.fs": None,
    "pyarrow.dataset": None,
}  # fmt: skip


def _module_of(name: str, aliases: dict[str, str]) -> str | None:
    return aliases.get(name)


def io_calls(source: str) -> list[tuple[int, str]]:
    """(line, what) for every file IO call in `source` (a module's text)."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}  # local name -> module it stands for
    imported: dict[str, tuple[str, str]] = {}  # local name -> (module, name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
                else:  # `import pyarrow.parquet` binds `pyarrow`
                    aliases.setdefault(a.name.split(".")[0], a.name.split(".")[0])
                    aliases[a.name] = a.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                local = a.asname or a.name
                imported[local] = (node.module, a.name)
                # `from pyarrow import parquet as pq`: pq is the module pyarrow.parquet
                aliases.setdefault(local, f"{node.module}.{a.name}")
    found: list[tuple[int, str]] = []

    def forbidden(module: str, name: str) -> bool:
        names = MODULE_CALLS.get(module, frozenset())
        return names is None or name in names

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            if func.id == "open":
                found.append((node.lineno, "open()"))
            elif func.id in imported and forbidden(*imported[func.id]):
                module, name = imported[func.id]
                found.append((node.lineno, f"{module}.{name}()"))
        elif isinstance(func, ast.Attribute):
            owner = func.value
            dotted = None
            if isinstance(owner, ast.Name):
                dotted = aliases.get(owner.id)
            elif isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name):
                base = aliases.get(owner.value.id)
                dotted = f"{base}.{owner.attr}" if base else None
            if dotted is not None and dotted in MODULE_CALLS:
                if forbidden(dotted, func.attr):
                    found.append((node.lineno, f"{dotted}.{func.attr}()"))
            elif func.attr in METHODS:
                found.append((node.lineno, f".{func.attr}()"))
    return sorted(found)


def _library_modules() -> list[Path]:
    return sorted(
        path
        for package in LIBRARY
        for path in (ROOT / package).rglob("*.py")
        if SEAM not in path.parents
    )


def test_no_module_outside_taikong_io_does_file_io():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _library_modules()
        for line, what in io_calls(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "file IO outside taikong/io/ (call taikong.io instead):\n" + "\n".join(
        offenders
    )


def test_the_seam_check_scans_the_library():
    modules = {p.relative_to(ROOT).as_posix() for p in _library_modules()}
    assert {"taikong_cli/main.py", "taikong/report/release_card.py", "flows/release.py"} <= modules
    assert not any(m.startswith("taikong/io/") for m in modules)


@pytest.mark.parametrize(
    "source, what",
    [
        ("open('x')", "open()"),
        ("from pathlib import Path\nPath('x').write_text('y')", ".write_text()"),
        ("def f(p):\n    return p.read_bytes()", ".read_bytes()"),
        ("def f(p):\n    p.parent.mkdir(parents=True)", ".mkdir()"),
        ("def f(p):\n    p.unlink(missing_ok=True)", ".unlink()"),
        ("import shutil\nshutil.rmtree('x')", "shutil.rmtree()"),
        ("from shutil import copytree\ncopytree('a', 'b')", "shutil.copytree()"),
        ("import os\nos.replace('a', 'b')", "os.replace()"),
        ("import os\nlist(os.walk('.'))", "os.walk()"),
        ("import json\njson.dump({}, f)", "json.dump()"),
        ("import polars as pl\npl.read_parquet('x')", "polars.read_parquet()"),
        ("import polars\npolars.scan_parquet('x')", "polars.scan_parquet()"),
        ("def f(df):\n    df.write_parquet('x')", ".write_parquet()"),
        ("import pyarrow.parquet as pq\npq.ParquetFile('x')", "pyarrow.parquet.ParquetFile()"),
        ("from pyarrow import parquet as pq\npq.read_table('x')", "pyarrow.parquet.read_table()"),
        (
            "import pyarrow.parquet\npyarrow.parquet.read_schema('x')",
            "pyarrow.parquet.read_schema()",
        ),
        ("import tempfile\ntempfile.mkdtemp()", "tempfile.mkdtemp()"),
    ],
)
def test_the_seam_check_finds_file_io(source, what):
    assert [w for _, w in io_calls(source)] == [what]


@pytest.mark.parametrize(
    "source",
    [
        "import json\njson.dumps({}); json.loads('{}')",
        "def f(p):\n    return p.exists() and p.is_dir() and p.stat().st_size",
        "'a-b'.replace('-', '_')",
        "import os\nos.path.join('a', 'b'); os.environ.get('X'); os.fspath('x')",
        "import polars as pl\npl.DataFrame({'a': [1]}).select('a')",
        "from taikong.io import ReleaseDir\nReleaseDir(p).put_json('x.json', {})",
        "import tempfile\ntempfile.gettempdir()",
    ],
)
def test_the_seam_check_allows_what_is_no_file_io(source):
    assert io_calls(source) == []
