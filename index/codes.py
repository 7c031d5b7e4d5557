"""Every pattern for the codes printed in the standards, in one place.

Used by the parser (codes glued to cell text), question understanding (every spelling a person
types), search (exact codes first) and formatting (finding the codes an answer states).

Codes as printed:
  T2 (duty), T2.2 (task), P2.2.1 (indicator), O2.2.1 (output), K01 / K1, S01, A01
  IIS3513-006v4, ISD3512-001v3 (standards), IIS4R0751v2 (units); a code without a version
  suffix (INM3513-005) is an older edition.
The 職能單元 prints no codes; its stable ids are documented in index/parse.py:
  工作任務一, 工作任務一-1, K一, S一, 評量一, 評量一-1, 註1
"""

from __future__ import annotations

import re

CN_NUMERALS = "一二三四五六七八九十"

# ---------------------------------------------------------------- standards and versions
STANDARD = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,5}\d{1,4}[A-Za-z]?\d{0,5}(?:-\d{3})?(?:[vV]\d+)?")
STANDARD_LOOKS_REAL = re.compile(r"\d{3,4}-\d{3}|\d[A-Za-z]\d{4}")  # an unknown code worth reporting
VERSION_SUFFIX = re.compile(r"v(\d+)$", re.I)
# "INM3513-005 v 4", "iis 3513 - 006 V4", "I N M 3513 - 005 v4", "ISD3512 001v3" -> "INM3513-005v4" (applied
# before STANDARD)
_SPACED_STANDARD = re.compile(
    r"(?<![A-Za-z])([A-Za-z]{2,5}|(?:[A-Z]\s){1,4}[A-Z])\s?(\d{3,4}[A-Za-z]?\d{0,5})(?:\s?[-－]\s?|\s)(\d{3})"
    r"(?:\s?([vV])\s?(\d{1,2}))?(?![\d])"
)

# ---------------------------------------------------------------- items inside a standard
ITEM_CODE = r"[TPOKSA]\d+(?:\.\d+){0,2}"  # T2, T2.2, P2.2.1, O2.2.1, K01, S01, A01 (a pattern's part)
TASK = re.compile(r"(?<![A-Za-z\d.])T(\d{1,2})\.(\d{1,2})(?![\d.])")
DUTY = re.compile(r"(?<![A-Za-z\d.])T(\d{1,2})(?![\d.])")
INDICATOR_OR_OUTPUT = re.compile(r"(?<![A-Za-z\d.])([PO]\d{1,2}\.\d{1,2}\.\d{1,2})(?![\d.])")
KSA = re.compile(r"(?<![A-Za-z\d])([KSA])(\d{1,3})(?![\da-z])")  # not the K8 of "K8s"
UNIT_ID = re.compile(  # 「工作任務一共有幾個」 is 工作任務 + 一共 (in all), no 工作任務一
    rf"(工作任務[{CN_NUMERALS}]+(?!共)(?:-\d+)?|[KS][{CN_NUMERALS}]+|註\d+|評量[{CN_NUMERALS}](?:-\d+)?)"
)
UNIT_SECTION = re.compile(rf"工作任務[{CN_NUMERALS}]+")  # a 職能單元 work section's id (index/parse.py)
ANY_ITEM = re.compile(rf"(?<![A-Za-z0-9])({ITEM_CODE})(?![\d.])")
ITEM_IN_TEXT = re.compile(rf"(?<![A-Za-z0-9])({ITEM_CODE})(?![A-Za-z0-9.])")  # a code as a word
STANDARD_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,5}\d{3,4}[A-Za-z]?\d*-\d{3}(?:[vV]\d+)?")

# ---------------------------------------------------------------- as printed in table cells (glued to text)
_CELL_TASK_CODE = r"T\s*(\d+)\s*\.\s*(\d+)"  # "T 2 . 2": a task code as a cell may space it
CELL_DUTY = re.compile(r"^T\s*(\d+)(?![\d.])\s*(.*)$", re.S)
CELL_TASK = re.compile(rf"^{_CELL_TASK_CODE}\s*(.*)$", re.S)
CELL_TASKS = re.compile(rf"(?<![A-Za-z0-9]){_CELL_TASK_CODE}")  # several task codes sharing one cell
ITEM_START = re.compile(r"^[TPOKSA]\d")  # text that begins with an item's code
LINE_ITEM_START = r"[TPOKSA]\s?\d"  # a PDF line that begins an item with its code (a pattern's part)
CODE_CHARACTERS = r"[A-Za-z0-9\-]"  # what a standard's code is written with (a pattern's part)
CELL_INDICATOR_OR_OUTPUT = re.compile(r"(?<![A-Za-z0-9])([PO]\d+\.\d+\.\d+)")
CELL_K = re.compile(r"(?<![A-Za-z0-9])(K\d+)")
CELL_S = re.compile(r"(?<![A-Za-z0-9])(S\d+|S(?=\s+[\u4e00-\u9fff]))")  # "S 雲端平台操作能力": no number
CELL_A = re.compile(r"(?<![A-Za-z0-9])(A\d+)")
NOTE_REF = re.compile(r"【註(\d+)】")

