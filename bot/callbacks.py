"""Button data (Telegram's callback data): one frozen dataclass per kind of button, to and from its string.

Every button the bot offers carries one of these, encoded (`encode`); every press is read here (`decode`, the one
entry point) before anything acts on it. The strings are the ones earlier versions sent, so a keyboard shown last
week still works after a restart or an upgrade, and each is below Telegram's 64 bytes (`encode` refuses longer
ones: a question too long for its button gets no button). Decoding checks every field: ids are digits within
what the database holds, codes look like codes, choices are among their values. Anything else (a stale grammar,
data tampered with, an unknown kind, more than 64 bytes) decodes to `Unreadable`, which names the family it
claimed to be from, so the engine answers it politely as that family answers a stale button.

  std:<code>                    Choose           a standard (and re-ask the question that waited for it)
  cmd:<name>                    Command          a command without arguments (menus)
  ex:<n>                        Example          the n-th example question of prompts/bot.toml
  pg:<pages>:<n>                Page             the n-th page of a long reply (bot/paging.py)
  ref:<n>                       Referent         the n-th thing a pointer (「它」) may mean
  ask:<text>                    Ask              ask this question (an answer's follow-up)
  fg:y:<unix time> / fg:n       ForgetYes / ForgetNo   the /forget question (bot/forget.py)
  as:…                          the self-assessment (bot/assessment/menus.py and service.py)
  rv:…                          reviews (bot/reviews.py)
  tm:…                          teams (bot/teams.py)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal, get_args, get_origin, get_type_hints

from bot.store import MAX_BIG_ID, MAX_ROW_ID
from index import codes

LIMIT_BYTES = 64  # Telegram's limit for callback data
MAX_INDEX = 99_999  # a question, page, part or example number (the handler checks it against what it shows)
MAX_SECONDS = 10**11  # a Unix time
SEPARATOR = ":"


class TooLong(ValueError):
    """The data would not fit Telegram's 64 bytes."""


# ---------------------------------------------------------------- field types
# Each is `str` or `int` to the code using it; the marker says how a field is checked when it is read.
class RowId(int):
    """A row's id (assessments, results, review links, teams, kept pages)."""


class UserId(int):
    """A Telegram user id."""


class Index(int):
    """A position: a question, a page, a part, an example."""


class Seconds(int):
    """A Unix time."""


class Code(str):
    """A standard's or 職能單元's code."""


class Duty(str):
    """A duty's code (T1)."""


class Section(str):
    """A 職能單元 section's id (工作任務二)."""


class Name(str):
    """A command's name."""


class Check(str):
    """The start of a join link's hash (hex)."""


class Text(str):
    """The rest of the data, whatever it holds (only as the last field)."""


_LIMITS = {RowId: MAX_ROW_ID, UserId: MAX_BIG_ID, Index: MAX_INDEX, Seconds: MAX_SECONDS}
_PATTERNS = {
    Code: codes.STANDARD,
    Duty: codes.DUTY,
    Section: codes.UNIT_SECTION,
    Name: re.compile(r"[a-z_]{1,32}"),
    Check: re.compile(r"[0-9a-f]{16}"),
}


# ---------------------------------------------------------------- the kinds
@dataclass(frozen=True, slots=True)
class Data:
    """One kind of button data: `tag` is what its string starts with."""

    tag: ClassVar[str] = ""

    def encode(self) -> str:
        values = [_text(getattr(self, f.name)) for f in fields(self)]
        while values and values[-1] is None:  # an optional last field left out
            values.pop()
        data = SEPARATOR.join([self.tag, *(v for v in values if v is not None)])
        if len(data.encode()) >= LIMIT_BYTES:
            raise TooLong(data[:LIMIT_BYTES])
        return data

    @property
    def family(self) -> str:
        return family(self.tag)


