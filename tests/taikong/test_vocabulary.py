"""Every value the transforms write into, or test a vocabulary column against, is a member
of its vocabulary (`taikong.vocabulary`); and every member is written somewhere.

The transforms may spell a value as a plain string ("site_footer"): the vocabularies are
StrEnums. A retyped string would otherwise surface only when a document triggers it (a
value the contract refuses) or never (a comparison that silently matches nothing). The
literals are read from the source (AST), at the sites that set or test a column:

- `pl.lit("v")` in an expression given the column's name with `.alias(column)`;
- a comparison (`==`, `!=`, `in`, `.eq`, `.ne`, `.is_in`) of the column with literals,
  the column being `pl.col(column)`, `f(column)`, `x.column`, `x[column]`, or a local
  name bound to one of those;
- `column="v"` arguments, `{"column": "v"}` entries, `column = "v"` and
  `x["column"] = "v"` assignments;
- an expectation's `value_set` for `column="column"`;
- per module, the value tables and functions that hold a vocabulary (`EXTRA`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import pytest

from taikong.vocabulary import (
    BoilerplateReason,
    Change,
    ConvertedFrom,
    DocType,
    EditKind,
    EditRule,
    EntityType,
    Fate,
    HeadingStyle,
    MentionKind,
    ParagraphKind,
    TypeRule,
    values,
)

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Site:
    """Where a module writes or tests one vocabulary."""

    module: str
    columns: tuple[str, ...]  # the column (or field, key, variable) names it goes by
    vocabularies: tuple[type[StrEnum], ...]
    # Values of the same column that never reach a table, and why (asserted not members).
    internal: dict[str, str] = field(default_factory=dict, hash=False)


SITES = [
    Site("taikong/dedup/boilerplate.py", ("bp_reason", "reason"), (BoilerplateReason,)),
    Site("taikong/dedup/front_matter.py", ("bp_reason",), (BoilerplateReason,)),
    Site("taikong/structure/metadata.py", ("reason",), (BoilerplateReason,)),
    Site("taikong/report/expectations.py", ("doc_type",), (DocType,)),
    Site("taikong/structure/paragraphs.py", ("heading_style",), (HeadingStyle,)),
    Site("taikong/structure/tables.py", ("heading_style",), (HeadingStyle,)),
    Site(
        "taikong/structure/paragraphs.py",
        ("kind",),
        # Blocks carry the paragraph kinds, headings, and the hyphen edits' kind.
        (ParagraphKind, EditKind),
        internal={"heading": "a heading block becomes a sections row, not a paragraph"},
    ),
    Site("taikong/report/expectations.py", ("kind",), (ParagraphKind,)),
    Site("taikong/clean/hyphens.py", ("kind",), (EditKind,)),
    Site("taikong/clean/lines.py", ("rule",), (EditRule,)),
    Site("taikong/enrich/mentions", ("kind",), (MentionKind,)),
    Site("taikong/enrich/mentions", ("entity_type",), (EntityType,)),
    Site("taikong/enrich/mentions", ("type_rule", "rule"), (TypeRule,)),
    Site("taikong/changelog.py", ("change",), (Change,)),
    Site("taikong/ingest/shards.py", ("fate",), (Fate,)),
    Site("taikong/ingest/shards.py", ("converted_from",), (ConvertedFrom,)),
    Site("taikong/stages.py", ("fate",), (Fate,)),
    Site("taikong/publish.py", ("fate",), (Fate,)),
    Site("taikong/quarantine.py", ("fate",), (Fate,)),
]


def _str_constants(node: ast.AST) -> list[str]:
    """String literals of a value: "v", ("a", "b"), ["a"], "a" if c else "b"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for e in node.elts for s in _str_constants(e)]
    if isinstance(node, ast.IfExp):
        return _str_constants(node.body) + _str_constants(node.orelse)
    return []


def _lits(node: ast.AST) -> list[str]:
    """Literals of every `pl.lit("v")` in an expression."""
    out = []
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "lit":
            out += _str_constants(n.args[0]) if n.args else []
    return out


