"""Turn an input file's bytes into text, or a reason why it cannot be a document.

The decoded string (BOM removed, nothing else changed) is the reference for every
raw_start/raw_end offset in the release, so this module never normalizes text: line
endings, NUL bytes and control characters are left for `taikong.clean`.

How an encoding is chosen (each outcome records its `evidence`):

1. A byte-order mark decides (UTF-8, UTF-16 LE/BE, UTF-32).
2. BOM-less UTF-16: a NUL in every other byte (mostly-ASCII UTF-16).
3. Valid UTF-8 is UTF-8.
4. UTF-8 with a few invalid bytes: when the file holds more valid multi-byte UTF-8
   characters than invalid bytes, it is UTF-8 that got damaged, not a legacy file —
   unless a double-byte legacy code (GB18030, Big5, Shift-JIS) also reads every byte
   and the UTF-8 reading has fewer than `MIN_DAMAGED_UTF8_EVIDENCE` distinct multi-byte
   characters (a legacy file read out of step); then step 5 decides.
   Up to `MAX_INVALID_UTF8_BYTES` invalid bytes are each replaced by one U+FFFD and
   counted (`n_replaced`); more than that quarantines the file (`corrupt_utf8`). One bad
   byte and three bad bytes follow this same rule.
5. Legacy encodings, in the order scraped and exported text really uses them:
   Windows-1252 / ISO-8859-1, GB18030 (a superset of GBK: GBK bytes decode identically),
   Big5, Shift-JIS, then BOM-less UTF-16 of non-ASCII text. A candidate must decode the
   whole file strictly and its text must be plausible for the scripts it claims
   (`_plausibility`): Latin text has accented letters inside words and single
   punctuation marks, not runs of symbols and case-flipping letters; Chinese and
   Japanese text is mostly the frequent characters of its standard (GB2312 level 1,
   Big5 level 1, JIS level 1, kana), not the rare ones a wrong decoding scatters over.
   One plausible reading wins; among several, a clear score margin wins; on long inputs
   the detector (chardet) breaks a tie between plausible readings. Otherwise the file
   is quarantined as `ambiguous_encoding`, with the best guesses in the reason.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass

DECODE_VERSION = "decode_v3"

# 50 MiB: far above any real article or white paper, low enough that one stray
# archive or database dump cannot exhaust a worker's memory.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# "A few" damaged bytes in an otherwise valid UTF-8 file: replaced and counted.
MAX_INVALID_UTF8_BYTES = 8

# File signatures of common binary formats that sometimes land in a text drop.
_MAGIC = {
    b"%PDF-": "PDF file (extract its text first)",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"PK\x03\x04": "ZIP archive (or DOCX/XLSX)",
    b"\x1f\x8b": "gzip archive",
    b"\x7fELF": "ELF executable",
    b"\xd0\xcf\x11\xe0": "OLE2 document (legacy .doc/.xls)",
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Legacy candidates, most common first, with the script family each one claims.
LEGACY_CANDIDATES = (
    ("cp1252", "latin"),
    ("latin-1", "latin"),
    ("gb18030", "hans"),
    ("big5", "hant"),
    ("shift_jis", "jpan"),
    ("utf-16-le", "any"),
    ("utf-16-be", "any"),
)
SUPPORTED_ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be") + tuple(
    name for name, _ in LEGACY_CANDIDATES if not name.startswith("utf")
)

# Share of C0 control characters (other than tab/newline/CR/form feed) or NULs above
# which decoded "text" is really binary data.
_MAX_CONTROL_SHARE = 0.05
# Plausibility is judged on the first characters: enough evidence, bounded cost.
_SAMPLE_CHARS = 65_536
# A reading must score this much higher than the next one to win on score alone.
_CLEAR_MARGIN = 0.25
# The detector is trusted to break ties only with this many non-ASCII bytes to go on.
_DETECTOR_MIN_HIGH_BYTES = 200


@dataclass(frozen=True)
class Decoded:
    """Outcome of decoding one input: `text` on success, `reason` on quarantine."""

    text: str | None
    encoding: str | None
    reason: str | None
    evidence: str | None = None  # how the encoding was chosen
    n_replaced: int = 0  # invalid UTF-8 bytes replaced by U+FFFD

    @property
    def ok(self) -> bool:
        return self.text is not None


def content_id(data: bytes) -> tuple[str, str]:
    """Return (doc_id, sha256 hex) for a file's bytes: same bytes, same id, every release."""
    digest = hashlib.sha256(data).hexdigest()
    return digest[:16], digest


