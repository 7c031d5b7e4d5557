"""Question normalisation: width, look-alike characters, Simplified -> Traditional, written Cantonese
-> Mandarin, code spellings; and an English gloss (domain words in the documents' Chinese)."""

from __future__ import annotations

import difflib
import re
import tomllib
from functools import cache, lru_cache
from pathlib import Path

from index.codes import canonical
from index.text import plain_question

LEXICON = Path(__file__).parent / "data" / "lexicon.toml"
SIMPLIFIED = Path(__file__).parent / "data" / "simplified.txt"  # scripts/simplified_chars.py writes it
_CJK = r"\u3400-\u9fff"


@cache
def _converter(config: str):  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC(config)


@cache
def _simplified() -> frozenset[str]:
    """The characters s2t changes on its own: text with none of them is not Simplified, and OpenCC (~80 ms to
    load its dictionaries) is not started for it."""
    return frozenset(SIMPLIFIED.read_text("utf-8").splitlines()[1])


@cache
def _lexicon() -> dict:  # type: ignore[type-arg]
    with LEXICON.open("rb") as f:
        return tomllib.load(f)


@cache
def _cantonese() -> tuple[tuple[str, ...], list[tuple[re.Pattern[str], str]]]:
    data = _lexicon()["cantonese"]
    return tuple(data["markers"]), [(re.compile(a), b) for a, b in data["rules"]]


@cache
def _english() -> list[tuple[re.Pattern[str], str]]:
    terms = sorted(_lexicon()["english"]["terms"], key=lambda pair: -len(pair[0]))  # "operating system" before "system"
    return [(re.compile(rf"(?<![A-Za-z]){re.escape(a)}(?![A-Za-z])", re.I), b) for a, b in terms]


@cache
def _abbreviations() -> list[tuple[str, str]]:
    return [(a, b) for a, b in _lexicon()["abbreviations"]["terms"]]


def to_traditional(text: str) -> str:
    """Simplified -> Traditional (Taiwan phrasing), only when the text has Simplified characters."""
    # 台 is how Taiwan writes 臺 every day (the standards print 平台): it is no sign of Simplified text
    plain = text.replace("台", "臺")
    if _simplified().isdisjoint(plain) or _converter("s2t").convert(plain) == plain:
        return text
    converted = _keep_document_words(_converter("s2twp").convert(text), _converter("s2tw").convert(text))
    return "".join("台" if a == "台" and b == "臺" else b for a, b in zip(text, converted, strict=False)) \
        if len(converted) == len(text) else converted


@cache
def _document_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    data = _lexicon()["simplified"]
    return tuple(data["keep"]), tuple(data["taiwan"])


def _keep_document_words(taiwan: str, plain: str) -> str:
    """Taiwan phrasing (软件 -> 軟體), except where it rewrites a word the documents print as it is (项目 is 項目 in
    「組態項目」, not 專案; 文件 stays 文件, not 檔案)."""
    if taiwan == plain:
        return taiwan
    keep, phrases = _document_words()
    out: list[str] = []
    for op, a1, a2, b1, b2 in _char_opcodes(taiwan, plain):
        kept = op != "equal" and _overlaps(plain, b1, b2, keep) and not _overlaps(taiwan, a1, a2, phrases)
        out.append(plain[b1:b2] if kept else taiwan[a1:a2])
    return "".join(out)


def _char_opcodes(taiwan: str, plain: str) -> list[tuple[str, int, int, int, int]]:
    """The differences, a replacement of equal length one character at a time (网络设备: 絡→路 apart from 設備→裝置)."""
    ops: list[tuple[str, int, int, int, int]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, taiwan, plain, autojunk=False).get_opcodes():
        if op == "replace" and a2 - a1 == b2 - b1:
            ops.extend((op, a1 + i, a1 + i + 1, b1 + i, b1 + i + 1) for i in range(a2 - a1))
        else:
            ops.append((op, a1, a2, b1, b2))
    return ops


def _overlaps(text: str, start: int, end: int, words: tuple[str, ...]) -> bool:
    return any(m.start() < max(end, start + 1) and m.end() > start
               for word in words for m in re.finditer(re.escape(word), text))


def from_cantonese(text: str) -> str:
    """Written Cantonese particles in Mandarin ("要識啲咩" -> "要會些什麼"), only in Cantonese text."""
    markers, rules = _cantonese()
    if not any(m in text for m in markers):
        return text
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


