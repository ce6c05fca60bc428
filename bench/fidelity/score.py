"""Score a Taikong release of the fidelity corpus against hand-written expectations.

    uv run --frozen python bench/fidelity/score.py                 # build a release, score it,
                                                                   # write RESULTS.md, scores.json
    uv run --frozen python bench/fidelity/score.py --release DIR   # score a release directory
                                                                   # (or a .failed/<run id>/ one)
    uv run --frozen python bench/fidelity/score.py --out-dir DIR   # write the results elsewhere

Without `--release` the corpus in `docs/` is released with the real CLI into a temporary
datasets directory (no catalog: users' archives have none). If the audit blocks the
release, the staged tables of the failed run (`.failed/<run id>/`) are scored, and the
audit's problems are reported.

Every expected value is first checked against the document's own text (`raw_text`): an
expected sentence, furniture line or heading that the document does not contain is an
error in the expectations, and the scorer stops naming the file and the line.
See README.md in this folder for what each metric means.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
DOCS = HERE / "docs"
EXPECTED = HERE / "expected"
ROOT = HERE.parent.parent

# metric -> (label, direction): "up" means higher is better, "down" lower is better.
METRICS: dict[str, tuple[str, str]] = {
    "title": ("titles right", "up"),
    "published_date": ("published date right", "up"),
    "updated_date": ("updated date right", "up"),
    "doc_type": ("doc_type right", "up"),
    "content_kept": ("content sentences kept", "up"),
    "furniture_leaked": ("furniture lines leaked into paragraphs", "down"),
    "metadata_in_paragraphs": ("metadata lines left in paragraphs", "down"),
    "heading_recall": ("real headings found", "up"),
    "false_headings": ("sections that are not real headings", "down"),
    "quantities_found": ("quantities found (value, unit, bounds)", "up"),
    "false_quantities": ("times/dates/ordinals read as quantities", "down"),
}
_ORDINAL = re.compile(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*\.?|\(\d+\)|[A-Z]\.)\s+")
# A clock time in paragraph text ("16:30", "9:20 p.m.") is never a quantity.
_CLOCK = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?:\s?[ap]\.?m\.?)?(?![\d:])", re.IGNORECASE)


class ExpectationError(ValueError):
    """An expected value the document does not contain (the message names file and value)."""


def norm(text: str | None) -> str:
    """NFKC, whitespace collapsed, stripped: how every compared text is normalised."""
    if text is None:
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _loose(text: str) -> str:
    # For checking expectations against the raw text only: line wraps and line-end
    # hyphenation of PDF text may sit anywhere inside an expected sentence.
    return re.sub(r"[\s\-\u00ad]+", "", unicodedata.normalize("NFKC", text))


def _strip_ordinal(text: str) -> str:
    return _ORDINAL.sub("", text, count=1)


@dataclass
class Ratio:
    hit: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.hit += int(ok)

    def merge(self, other: Ratio) -> None:
        self.hit += other.hit
        self.total += other.total

    @property
    def share(self) -> float | None:
        return self.hit / self.total if self.total else None


@dataclass
class DocScore:
    name: str
    site: str
    category: str
    metrics: dict[str, Ratio] = field(default_factory=lambda: {m: Ratio() for m in METRICS})
    failures: list[dict] = field(default_factory=list)

    def fail(self, metric: str, expected: object, got: object) -> None:
        self.failures.append({"doc": self.name, "metric": metric, "expected": expected, "got": got})


# --------------------------------------------------------------------------- release


def build_release(datasets: Path) -> dict:
    """Release docs/ into `datasets` with the real CLI; return how it went."""
    exe = Path(sys.executable).with_name("taikong")
    cmd = [str(exe)] if exe.exists() else ["uv", "run", "--frozen", "taikong"]
    cmd += ["release", "--seeds", str(DOCS), "--datasets", str(datasets)]
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false")
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    seconds = round(time.monotonic() - started, 1)
    run = {
        # The datasets directory is a fresh temporary one each run: not named here.
        "command": "taikong release --seeds bench/fidelity/docs --datasets <temporary dir>",
        "exit_code": proc.returncode,
        "seconds": seconds,
        "output": (proc.stdout + proc.stderr).strip().splitlines()[-40:],
    }
    if proc.returncode == 0:
        run["published"] = True
        run["release_dir"] = str((datasets / "latest").resolve())
    elif proc.returncode == 1:
        failed = sorted((datasets / ".failed").glob("*"))
        if len(failed) != 1:
            raise RuntimeError(f"release exited 1 but {len(failed)} failed runs in {datasets}")
        run["published"] = False
        run["release_dir"] = str(failed[0])
    else:
        raise RuntimeError(
            f"release failed with exit {proc.returncode}:\n" + "\n".join(run["output"])
        )
    return run


def audit_problems(release_dir: Path) -> list[str]:
    """The audit's blocking problems, its warnings and any quarantined inputs."""
    problems: list[str] = []
    quarantined = release_dir / "QUARANTINED.json"
    if quarantined.exists():  # a failed run
        problems += [
            f"blocked: {r}" for r in json.loads(quarantined.read_text()).get("reasons", [])
        ]
    summary = release_dir / "validation" / "summary.json"
    if summary.exists():
        data = json.loads(summary.read_text())
        if not quarantined.exists():
            problems += [f"blocked: {p}" for p in data.get("problems", [])]
        problems += [f"warning: {w}" for w in data.get("warnings", [])]
    manifest = release_dir / "manifest.json"
    if manifest.exists():
        for entry in json.loads(manifest.read_text()).get("inputs", []):
            if entry.get("fate") == "quarantined":
                problems.append(
                    f"quarantined input: {entry.get('source_path')}: {entry.get('reason')}"
                )
    return problems