_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    return len(_CONTROL_CHARS.findall(text)) / len(text)


def _looks_utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text of mostly ASCII has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Decoded:
    """Decode an input file, or explain why it is quarantined (see the module docstring)."""
    if len(data) == 0:
        return Decoded(None, None, "empty: file has 0 bytes")
    if len(data) > max_bytes:
        return Decoded(
            None, None, f"too_large: {len(data)} bytes exceeds the {max_bytes}-byte limit"
        )
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return Decoded(None, None, f"binary: looks like a {kind}")

    decoded = _choose_encoding(data)
    if not decoded.ok:
        return decoded
    if _control_share(decoded.text) > _MAX_CONTROL_SHARE:
        return Decoded(
            None, None, "binary: more than 5% control characters or NUL bytes after decoding"
        )
    if not decoded.text.strip():
        return Decoded(None, None, "empty: file holds only whitespace")
    return decoded


def _choose_encoding(data: bytes) -> Decoded:
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = _try(data[len(bom) :], name)
            if text is None:
                return Decoded(None, None, f"undecodable: invalid {name} after its BOM")
            return Decoded(text, name, None, "byte-order mark")
    # BOM-less UTF-16 first: ASCII in UTF-16 is also valid UTF-8 (NUL is a UTF-8 byte).
    if (utf16 := _looks_utf16_without_bom(data)) and (text := _try(data, utf16)) is not None:
        return Decoded(text, utf16, None, "UTF-16 byte pattern: a NUL in every other byte")
    if (text := _try(data, "utf-8")) is not None:
        return Decoded(text, "utf-8", None, "valid UTF-8")

    # Each invalid byte becomes one lone surrogate U+DC80..U+DCFF: count, then replace.
    escaped = data.decode("utf-8", "surrogateescape")
    n_invalid = sum(1 for c in escaped if "\udc80" <= c <= "\udcff")
    n_multibyte = sum(1 for c in escaped if c >= "\x80") - n_invalid
    # Two valid characters per bad byte, and at least three: "Â\xa0" alone is cp1252.
    if n_multibyte >= max(3, 2 * n_invalid) and _utf8_damage_is_evident(data, escaped):
        if n_invalid > MAX_INVALID_UTF8_BYTES:
            return Decoded(
                None,
                None,
                f"corrupt_utf8: {n_invalid} invalid bytes in UTF-8 text "
                f"(at most {MAX_INVALID_UTF8_BYTES} are replaced)",
            )
        text = re.sub("[\udc80-\udcff]", "\ufffd", escaped)
        return Decoded(
            text,
            "utf-8",
            None,
            f"UTF-8 with {n_invalid} invalid byte(s), each replaced by U+FFFD "
            f"({n_multibyte} valid multi-byte characters)",
            n_replaced=n_invalid,
        )
    # Any byte is one Latin-1 character: its control share is the bytes' control share.
    if _control_share(data.decode("latin-1")) > _MAX_CONTROL_SHARE:
        return Decoded(None, None, "binary: more than 5% control bytes and not valid UTF-8")
    return _choose_legacy(data)


# Distinct valid multi-byte characters a damaged UTF-8 reading needs when a double-byte
# legacy code (GB18030, Big5, Shift-JIS) also reads the file without an error.
MIN_DAMAGED_UTF8_EVIDENCE = 8
_DOUBLE_BYTE_CODES = tuple(
    e for e, family in LEGACY_CANDIDATES if family in ("hans", "hant", "jpan")
)


