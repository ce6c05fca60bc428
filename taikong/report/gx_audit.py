"""Run the Great Expectations suites through a checkpoint and build offline Data Docs.

GX cannot read polars frames, so each table is handed over as pandas: only the columns
its expectations read, long texts as their length and hash (`expectations.gx_view`).
The Data Docs site is written under the release's `validation/gx/`; the stock pages
load jQuery, Bootstrap and friends from CDNs, so the pages are rewritten to use copies
vendored in `taikong/report/static/vendor` and the report renders with no network.
"""

from __future__ import annotations

import html
import re
import shutil
import time
from pathlib import Path

import polars as pl

from taikong.report.expectations import (
    document_quality,
    gx_view,
    suite_for,
)

VENDOR_DIR = Path(__file__).parent / "static" / "vendor"
SITE_NAME = "taikong"

# CDN asset -> vendored file (relative to static/vendor). Anything else external that
# a page tries to load (charts, dark theme, logos) is removed or replaced.
_VENDORED = {
    r"https://code\.jquery\.com/jquery-[\d.]+(?:\.min)?\.js": "jquery.min.js",
    r"https://[^\"']*popper[^\"']*\.js": "popper.min.js",
    r"https://[^\"']*bootstrap/4[^\"']*/bootstrap\.min\.js": "bootstrap.min.js",
    r"https://[^\"']*bootstrap/4[^\"']*/bootstrap\.min\.css": "bootstrap.min.css",
    r"https://[^\"']*filter-control\.min\.js": "bootstrap-table-filter-control.min.js",
    r"https://[^\"']*bootstrap-table-filter-control\.css": "bootstrap-table-filter-control.css",
    r"https://[^\"']*bootstrap-table\.min\.js": "bootstrap-table.min.js",
    r"https://[^\"']*bootstrap-table\.min\.css": "bootstrap-table.min.css",
    r"https://[^\"']*font-awesome[^\"']*\.css": "css/fontawesome.min.css",
    r"https://[^\"']*bootstrap-datepicker[^\"']*\.min\.js": "bootstrap-datepicker.min.js",
    r"https://[^\"']*bootstrap-datepicker[^\"']*\.min\.css": "bootstrap-datepicker.min.css",
}
_EXTERNAL_TAG = re.compile(
    r"<(?:script|link)\b[^>]*?(?:src|href)=[\"']https?://[^\"']*[\"'][^>]*>(?:\s*</script>)?",
    re.I,
)
_SRI_ATTRS = re.compile(r"\s(?:integrity|crossorigin)=[\"'][^\"']*[\"']", re.I)
_EXTERNAL_IMG = re.compile(r"(<img\b[^>]*?src=)[\"']https?://[^\"']*[\"']", re.I)


