"""Unit tests for taikong.ingest.decode on small invented byte strings."""

from __future__ import annotations

import codecs
import hashlib
import random
import re

import pytest

from taikong.ingest.decode import content_id, decode_bytes

ENGLISH = (
    "Shenzhou-5 lifted off from Jiuquan on 15 October 2003.\nYang Liwei orbited Earth 14 times.\n"
)
CHINESE = "神舟五号载人飞船发射成功，航天员杨利伟状态良好。\n"


def assert_ok(decoded, text: str) -> None:
    assert decoded.ok, decoded.reason
    assert decoded.reason is None
    assert decoded.text == text


# ---- successful decodes ---------------------------------------------------------------


def test_plain_utf8_ascii_and_chinese():
    text = ENGLISH + CHINESE
    decoded = decode_bytes(text.encode("utf-8"))
    assert_ok(decoded, text)
    assert decoded.encoding == "utf-8"


def test_utf8_bom_is_removed_from_text():
    text = "Tiangong space station\n" + CHINESE
    decoded = decode_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    assert_ok(decoded, text)
    assert not decoded.text.startswith("\ufeff")
    assert decoded.encoding.startswith("utf-8")
    assert decoded.evidence == "byte-order mark"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_utf16_with_bom(bom, codec):
    text = "Chang'e-4 landed on the far side of the Moon.\r\n" + CHINESE
    decoded = decode_bytes(bom + text.encode(codec))
    assert_ok(decoded, text)
    assert decoded.encoding.startswith(codec)
    assert "\ufeff" not in decoded.text


def test_utf16_le_without_bom_non_ascii():
    # Accented letters make the bytes invalid UTF-8, so the UTF-16 sniffing is reached.
    text = "Café crew résumé — the naïve forecast was wrong.\r\n" * 3
    decoded = decode_bytes(text.encode("utf-16-le"))
    assert_ok(decoded, text)
    assert decoded.encoding == "utf-16-le"


def test_utf16_le_without_bom_ascii_only():
    text = "Tiangong space station report\r\nThe crew docked on schedule.\r\n" * 3
    decoded = decode_bytes(text.encode("utf-16-le"))
    assert_ok(decoded, text)
    assert decoded.encoding == "utf-16-le"


def test_legacy_cp1252_curly_quotes_and_accents():
    text = (
        "Officials said the launch was a “complete success” — the crew’s résumé is "
        "impressive, and the café at the centre stayed open.\n"
    ) * 4
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the fixture really is not UTF-8
    decoded = decode_bytes(data)
    assert_ok(decoded, text)
    assert data.decode(decoded.encoding) == text  # a single-byte code page that maps them right


def test_legacy_gb18030_chinese():
    text = (
        "中国载人航天工程办公室宣布，神舟五号载人飞船于今天上午成功发射。"
        "航天员杨利伟状态良好，飞船运行正常。\n"
    ) * 2
    data = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    decoded = decode_bytes(data)
    assert_ok(decoded, text)


def test_legacy_cp1252_single_accent_in_english():
    text = "Zhang said the naïve forecast was wrong.\n"
    decoded = decode_bytes(text.encode("cp1252"))
    assert_ok(decoded, text)


# ---- raw text is not normalized ---------------------------------------------------------


def test_crlf_and_lone_cr_are_kept():
    text = "Line one\r\nLine two\rLine three\n\r\n"
    decoded = decode_bytes(text.encode("utf-8"))
    assert_ok(decoded, text)
    assert decoded.text.count("\r\n") == 2


def test_crlf_kept_after_bom():
    text = "Title\r\n\r\nBody text.\r\n"
    decoded = decode_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    assert_ok(decoded, text)


def test_few_control_characters_are_left_in_text():
    # One NUL in a long text is below the binary threshold and is not removed here.
    text = "A" * 100 + "\x00" + "B" * 100
    decoded = decode_bytes(text.encode("utf-8"))
    assert_ok(decoded, text)


# ---- quarantine reasons -----------------------------------------------------------------


def test_empty_file():
    decoded = decode_bytes(b"")
    assert not decoded.ok
    assert decoded.text is None
    assert decoded.reason.startswith("empty")


@pytest.mark.parametrize("data", [b" ", b"   \n\t\r\n  \n", "\u3000\n".encode()])
def test_whitespace_only_is_empty(data):
    decoded = decode_bytes(data)
    assert not decoded.ok
    assert decoded.reason.startswith("empty")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"PK\x03\x04\x14\x00\x06\x00",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
    ],
    ids=["pdf", "png", "jpeg", "zip", "gzip"],
)
def test_binary_magic(data):
    decoded = decode_bytes(data)
    assert not decoded.ok
    assert decoded.reason.startswith("binary")


