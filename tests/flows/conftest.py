import pytest


@pytest.fixture(scope="session", autouse=True)
def prefect_backend(prefect_server):
    """Every flow test runs against the session's Prefect server (tests/conftest.py)."""
    yield
