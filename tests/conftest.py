import sys
from pathlib import Path

# Make tests/corpus.py importable as `corpus` from every test folder.
sys.path.insert(0, str(Path(__file__).parent))


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite tests/golden/*.json from the current output (review the diff by reading it).",
    )
