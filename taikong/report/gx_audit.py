"""Run the Great Expectations suites through a checkpoint and build offline Data Docs.

GX cannot read polars frames. Each view holds only the columns its expectations read,
texts as their length and hash (`expectations.gx_view`). A data view (rows of a table,
or one row per document) is streamed batch by batch into a table of a scratch SQLite
file and GX checks it there, in SQL: held whole as pandas, the 1 GB release's paragraphs
view (2.4 M rows, 67 MB in polars) took ~550 MB more to validate, SQLite ~150 MB.
The views of check results (one row per contract check) are small and stay pandas, so
that their failure examples (lists) reach the Data Docs whole.
The Data Docs site is written under the release's `validation/gx/`; the stock pages
load jQuery, Bootstrap and friends from CDNs, so the pages are rewritten to use copies
vendored in `taikong/report/static/vendor` and the report renders with no network.
"""

from __future__ import annotations

import html
import math
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import polars as pl

from taikong.io.files import copy_tree, files_under, make_dirs, read_text, write_text
from taikong.io.scratch_sqlite import drop_sqlite_table, scratch_database, write_sqlite_table
from taikong.report.expectations import (
    CONTRACT_INDEX,
    CRITICAL,
    DATA_SUITES,
    INDEX_COLUMNS,
    WARNING,
    Expect,
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
    batches: Mapping[str, pl.DataFrame],
    suites: dict[str, list[Expect]],
    site_dir: Path,
    run_name: str = "taikong",
    title: str = "Taikong audit",
) -> dict:
    """Validate each batch against its suite (one checkpoint each); write Data Docs.

    `batches` are the frames GX reads (already projected, see `expectations.gx_view`),
    keyed like `suites`; each is read once, when its suite runs (a `ViewsOnDemand`
    builds them then and hands a data view over a batch at a time). Data views are
    checked in a scratch SQLite file (in the system's temporary directory, removed
    afterwards), the others as pandas, let go after their suite.
    Returns a JSON-able summary: per suite its status (passed, warning: only
    warning-severity failures, failed: a critical one), GX's highest failure severity,
    and every expectation's result with what it observed.
    """
    started = time.perf_counter()
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig

    imported = time.perf_counter()
    make_dirs(site_dir)
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
    frames = ctx.data_sources.add_pandas("taikong")
    results = {}
    with scratch_database(prefix="taikong-gx-") as database:
        tables = ctx.data_sources.add_sqlite(
            "taikong_views", connection_string=f"sqlite:///{database}"
        )
        for name, expects in suites.items():
            if not expects:
                continue
            suite = ctx.suites.add(gx.ExpectationSuite(name=name))
            for e in expects:
                suite.add_expectation(
                    getattr(gxe, e.gx)(
                        **e.kwargs,
                        severity=e.severity,
                        description=_description(e),
                    )
                )
            if name in DATA_SUITES:
                rows, columns = write_sqlite_table(database, name, _view_batches(batches, name))
                asset = tables.add_table_asset(name, table_name=name)
                definition_data = asset.add_batch_definition_whole_table(name)
                parameters = None
            else:
                frame = batches[name]
                rows, columns = frame.height, frame.columns
                asset = frames.add_dataframe_asset(name)
                definition_data = asset.add_batch_definition_whole_dataframe(name)
                parameters = {"dataframe": frame.to_pandas()}
                del frame
            definition = ctx.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=definition_data, suite=suite)
            )
            index = [c for c in INDEX_COLUMNS.get(name, CONTRACT_INDEX) if c in columns]
            # Small check-result views list every failing row in the Data Docs; big data
            # views report a sample (GX's partial lists hold 20).
            small = rows <= 1000 and name not in DATA_SUITES
            result_format: dict = {"result_format": "COMPLETE" if small else "SUMMARY"}
            if index:
                result_format["unexpected_index_column_names"] = index
            # One checkpoint per batch: each is its own table or dataframe. Results are
            # stored; the site is rendered once afterwards (each render recompiles GX's
            # templates).
            checkpoint = ctx.checkpoints.add(
                gx.Checkpoint(
                    name=f"release-{name}",
                    validation_definitions=[definition],
                    actions=[],
                    result_format=result_format,
                )
            )
            run = checkpoint.run(
                batch_parameters=parameters,
                run_id=RunIdentifier(run_name=run_name),
            )
            del parameters
            if name in DATA_SUITES:
                drop_sqlite_table(database, name)
            # The pandas datasource's engine keeps every batch it loaded for the life of
            # the context, which GX keeps as its current project after this returns.
            engine = frames.get_execution_engine()
            engine.batch_manager.reset_batch_cache()
            engine.batch_manager.batch_data_cache.clear()
            for result in run.run_results.values():
                results[name] = _summarize(result, expects, rows)
        # Let go of the scratch file before it is removed.
        tables.get_execution_engine().engine.dispose()
    escape_stored_results(ctx)
    ctx.build_data_docs(site_names=[SITE_NAME])
    make_offline(site_dir)
    mark_severities(site_dir, results)
    name_site(site_dir, title)
    worst = _worst(s["max_severity"] for s in results.values())
    return {
        "passed": worst != CRITICAL,
        "max_severity": worst,
        "data_docs": "gx/index.html",
        "suites": results,
        # GX's import is a library's start-up cost, not the audit's work: kept apart.
        "seconds": {
            "import": round(imported - started, 3),
            "run": round(time.perf_counter() - imported, 3),
        },
    }