def test_pdf_magic_wins_even_if_rest_is_text():
    decoded = decode_bytes(b"%PDF-" + ENGLISH.encode())
    assert decoded.reason.startswith("binary")


def test_control_heavy_ascii_is_binary():
    # Valid UTF-8 (all bytes < 0x80) but mostly NULs and C0 controls.
    data = bytes(range(32)) * 20 + b"some text"
    decoded = decode_bytes(data)
    assert not decoded.ok
    assert decoded.reason.startswith("binary")


@pytest.mark.parametrize(
    ("text", "is_binary"),
    [
        ("x" * 96 + "\x01" * 4, False),  # 4% controls: still text
        ("x" * 94 + "\x01" * 6, True),  # 6%: over the 5% threshold
        ("x" * 90 + "\x00" * 10, True),  # NULs count
        ("x" * 90 + "\x7f" * 10, True),  # DEL counts
        ("x" * 90 + "\x0b" * 10, True),  # vertical tab counts
        ("x" * 90 + "\x1b" * 10, True),  # ESC counts
    ],
)
def test_control_share_threshold(text, is_binary):
    decoded = decode_bytes(text.encode("utf-8"))
    if is_binary:
        assert not decoded.ok
        assert decoded.reason.startswith("binary")
    else:
        assert_ok(decoded, text)


def test_tabs_newlines_and_form_feeds_are_not_control_noise():
    # A TSV-like extraction with page breaks: >50% tab/CR/LF/FF, all legitimate.
    text = "\f".join(["a\tb\r\n\t\n"] * 50)
    decoded = decode_bytes(text.encode("utf-8"))
    assert_ok(decoded, text)


def test_random_bytes_are_not_text():
    data = random.Random(0).randbytes(4096)
    decoded = decode_bytes(data)
    assert not decoded.ok
    assert decoded.text is None
    assert decoded.reason.startswith(("binary", "undecodable"))


def test_invalid_bytes_after_utf8_bom_are_undecodable():
    decoded = decode_bytes(codecs.BOM_UTF8 + b"abc \xff\xfe\xfd def")
    assert not decoded.ok
    assert decoded.reason.startswith("undecodable")


def test_too_large():
    decoded = decode_bytes(b"a" * 101, max_bytes=100)
    assert not decoded.ok
    assert decoded.reason.startswith("too_large")
    assert "101" in decoded.reason


def test_exactly_max_bytes_is_accepted():
    decoded = decode_bytes(b"a" * 100, max_bytes=100)
    assert_ok(decoded, "a" * 100)


def test_size_checked_before_signature():
    decoded = decode_bytes(b"%PDF-" + b"x" * 100, max_bytes=10)
    assert decoded.reason.startswith("too_large")


# ---- content ids ------------------------------------------------------------------------


def test_content_id_is_sha256_based_and_stable():
    data = ENGLISH.encode("utf-8")
    doc_id, sha = content_id(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{16}", doc_id)
    assert doc_id == sha[:16]
    assert content_id(bytes(data)) == (doc_id, sha)  # equal bytes, equal ids


def test_content_id_differs_for_different_bytes():
    a = ENGLISH.encode("utf-8")
    b = ENGLISH.replace("\n", "\r\n").encode("utf-8")  # same text, other line endings
    assert content_id(a)[0] != content_id(b)[0]
    assert content_id(a)[1] != content_id(b)[1]
    assert content_id(b"x")[0] != content_id(b"y")[0]


# ---- legacy encodings: plausibility, not a guess ------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("cp1252", "Résumé: Zürich–Genève, été 2024."),
        ("latin-1", "Résumé: Zürich-Genève, été 2024."),
        ("cp1252", "Officials called it a “complete success” — the crew’s café stayed open."),
        ("gbk", "The Chang'e-4 (嫦娥四号) probe landed on the far side of the Moon (月球背面)."),
        ("big5", "嫦娥四號探測器在月球背面著陸。\n這是人類首次。"),
        ("shift_jis", "はやぶさ2は小惑星リュウグウから試料を持ち帰った。"),
    ],
)
def test_short_legacy_notes_decode_exactly(encoding, text):
    decoded = decode_bytes(text.encode(encoding))
    assert_ok(decoded, text)
    assert decoded.evidence.startswith(("only plausible", "most plausible"))