def read_table(release_dir: Path, table: str) -> pl.DataFrame:
    parts = sorted((release_dir / table).glob("*.parquet"))
    if not parts:
        raise FileNotFoundError(f"{release_dir / table}: no Parquet parts")
    return pl.concat([pl.read_parquet(p) for p in parts], how="vertical_relaxed")


# --------------------------------------------------------------------------- scoring


def _line_spans(raw: str) -> list[tuple[int, int, str]]:
    """(start, end, stripped text) of every non-blank line; start is its first non-space."""
    spans, pos = [], 0
    for line in raw.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            start = pos + (len(body) - len(body.lstrip()))
            spans.append((start, start + len(stripped), norm(stripped)))
        pos += len(line)
    return spans


def _occurrences(spans: list[tuple[int, int, str]], line: str) -> list[tuple[int, int]]:
    target = norm(line)
    return [(s, e) for s, e, text in spans if text == target]


def check_expectations(name: str, exp: dict, raw: str) -> None:
    """Raise ExpectationError for any expected value the document's text lacks."""
    spans = _line_spans(raw)
    loose_raw = _loose(raw)
    errors = []
    for key in ("furniture", "metadata", "contents"):
        for line in exp.get(key, []):
            if not _occurrences(spans, line):
                errors.append(f"{key} line not in the document: {line!r}")
    for sentence in exp.get("keep", []):
        if _loose(sentence) not in loose_raw:
            errors.append(f"keep sentence not in the document: {sentence!r}")
    for heading in exp.get("headings", []):
        if _loose(heading) not in loose_raw:
            errors.append(f"heading not in the document: {heading!r}")
    if exp.get("title") and _loose(exp["title"]) not in loose_raw:
        errors.append(f"title not in the document: {exp['title']!r}")
    for q in exp.get("quantities", []):
        if q["text"] not in norm(raw) and _loose(q["text"]) not in loose_raw:
            errors.append(f"quantity text not in the document: {q['text']!r}")
    if errors:
        raise ExpectationError(f"expected/{name}.json: " + "; ".join(errors))


def _in_paragraph(
    occurrences: list[tuple[int, int]], text: str, paras: list[tuple[int, int, str]]
) -> str | None:
    """The paragraph text holding one of the line's occurrences, if any."""
    target = norm(text)
    for start, _end in occurrences:
        for p_start, p_end, p_text in paras:
            if p_start <= start < p_end and target in p_text:
                return p_text
    return None


def _date_ok(expected: str | None, got: object) -> bool:
    got_s = None if got is None else str(got)
    if expected is None:
        return got_s is None
    if got_s is None:
        return False
    # "2026-01": the text states only a month; any day of that month is right.
    return got_s.startswith(expected) if len(expected) == 7 else got_s == expected


def _heading_forms(heading: str, ordinal: str | None = None) -> set[str]:
    forms = {norm(heading), norm(_strip_ordinal(heading))}
    if ordinal:
        forms |= {norm(f"{ordinal}. {heading}"), norm(f"{ordinal} {heading}")}
    return forms


def _contents_block(spans: list[tuple[int, int, str]], contents: list[str]) -> tuple[int, int]:
    """Raw span from the contents list's first line to its last entry (in order)."""
    start = end = None
    i = 0
    for s, e, text in spans:
        if i < len(contents) and text == norm(contents[i]):
            if start is None:
                start = s
            end = e
            i += 1
            if i == len(contents):
                break
    return (start, end) if start is not None else (-1, -1)


