# ruff: noqa: E501  (vocabulary lists and report table rows are long strings)
"""Deterministic generator of synthetic Taikong benchmark corpora.

    uv run python bench/generate_corpus.py --size 100MB --seed 7 --out bench/corpus/100MB-seed7

Writes plain-text files shaped like what Taikong meets in the wild, all invented:

- news pages of several invented sites, each with its own navigation, share widget and
  footer furniture; the footer varies with the year ("Copyright (c) 2009 - 2024 ...",
  "There are 124 institutes ..." counts that grow by year);
- PDF-extracted reports: hard-wrapped at ~90 characters with line-end hyphenation,
  running page headers (institute name, year, page number), Roman / arabic /
  parenthesized numbered headings and bullet lists;
- re-published near-duplicates (an article of one site re-published, lightly edited,
  under another site's furniture), byte-identical re-uploads, and stock paragraphs
  (agency boilerplate, standard quotes) repeated across documents;
- a few bad files: empty, whitespace-only, binary (PNG/PDF/ZIP signatures), NUL-heavy,
  and optionally one oversize (> 50 MiB) file.

Text comes from a vocabulary/grammar sentence generator; every document is generated
from its own RNG seeded by (seed, document number), so output is byte-identical for a
given (seed, size) and generation streams: only a bounded pool of recent articles
(for re-publishing) is kept in memory. Sizes are decimal: 1MB = 1,000,000 bytes.
A hidden `.corpus.json` at the root (ignored by Taikong: hidden files are skipped)
records the parameters and counts.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import sys
import time
from pathlib import Path

GENERATOR_VERSION = "corpus_v2"
NBSP = "\u00a0"

# ---- vocabulary ---------------------------------------------------------------------
PROGRAMS = [
    "Xinghe",
    "Yunque",
    "Qiming",
    "Hongyan",
    "Lingxi",
    "Tianlan",
    "Jinwu",
    "Fengyun-X",
    "Haoyue",
    "Zhuque-N",
    "Chang'e-X",
    "Taiyi",
    "Kunpeng",
    "Shenzhou-N",
    "Xuanwu",
    "Qingluan",
    "Baihe",
    "Yinhe",
    "Ziwei",
    "Tiangou",
    "Huoxing",
    "Jiaolong",
    "Longxing",
    "Wenchang-S",
]
VEHICLES = [
    "Long March 12X",
    "Kuaizhou-X",
    "Jielong-9",
    "Lijian-3",
    "Tianlong-5",
    "Hyperbola-4",
    "Ceres-3",
    "Zhuque-5",
    "Gravity-2",
    "Pallas-2",
    "Smart Dragon-4",
    "Nebula-2",
]
SITES_GEO = [
    "Jiuquan",
    "Taiyuan",
    "Xichang",
    "Wenchang",
    "Haiyang",
    "Dongfeng",
    "Kashgar",
    "Sanya",
    "Kunming",
    "Lhasa",
    "Golmud",
    "Qingdao",
    "Harbin",
    "Chengdu",
    "Xi'an",
    "Beijing",
    "Shanghai",
    "Shenzhen",
    "Wuhan",
    "Changsha",
    "Hefei",
    "Nanjing",
    "Lanzhou",
    "Urumqi",
]
ORGS = [
    "the Orbital Systems Academy",
    "the Deep Space Exploration Laboratory",
    "the National Remote Sensing Bureau",
    "the Institute of Space Mechanics",
    "the Aerospace Propulsion Works",
    "the Lunar Science Centre",
    "the Satellite Ground Network",
    "the Space Debris Monitoring Office",
    "the Microgravity Research Institute",
    "the Planetary Sciences Consortium",
    "the Launch Services Group",
    "the Crewed Spaceflight Engineering Office",
    "the Navigation Constellation Authority",
    "the Space Weather Prediction Centre",
    "the Astronautics Standards Committee",
]
ROLES = [
    "chief designer",
    "deputy director",
    "mission commander",
    "project manager",
    "senior engineer",
    "spokesperson",
    "flight director",
    "principal investigator",
    "payload specialist",
    "research fellow",
    "program architect",
    "test pilot",
]
SURNAMES = [
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "He",
    "Gao",
    "Lin",
    "Luo",
    "Zheng",
    "Liang",
    "Xie",
    "Song",
    "Tang",
    "Han",
    "Feng",
    "Deng",
    "Cao",
    "Peng",
    "Zeng",
    "Xiao",
    "Tian",
    "Dong",
    "Pan",
    "Yuan",
]
GIVEN = [
    "Wei",
    "Fang",
    "Min",
    "Jing",
    "Lei",
    "Yan",
    "Jun",
    "Hao",
    "Xin",
    "Yu",
    "Ting",
    "Bo",
    "Qiang",
    "Lan",
    "Ning",
    "Tao",
    "Hui",
    "Chao",
    "Mei",
    "Kai",
    "Rui",
    "Jie",
    "Ling",
    "Dan",
]
NOUNS = [
    "satellite",
    "probe",
    "lander",
    "rover",
    "orbiter",
    "space station",
    "core module",
    "cargo craft",
    "relay satellite",
    "telescope",
    "launch vehicle",
    "upper stage",
    "engine",
    "solar array",
    "robotic arm",
    "docking port",
    "heat shield",
    "ground station",
    "tracking ship",
    "payload",
    "constellation",
    "crew capsule",
    "sample container",
    "radar altimeter",
    "laser terminal",
    "ion thruster",
    "reentry capsule",
    "fairing",
    "propellant tank",
    "navigation receiver",
    "spectrometer",
    "magnetometer",
    "star tracker",
    "antenna reflector",
    "thermal blanket",
    "battery pack",
]
ADJS = [
    "new",
    "reusable",
    "experimental",
    "upgraded",
    "lightweight",
    "high-resolution",
    "low-cost",
    "solid-fuel",
    "liquid-fuelled",
    "geostationary",
    "sun-synchronous",
    "international",
    "commercial",
    "scientific",
    "autonomous",
    "modular",
    "redundant",
    "second-generation",
    "small",
    "heavy",
    "long-duration",
    "deep-space",
    "polar",
    "medium-lift",
    "high-throughput",
    "wide-field",
    "cryogenic",
    "pressurized",
]
VERBS_PAST = [
    "completed",
    "tested",
    "delivered",
    "launched",
    "deployed",
    "assembled",
    "calibrated",
    "inspected",
    "approved",
    "unveiled",
    "certified",
    "commissioned",
    "upgraded",
    "integrated",
    "demonstrated",
    "recovered",
    "monitored",
    "simulated",
    "verified",
    "refurbished",
    "shipped",
    "installed",
    "evaluated",
    "qualified",
]
VERBS_FUT = [
    "launch",
    "test",
    "deploy",
    "build",
    "operate",
    "study",
    "map",
    "survey",
    "relay",
    "observe",
    "measure",
    "return",
    "dock with",
    "refuel",
    "replace",
    "track",
    "support",
]
FIELDS = [
    "orbital mechanics",
    "materials science",
    "space medicine",
    "radiation shielding",
    "planetary geology",
    "atmospheric physics",
    "remote sensing",
    "satellite navigation",
    "life support",
    "thermal control",
    "guidance and control",
    "deep-space communication",
    "microgravity combustion",
    "solar physics",
    "astrobiology",
    "space law",
]
TIMES = [
    "on Tuesday morning",
    "early on Sunday",
    "late last month",
    "earlier this year",
    "in the spring",
    "after a two-week delay",
    "ahead of schedule",
    "on Friday evening",
    "during a night-time window",
    "in the first quarter",
    "last autumn",
    "this week",
    "within the next ten days",
    "before the end of the year",
    "over the weekend",
]
ADVERBS = [
    "successfully",
    "quietly",
    "formally",
    "jointly",
    "for the first time",
    "after years of preparation",
    "on a tight schedule",
    "with international partners",
    "under a new contract",
    "as planned",
    "in record time",
    "without incident",
]
CONNECTIVES = [
    "Meanwhile,",
    "In addition,",
    "According to the team,",
    "As a result,",
    "However,",
    "By comparison,",
    "At the same time,",
    "For now,",
    "In a statement,",
    "Later,",
    "Officials said that",
    "Engineers noted that",
    "Observers expect that",
    "Separately,",
]
UNITS = [
    ("kilometres", 100, 40000),
    ("tonnes", 1, 60),
    ("kilograms", 5, 9000),
    ("days", 2, 400),
    ("hours", 1, 72),
    ("metres", 2, 600),
    ("watts", 50, 20000),
    ("megabits per second", 10, 5000),
    ("degrees", 1, 98),
    ("kilonewtons", 10, 4000),
]
TOPICS = [
    "launch",
    "lunar mission",
    "Mars mission",
    "space station",
    "satellite network",
    "rocket engine",
    "astronaut training",
    "space science",
    "commercial launch",
    "ground tracking",
    "space debris",
    "navigation system",
    "earth observation",
]
HEAD_NOUNS = [
    "Progress",
    "Achievements",
    "Tasks",
    "Priorities",
    "Infrastructure",
    "Capabilities",
    "Cooperation",
    "Governance",
    "Applications",
    "Technologies",
    "Systems",
    "Outlook",
    "Policies",
    "Facilities",
    "Standards",
    "Programs",
    "Resources",
    "Services",
]
HEAD_OF = [
    "Space Transport",
    "Satellite Navigation",
    "Remote Sensing",
    "Crewed Spaceflight",
    "Lunar and Planetary Exploration",
    "Space Science",
    "Ground Segment",
    "Launch Sites",
    "Space Environment",
    "Commercial Space",
    "International Exchange",
    "Talent Training",
    "Space Law",
    "Emergency Response",
    "Data Sharing",
    "Industrial Base",
]

SITES = [
    {
        "slug": "orbitnews",
        "name": "Orbital News Network",
        "founded": 2009,
        "kind": "pipes",
        "nav": ["Home", "News", "Launches", "Science", "Opinion"],
        "address": "Address: 12 Star Road, Xi'an 710000",
        "tel": "Tel: 029-5550123",
        "count_line": "There are {n} member stations reporting to the network",
        "count_base": 40,
        "count_step": 6,
    },
    {
        "slug": "skyline",
        "name": "Skyline Media Group",
        "founded": 2011,
        "kind": "crumbs",
        "nav": ["Skyline Daily", "Science", "Space"],
        "address": "Contact: newsroom@skyline.example",
        "tel": "Fax: 010-5550199",
        "count_line": "Read by {n} thousand subscribers in {m} cities",
        "count_base": 120,
        "count_step": 35,
    },
    {
        "slug": "cas-portal",
        "name": "Academy of Space Sciences Portal",
        "founded": 2004,
        "kind": "portal",
        "nav": ["About Us", "Research", "Institutes", "News", "Education", "Join Us"],
        "address": "No 9 Deng Road, Haidian District, Beijing 100094",
        "tel": "TEL: 86-10-5550267",
        "count_line": "There are {n} institutes and {m} research centres in the Academy",
        "count_base": 96,
        "count_step": 2,
    },
    {
        "slug": "starwatch",
        "name": "Starwatch Weekly",
        "founded": 2014,
        "kind": "pipes",
        "nav": ["Front Page", "Rockets", "Stations", "Probes", "Industry", "Archive"],
        "address": "Address: 88 Harbour Avenue, Qingdao 266000",
        "tel": "Tel: 0532-5550188",
        "count_line": "Starwatch has published {n} stories since {m}",
        "count_base": 900,
        "count_step": 450,
    },
    {
        "slug": "cnsa-mirror",
        "name": "National Space Information Service",
        "founded": 2007,
        "kind": "portal",
        "nav": ["Home", "Missions", "Policies", "Press Releases", "Cooperation", "Contact"],
        "address": "Postcode: 100048",
        "tel": "E-mail: info@nsis.example",
        "count_line": "The service lists {n} missions and {m} partner agencies",
        "count_base": 210,
        "count_step": 11,
    },
    {
        "slug": "galaxytimes",
        "name": "Galaxy Times Online",
        "founded": 2012,
        "kind": "crumbs",
        "nav": ["Galaxy Times", "World", "Tech", "Space"],
        "address": "Add: 301 Innovation Park, Shenzhen 518000",
        "tel": "Phone: 0755-5550111",
        "count_line": "Our {n} correspondents cover {m} provinces",
        "count_base": 30,
        "count_step": 3,
    },
]
INSTITUTES = [
    ("Aerospace Strategy Research Institute", "ASRI"),
    ("Center for Orbital Policy Studies", "COPS"),
    ("Institute of Space Industry Economics", "ISIE"),
    ("Deep Space Exploration Laboratory", "DSEL"),
    ("Academy of Launch Vehicle Technology", "ALVT"),
    ("Space Science Data Centre", "SSDC"),
]
AGENCIES = ["Xinhua", "China News Service", "Orbit Wire", "Space Press Agency"]

# ---- text generator -----------------------------------------------------------------


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class TextGen:
    """Grammar-based English-like prose about space programs."""

    def __init__(self, rng: random.Random):
        self.r = rng

    def person(self) -> str:
        r = self.r
        return f"{r.choice(SURNAMES)} {r.choice(GIVEN)}{r.choice(GIVEN).lower()}"

    def thing(self) -> str:
        r = self.r
        x = r.random()
        if x < 0.35:
            return f"the {r.choice(ADJS)} {r.choice(NOUNS)}"
        if x < 0.6:
            return f"the {r.choice(PROGRAMS)}-{r.randint(1, 19)} {r.choice(NOUNS)}"
        if x < 0.8:
            adj = r.choice(ADJS)
            return f"{'an' if adj[0] in 'aeiou' else 'a'} {adj} {r.choice(NOUNS)} built by {r.choice(ORGS)}"
        return f"the {r.choice(VEHICLES)} rocket"

    def agent(self) -> str:
        r = self.r
        x = r.random()
        if x < 0.4:
            return _cap(r.choice(ORGS))
        if x < 0.7:
            return f"Engineers at {r.choice(ORGS)}"
        return f"A team led by {r.choice(ROLES)} {self.person()}"

    def quantity(self) -> str:
        r = self.r
        unit, lo, hi = r.choice(UNITS)
        n = r.randint(lo, hi)
        if r.random() < 0.3:
            return f"about {n:,} {unit}"
        if r.random() < 0.2:
            return f"{r.randint(2, 12)} {unit}"
        return f"{n:,} {unit}"

    def sentence(self) -> str:
        r = self.r
        k = r.randrange(9)
        if k == 0:
            s = f"{self.agent()} {r.choice(ADVERBS)} {r.choice(VERBS_PAST)} {self.thing()} {r.choice(TIMES)}."
        elif k == 1:
            s = (
                f"{_cap(self.thing())} lifted off from {r.choice(SITES_GEO)} {r.choice(TIMES)}, "
                f"carrying {r.randint(2, 40)} payloads into an orbit of {self.quantity()}."
            )
        elif k == 2:
            s = (
                f'"We {r.choice(VERBS_PAST)} {self.thing()} {r.choice(ADVERBS)}," said {self.person()}, '
                f"{r.choice(ROLES)} at {r.choice(ORGS)}."
            )
        elif k == 3:
            s = (
                f"The mission will {r.choice(VERBS_FUT)} {self.thing()} and {r.choice(VERBS_FUT)} "
                f"{self.thing()} over the next {r.randint(2, 15)} years."
            )
        elif k == 4:
            s = (
                f"{r.choice(CONNECTIVES)} the work on {r.choice(FIELDS)} is expected to "
                f"{r.choice(VERBS_FUT)} {self.thing()} {r.choice(TIMES)}."
            )
        elif k == 5:
            s = (
                f"The {r.choice(NOUNS)} weighs {self.quantity()} and can operate for "
                f"{r.randint(3, 30)} years in {r.choice(['low', 'high', 'polar', 'lunar', 'transfer'])} orbit."
            )
        elif k == 6:
            s = (
                f"Since {r.randint(1999, 2023)}, {r.choice(ORGS)} has {r.choice(VERBS_PAST)} "
                f"{r.randint(3, 90)} {r.choice(NOUNS)}s for research in {r.choice(FIELDS)}."
            )
        elif k == 7:
            s = (
                f"{r.choice(CONNECTIVES)} {self.thing()} reached a speed of {self.quantity()} "
                f"before {r.choice(['separating', 'docking', 'landing', 'entering orbit', 'deploying its panels'])}."
            )
        else:
            s = (
                f"Researchers in {r.choice(FIELDS)} and {r.choice(FIELDS)} will share data from "
                f"{self.thing()} with partners in {r.randint(2, 60)} countries."
            )
        return _cap(s)

    def paragraph(self, lo: int = 2, hi: int = 6) -> str:
        return " ".join(self.sentence() for _ in range(self.r.randint(lo, hi)))

    def title(self) -> str:
        r = self.r
        k = r.randrange(4)
        if k == 0:
            return (
                f"{r.choice(PROGRAMS)} {r.choice(NOUNS)} {r.choice(VERBS_PAST)} {r.choice(TIMES)}"
            )
        if k == 1:
            return f"{r.choice(ORGS)[4:]} {r.choice(VERBS_PAST)} {r.choice(ADJS)} {r.choice(NOUNS)}"
        if k == 2:
            return (
                f"New {r.choice(TOPICS)} plan to {r.randint(2025, 2045)} unveiled in "
                f"{r.choice(SITES_GEO)}"
            )
        # A detail per headline: real archives rarely repeat a title word for word.
        detail = r.choice(
            [
                f"with {r.randint(2, 60)} payloads",
                f"from {r.choice(SITES_GEO)}",
                f"in {r.choice(['first', 'second', 'third', 'fourth', 'night', 'dawn'])} attempt",
                f"for {r.choice(ORGS)[4:]}",
            ]
        )
        verb = r.choice(["flies again", "sets record", "completes test", "delivers payloads"])
        return f"{r.choice(VEHICLES)} {verb} {detail}"

    def heading(self) -> str:
        r = self.r
        return f"{r.choice(HEAD_NOUNS)} in {r.choice(HEAD_OF)}"


MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def date_str(r: random.Random, year: int) -> tuple[str, int, int]:
    m, d = r.randint(1, 12), r.randint(1, 28)
    style = r.randrange(3)
    if style == 0:
        s = f"{year}-{m:02d}-{d:02d}"
    elif style == 1:
        s = f"{MONTHS[m - 1]} {d}, {year}"
    else:
        s = f"{d} {MONTHS[m - 1]} {year}"
    return s, m, d


# ---- documents ----------------------------------------------------------------------


def site_header(site: dict, title: str, date: str, r: random.Random) -> list[str]:
    kind = site["kind"]
    if kind == "pipes":
        sep = f"{NBSP * 3}|{NBSP * 3}"
        return [
            sep.join(site["nav"]),
            "",
            title,
            "",
            f'{date}{NBSP * 4}Share">{NBSP}Print Font Size',
            "",
        ]
    if kind == "crumbs":
        return [" > ".join(site["nav"]), "", title, "", date, ""]
    nav = "  ".join(site["nav"])
    return [
        site["name"],
        nav,
        "",
        "Current Location: Home > News",
        "",
        title,
        "",
        f"Source: {site['name']}   Date: {date}",
        "",
    ]


def site_footer(site: dict, year: int, r: random.Random) -> list[str]:
    n = site["count_base"] + site["count_step"] * (year - site["founded"])
    count = site["count_line"].format(n=n, m=r.choice([12, 14, 15, 18, 20, site["founded"]]))
    kind = site["kind"]
    lines = ["", "Related Stories", ""] if kind != "portal" else [""]
    if kind == "pipes":
        lines += [f"More coverage of {r.choice(TOPICS)}s in our archive.", ""]
    lines += ["About Us", "", count, "", site["name"], "", site["address"], "", site["tel"], ""]
    lines.append(f"Copyright © {site['founded']} - {year} {site['name']}. All rights reserved.")
    return lines


def stock_paragraphs(seed: int, n: int = 400) -> list[str]:
    """Paragraphs that recur verbatim across documents (agency blurbs, standard quotes)."""
    r = random.Random(f"stock-{seed}")
    g = TextGen(r)
    out = []
    for i in range(n):
        if i % 3 == 0:
            org = r.choice(ORGS)
            out.append(
                f"{_cap(org[4:])} is responsible for {r.choice(FIELDS)} and "
                f"{r.choice(FIELDS)}. {g.sentence()}"
            )
        else:
            out.append(g.paragraph(2, 3))
    return out


def news_body(g: TextGen, stock: list[str]) -> list[str]:
    r = g.r
    n = r.choice([3, 4, 5, 6, 7, 8, 10, 12]) if r.random() < 0.85 else r.randint(15, 45)
    body = [g.paragraph() for _ in range(n)]
    # Duplicate paragraphs across documents: a stock paragraph or two.
    for _ in range(r.choice([0, 0, 1, 1, 2])):
        body.insert(r.randint(1, len(body)), r.choice(stock))
    if r.random() < 0.3:
        body.insert(
            0,
            f"{r.choice(SITES_GEO).upper()}, {r.choice(MONTHS)} {r.randint(1, 28)} ({r.choice(AGENCIES)}) -- {g.sentence()}",
        )
    if r.random() < 0.25:
        body.append(f"(Cited from {r.choice(AGENCIES)})")
    return body


def news_page(site: dict, year: int, title: str, body: list[str], r: random.Random) -> str:
    date, _, _ = date_str(r, year)
    lines = site_header(site, title, date, r)
    for p in body:
        lines += [p, ""]
    lines += site_footer(site, year, r)
    text = "\n".join(lines) + "\n"
    return text.replace("\n", "\r\n") if site["slug"] == "cas-portal" else text


_WORD_RE = re.compile(r"\S+")


def hard_wrap(text: str, width: int, r: random.Random, hyphen_p: float = 0.12) -> list[str]:
    """Wrap a paragraph like a PDF extractor: ~width chars, some line-end hyphenation."""
    out, cur = [], ""
    for w in text.split(" "):
        if not cur:
            cur = w
            continue
        if len(cur) + 1 + len(w) <= width:
            cur += " " + w
            continue
        room = width - len(cur) - 2
        if len(w) >= 7 and room >= 3 and w.isalpha() and r.random() < hyphen_p * 4:
            cut = min(room, len(w) - 3)
            if cut >= 3:
                out.append(f"{cur} {w[:cut]}-")
                cur = w[cut:]
                continue
        out.append(cur)
        cur = w
    if cur:
        out.append(cur)
    return out


def report_doc(g: TextGen, inst: tuple[str, str], year: int, stock: list[str]) -> str:
    r = g.r
    width = r.randint(84, 96)
    name, acro = inst
    header = [
        f"{g.title()}: {year} Annual Report",
        "",
        f"{name} ({acro})",
        "",
        f"{MONTHS[r.randint(0, 11)]} {year}",
        "",
        " Preamble",
    ]
    body: list[str] = []
    for p in [g.paragraph(3, 6) for _ in range(r.randint(1, 3))]:
        body += hard_wrap(p, width, r)
    romans = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
    for si in range(r.randint(2, 9)):
        body.append(f"{' ' if r.random() < 0.3 else ''}{romans[si]}. {g.heading()}")
        for sj in range(r.randint(1, 5)):
            body.append(f"{sj + 1}. {g.heading()}")
            for _ in range(r.randint(1, 4)):
                p = g.paragraph(3, 7) if r.random() > 0.05 else r.choice(stock)
                body += hard_wrap(p, width, r)
            if r.random() < 0.35:
                for k in range(r.randint(2, 5)):
                    bullet = r.choice(["•", "-", f"({k + 1})"])
                    wrapped = hard_wrap(f"{bullet} {g.sentence()}", width, r)
                    body += wrapped
    # Running header every ~45 lines: "\nInstitute\n\nyear\n\npage\n\n" blocks.
    out = header[:]
    page = 1
    for i, line in enumerate(body):
        out.append(line)
        if i and i % r.randint(40, 50) == 0:
            page += 1
            out += (
                ["", name, "", str(year), "", str(page), ""]
                if page % 2
                else ["", f"{acro} {year}", "", f"- {page} -", ""]
            )
    return "\n".join(out) + "\n"


def republish(body: list[str], r: random.Random) -> list[str]:
    """Light edits of a re-published article: a paragraph dropped or a word changed."""
    body = list(body)
    if len(body) > 4 and r.random() < 0.5:
        body.pop(r.randrange(1, len(body)))
    if r.random() < 0.5:
        i = r.randrange(len(body))
        body[i] = body[i].replace(" the ", " this ", 1)
    return body


# ---- bad files ----------------------------------------------------------------------
BAD_KINDS = ["empty", "binary_png", "nul_heavy", "whitespace", "binary_pdf", "binary_zip"]


def bad_file(kind: str, r: random.Random) -> bytes:
    if kind == "empty":
        return b""
    if kind == "whitespace":
        return b"\n  \n\t\n" * r.randint(1, 50)
    if kind == "binary_png":
        return b"\x89PNG\r\n\x1a\n" + r.randbytes(r.randint(2_000, 40_000))
    if kind == "binary_pdf":
        return b"%PDF-1.7\n" + r.randbytes(r.randint(2_000, 40_000))
    if kind == "binary_zip":
        return b"PK\x03\x04" + r.randbytes(r.randint(2_000, 40_000))
    # NUL-heavy: text interleaved with runs of NUL bytes (a broken export).
    chunk = b"Telemetry frame \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00 ok\n"
    return chunk * r.randint(50, 500)


# ---- driver -------------------------------------------------------------------------
# Every corpus, even 10 MB, gets one bad file of each kind and two re-uploads early on;
# then one bad file per 997 documents and one re-upload per 1,499.
_EARLY_BAD = (31, 97, 163, 229, 293, 359)
_EARLY_DUPES = (120, 420)


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?B?)\s*", text.upper())
    if not m:
        raise argparse.ArgumentTypeError(f"bad size: {text!r} (e.g. 10MB, 1GB)")
    n, unit = float(m.group(1)), m.group(2).rstrip("B")
    return int(n * {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}[unit])


def generate(out: Path, size: int, seed: int, oversize: bool = False, quiet: bool = False) -> dict:
    """Write a corpus of at least `size` bytes under `out`; returns its description."""
    meta_path = out / ".corpus.json"
    params = {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "target_bytes": size,
        "oversize": oversize,
    }
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in params.items()):
            return meta  # already generated with these parameters
        raise SystemExit(f"{out} holds a different corpus; remove it first")
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise SystemExit(f"{out} is not empty; remove it first")

    t0 = time.perf_counter()
    stock = stock_paragraphs(seed)
    recent: collections.deque = collections.deque(maxlen=400)  # (site slug, title, body, year)
    recent_bytes: collections.deque = collections.deque(maxlen=50)  # (path, bytes) for re-uploads
    counts: collections.Counter = collections.Counter()
    total = 0
    i = 0
    next_report = 0.0
    while total < size:
        r = random.Random(seed * 1_000_003 + i)
        g = TextGen(r)
        x = r.random()
        if i in _EARLY_BAD or i % 997 == 500:
            kind = BAD_KINDS[
                (_EARLY_BAD.index(i) if i in _EARLY_BAD else i // 997) % len(BAD_KINDS)
            ]
            data, rel = bad_file(kind, r), f"incoming/upload-{i:07d}.txt"
            counts[f"bad_{kind}"] += 1
        elif (i in _EARLY_DUPES or i % 1499 == 700) and recent_bytes:
            src, data = r.choice(list(recent_bytes))
            rel = f"mirror/{Path(src).parent.name}/copy-{i:07d}.txt"
            counts["duplicate_file"] += 1
        elif x < 0.07 and len(recent) > 10:
            slug, title, body, year = r.choice(list(recent))
            site = r.choice([s for s in SITES if s["slug"] != slug])
            data = news_page(site, year, title, republish(body, r), r).encode("utf-8")
            rel = f"{site['slug']}/{year}/republished-{i:07d}.txt"
            counts["news_republished"] += 1
        elif x < 0.62:
            site = r.choice(SITES)
            year = r.randint(max(site["founded"], 2010), 2025)
            title, body = g.title(), news_body(g, stock)
            data = news_page(site, year, title, body, r).encode("utf-8")
            rel = f"{site['slug']}/{year}/article-{i:07d}.txt"
            recent.append((site["slug"], title, body, year))
            counts["news"] += 1
        else:
            inst = r.choice(INSTITUTES)
            year = r.randint(2012, 2025)
            data = report_doc(g, inst, year, stock).encode("utf-8")
            rel = f"reports/{inst[1].lower()}/{year}/report-{i:07d}.txt"
            counts["report"] += 1
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if data and not rel.startswith(("incoming/", "mirror/")):
            recent_bytes.append((rel, data))
        total += len(data)
        i += 1
        if not quiet and time.perf_counter() > next_report:
            print(
                f"\rgenerate: {total / 1e6:8.1f} / {size / 1e6:.0f} MB, {i} files",
                end="",
                file=sys.stderr,
            )
            next_report = time.perf_counter() + 1.0
    if oversize:
        big = out / "incoming" / "oversize-dump.txt"
        big.parent.mkdir(parents=True, exist_ok=True)
        with big.open("wb") as f:
            line = b"row;" + b"x" * 1019 + b"\n"
            for _ in range(51 * 1024):
                f.write(line)
        counts["bad_oversize"] += 1
        total += big.stat().st_size
        i += 1
    meta = {
        **params,
        "bytes": total,
        "files": i,
        "counts": dict(sorted(counts.items())),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    if not quiet:
        print(
            f"\rgenerate: {total / 1e6:.1f} MB in {i} files, {meta['seconds']} s -> {out}",
            file=sys.stderr,
        )
    return meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--size", type=parse_size, required=True, help="e.g. 10MB, 100MB, 1GB (decimal)"
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--oversize", action="store_true", help="add one >50 MiB file (quarantined)")
    args = ap.parse_args(argv)
    meta = generate(args.out, args.size, args.seed, args.oversize)
    print(json.dumps(meta))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