def test_too_few_cjk_characters_for_two_cjk_codecs_is_quarantined_not_guessed():
    # Four hanzi: too few to tell GBK from the other readings these bytes allow.
    decoded = decode_bytes("Long March 5 (长征五号) lifted off from Wenchang.".encode("gbk"))
    assert decoded.text is None
    assert decoded.reason == (
        "ambiguous_encoding: too little evidence for gb18030 (100% of 4 CJK characters in "
        "the frequent level) against 2 other possible reading(s); best guesses: gb18030 1.00; "
        "cp1252 (1 of 1 non-ASCII runs are not Latin prose); latin-1 (1 of 1 non-ASCII runs "
        "are not Latin prose)"
    )


def test_legacy_latin_reading_is_recorded_as_cp1252_with_its_evidence():
    decoded = decode_bytes("Zhang said the naïve forecast was wrong.\n".encode("latin-1"))
    assert decoded.encoding == "cp1252"  # identical text under ISO-8859-1
    assert decoded.evidence == (
        "only plausible legacy reading: Latin prose (1 accented or punctuation runs)"
    )


def test_cjk_bytes_are_not_read_as_latin_mojibake():
    # GBK "嫦娥" read as cp1252 is "æÏ¶ð": four non-ASCII characters in a row, case flips.
    from taikong.ingest.decode import _plausibility

    assert _plausibility("Chang'e (æÏ¶ð) mission", "latin")[0] == 0


def test_the_detector_breaks_a_tie_between_plausible_long_readings():
    # Characters of real GB2312 text whose GB18030 bytes are also frequent Big5
    # characters: both readings are plausible (100 % frequent level), so the score cannot
    # choose; with some 300 non-ASCII bytes the detector (chardet) decides.
    from taikong.ingest.decode import _frequent_chars

    def also_frequent_big5(c: str) -> bool:
        try:
            read = c.encode("gb18030").decode("big5")
        except UnicodeDecodeError:
            return False
        return read in _frequent_chars("hant")

    line = "".join(
        c for c in CHINESE * 4 + "天宫空间站完成在轨建造长征五号运载火箭" if also_frequent_big5(c)
    )
    text = "\n".join([line] * 4) + "\n"
    data = text.encode("gb18030")
    assert data.decode("big5") != text  # the other plausible reading
    decoded = decode_bytes(data)
    assert_ok(decoded, text)
    assert (decoded.encoding, decoded.evidence.split(":")[0]) == (
        "gb18030",
        "chardet gb18030 among plausible",
    )


def test_no_plausible_reading_is_quarantined_with_best_guesses():
    # Two bytes that decode under several CJK codecs, none of them with evidence.
    decoded = decode_bytes(b"\xe6\xcf\n")
    assert not decoded.ok
    assert decoded.reason.startswith("ambiguous_encoding: ")
    assert "best guesses: " in decoded.reason


# ---- UTF-8 with a few invalid bytes: one rule ---------------------------------------------

UTF8_NOTE = "Résumé: Zürich–Genève, été 2024. 神舟五号发射成功。\n"


def with_bad_bytes(text: str, n_bad: int) -> tuple[bytes, str]:
    """(UTF-8 bytes with n_bad 0xFF bytes inserted, the text the rule should give)."""
    spots = [i for i, c in enumerate(text) if c.isascii()][:n_bad]
    data = b"".join((b"\xff" if i in spots else b"") + c.encode() for i, c in enumerate(text))
    expected = "".join(("\ufffd" if i in spots else "") + c for i, c in enumerate(text))
    return data, expected


@pytest.mark.parametrize("n_bad", [1, 3, 8])
def test_a_few_invalid_utf8_bytes_are_replaced_and_counted(n_bad):
    data, expected = with_bad_bytes(UTF8_NOTE, n_bad)
    decoded = decode_bytes(data)
    assert_ok(decoded, expected)
    assert decoded.encoding == "utf-8"
    assert decoded.n_replaced == n_bad
    assert decoded.evidence.startswith(f"UTF-8 with {n_bad} invalid byte(s), each replaced")


def test_one_and_three_bad_bytes_follow_the_same_rule():
    one = bytearray(UTF8_NOTE.encode())
    one[5] = 0xFF
    three = bytearray(one)
    three[15] = three[25] = 0xFE
    a, b = decode_bytes(bytes(one)), decode_bytes(bytes(three))
    assert (a.encoding, a.n_replaced) == ("utf-8", 1)
    assert (b.encoding, b.n_replaced) == ("utf-8", 3)


def test_many_invalid_utf8_bytes_quarantine_the_file():
    data, _ = with_bad_bytes(UTF8_NOTE * 4, 9)
    decoded = decode_bytes(data)
    assert decoded.reason == (
        "corrupt_utf8: 9 invalid bytes in UTF-8 text (at most 8 are replaced)"
    )