def score_document(
    name: str,
    exp: dict,
    doc: dict | None,
    paras: pl.DataFrame,
    sections: pl.DataFrame,
    quantities: pl.DataFrame,
    has_updated: bool,
    has_value_max: bool,
) -> DocScore:
    site = exp["site"]
    category = exp["doc_type"] + (" (pdf text)" if site.startswith("pdf:") else "")
    ds = DocScore(name, site, category)
    m = ds.metrics
    if doc is None:  # quarantined or lost: nothing of it came out
        ds.fail("document", "published", "missing from the documents table")
        m["title"].add(False)
        m["published_date"].add(False)
        m["doc_type"].add(False)
        for _ in exp.get("keep", []):
            m["content_kept"].add(False)
        for _ in exp.get("headings", []):
            m["heading_recall"].add(False)
        for _ in exp.get("quantities", []):
            m["quantities_found"].add(False)
        return ds

    raw = doc["raw_text"]
    spans = _line_spans(raw)
    para_rows = [
        (r["raw_start"], r["raw_end"], norm(r["text"])) for r in paras.iter_rows(named=True)
    ]
    para_texts = [p[2] for p in para_rows]

    ok = norm(doc["title"]) == norm(exp["title"]) if exp.get("title") else doc["title"] is None
    m["title"].add(ok)
    if not ok:
        ds.fail("title", exp.get("title"), doc["title"])
    ok = _date_ok(exp.get("published_date"), doc["published_date"])
    m["published_date"].add(ok)
    if not ok:
        ds.fail("published_date", exp.get("published_date"), str(doc["published_date"]))
    if "updated_date" in exp:
        got = doc.get("updated_date") if has_updated else None
        ok = has_updated and _date_ok(exp["updated_date"], got)
        m["updated_date"].add(ok)
        if not ok:
            ds.fail("updated_date", exp["updated_date"], got if has_updated else "no such column")
    ok = doc["doc_type"] == exp["doc_type"]
    m["doc_type"].add(ok)
    if not ok:
        ds.fail("doc_type", exp["doc_type"], doc["doc_type"])

    for sentence in exp.get("keep", []):
        ok = any(norm(sentence) in t for t in para_texts)
        m["content_kept"].add(ok)
        if not ok:
            ds.fail("content_kept", sentence, "not in any paragraph")

    title_seen = False
    for line in exp.get("furniture", []):
        occ = _occurrences(spans, line)
        if exp.get("title") and norm(line) == norm(exp["title"]) and not title_seen:
            occ, title_seen = occ[1:], True  # the first occurrence is the title itself
        leaked = _in_paragraph(occ, line, para_rows)
        m["furniture_leaked"].add(leaked is not None)
        if leaked is not None:
            ds.fail("furniture_leaked", line, leaked[:160])
    for line in exp.get("metadata", []):
        leaked = _in_paragraph(_occurrences(spans, line), line, para_rows)
        m["metadata_in_paragraphs"].add(leaked is not None)
        if leaked is not None:
            ds.fail("metadata_in_paragraphs", line, leaked[:160])

    block = _contents_block(spans, exp["contents"]) if exp.get("contents") else (-1, -1)
    real = [
        r for r in sections.iter_rows(named=True) if not (block[0] <= r["raw_start"] <= block[1])
    ]
    for heading in exp.get("headings", []):
        forms = _heading_forms(heading)
        ok = any(forms & _heading_forms(r["heading"], r.get("ordinal")) for r in real)
        m["heading_recall"].add(ok)
        if not ok:
            ds.fail("heading_recall", heading, "no section with this heading")
    expected_forms = set().union(*(_heading_forms(h) for h in exp.get("headings", [])))
    for r in sections.iter_rows(named=True):
        in_contents = block[0] <= r["raw_start"] <= block[1]
        false = in_contents or not (_heading_forms(r["heading"], r.get("ordinal")) & expected_forms)
        m["false_headings"].add(false)
        if false:
            why = "a contents-list entry" if in_contents else "not a heading"
            ds.fail("false_headings", why, r["heading"])

    q_rows = list(quantities.iter_rows(named=True))
    for q in exp.get("quantities", []):
        ok = False
        for r in q_rows:
            same = abs(r["value"] - q["value"]) <= 1e-6 * max(1.0, abs(q["value"]))
            if same and r["unit"] == q["unit"]:
                if "value_max" in q:
                    ok = has_value_max and r.get("value_max") == q["value_max"]
                else:
                    ok = True
            if ok:
                break
        m["quantities_found"].add(ok)
        if not ok:
            near = [
                f"{r['text']!r}={r['value']:g} {r['unit']}"
                for r in q_rows
                if q["text"] in r["text"] or (len(r["text"]) >= 3 and r["text"] in q["text"])
            ]
            ds.fail("quantities_found", q, ", ".join(near) or "no such quantity")
    para_text_by_id = {r["paragraph_id"]: r["text"] for r in paras.iter_rows(named=True)}
    for r in q_rows:
        text = para_text_by_id.get(r["paragraph_id"], "")
        spans_not = [mm.span() for mm in _CLOCK.finditer(text)]
        for phrase in exp.get("not_quantities", []):
            spans_not += [(mm.start(), mm.end()) for mm in re.finditer(re.escape(phrase), text)]
        false = any(s < r["char_end"] and r["char_start"] < e for s, e in spans_not)
        m["false_quantities"].add(false)
        if false:
            ds.fail(
                "false_quantities", "not a quantity", f"{r['text']!r} = {r['value']:g} {r['unit']}"
            )
    return ds