# ---------------------------------------------------------------- spellings people type
_WORDS_FOR_CODES = [
    (re.compile(r"(?:工作)?任務\s*(\d+)\s*[.\-_]\s*(\d+)(?!\s*(?:分|級|點|顆星|星|%))"), r"T\1.\2"),  # 「1-5分」: a scale
    (re.compile(r"(?:工作)?職責\s*(\d+)(?![\d.])"), r"T\1"),
    (re.compile(r"行為指標\s*(\d+)\s*\.\s*(\d+)\s*\.\s*(\d+)"), r"P\1.\2.\3"),
    (re.compile(r"(?i)\btask\s*(\d+)\s*[.\-_]\s*(\d+)"), r"T\1.\2"),
]
# "T 2.2", "t2-2", "T2 . 2", "T2。2", "T2、2", "p2.2.1" -> canonical; "k 05" -> K05
_SPACED_ITEM = re.compile(
    r"(?<![A-Za-z])([TtPpOo])\s?(\d{1,2})(?:\s?[.\-_。、]\s?(\d{1,2}))(?:\s?[.\-_。、]\s?(\d{1,2}))?(?![\d])"
)
# a lower-case letter spaced from its number only at the start or after Chinese: "a 502" is an article and a number;
# an upper-case one may be parted from it by 、 or 。 as well ("S、18")
_SPACED_KSA = re.compile(r"(?<![A-Za-z])([KSA]\s?(?:[、。]\s?)?|[ksa]|(?:(?<=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff]\s)|^)[ksa]\s)(\d{1,3})(?!\d)")


def family_and_version(code: str) -> tuple[str, int | None]:
    """'IIS3513-006v4' -> ('IIS3513-006', 4); 'INM3513-005' -> ('INM3513-005', None)."""
    m = VERSION_SUFFIX.search(code)
    if not m:
        return code, None
    return code[: m.start()], int(m.group(1))


def join_standard_codes(text: str) -> str:
    """Standard codes typed with spaces ("IIS3513-006 v4") written as printed."""

    def joined(m: re.Match[str]) -> str:
        letters = re.sub(r"\s", "", m.group(1))
        head = f"{letters}{m.group(2)}-{m.group(3)}".upper()
        return head + (f"v{m.group(5)}" if m.group(5) else "")

    return _SPACED_STANDARD.sub(joined, text)


def canonical(text: str) -> str:
    """Every spelling of an item code rewritten into its printed form (T2.2, P2.2.1, K05)."""
    text = join_standard_codes(text)
    for pattern, repl in _WORDS_FOR_CODES:
        text = pattern.sub(repl, text)

    def spaced(m: re.Match[str]) -> str:
        parts = [p for p in m.groups()[1:] if p]
        return m.group(1).upper() + ".".join(parts)

    text = _SPACED_ITEM.sub(spaced, text)
    return _SPACED_KSA.sub(lambda m: re.sub(r"[\s、。]", "", m.group(1)).upper() + m.group(2), text)  # 「S、18」 too


def standard_codes(text: str) -> list[str]:
    return [m.group() for m in STANDARD.finditer(text)]


def without_standard_codes(text: str) -> str:
    return STANDARD.sub(" ", text)


def task_codes(text: str) -> list[str]:
    return [f"T{a}.{b}" for a, b in TASK.findall(text)]


def duty_codes(text: str) -> list[str]:
    return [f"T{a}" for a in DUTY.findall(TASK.sub(" ", text))]


def item_codes(text: str) -> list[str]:
    """P, O, K, S and A codes."""
    return [*INDICATOR_OR_OUTPUT.findall(text), *(a + b for a, b in KSA.findall(text))]


def unit_ids(text: str) -> list[str]:
    return UNIT_ID.findall(text)


def codes_in(text: str) -> list[str]:
    """Every item code an answer text states (T, P, O, K, S, A)."""
    return ANY_ITEM.findall(text)


# the letter heading a column of knowledge, skills or attitudes, on its own (「有幾個 K」「S 呢」), never a code's (K01)
FIELD_LETTER = r"(?<![A-Za-z])([KSA])(?![A-Za-z0-9=])"
FIELD_LETTERS = {"K": "knowledge", "S": "skills", "A": "attitudes"}