def _utf8_damage_is_evident(data: bytes, escaped: str) -> bool:
    """Whether UTF-8 with a few bad bytes explains the file better than a legacy code.

    A double-byte legacy file read one byte out of step often holds valid two-byte UTF-8
    sequences: Big5 "±±±¢ " is a1 d3 a1 d3 a1 d3 a2 46 20, UTF-8 for one bad byte and
    "ӡӡӢF ". So when such a code reads every byte without an error, the UTF-8 reading
    must show more: MIN_DAMAGED_UTF8_EVIDENCE distinct valid multi-byte characters (a
    misread repeats the few pairs the legacy text repeats); otherwise the legacy
    candidates decide, or the file is quarantined as ambiguous."""
    if not any(_try(data, code) is not None for code in _DOUBLE_BYTE_CODES):
        return True
    distinct = {c for c in escaped if c >= "\x80" and not "\udc80" <= c <= "\udcff"}
    return len(distinct) >= MIN_DAMAGED_UTF8_EVIDENCE


def _choose_legacy(data: bytes) -> Decoded:
    readings: dict[str, tuple[str, float, str]] = {}  # text -> (encoding, score, note)
    # Every strict decoding that its script rules do not rule out outright, by family
    # group: a reading with little evidence loses to the bytes' ambiguity against them.
    rivals: dict[str, set[str]] = {"latin": set(), "cjk": set()}
    failures: list[str] = []
    for encoding, family in LEGACY_CANDIDATES:
        text = _try(data, encoding)
        if text is None:
            continue
        score, note = _plausibility(text[:_SAMPLE_CHARS], family)
        if not note.startswith(_IMPOSSIBLE):
            rivals[_group(family)].add(text)
        if score <= 0:
            failures.append(f"{encoding} ({note})")
            continue
        # Identical text under two encodings (cp1252/latin-1 on A0-FF) is one reading.
        if text not in readings or readings[text][1] < score:
            readings[text] = (encoding, score, note)
    ranked = sorted(readings.items(), key=lambda kv: -kv[1][1])
    if ranked:
        text, (encoding, _score, note) = ranked[0]
        family = dict(LEGACY_CANDIDATES)[encoding]
        others = set().union(*(r for g, r in rivals.items() if g != _group(family)))
        if family in _CJK_FAMILIES:
            # The CJK codecs share most of their byte space: a few characters that read
            # well in one of them are no evidence against another that also decodes.
            others |= rivals["cjk"]
            weak = _n_cjk(text) < MIN_CJK_EVIDENCE
        else:
            weak = _latin_evidence(text) <= 2
            if not _has_accented_word(text):
                # Only punctuation marks: no evidence against any other strict decoding.
                others |= _strict_readings(data)
                weak = True
        if weak and others - {text}:
            return Decoded(
                None,
                None,
                f"ambiguous_encoding: too little evidence for {encoding} ({note}) against "
                f"{len(others - {text})} other possible reading(s); best guesses: "
                + "; ".join([f"{e} {sc:.2f}" for _, (e, sc, _) in ranked[:2]] + failures[:2]),
            )
    if not ranked:
        if not failures:
            return Decoded(None, None, "undecodable: no supported text encoding fits these bytes")
        return Decoded(
            None,
            None,
            "ambiguous_encoding: no decoding is plausible; best guesses: "
            + "; ".join(failures[:3]),
        )
    (best_text, (best_enc, best_score, best_note)) = ranked[0]
    if len(ranked) == 1:
        return Decoded(best_text, best_enc, None, f"only plausible legacy reading: {best_note}")
    second_enc, second_score, _ = ranked[1][1]
    if best_score - second_score >= _CLEAR_MARGIN:
        return Decoded(
            best_text,
            best_enc,
            None,
            f"most plausible legacy reading: {best_note} (next: {second_enc} {second_score:.2f})",
        )
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    if high >= _DETECTOR_MIN_HIGH_BYTES and (guess := _detector_guess(data)):
        for text, (encoding, _score, note) in ranked:
            if _same_codec(encoding, guess):
                return Decoded(text, encoding, None, f"chardet {guess} among plausible: {note}")
    guesses = "; ".join(f"{enc} {score:.2f}" for _, (enc, score, _) in ranked[:3])
    return Decoded(
        None, None, f"ambiguous_encoding: several plausible readings; best guesses: {guesses}"
    )