class _Collector(ast.NodeVisitor):
    def __init__(self, tree: ast.Module, columns: tuple[str, ...]):
        self.columns = set(columns)
        self.found: dict[str, int] = {}  # value -> first line
        # Local names bound to an expression: `reason = pl.col("bp_reason")`.
        self.bound: dict[str, list[ast.AST]] = {}
        self.names: dict[str, bool] = {}  # name_refers, memoised
        for n in ast.walk(tree):
            if isinstance(n, ast.Assign):
                for target in n.targets:
                    if isinstance(target, ast.Name):
                        self.bound.setdefault(target.id, []).append(n.value)

    def add(self, values_: list[str], node: ast.AST) -> None:
        for v in values_:
            self.found.setdefault(v, node.lineno)

    def refers(self, node: ast.AST) -> bool:
        """Does the expression read one of the columns?"""
        for n in ast.walk(node):
            named = (
                n.args[0]  # pl.col("c"), prev("c")
                if isinstance(n, ast.Call) and n.args
                else n.slice  # x["c"]
                if isinstance(n, ast.Subscript)
                else None
            )
            if isinstance(named, ast.Constant) and named.value in self.columns:
                return True
            if isinstance(n, ast.Attribute) and n.attr in self.columns:
                return True
            if isinstance(n, ast.Name) and self.name_refers(n.id):
                return True
        return False

    def name_refers(self, name: str) -> bool:
        """Is the name a column, or bound (anywhere in the module) to one?"""
        if name not in self.names:
            self.names[name] = name in self.columns  # settles cycles: a = f(a)
            if not self.names[name]:
                self.names[name] = any(self.refers(v) for v in self.bound.get(name, []))
        return self.names[name]

    def aliased(self, node: ast.AST) -> list[str]:
        """pl.lit literals of an aliased expression, through the local names it uses."""
        out, todo, seen = [], [node], set()
        while todo:
            expr = todo.pop()
            out += _lits(expr)
            for n in ast.walk(expr):
                if isinstance(n, ast.Name) and n.id not in seen:
                    seen.add(n.id)
                    todo += self.bound.get(n.id, [])
        return out

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            arg = node.args[0] if node.args else None
            if func.attr == "alias" and isinstance(arg, ast.Constant) and arg.value in self.columns:
                self.add(self.aliased(func.value), node)
            if func.attr in ("eq", "ne", "is_in") and arg is not None and self.refers(func.value):
                self.add(_str_constants(arg), node)
        keywords = {kw.arg: kw.value for kw in node.keywords}
        for name, value in keywords.items():
            if name in self.columns:
                self.add(_str_constants(value), node)
        column = keywords.get("column")  # an expectation: column="c", value_set=[...]
        if isinstance(column, ast.Constant) and column.value in self.columns:
            self.add(_str_constants(keywords.get("value_set", ast.List([]))), node)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        if any(self.refers(o) for o in operands):
            for o in operands:
                self.add(_str_constants(o), node)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for k, v in zip(node.keys, node.values, strict=True):
            if isinstance(k, ast.Constant) and k.value in self.columns:
                self.add(_str_constants(v), node)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            name = target.slice if isinstance(target, ast.Subscript) else target  # x["c"] = v
            name = name.value if isinstance(name, ast.Constant) else getattr(name, "id", None)
            if name in self.columns:
                self.add(_str_constants(node.value), node)
        self.generic_visit(node)


def written_values(source: str, columns: tuple[str, ...]) -> dict[str, int]:
    """value -> line, for every literal written into or compared with the columns."""
    tree = ast.parse(source)
    collector = _Collector(tree, columns)
    collector.visit(tree)
    return collector.found


def _function(tree: ast.Module, name: str) -> ast.FunctionDef:
    for n in ast.walk(tree):
        if isinstance(n, ast.FunctionDef) and n.name == name:
            return n
    raise AssertionError(f"function {name} not found: update EXTRA in this test")


def _returns(fn: ast.FunctionDef) -> list[ast.AST]:
    return [n.value for n in ast.walk(fn) if isinstance(n, ast.Return) and n.value is not None]


def _extra_values() -> dict[type[StrEnum], dict[str, str]]:
    """Vocabulary values held in value tables and returned by decision functions:
    vocabulary -> {value: where}."""
    out: dict[type[StrEnum], dict[str, str]] = {}

    def add(vocabulary, values_, where):
        for v in values_:
            out.setdefault(vocabulary, {}).setdefault(v, where)

    hyphens = ast.parse((ROOT / "taikong/clean/hyphens.py").read_text())
    # A restored hyphen's rule (None keeps the word glued: no edit).
    for r in _returns(_function(hyphens, "junction_decision")):
        add(EditRule, _str_constants(r), "hyphens.junction_decision")
    # (join?, rule): only a join is an edit; a kept hyphen's rule is never published.
    for r in _returns(_function(hyphens, "line_end_decision")):
        join, rule = r.elts
        if isinstance(join, ast.Constant) and join.value is True:
            add(EditRule, _str_constants(rule), "hyphens.line_end_decision")
    lines = ast.parse((ROOT / "taikong/clean/lines.py").read_text())
    # (start, end, replacement, kind, rule) of each character repair.
    for n in ast.walk(_function(lines, "reference_repairs")):
        if isinstance(n, ast.Call) and getattr(n.func, "attr", None) == "append":
            add(EditKind, _str_constants(n.args[0].elts[3]), "lines.reference_repairs")
    mentions = _parse(ROOT / "taikong/enrich/mentions")
    for n in ast.walk(mentions):
        # Mention(kind, ...) as each detector writes it.
        if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "Mention" and n.args:
            add(MentionKind, _str_constants(n.args[0]), "mentions.Mention")
    # (entity_type, type_rule) pairs; a None type drops the mention (its rule is unused).
    for fn in ("_acronym_type", "typed"):
        for n in ast.walk(_function(mentions, fn)):
            if isinstance(n, ast.Tuple) and len(n.elts) == 2:
                kind, rule = n.elts
                if isinstance(kind, ast.Constant) and kind.value is None:
                    continue
                add(EntityType, _str_constants(kind), f"mentions.{fn}")
                add(TypeRule, _str_constants(rule), f"mentions.{fn}")
    from taikong.dedup.line_roles import ROLE_REASONS

    # The reasons of the per-document line roles, each made by its rule (test_line_roles).
    add(BoilerplateReason, ROLE_REASONS, "line_roles.ROLE_REASONS")
    metadata = _parse(ROOT / "taikong/structure/metadata.py")
    # The document type decided from a document's evidence: (doc_type, evidence).
    for r in _returns(_function(metadata, "doc_type")):
        add(DocType, _str_constants(r.elts[0]), "metadata.doc_type")
    from taikong.enrich.mentions import heads as mentions_module

    # Head words -> the entity type they give a name.
    for table in ("HEAD_NOUNS", "ACRONYM_HEADS"):
        add(EntityType, getattr(mentions_module, table).values(), f"mentions.{table}")
    from taikong.structure.paragraphs import HEADING_PATTERNS

    add(HeadingStyle, HEADING_PATTERNS, "paragraphs.HEADING_PATTERNS")
    return out