def score_release(release_dir: Path) -> tuple[list[DocScore], list[str]]:
    docs = read_table(release_dir, "documents")
    paragraphs = read_table(release_dir, "paragraphs")
    sections = read_table(release_dir, "sections")
    quantities = read_table(release_dir, "quantities").join(
        paragraphs.select("paragraph_id", "doc_id"), on="paragraph_id", how="left"
    )
    has_updated = "updated_date" in docs.columns
    has_value_max = "value_max" in quantities.columns
    by_path = {r["source_path"]: r for r in docs.iter_rows(named=True)}
    names = sorted(p.stem for p in EXPECTED.glob("*.json"))
    doc_files = {p.stem: p.name for p in DOCS.iterdir() if p.is_file()}
    if missing := sorted(set(names) - set(doc_files)):
        raise ExpectationError(f"expected files without a document in docs/: {missing}")
    if extra := sorted(set(doc_files) - set(names)):
        raise ExpectationError(f"documents in docs/ without expected/<name>.json: {extra}")
    scores, errors = [], []
    for name in names:
        exp = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
        doc = by_path.get(doc_files[name])
        if doc is not None:
            try:
                check_expectations(name, exp, doc["raw_text"])
            except ExpectationError as exc:
                errors.append(str(exc))
                continue
        doc_id = doc["doc_id"] if doc else None
        scores.append(
            score_document(
                name,
                exp,
                doc,
                paragraphs.filter(pl.col("doc_id") == doc_id),
                sections.filter(pl.col("doc_id") == doc_id),
                quantities.filter(pl.col("doc_id") == doc_id),
                has_updated,
                has_value_max,
            )
        )
    if errors:
        raise ExpectationError("\n".join(errors))
    return scores, sorted(by_path)


def aggregate(scores: list[DocScore], key) -> dict[str, dict[str, dict]]:
    groups: dict[str, dict[str, Ratio]] = {}
    for s in scores:
        group = groups.setdefault(key(s), {m: Ratio() for m in METRICS})
        for metric, ratio in s.metrics.items():
            group[metric].merge(ratio)
    return {
        g: {m: {"hit": r.hit, "total": r.total, "share": r.share} for m, r in ms.items()}
        for g, ms in sorted(groups.items())
    }


# --------------------------------------------------------------------------- report