_CJK_FAMILIES = ("hans", "hant", "jpan", "any")
# Prefix of a plausibility note that rules a reading out (not merely "no evidence").
_IMPOSSIBLE = "impossible: "


def _group(family: str) -> str:
    return "latin" if family == "latin" else "cjk"


def _strict_readings(data: bytes) -> set[str]:
    return {t for enc, _ in LEGACY_CANDIDATES if (t := _try(data, enc)) is not None}


def _has_accented_word(text: str) -> bool:
    for m in _NON_ASCII_RUN.finditer(text[:_SAMPLE_CHARS]):
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end()] if m.end() < len(text) else " "
        if _latin_run_shape(m.group(), before, after) == "in_word":
            return True
    return False


def _latin_evidence(text: str) -> int:
    """Accented letters inside words plus typographic punctuation marks."""
    runs = [(m.start(), m.group()) for m in _NON_ASCII_RUN.finditer(text[:_SAMPLE_CHARS])]
    n = 0
    for start, run in runs:
        end = start + len(run)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        n += _latin_run_shape(run, before, after) is not None
    return n


# CJK characters a legacy CJK reading needs when another CJK codec also decodes the bytes.
MIN_CJK_EVIDENCE = 8


def _n_cjk(text: str) -> int:
    return sum(1 for c in text[:_SAMPLE_CHARS] if _is_ideograph(c) or _is_kana(c))


_HIGH_BYTES = bytes(range(0x80, 0x100))


def _detector_guess(data: bytes) -> str | None:
    import chardet  # imported here: only ambiguous legacy files pay for the detector

    result = chardet.detect(data[:65536])
    return (result.get("encoding") or "").lower() or None


_ALIASES = {
    "windows-1252": "cp1252",
    "iso-8859-1": "latin-1",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5hkscs": "big5",
    "cp950": "big5",
    "cp932": "shift_jis",
    "shift_jis_2004": "shift_jis",
}


def _same_codec(candidate: str, guess: str) -> bool:
    norm = codecs.lookup(_ALIASES.get(guess, guess)).name if _known(guess) else guess
    return codecs.lookup(candidate).name == norm


def _known(name: str) -> bool:
    try:
        codecs.lookup(_ALIASES.get(name, name))
    except LookupError:
        return False
    return True


# ---- plausibility ---------------------------------------------------------------------


@functools.cache
def _frequent_chars(standard: str) -> frozenset[str]:
    """The frequent level of a CJK standard: what real running text mostly uses."""
    if standard == "hans":  # GB2312 level 1: rows 16-55 (lead bytes B0-D7)
        spans = [("gb2312", lead, range(0xA1, 0xFF)) for lead in range(0xB0, 0xD8)]
    elif standard == "hant":  # Big5 level 1: A440-C67E
        trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
        spans = [("big5", lead, trails) for lead in range(0xA4, 0xC7)]
    else:  # JIS X 0208 level 1: rows 16-47 (Shift-JIS 889F-9872)
        trails = [*range(0x40, 0x7F), *range(0x80, 0xFD)]
        spans = [("shift_jis", lead, trails) for lead in range(0x88, 0x99)]
    chars = set()
    for codec, lead, trails in spans:
        for trail in trails:
            if (c := _try(bytes([lead, trail]), codec)) and len(c) == 1:
                chars.add(c)
    return frozenset(chars)


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
# Latin-1 symbols that real prose does not put next to a letter or digit.


