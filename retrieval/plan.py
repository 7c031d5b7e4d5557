"""A question as a small frozen plan: what it is about (scope), what it asks of it (targets), which filters narrow
it, how the result is gathered (aggregate), whether it compares, and its language.

The reading (retrieval/understand.py) fills a Query slot by slot; `Plan.of` freezes the finished reading. The
plan is what `competency-bot ask --explain` shows, and it composes what one kind alone cannot:

  「duty T2 的產出」                 scope duty T2,            target outputs
  「各職責的任務數」                 scope every duty,         target tasks,  aggregate count per duty
  「T3.1 的職責和級別」              scope task T3.1,          targets duties + level
  「兩份各自的更新日期」             scope two standards,      target versions, each in turn
  「S07 影響哪些任務，其中級別最高的」 scope tasks using S07,    filter level max
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from retrieval.understand import Condition, Query

PER_DUTY = re.compile(r"(?:各|每一?個?|每項|分別)\s*(?:主要|工作)?職責|(?:per|each|every)\s+duty|by duty", re.I)
ITEM_PREFIXES = ("K", "S", "A", "P", "O")


@dataclass(frozen=True)
class Plan:
    kind: str
    standards: tuple[str, ...] = ()  # named outright (then by a part of their title)
    historical: bool = False
    duties: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    items: tuple[str, ...] = ()  # K, S, A, P, O codes; units' ids
    named: tuple[str, ...] = ()  # items named in words, as standard:code
    targets: tuple[str, ...] = ()  # the fields asked
    filters: tuple[Condition, ...] = ()
    aggregate: str = ""  # "list", "count", "count per duty", "max", "min", "which"
    compare: bool = False
    across: bool = False  # asked across the standards
    lang: str = "zh"

    @classmethod
    def of(cls, q: Query, lang: str = "zh") -> Plan:
        return cls(
            kind=q.kind, standards=tuple(q.standards or q.soft_standards), historical=q.historical,
            duties=tuple(q.duties), tasks=tuple(q.tasks), items=tuple(q.items + q.unit_ids),
            named=tuple(f"{n.standard}:{n.code}" for n in q.named), targets=tuple(q.fields),
            filters=tuple(q.conditions), aggregate=aggregate_of(q), compare=q.kind in ("compare", "version_diff"),
            across=q.across, lang=lang,
        )

    def explain(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "scope": {"standards": list(self.standards), "historical": self.historical, "duties": list(self.duties),
                      "tasks": list(self.tasks), "items": list(self.items), "named": list(self.named),
                      "across": self.across},
            "targets": list(self.targets),
            "filters": [f"{c.measure} {c.op} {c.value}" if c.op not in ("max", "min") else f"{c.measure} {c.op}"
                        for c in self.filters],
            "aggregate": self.aggregate,
            "compare": self.compare,
            "language": self.lang,
        }


def aggregate_of(q: Query) -> str:
    extreme = next((c.op for c in q.conditions if c.op in ("max", "min")), "")
    if q.counting and PER_DUTY.search(q.text):
        return "count per duty"
    if q.counting:
        return "count"
    if extreme:
        return extreme
    if q.kind in ("list", "filter") or "tasks" in q.fields:
        return "list"
    return ""
