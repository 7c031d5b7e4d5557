"""Typed model of 職能基準 (competency standards) and 職能單元 (competency units)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["current", "historical"]
Kind = Literal["職能基準", "職能單元"]


@dataclass(slots=True)
class Item:
    """A coded entry: P, O, K, S or A (or a 職能單元 item with its stable id)."""

    code: str
    text: str
    points: list[str] = field(default_factory=list)
    line: int = 0
    unnumbered: bool = False
    misplaced: bool = False
    page: int = 0  # in a PDF; `line` is then the row's number in reading order

    @property
    def full_text(self) -> str:
        if not self.points:
            return self.text
        return self.text + " " + "；".join(self.points)

    @property
    def name(self) -> str:
        """The short name before a full-width colon (attitudes, K/S headings)."""
        return self.text.split("：", 1)[0].strip()


@dataclass(slots=True)
class Task:
    code: str
    title: str
    duty: str
    level: int | None
    outputs: list[Item] = field(default_factory=list)
    indicators: list[Item] = field(default_factory=list)
    knowledge: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    line: int = 0
    page: int = 0


@dataclass(slots=True)
class Duty:
    code: str
    title: str
    tasks: list[Task] = field(default_factory=list)
    line: int = 0
    page: int = 0


@dataclass(slots=True)
class VersionEntry:
    version: str
    code: str
    title: str
    state: str
    note: str
    date: str
    line: int = 0
    page: int = 0


@dataclass(slots=True)
class Classification:
    name: str
    code: str


@dataclass(slots=True)
class NoteSection:
    heading: str
    items: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Standard:
    """A 職能基準."""

    code: str
    title: str
    source: str
    family: str = ""
    version: int | None = None
    status: Status = "current"
    kind: Kind = "職能基準"
    aliases: list[str] = field(default_factory=list)
    category: Classification | None = None
    occupation: Classification | None = None
    industry: Classification | None = None
    description: str = ""
    level: int | None = None
    versions: list[VersionEntry] = field(default_factory=list)
    notes: list[NoteSection] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    knowledge: dict[str, Item] = field(default_factory=dict)
    skills: dict[str, Item] = field(default_factory=dict)
    attitudes: dict[str, Item] = field(default_factory=dict)
    layout: str = "per_task"

    @property
    def tasks(self) -> list[Task]:
        return [t for d in self.duties for t in d.tasks]

    @property
    def former_titles(self) -> list[str]:
        seen: list[str] = []
        for v in self.versions:
            if v.title and v.title != self.title and v.title not in seen:
                seen.append(v.title)
        return seen

    @property
    def entry_requirements(self) -> list[str]:
        out: list[str] = []
        for section in self.notes:
            if any(k in section.heading for k in ("學歷", "入門", "能力條件")):
                out.extend(section.items)
            for item in section.items:
                if item.startswith("入門水準建議"):
                    out.append(item)
        return out

    def task(self, code: str) -> Task | None:
        return next((t for t in self.tasks if t.code == code), None)

    def duty(self, code: str) -> Duty | None:
        return next((d for d in self.duties if d.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["former_titles"] = self.former_titles
        data["entry_requirements"] = self.entry_requirements
        return data


@dataclass(slots=True)
class UnitSection:
    """A numbered work section of a 職能單元 (工作任務一 …) and its items."""

    id: str
    number: str
    title: str
    items: list[Item] = field(default_factory=list)
    line: int = 0
    page: int = 0


@dataclass(slots=True)
class AssessmentPart:
    id: str
    title: str
    items: list[Item] = field(default_factory=list)


@dataclass(slots=True)
class Unit:
    """A 職能單元. Nothing in it is printed with a code: ids are documented in index/parse.py."""

    code: str
    title: str
    source: str
    family: str = ""
    version: int | None = None
    status: Status = "current"
    kind: Kind = "職能單元"
    aliases: list[str] = field(default_factory=list)
    domain: str = ""
    level: int | None = None
    sections: list[UnitSection] = field(default_factory=list)
    knowledge: dict[str, Item] = field(default_factory=dict)
    skills: dict[str, Item] = field(default_factory=dict)
    assessment: list[AssessmentPart] = field(default_factory=list)
    notes: dict[str, Item] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [i for s in self.sections for i in s.items]

    def note_refs(self, item: Item) -> list[str]:
        """The note ids (註N) an item cites."""
        import re

        return [f"註{n}" for n in re.findall(r"【註(\d+)】", item.text)]

    def cited_by(self, note_id: str) -> list[Item]:
        everything = self.items + list(self.skills.values()) + list(self.knowledge.values())
        return [i for i in everything if note_id in self.note_refs(i)]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["note_links"] = {n: [i.code for i in self.cited_by(n)] for n in self.notes}
        return data


Document = Standard | Unit

PROVENANCE = frozenset({"source", "line", "page"})
"""Where something is printed (file, line, page): the only fields two formats of one document may differ in."""


def without_provenance(data: object) -> object:
    """A to_dict() with every provenance field removed, to compare documents read from different formats."""
    if isinstance(data, dict):
        return {k: without_provenance(v) for k, v in data.items() if k not in PROVENANCE}
    if isinstance(data, list):
        return [without_provenance(v) for v in data]
    return data


def _reduce(self: object) -> tuple[object, ...]:
    """Pickled as (class, field values), read back through the class's own __init__: a dataclass with slots
    otherwise unpickles through a per-object loop over `fields()`, twice as slow for 3,000 cached documents."""
    return (type(self), tuple(getattr(self, name) for name in self.__slots__))  # type: ignore[attr-defined]


for _cls in (Item, Task, Duty, VersionEntry, Classification, NoteSection, Standard, UnitSection, AssessmentPart, Unit):
    _cls.__reduce__ = _reduce  # type: ignore[method-assign,assignment]
