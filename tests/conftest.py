import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
# Tests in these folders run the Prefect flow (test harness or a real server): they are
# the slow lane. The fast lane is `pytest -m "not slow"`.
FLOW_DIRS = {"flows": ("flow", "slow"), "integration": ("flow", "slow")}

# Make tests/corpus.py importable as `corpus` from every test folder.
sys.path.insert(0, str(Path(__file__).parent))


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite tests/golden/*.json from the current output (review the diff by reading it).",
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        folder = Path(str(item.fspath)).relative_to(TESTS).parts[0]
        for marker in FLOW_DIRS.get(folder, ()):
            item.add_marker(getattr(pytest.mark, marker))


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect server for the whole session (~18 s to start), entered on
    first use: the flow tests run against it in-process, and tests that run `taikong`
    in a subprocess pass its URL as PREFECT_API_URL. Yields that URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()


@pytest.fixture
def s3(tmp_path, monkeypatch):
    """A SeaweedFS server with one bucket (`s3_server.S3_BUCKET`); AWS_* variables point
    pyarrow and polars at it, and TAIKONG_WORK_DIR at tmp_path/work. Yields its port."""
    from s3_server import running_seaweedfs

    with running_seaweedfs(tmp_path / "weed", monkeypatch) as port:
        yield port