def _fmt(cell: dict) -> str:
    if not cell["total"]:
        return "–"
    return f"{cell['hit']}/{cell['total']} ({100 * cell['share']:.0f} %)"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: dict) -> str:
    run = result["run"]
    out = ["# Fidelity scores of the current extraction", ""]
    out.append(
        f"Corpus: {result['n_documents']} documents from {result['n_sites']} sites "
        f"(`bench/fidelity/docs/`), no catalog. Code: `{result['code']}`."
    )
    out.append("")
    if run.get("command"):
        out.append(
            f"Release: `{run['command']}` → exit {run['exit_code']} in {run['seconds']} s; "
            f"{'**published**' if run['published'] else '**blocked by its audit**'}."
        )
    else:
        out.append(f"Scored release directory `{run['release_dir']}`.")
    out.append("")
    if result["audit"]:
        out.append("Audit:")
        out.append("")
        out += [f"- {p}" for p in result["audit"]]
        out.append("")
    out.append(
        "For furniture, metadata, false headings and false quantities lower is better; "
        "for the others higher is better. `–`: nothing of that kind expected."
    )
    out.append("")
    cats = list(result["by_category"])
    out.append("| metric | overall | " + " | ".join(cats) + " |")
    out.append("| --- | --- |" + " --- |" * len(cats))
    for metric, (label, _direction) in METRICS.items():
        row = [_fmt(result["overall"][metric])] + [
            _fmt(result["by_category"][c][metric]) for c in cats
        ]
        out.append(f"| {label} | " + " | ".join(row) + " |")
    out.append("")
    out.append("## Per site")
    out.append("")
    short = [
        "title",
        "published_date",
        "doc_type",
        "content_kept",
        "furniture_leaked",
        "metadata_in_paragraphs",
        "heading_recall",
        "false_headings",
        "quantities_found",
    ]
    out.append("| site | docs | " + " | ".join(short) + " |")
    out.append("| --- | --- |" + " --- |" * len(short))
    for site, ms in result["by_site"].items():
        n = result["docs_per_site"][site]
        out.append(f"| {site} | {n} | " + " | ".join(_fmt(ms[m]) for m in short) + " |")
    out.append("")
    out.append("## Failures")
    out.append("")
    counts: dict[str, set[str]] = {}
    for f in result["failures"]:
        counts.setdefault(f["metric"], set()).add(f["doc"])
    out.append("| metric | failures | documents |")
    out.append("| --- | --- | --- |")
    for metric, docs in sorted(counts.items(), key=lambda kv: -len(kv[1])):
        n = sum(f["metric"] == metric for f in result["failures"])
        out.append(f"| {metric} | {n} | {len(docs)} |")
    out.append("")
    out.append(
        "Every expectation that the release missed: document, metric, expected, what came out."
    )
    out.append("")
    for f in result["failures"]:
        exp = (
            f["expected"]
            if isinstance(f["expected"], str)
            else json.dumps(f["expected"], ensure_ascii=False)
        )
        exp, got = _cell(exp), _cell(str(f["got"]))
        out.append(f"- `{f['doc']}` **{f['metric']}**: expected {exp} — got {got}")
    out.append("")
    return "\n".join(out)


def _code_version() -> str:
    """The last commit of the pipeline's code (taikong/, flows/, contracts/) and whether
    the working tree changes it: the code these scores belong to."""
    paths = ["--", "taikong", "flows", "contracts"]
    try:
        rev = subprocess.run(
            ["git", "log", "-1", "--format=%h", *paths],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", *paths], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return (rev or "unknown") + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run(release: Path | None, out_dir: Path | None) -> dict:
    tmp = None
    try:
        if release is None:
            tmp = Path(tempfile.mkdtemp(prefix="taikong-fidelity-"))
            run_info = build_release(tmp / "datasets")
            release_dir = Path(run_info["release_dir"])
        else:
            release_dir = release.resolve()
            run_info = {"release_dir": str(release_dir), "published": None}
        started = time.monotonic()
        scores, _paths = score_release(release_dir)
        result = {
            "code": _code_version(),
            "n_documents": len(scores),
            "n_sites": len({s.site for s in scores}),
            "run": {k: v for k, v in run_info.items() if k not in ("output", "release_dir")}
            | ({"release_dir": run_info["release_dir"]} if release is not None else {}),
            "audit": audit_problems(release_dir),
            "overall": aggregate(scores, lambda s: "all")["all"],
            "by_category": aggregate(scores, lambda s: s.category),
            "by_site": aggregate(scores, lambda s: s.site),
            "docs_per_site": {
                site: sum(s.site == site for s in scores)
                for site in sorted({s.site for s in scores})
            },
            "failures": [f for s in scores for f in s.failures],
            "scoring_seconds": round(time.monotonic() - started, 2),
        }
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / "scores.json").write_text(
                json.dumps(result, indent=1, ensure_ascii=False, default=str) + "\n"
            )
            (out_dir / "RESULTS.md").write_text(render_markdown(result))
        return result
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--release", type=Path, help="score this release (or failed run) directory")
    parser.add_argument(
        "--out-dir", type=Path, default=HERE, help="where RESULTS.md and scores.json go"
    )
    args = parser.parse_args(argv)
    try:
        result = run(args.release, args.out_dir)
    except ExpectationError as exc:
        print(f"bench/fidelity: {exc}", file=sys.stderr)
        return 2
    for metric, (label, _d) in METRICS.items():
        print(f"{label:45s} {_fmt(result['overall'][metric])}")
    print(f"published: {result['run'].get('published')}; results in {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
