"""Accuracy of encoding choice on 1-3-line inputs: old decoder, detectors alone, new decoder.

Run: uv run --frozen python bench/encoding_accuracy.py [OLD_DECODE_MODULE.py]
An answer is right only when the decoded text equals the original exactly; a
quarantine is counted apart (safe, but the sentence is not published).
"""

from __future__ import annotations

import importlib.util
import sys

import chardet
from charset_normalizer import from_bytes

from taikong.ingest.decode import DECODE_VERSION, decode_bytes

SAMPLES = [
    ("cp1252", "Résumé: Zürich–Genève, été 2024."),
    ("latin-1", "Résumé: Zürich-Genève, été 2024."),
    ("cp1252", "Officials called it a “complete success” — the crew’s café stayed open."),
    ("cp1252", "Zhang said the naïve forecast was wrong."),
    ("latin-1", "Le lancement a eu lieu à Kourou.\nLa fusée a décollé à l'heure prévue."),
    ("cp1252", "Über 200 Satelliten wurden 2024 gestartet.\nDie Mission „Chang’e-6“ kam zurück."),
    ("cp1252", "El cohete despegó del centro de lanzamiento.\nLa misión duró seis días."),
    ("latin-1", "São Paulo recebeu a delegação.\nA missão foi um êxito."),
    ("gbk", "The Chang'e-4 (嫦娥四号) probe landed on the far side of the Moon (月球背面)."),
    ("gbk", "Long March 5 (长征五号) lifted off from Wenchang."),
    ("gbk", "嫦娥五号探测器成功着陆月球。"),
    ("gb18030", "中国载人航天工程办公室宣布，神舟五号载人飞船发射成功。\n航天员杨利伟状态良好。"),
    ("gb18030", "天宫空间站完成在轨建造。"),
    ("big5", "中國載人航天工程辦公室宣布，神舟五號載人飛船發射成功。"),
    ("big5", "嫦娥四號探測器在月球背面著陸。\n這是人類首次。"),
    ("shift_jis", "中国の宇宙ステーション「天宮」が完成した。"),
    ("shift_jis", "はやぶさ2は小惑星リュウグウから試料を持ち帰った。\n日本の探査機です。"),
    ("utf-16-le", "Tiangong space station report.\nThe crew docked on schedule."),
    ("utf-16-be", "Tiangong space station report.\nThe crew docked on schedule."),
    ("utf-8", "Résumé: Zürich–Genève, été 2024. 神舟五号"),
]


def _load(path: str):
    spec = importlib.util.spec_from_file_location("old_decode", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_decode"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.decode_bytes


def _detector(name: str):
    def decode(data: bytes) -> str | None:
        if name == "chardet":
            enc = chardet.detect(data)["encoding"]
        else:
            best = from_bytes(data).best()
            enc = best.encoding if best else None
        try:
            return data.decode(enc) if enc else None
        except (UnicodeDecodeError, LookupError):
            return None

    return decode


def main() -> None:
    deciders = {
        "chardet 7 alone": _detector("chardet"),
        "charset-normalizer alone": _detector("cn"),
    }
    if len(sys.argv) > 1:
        old = _load(sys.argv[1])
        deciders = {"before (old decoder)": lambda b: old(b).text, **deciders}
    deciders[f"after (taikong {DECODE_VERSION})"] = lambda b: decode_bytes(b).text
    for label, decide in deciders.items():
        right = quarantined = 0
        wrong = []
        for encoding, text in SAMPLES:
            out = decide(text.encode(encoding))
            if out == text:
                right += 1
            elif out is None:
                quarantined += 1
            else:
                wrong.append(encoding)
        print(
            f"{label:<28} right {right}/{len(SAMPLES)}  quarantined {quarantined}  "
            f"garbled {len(wrong)} {wrong}"
        )


if __name__ == "__main__":
    main()
