"""Versions that identify what produced a release: code, heuristics, contracts."""

from __future__ import annotations

from taikong.clean.hyphens import HYPHENS_VERSION
from taikong.clean.lines import CLEAN_VERSION
from taikong.dedup.boilerplate import BOILERPLATE_VERSION
from taikong.dedup.near_duplicates import NEAR_DUP_VERSION
from taikong.dedup.paragraph_duplicates import PARAGRAPH_DUP_VERSION
from taikong.enrich.mentions import MENTIONS_VERSION
from taikong.enrich.quantities import QUANTITIES_VERSION

# Re-exported: the release fingerprint lives in a module that imports no heuristic.
from taikong.fingerprint import code_version, release_fingerprint  # noqa: F401
from taikong.ingest.decode import DECODE_VERSION
from taikong.ingest.html import HTML_VERSION
from taikong.structure.metadata import METADATA_VERSION
from taikong.structure.paragraphs import STRUCTURE_VERSION

# Every heuristic that changes output carries a version; all of them go in the manifest.
HEURISTICS = {
    "decode": DECODE_VERSION,
    "html": HTML_VERSION,
    "clean": CLEAN_VERSION,
    "hyphens": HYPHENS_VERSION,
    "boilerplate": BOILERPLATE_VERSION,
    "near_duplicates": NEAR_DUP_VERSION,
    "paragraph_duplicates": PARAGRAPH_DUP_VERSION,
    "structure": STRUCTURE_VERSION,
    "metadata": METADATA_VERSION,
    "mentions": MENTIONS_VERSION,
    "quantities": QUANTITIES_VERSION,
}