def _files(module: Path) -> list[Path]:
    """A module's file, or every file of a package."""
    return sorted(module.rglob("*.py")) if module.is_dir() else [module]


def _parse(module: Path) -> ast.Module:
    """A module, or the top-level statements of every file of a package, as one tree."""
    body = [stmt for f in _files(module) for stmt in ast.parse(f.read_text()).body]
    return ast.Module(body=body, type_ignores=[])


def _written(site: Site) -> dict[str, int]:
    found: dict[str, int] = {}
    for f in _files(ROOT / site.module):
        for value, line in written_values(f.read_text(), site.columns).items():
            found.setdefault(value, line)
    return found


def _site_values() -> list[tuple[Site, dict[str, int]]]:
    return [(s, _written(s)) for s in SITES]


@pytest.mark.parametrize("site", SITES, ids=lambda s: f"{s.module}:{s.columns[0]}")
def test_every_written_value_is_a_member(site: Site) -> None:
    found = _written(site)
    members = {v for vocabulary in site.vocabularies for v in values(vocabulary)}
    assert found, f"{site.module}: no value of {site.columns} found (moved? update SITES)"
    unknown = {v: line for v, line in found.items() if v not in members and v not in site.internal}
    names = "/".join(v.__name__ for v in site.vocabularies)
    assert not unknown, f"{site.module}: values not in {names} (line): {unknown}"
    assert not members & set(site.internal), "an internal value is a published one"


def test_value_tables_and_decisions_hold_members() -> None:
    for vocabulary, found in _extra_values().items():
        unknown = {v: where for v, where in found.items() if v not in values(vocabulary)}
        assert not unknown, f"not in {vocabulary.__name__}: {unknown}"


def test_every_member_is_written_somewhere() -> None:
    """A member no transform writes is dead, or a site moved out of this test's sight."""
    written: dict[type[StrEnum], set[str]] = {}
    for site, found in _site_values():
        for vocabulary in site.vocabularies:
            written.setdefault(vocabulary, set()).update(found)
    for vocabulary, found in _extra_values().items():
        written.setdefault(vocabulary, set()).update(found)
    for vocabulary in {v for s in SITES for v in s.vocabularies}:
        missing = set(values(vocabulary)) - written[vocabulary]
        assert not missing, f"{vocabulary.__name__}: no transform writes {sorted(missing)}"


def test_the_reader_sees_each_kind_of_site() -> None:
    """The collector itself: each site it claims to read, with a retyped value."""
    source = """
reason = pl.col("bp_reason")
a = pl.when(x).then(pl.lit("site_foter")).otherwise(None).alias("bp_reason")
b = df.filter(reason == "runing_header")
c = df.filter(pl.col("bp_reason").is_in(["copyright"]))
d = prev("bp_reason").eq("footer")
e = replace(m, bp_reason="templat")
f = {"bp_reason": "header"}
bp_reason = "x" if y else "z"
row["bp_reason"] = "w"
g = pl.lit("not_a_reason").alias("other")
h = Expect(column="bp_reason", value_set=["furniture"])
"""
    found = written_values(source, ("bp_reason",))
    assert set(found) == {
        "site_foter",
        "runing_header",
        "copyright",
        "footer",
        "templat",
        "header",
        "x",
        "z",
        "w",
        "furniture",
    }
