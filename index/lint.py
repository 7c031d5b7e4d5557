"""Anomalies in the documents as printed, each with its file and line."""

from __future__ import annotations

from dataclasses import dataclass

from index.catalog import Catalog
from index.model import Item, Standard
from index.parse import family_and_version


@dataclass(frozen=True, slots=True)
class Finding:
    source: str
    line: int
    standard: str
    kind: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: [{self.kind}] {self.standard} {self.message}".replace("]  ", "] ")


def lint(catalog: Catalog) -> list[Finding]:
    findings: list[Finding] = []
    for std in catalog.standards():
        findings += _numbering(std) + _wrong_column(std) + _duplicates(std) + _unnumbered(std) + _spellings(std)
    for err in catalog.errors:
        findings.append(Finding(err.source, err.line or 0, "", "unreadable", err.message))
    return sorted(findings, key=lambda f: (f.source, f.line, f.kind))


def _finding(std: Standard, line: int, kind: str, message: str) -> Finding:
    return Finding(std.source, line, std.code, kind, message)


def _task_prefix(code: str) -> str:
    return code[1:].rsplit(".", 1)[0]


def _numbering(std: Standard) -> list[Finding]:
    out = []
    for task in std.tasks:
        for item in task.indicators + [o for o in task.outputs if not o.misplaced]:
            if _task_prefix(item.code) != task.code[1:]:
                out.append(_finding(std, item.line, "numbering", f"{item.code} 印在 {task.code} 這一列（編號不符）"))
    return out


def _wrong_column(std: Standard) -> list[Finding]:
    return [
        _finding(std, o.line, "wrong-column", f"「{o.code} {o.text}」印在 {t.code} 的工作產出欄")
        for t in std.tasks
        for o in t.outputs
        if o.misplaced
    ]


def _duplicates(std: Standard) -> list[Finding]:
    seen: dict[str, Item] = {}
    out = []
    for task in std.tasks:
        for item in [o for o in task.outputs if not o.misplaced] + task.indicators:
            first = seen.setdefault(item.code, item)
            if first is not item and first.text != item.text:
                out.append(
                    _finding(std, item.line, "duplicate-code",
                             f"{item.code} 有兩種文字：「{first.text}」（第 {first.line} 行）與「{item.text}」")
                )
    return out


def _unnumbered(std: Standard) -> list[Finding]:
    return [
        _finding(std, i.line, "missing-number", f"代碼缺少編號：「{i.code} {i.text}」")
        for table in (std.knowledge, std.skills, std.attitudes)
        for i in table.values()
        if i.unnumbered
    ]


def _spellings(std: Standard) -> list[Finding]:
    out = []
    for v in std.versions:
        family, _version = family_and_version(v.code)
        if family != std.family and family.upper().endswith(std.family.upper()):
            out.append(_finding(std, v.line, "code-spelling",
                                f"版本表寫作 {v.code}，與代碼列的 {std.code} 拼法不同（皆接受，以 {std.family} 為準）"))
    return out