def _view_batches(batches: Mapping[str, pl.DataFrame], name: str) -> Iterable[pl.DataFrame]:
    view_batches = getattr(batches, "batches", None)  # a ViewsOnDemand streams
    return view_batches(name) if view_batches else [batches[name]]


def _worst(severities) -> str | None:
    found = {s for s in severities if s}
    return CRITICAL if CRITICAL in found else (WARNING if WARNING in found else None)


def _description(e: Expect) -> str:
    """The expectation's text in the Data Docs (GX renders it unescaped, so it is escaped
    here); it also maps GX's results back to our declarations."""
    return html.escape(f"[{e.severity}] {e.id}: {e.says}")


def _summarize(result, expects: list[Expect], rows: int) -> dict:
    by_id = {_description(e): e for e in expects}
    checks = []
    for r in result.results:
        config = r.expectation_config
        e = by_id[config.description]
        details = r.result or {}
        checks.append(
            {
                "id": e.id,
                "severity": e.severity,
                "success": bool(r.success),
                "says": e.says,
                "failing": e.failing,
                "is_rate": e.is_rate,
                "kwargs": e.kwargs,
                "observed": jsonable(details.get("observed_value"), GX_PARTIAL_ITEMS),
                "element_count": details.get("element_count"),
                "unexpected_count": details.get("unexpected_count"),
                "missing_count": details.get("missing_count"),
                "unexpected_percent": jsonable(details.get("unexpected_percent")),
                "examples": jsonable(
                    details.get("unexpected_index_list")
                    or details.get("partial_unexpected_index_list")
                    or [],
                    max_items=GX_PARTIAL_ITEMS,
                ),
            }
        )
    max_severity = result.get_max_severity_failure()
    max_severity = max_severity.value if max_severity is not None else None
    return {
        "passed": max_severity != CRITICAL,
        "status": {None: "passed", WARNING: "warning"}.get(max_severity, "failed"),
        "max_severity": max_severity,
        "rows": rows,
        "evaluated": result.statistics["evaluated_expectations"],
        "successful": result.statistics["successful_expectations"],
        "checks": checks,
    }


# GX's partial lists hold 20 items; a result never reports more examples than that.
GX_PARTIAL_ITEMS = 20