def _is_ideograph(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def _is_kana(c: str) -> bool:
    return "\u3040" <= c <= "\u30ff"


def _bad_categories(text: str) -> str | None:
    for c in set(text):
        if c < "\x80" or c == "\ufffd":
            continue
        cat = unicodedata.category(c)
        if cat in ("Cc", "Co", "Cn", "Cs"):
            return f"{_IMPOSSIBLE}holds {unicodedata.name(c, hex(ord(c)))} ({cat})"
    return None


def _plausibility(text: str, family: str) -> tuple[float, str]:
    """Score in (0, 1] of how plausible `text` is for its claimed scripts; <= 0: not."""
    if bad := _bad_categories(text):
        return 0.0, bad
    runs = [(m.start(), m.group()) for m in _NON_ASCII_RUN.finditer(text)]
    if not runs:
        return 1.0, "ASCII only"
    if family == "latin":
        return _latin_plausibility(text, runs)
    if family in ("hans", "hant", "jpan"):
        return _cjk_plausibility(text, runs, family)
    # BOM-less UTF-16 without the NUL pattern is CJK text (Latin text has the pattern):
    # any even number of bytes decodes, so it needs CJK evidence of some standard.
    if _n_cjk(text) < MIN_CJK_EVIDENCE:
        return 0.0, f"{_IMPOSSIBLE}fewer than {MIN_CJK_EVIDENCE} CJK characters in UTF-16"
    # Real CJK text in UTF-16 has line breaks, spaces or digits: ASCII code units.
    if not any(c < "\x80" for c in text):
        return 0.0, f"{_IMPOSSIBLE}UTF-16 reading without a single ASCII character"
    score, note = max(_cjk_plausibility(text, runs, f) for f in ("hans", "hant", "jpan"))
    # Any even number of bytes decodes as UTF-16: it needs more evidence than a legacy code.
    if score < 0.9:
        return 0.0, f"UTF-16 reading: {note}"
    return score, note


def _latin_plausibility(text: str, runs: list[tuple[int, str]]) -> tuple[float, str]:
    """Western European prose: each non-ASCII run is a shape such prose really has."""
    bad = n_in_word = 0
    for start, run in runs:
        end = start + len(run)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        shape = _latin_run_shape(run, before, after)
        if shape is None:
            bad += 1
        n_in_word += shape == "in_word"
    n_ascii_letters = sum(1 for c in text if c.isascii() and c.isalpha())
    n_other_letters = sum(1 for _, run in runs for c in run if c.isalpha())
    share = bad / len(runs)
    # One slip in a short text is already too many; long texts may hold a stray symbol.
    if share > (0 if len(runs) < 50 else 0.02):
        return 0.0, f"{bad} of {len(runs)} non-ASCII runs are not Latin prose"
    # Western European prose is mostly plain ASCII letters, accents are the exception.
    if n_ascii_letters < max(3, 2 * n_other_letters):
        return 0.0, f"{n_ascii_letters} ASCII letters to {n_other_letters} accented ones"
    if n_in_word == 0 and not any(c in _LATIN_PUNCTUATION for _, run in runs for c in run):
        return 0.0, "no accented letter inside a word and no typographic punctuation"
    return 1.0 - share, f"Latin prose ({len(runs)} accented or punctuation runs)"


_LATIN_PUNCTUATION = set("–—‘’‚“”„…•€«»")
# Signs that stand next to words or numbers in real prose.
_LATIN_SIGNS = _LATIN_PUNCTUATION | set("°±×§©®™·£¥¢\xa0")
_LATIN_LETTERS = {c for c in map(chr, range(0xC0, 0x100)) if c.isalpha()} | set("ŒœŠšŽžŸƒ")


def _latin_run_shape(run: str, before: str, after: str) -> str | None:
    """'in_word' (accented letters inside a word), 'sign', or None: not a prose shape."""
    letters = [c for c in run if c in _LATIN_LETTERS]
    signs = [c for c in run if c in _LATIN_SIGNS or c in "¡¿"]
    if len(letters) + len(signs) != len(run) or len(letters) > 2 or len(run) > 3:
        return None
    if any(c in "¡¿" for c in run) and (before.isalnum() or run[0] not in "¡¿"):
        return None  # inverted marks open a sentence
    for a, b in zip(run, run[1:], strict=False):
        # A sign sits outside a word: opening marks before a letter, closing marks after.
        if a in _LATIN_LETTERS and b not in _LATIN_LETTERS and b not in "’”»…–—\xa0":
            return None
        if b in _LATIN_LETTERS and a not in _LATIN_LETTERS and a not in "‘“«„‚¡¿’–—\xa0":
            return None
    if letters:
        word = before + run + after
        # Case flips inside a word ("æÏ", "cafÉs"): a lowercase letter, then an uppercase one.
        if any(a.islower() and b.isupper() for a, b in zip(word, word[1:], strict=False)):
            return None
        # Two accented letters sit side by side ("çõ", "éé"), not around a sign ("Ã©").
        if len(letters) == 2 and not any(
            a in _LATIN_LETTERS and b in _LATIN_LETTERS for a, b in zip(run, run[1:], strict=False)
        ):
            return None
        next_to_letter = (before.isascii() and before.isalpha()) or (
            after.isascii() and after.isalpha()
        )
        # A one-letter word of its own: French "à", Portuguese "é", Italian "è".
        alone = len(run) == 1 and run.islower() and before in " \n'’" and after in " \n,.;:"
        return "in_word" if next_to_letter or alone else None
    return "sign"


def _cjk_plausibility(text: str, runs: list[tuple[int, str]], family: str) -> tuple[float, str]:
    frequent = _frequent_chars(family)
    n_ideo = n_frequent = n_kana = n_odd = n_glued = 0
    n_chars = 0
    for start, run in runs:
        for c in run:
            n_chars += 1
            if _is_ideograph(c):
                n_ideo += 1
                n_frequent += c in frequent
            elif _is_kana(c):
                n_kana += 1
            elif not (
                "\u3000" <= c <= "\u303f"  # CJK symbols and punctuation
                or "\uff01" <= c <= "\uff60"  # full-width forms (not half-width kana)
                or "\u2010" <= c <= "\u203b"  # dashes, quotes, ellipsis
                or c in "·×÷°±§¨…"
            ):
                n_odd += 1
        before = text[start - 1] if start else " "
        after = text[start + len(run)] if start + len(run) < len(text) else " "
        # An ideograph glued between two ASCII letters: an ASCII byte eaten as a trail byte.
        if before.isascii() and before.isalpha() and after.isascii() and after.isalpha():
            n_glued += 1
    if n_ideo + n_kana == 0:
        # Only the standard's symbols ("×", full-width forms): possible, no evidence.
        return 0.0, (f"{_IMPOSSIBLE}no CJK characters" if n_odd else "only CJK-standard symbols")
    odd_share = n_odd / n_chars
    if odd_share > 0.05 or n_glued > len(runs) // 50:
        note = f"{n_odd} non-CJK symbols, {n_glued} ideographs glued into ASCII words"
        return 0.0, (_IMPOSSIBLE + note) if n_glued else note
    if family == "jpan" and n_kana == 0:
        return 0.0, "Japanese without kana"
    # Kana are the most frequent Japanese characters of all.
    frequent_share = (n_frequent + n_kana) / (n_ideo + n_kana)
    if frequent_share < 0.6:
        return 0.0, f"only {frequent_share:.0%} of characters are in the frequent level"
    return frequent_share * (1 - odd_share), (
        f"{frequent_share:.0%} of {n_ideo + n_kana} CJK characters in the frequent level"
    )
