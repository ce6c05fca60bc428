"""Turn an input file's bytes into text, or a reason why it cannot be a document.

The decoded string (BOM removed, nothing else changed) is the reference for every
raw_start/raw_end offset in the release, so this module never normalizes text: line
endings, NUL bytes and control characters are left for `taikong.clean`.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass

DECODE_VERSION = "decode_v1"

# 50 MiB: far above any real article or white paper, low enough that one stray
# archive or database dump cannot exhaust a worker's memory.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

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

# Share of C0 control characters (other than tab/newline/CR/form feed) or NULs above
# which decoded "text" is really binary data.
_MAX_CONTROL_SHARE = 0.05


@dataclass(frozen=True)
class Decoded:
    """Outcome of decoding one input: `text` on success, `reason` on quarantine."""

    text: str | None
    encoding: str | None
    reason: str | None

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
    """Decode an input file, or explain why it is quarantined.

    Order: size and emptiness, known binary signatures, BOMs, strict UTF-8, BOM-less
    UTF-16, then charset detection for legacy encodings (cp1252, GB18030, ...).
    """
    if len(data) == 0:
        return Decoded(None, None, "empty: file has 0 bytes")
    if len(data) > max_bytes:
        return Decoded(
            None, None, f"too_large: {len(data)} bytes exceeds the {max_bytes}-byte limit"
        )
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return Decoded(None, None, f"binary: looks like a {kind}")

    text: str | None = None
    encoding: str | None = None
    for bom, name in _BOMS:
        if data.startswith(bom):
            text, encoding = _try(data[len(bom) :], name), f"{name} (BOM)"
            if text is None:
                return Decoded(None, None, f"undecodable: invalid {name} after its BOM")
            break
    # BOM-less UTF-16 first: ASCII in UTF-16 is also valid UTF-8 (NUL is a UTF-8 byte).
    if text is None and (utf16 := _looks_utf16_without_bom(data)):
        text, encoding = _try(data, utf16), utf16
    if text is None:
        text = _try(data, "utf-8")
        encoding = "utf-8" if text is not None else None
    if text is None:
        text, encoding = _detect_legacy(data)
        if text is None:
            return Decoded(None, None, "undecodable: no text encoding fits these bytes")

    if _control_share(text) > _MAX_CONTROL_SHARE:
        return Decoded(
            None, None, "binary: more than 5% control characters or NUL bytes after decoding"
        )
    if not text.strip():
        return Decoded(None, None, "empty: file holds only whitespace")
    return Decoded(text, encoding, None)


# Mostly-ASCII text with a few high bytes is Western European far more often than
# anything else; statistical detectors guess wildly (big5, cp1250) on so little evidence.
_MAX_HIGH_BYTE_SHARE_FOR_CP1252 = 0.10
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _detect_legacy(data: bytes) -> tuple[str | None, str | None]:
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    if high / len(data) <= _MAX_HIGH_BYTE_SHARE_FOR_CP1252:
        text = _try(data, "cp1252")
        if text is not None:
            return text, "cp1252"
    # Imported here: only legacy-encoded files pay for the detector.
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        return None, None
    text = _try(data, best.encoding)
    return (text, best.encoding) if text is not None else (None, None)