@cache
def _typos() -> list[tuple[str, str]]:
    return [(a, b) for a, b in _lexicon()["typos"]["terms"]]


def fix_typos(text: str) -> str:
    """Misspellings that are never right as typed (data/lexicon.toml [typos]) written as the documents spell them."""
    for wrong, right in _typos():
        if wrong in text:
            text = text.replace(wrong, right)
    return text


@cache
def _field_words() -> tuple[str, ...]:
    return tuple(_lexicon()["field_typos"]["words"])


def fix_field_typos(text: str) -> str:
    """A field name typed with one character wrong after its first two (「入門條見」 -> 入門條件), unless the four
    characters are a field name already."""
    words = _field_words()
    for word in words:
        if word in text or word[:2] not in text:
            continue
        for m in re.finditer(rf"(?={re.escape(word[:2])}[\u4e00-\u9fff]{{2}})", text):
            window = text[m.start() : m.start() + 4]
            if window not in words and sum(a == b for a, b in zip(window, word, strict=True)) == 3:
                text = text[: m.start()] + word + text[m.start() + 4 :]
    return text


def clean_question(text: str) -> str:
    """A question made plain (index/text.py), then in Traditional Chinese, Mandarin and the documents' spelling."""
    return fix_field_typos(fix_typos(from_cantonese(to_traditional(plain_question(text)))))


def normalize(text: str) -> str:
    return canonical(clean_question(text))


def typed_code(text: str) -> str:
    """A code as typed on its own: full-width letters and digits, look-alike dots and dashes, zero-width and other
    invisible characters and spaces inside it all made plain ("Ｔ２．２", "T2\u200d.2" -> "T2.2")."""
    return canonical(re.sub(r"\s+", "", clean_question(text)))


@cache
def _concepts() -> list[tuple[re.Pattern[str], str]]:
    pairs = _lexicon().get("concepts", {}).get("terms", [])
    return [(re.compile(rf"(?<![A-Za-z]){re.escape(a)}(?![A-Za-z])", re.I), b) for a, b in pairs]


@cache
def _everyday() -> list[tuple[str, str]]:
    return [(a.lower(), b) for a, b in _lexicon()["everyday"]["terms"]]


def everyday(text: str) -> list[str]:
    """The documents' words for the everyday words a text uses (「審計」 -> 稽核, 「出包」 -> 異常 問題)."""
    low = text.lower()
    return [words for word, words in _everyday() if word in low and (not word.isascii() or re.search(
        rf"(?<![a-z]){re.escape(word)}(?![a-z])", low))]


def concepts(text: str) -> list[str]:
    """The documents' words for the tools and certificates a text names ("SQL" -> 資料庫)."""
    return [b for pattern, b in _concepts() if pattern.search(text)]


@cache
def _glossary_words() -> frozenset[str]:
    return frozenset(w for a, _ in _lexicon()["english"]["terms"] for w in re.split(r"[\s\-]+", a.lower()))


def glossary_runs(text: str) -> list[tuple[int, int]]:
    """Spans of two or more consecutive English glossary words ("cloud system developer")."""
    words = _glossary_words()
    runs, start, end, count = [], -1, -1, 0
    for m in re.finditer(r"[A-Za-z][A-Za-z\-]*", text):
        joined = m.start() - end <= 1 and count > 0 and not text[end : m.start()].strip()
        if m.group().lower() in words or m.group().lower().replace("-", "") in words:
            if not joined:
                if count >= 2:
                    runs.append((start, end))
                start, count = m.start(), 0
            end, count = m.end(), count + 1
        else:
            if count >= 2:
                runs.append((start, end))
            count = 0
    if count >= 2:
        runs.append((start, end))
    return runs


@lru_cache(maxsize=4096)
def gloss(text: str) -> str:
    """English domain words and everyday abbreviations replaced by the documents' Chinese
    ("cloud system developer" -> "雲端系統開發", "電商" -> "電子商務")."""
    for short, full in _abbreviations():
        if short in text:
            text = text.replace(short, full)
    if not re.search(r"[A-Za-z]{3}", text):
        return text
    for pattern, chinese in _english():
        text = pattern.sub(chinese, text)
    return re.sub(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])", "", text)