def jsonable(value, max_items: int | None = None):
    """A value as strict JSON holds it: NaN and infinities become null, numpy scalars
    plain numbers, anything else its string; lists cut to `max_items` if given."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [jsonable(v, max_items) for v in value[:max_items]]
    if isinstance(value, dict):
        return {str(k): jsonable(v, max_items) for k, v in value.items()}
    item = getattr(value, "item", None)  # numpy and pandas scalars
    if callable(item):
        return jsonable(item())
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
    copy_tree(VENDOR_DIR, vendor_target, ignore=("licenses", "*.md"))
    for page in files_under(site_dir, "*.html"):
        prefix = "../" * (len(page.relative_to(site_dir).parts) - 1)
        html = read_text(page)
        for pattern, local in _VENDORED.items():
            html = re.sub(pattern, f"{prefix}static/vendor/{local}", html)
        # Subresource-integrity and CORS attributes block local files loaded from file://.
        html = _SRI_ATTRS.sub("", html)
        html = _EXTERNAL_TAG.sub("", html)
        html = _EXTERNAL_IMG.sub(rf'\1"{prefix}static/images/logo-long.png"', html)
        write_text(page, html)


# GX's pages end with a newsletter footer and a "join the community" banner: furniture
# that a release report has no use for.
_GX_FOOTERS = re.compile(
    r"<footer>\s*<p>Stay current on everything GX.*?</footer>"
    r"|<footer\b[^>]*id=\"ge-cta-footer\".*?</footer>",
    re.S,
)
_FAILED_ICON = "fas fa-times text-danger"
_WARNING_ICON = "fas fa-exclamation-triangle text-warning"
_TITLE_MARK = "<!-- taikong-title -->"


def mark_severities(site_dir: Path, results: dict) -> None:
    """Make warnings look like warnings (GX renders every failure as a red cross) and
    drop GX's footers. A failed expectation row whose text starts "[warning]" gets a
    warning sign; a suite whose failures are all warnings says so on its page and in the
    index."""
    for page in files_under(site_dir, "*.html"):
        text = _GX_FOOTERS.sub("", read_text(page))
        rows = text.split("<tr>")
        for i, row in enumerate(rows):
            if f"[{WARNING}]" in row and _FAILED_ICON in row:
                rows[i] = row.replace(_FAILED_ICON, _WARNING_ICON).replace(
                    'class="text-danger"', 'class="text-warning"'
                )
        text = "<tr>".join(rows)
        parts = page.relative_to(site_dir).parts
        if parts[0] == "validations" and results.get(parts[1], {}).get("status") == "warning":
            text = re.sub(
                r"(Status:</span>\s*)<i class=\"fas fa-times text-danger\"([^>]*)></i>\s*Failed",
                rf'\1<i class="{_WARNING_ICON}"\2></i> Passed with warnings',
                text,
            )
        if page.name == "index.html" and len(parts) == 1:
            text = _mark_index(text, results)
        write_text(page, text)


def _mark_index(text: str, results: dict) -> str:
    rows = text.split("{'validation_success': ")
    for i, row in enumerate(rows[1:], start=1):
        suite = re.search(r"'_expectation_suite_name_sort': '([^']*)'", row)
        if suite and results.get(suite.group(1), {}).get("status") == "warning":
            row = row.replace("fas fa-times text-danger ge-failed-icon", _WARNING_ICON)
            rows[i] = row.replace(
                "'_validation_success_text': 'Failed'", "'_validation_success_text': 'Warning'"
            )
    return "{'validation_success': ".join(rows)


def name_site(site_dir: Path, title: str) -> None:
    """Put a heading naming the release and the run at the top of the index page."""
    index = site_dir / "index.html"
    text = read_text(index)
    heading = f'{_TITLE_MARK}<h3 class="taikong-title m-3">{html.escape(title)}</h3>'
    if _TITLE_MARK in text:
        text = re.sub(
            re.escape(_TITLE_MARK) + r"<h3[^>]*>.*?</h3>", lambda _: heading, text, flags=re.S
        )
    else:
        text = re.sub(r"<body[^>]*>", lambda m: m.group(0) + heading, text, count=1)
    write_text(index, text)