@dataclass(frozen=True, slots=True)
class Unreadable(Data):
    """Data that is no button of ours (stale, tampered with, too long): answered politely, never acted on."""

    claimed: str = ""  # the family it claimed to be from ("as", "rv", …; "" for none we know)

    @property
    def family(self) -> str:
        return self.claimed

    def encode(self) -> str:
        raise TypeError("unreadable button data is never sent")


# The engine's own buttons
@dataclass(frozen=True, slots=True)
class Choose(Data):
    tag: ClassVar[str] = "std"
    code: Code


@dataclass(frozen=True, slots=True)
class Command(Data):
    tag: ClassVar[str] = "cmd"
    name: Name


@dataclass(frozen=True, slots=True)
class Example(Data):
    tag: ClassVar[str] = "ex"
    number: Index


@dataclass(frozen=True, slots=True)
class Page(Data):
    tag: ClassVar[str] = "pg"
    pages: RowId
    number: Index


@dataclass(frozen=True, slots=True)
class Referent(Data):
    tag: ClassVar[str] = "ref"
    number: Index


@dataclass(frozen=True, slots=True)
class Ask(Data):
    tag: ClassVar[str] = "ask"
    question: Text


@dataclass(frozen=True, slots=True)
class ForgetYes(Data):
    tag: ClassVar[str] = "fg:y"
    asked: Seconds  # when the question was asked (the button works for a while)


@dataclass(frozen=True, slots=True)
class ForgetNo(Data):
    tag: ClassVar[str] = "fg:n"


# The self-assessment: starting (bot/assessment/menus.py)
@dataclass(frozen=True, slots=True)
class AssessStandard(Data):
    tag: ClassVar[str] = "as:std"
    code: Code


@dataclass(frozen=True, slots=True)
class AssessBegin(Data):
    """The engine's 「以此基準自我評估」 (the chat's focus moves to the standard too)."""

    tag: ClassVar[str] = "as:begin"
    code: Code


@dataclass(frozen=True, slots=True)
class StandardsPage(Data):
    tag: ClassVar[str] = "as:sp"
    page: Index


@dataclass(frozen=True, slots=True)
class Quick(Data):
    tag: ClassVar[str] = "as:q"
    code: Code


@dataclass(frozen=True, slots=True)
class QuickMenu(Data):
    """`as:qm:` and `as:qg:`, ticks of an earlier version: the tick menu again."""

    tag: ClassVar[str] = "as:qm"
    code: Code
    rest: Text | None = None


@dataclass(frozen=True, slots=True)
class QuickGroup(QuickMenu):
    tag: ClassVar[str] = "as:qg"


@dataclass(frozen=True, slots=True)
class Tick(Data):
    tag: ClassVar[str] = "as:qt"
    code: Code
    part: Index
    page: Index


@dataclass(frozen=True, slots=True)
class TicksPage(Data):
    tag: ClassVar[str] = "as:qp"
    code: Code
    page: Index


@dataclass(frozen=True, slots=True)
class StartTicked(Data):
    tag: ClassVar[str] = "as:qs"
    code: Code


@dataclass(frozen=True, slots=True)
class Deep(Data):
    tag: ClassVar[str] = "as:d"
    code: Code


@dataclass(frozen=True, slots=True)
class DutiesPage(Data):
    tag: ClassVar[str] = "as:dp"
    code: Code
    page: Index


@dataclass(frozen=True, slots=True)
class DeepDuty(Data):
    tag: ClassVar[str] = "as:dd"
    code: Code
    duty: Duty
    part: Index | None = None  # one part of a duty too large for one assessment


@dataclass(frozen=True, slots=True)
class UnitSection(Data):
    tag: ClassVar[str] = "as:u"
    code: Code
    section: Section


@dataclass(frozen=True, slots=True)
class SectionsPage(Data):
    tag: ClassVar[str] = "as:up"
    code: Code
    page: Index


# The self-assessment: answering (bot/assessment/service.py)
Rating = Literal["0", "1", "2", "3", "s"]  # a level of the scale, or s: skipped