def run_gx_audit(
    tables: dict[str, pl.DataFrame | pl.LazyFrame],
    site_dir: Path,
    previous_rows: dict[str, int] | None = None,
    run_name: str = "taikong",
) -> dict:
    """Validate every table (and the document_quality view); write Data Docs to site_dir.

    Returns a JSON-able summary: overall success and, per suite, statistics and the
    failed expectations with their observed values.
    """
    started = time.perf_counter()
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig

    imported = time.perf_counter()

    frames = dict(tables)
    frames["document_quality"] = document_quality(
        tables["documents"].lazy(), tables["paragraphs"].lazy(), tables["boilerplate"].lazy()
    )

    site_dir.mkdir(parents=True, exist_ok=True)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    ctx.add_data_docs_site(
        site_name=SITE_NAME,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    source = ctx.data_sources.add_pandas("taikong")
    definitions, batches = [], {}
    for name, frame in frames.items():
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        suite = ctx.suites.add(gx.ExpectationSuite(name=name))
        for expectation, kwargs in suite_for(name, previous_rows):
            suite.add_expectation(getattr(gxe, expectation)(**kwargs))
        definitions.append(
            ctx.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite)
            )
        )
        batches[name] = gx_view(frame, name).to_pandas()

    results = {}
    for definition in definitions:
        # One checkpoint per table: each batch is its own dataframe. Every run stores its
        # results; the site is rendered once afterwards, not by an action per checkpoint,
        # because each render recompiles GX's page templates (~0.8 s each time).
        checkpoint = ctx.checkpoints.add(
            gx.Checkpoint(
                name=f"release-{definition.name}",
                validation_definitions=[definition],
                actions=[],
                result_format="SUMMARY",
            )
        )
        run = checkpoint.run(
            batch_parameters={"dataframe": batches[definition.name]},
            run_id=RunIdentifier(run_name=run_name),
        )
        for result in run.run_results.values():
            results[definition.name] = _summarize(result)
    escape_stored_results(ctx)
    ctx.build_data_docs(site_names=[SITE_NAME])
    make_offline(site_dir)
    return {
        "passed": all(r["passed"] for r in results.values()),
        "data_docs": "gx/index.html",
        "suites": results,
        # GX's import is a library's start-up cost, not the audit's work: kept apart.
        "seconds": {
            "import": round(imported - started, 3),
            "run": round(time.perf_counter() - imported, 3),
        },
    }


def _summarize(result) -> dict:
    stats = result.statistics
    failed = []
    for r in result.results:
        if not r.success:
            config = r.expectation_config
            failed.append(
                {
                    "expectation": config.type,
                    "kwargs": {k: v for k, v in config.kwargs.items() if k != "batch_id"},
                    "observed": _jsonable(r.result.get("observed_value")),
                    "unexpected_percent": r.result.get("unexpected_percent"),
                    "partial_unexpected_list": _jsonable(r.result.get("partial_unexpected_list")),
                }
            )
    return {
        "passed": bool(result.success),
        "evaluated": stats["evaluated_expectations"],
        "successful": stats["successful_expectations"],
        "failed": failed,
    }


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value][:20]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def escape_stored_results(ctx) -> None:
    """HTML-escape every string of the stored validation results before Data Docs render.

    GX writes unexpected values (headings, titles: document text) into its pages as raw
    HTML, so a heading holding `<svg/onload=...>` would run as script. The checks
    themselves ran on the raw values; only what the pages show is escaped.
    """
    store = ctx.validation_results_store
    for key in store.list_keys():
        suite_result = store.get(key)
        for result in suite_result.results:
            result.result = _escape_strings(result.result)
            config = result.expectation_config
            if config is not None:
                config.kwargs = _escape_strings(dict(config.kwargs))
        suite_result.meta = _escape_strings(suite_result.meta)
        store.set(key, suite_result)


def _escape_strings(value):
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, list | tuple):
        return type(value)(_escape_strings(v) for v in value)
    if isinstance(value, dict):
        return {k: _escape_strings(v) for k, v in value.items()}
    return value


def make_offline(site_dir: Path) -> None:
    """Point every page at vendored assets and drop what would be fetched from the web."""
    vendor_target = site_dir / "static" / "vendor"
    if vendor_target.exists():
        shutil.rmtree(vendor_target)
    shutil.copytree(VENDOR_DIR, vendor_target, ignore=shutil.ignore_patterns("licenses", "*.md"))
    for page in site_dir.rglob("*.html"):
        prefix = "../" * (len(page.relative_to(site_dir).parts) - 1)
        html = page.read_text(encoding="utf-8")
        for pattern, local in _VENDORED.items():
            html = re.sub(pattern, f"{prefix}static/vendor/{local}", html)
        # Subresource-integrity and CORS attributes block local files loaded from file://.
        html = _SRI_ATTRS.sub("", html)
        html = _EXTERNAL_TAG.sub("", html)
        html = _EXTERNAL_IMG.sub(rf'\1"{prefix}static/images/logo-long.png"', html)
        page.write_text(html, encoding="utf-8")
