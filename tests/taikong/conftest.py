from pathlib import Path

import pytest
from corpus import LAUNCH_PAGE, PROBE_PAGE, publish_in_memory


@pytest.fixture(scope="session")
def two_releases(tmp_path_factory) -> tuple[Path, object, object, object]:
    """A datasets directory with two releases published without Prefect (page A, then
    pages A and B): (datasets, first outcome, second outcome, second's tables). Read-only:
    tests that change it work on a copy."""
    datasets = tmp_path_factory.mktemp("published") / "datasets"
    first, _, _ = publish_in_memory({"a.txt": LAUNCH_PAGE}, datasets, "run-1")
    second, _, tables = publish_in_memory(
        {"a.txt": LAUNCH_PAGE, "b.txt": PROBE_PAGE}, datasets, "run-2"
    )
    assert (first.status, second.status) == ("published", "published")
    return datasets, first, second, tables