@dataclass(frozen=True, slots=True)
class Rate(Data):
    tag: ClassVar[str] = "as:a"
    assessment: RowId
    question: Index
    rating: Rating

    @property
    def score(self) -> int | None:
        return None if self.rating == "s" else int(self.rating)


@dataclass(frozen=True, slots=True)
class Back(Data):
    tag: ClassVar[str] = "as:b"
    assessment: RowId
    question: Index


@dataclass(frozen=True, slots=True)
class SkipPrompt(Data):
    """Skip the example or the follow-up question of a question."""

    tag: ClassVar[str] = "as:e"
    assessment: RowId
    question: Index


@dataclass(frozen=True, slots=True)
class Stop(Data):
    """中止: asks first."""

    tag: ClassVar[str] = "as:x"
    assessment: RowId | None = None


@dataclass(frozen=True, slots=True)
class StopKeep(Data):
    tag: ClassVar[str] = "as:xk"
    assessment: RowId


@dataclass(frozen=True, slots=True)
class StopDiscard(Data):
    tag: ClassVar[str] = "as:xd"
    assessment: RowId


@dataclass(frozen=True, slots=True)
class StopCancelled(Data):
    """Go on after all."""

    tag: ClassVar[str] = "as:xc"
    assessment: RowId


@dataclass(frozen=True, slots=True)
class Resume(Data):
    tag: ClassVar[str] = "as:rs"


@dataclass(frozen=True, slots=True)
class Restart(Data):
    """Drop the active assessment and start anew (of this standard, when one is named)."""

    tag: ClassVar[str] = "as:rn"
    code: Code | None = None


@dataclass(frozen=True, slots=True)
class Report(Data):
    tag: ClassVar[str] = "as:rep"
    result: RowId


@dataclass(frozen=True, slots=True)
class History(Data):
    tag: ClassVar[str] = "as:hist"


# Reviews (bot/reviews.py)
Mark = Literal["0", "1", "2", "3", "c", "s"]  # a level, c: confirm the self rating, s: skip the task


@dataclass(frozen=True, slots=True)
class Share(Data):
    tag: ClassVar[str] = "rv:share"
    result: RowId


@dataclass(frozen=True, slots=True)
class ReviewMark(Data):
    tag: ClassVar[str] = "rv:m"
    link: RowId
    task: Index
    mark: Mark


@dataclass(frozen=True, slots=True)
class NoComment(Data):
    tag: ClassVar[str] = "rv:n"
    link: RowId
    task: Index


@dataclass(frozen=True, slots=True)
class Indicators(Data):
    tag: ClassVar[str] = "rv:i"
    link: RowId
    task: Index
    shown: bool


@dataclass(frozen=True, slots=True)
class ReviewPause(Data):
    tag: ClassVar[str] = "rv:p"
    link: RowId


# Teams (bot/teams.py)
JoinMode = Literal["n", "a"]  # n: results from now on, a: with the earlier ones


@dataclass(frozen=True, slots=True)
class Join(Data):
    tag: ClassVar[str] = "tm:j"
    team: RowId
    mode: JoinMode
    check: Check  # the start of the link's hash: the button cannot be forged without the link


@dataclass(frozen=True, slots=True)
class NotJoin(Data):
    tag: ClassVar[str] = "tm:x"


@dataclass(frozen=True, slots=True)
class RemoveMember(Data):
    tag: ClassVar[str] = "tm:rm"
    team: RowId
    user: UserId


@dataclass(frozen=True, slots=True)
class NewLink(Data):
    tag: ClassVar[str] = "tm:ln"
    team: RowId


@dataclass(frozen=True, slots=True)
class Leave(Data):
    tag: ClassVar[str] = "tm:lv"
    team: RowId


@dataclass(frozen=True, slots=True)
class Notices(Data):
    tag: ClassVar[str] = "tm:nt"
    team: RowId
    on: bool


@dataclass(frozen=True, slots=True)
class TeamReport(Data):
    tag: ClassVar[str] = "tm:rp"
    team: RowId


# ---------------------------------------------------------------- reading
FAMILIES = ("as", "rv", "tm", "fg")  # kinds whose tag is two words (as:a, rv:m, …)
KINDS: dict[str, type[Data]] = {cls.tag: cls for cls in (
    Choose, Command, Example, Page, Referent, Ask, ForgetYes, ForgetNo,
    AssessStandard, AssessBegin, StandardsPage, Quick, QuickMenu, QuickGroup, Tick, TicksPage, StartTicked, Deep,
    DutiesPage, DeepDuty, UnitSection, SectionsPage, Rate, Back, SkipPrompt, Stop, StopKeep, StopDiscard,
    StopCancelled, Resume, Restart, Report, History,
    Share, ReviewMark, NoComment, Indicators, ReviewPause,
    Join, NotJoin, RemoveMember, NewLink, Leave, Notices, TeamReport,
)}


def family(data: str) -> str:
    """The family a string claims to be from: its first word ("as" for as:a:…, "std" for std:…)."""
    return data.partition(SEPARATOR)[0]


def decode(data: str | Data) -> Data:
    """The button a string is; `Unreadable` for anything else. Never raises."""
    if isinstance(data, Data):
        return data
    head, _, rest = data.partition(SEPARATOR)
    if len(data.encode("utf-8", "surrogatepass")) >= LIMIT_BYTES:
        return Unreadable(head if head in FAMILIES or head in KINDS else "")
    if head in FAMILIES:
        action, _, rest = rest.partition(SEPARATOR)
        kind, tag = KINDS.get(f"{head}{SEPARATOR}{action}"), f"{head}{SEPARATOR}{action}"
    else:
        kind, tag = KINDS.get(head), head
    if kind is None:
        return Unreadable(head if head in FAMILIES or head in KINDS else "")
    values = _fields(kind, data[len(tag) + 1 :] if len(data) > len(tag) else None)
    return kind(*values) if values is not None else Unreadable(head)


def _fields(kind: type[Data], rest: str | None) -> list[Any] | None:
    """The typed values of a kind's fields read from the rest of the string; None when they do not fit."""
    types = get_type_hints(kind)
    specs = [(f.name, types[f.name], f.default is not None or _optional(types[f.name])) for f in fields(kind)]
    if not specs:
        return [] if rest is None else None
    parts = [] if rest is None else rest.split(SEPARATOR, len(specs) - 1)
    if len(parts) > len(specs):
        return None
    values = []
    for n, (_name, kind_of, _has_default) in enumerate(specs):
        optional = _optional(kind_of)
        if n >= len(parts):
            if not optional:
                return None
            values.append(None)
            continue
        value = _read(_plain(kind_of), parts[n])
        if value is None:
            return None
        values.append(value)
    return values


def _optional(kind_of: Any) -> bool:
    return type(None) in get_args(kind_of)


def _plain(kind_of: Any) -> Any:
    """`X | None` -> X."""
    args = [a for a in get_args(kind_of) if a is not type(None)]
    return args[0] if args and get_origin(kind_of) is not Literal else kind_of


def _read(kind_of: Any, text: str) -> Any:
    """One field's value, or None when the text is not one."""
    if get_origin(kind_of) is Literal:
        return text if text in get_args(kind_of) else None
    if kind_of is bool:
        return {"1": True, "0": False}.get(text)
    if kind_of in _LIMITS:
        if not (text.isascii() and text.isdigit()) or len(text) > 20 or int(text) > _LIMITS[kind_of]:
            return None
        return int(text)
    if kind_of in _PATTERNS:
        return text if _PATTERNS[kind_of].fullmatch(text) else None
    if kind_of is Text:
        return text or None
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


__all__ = [name for name, value in globals().items() if isinstance(value, type) and issubclass(value, Data)] + [
    "KINDS", "LIMIT_BYTES", "TooLong", "decode", "family"]
