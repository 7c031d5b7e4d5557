"""Anomalies in the documents as printed, each with its file and line."""

from __future__ import annotations

from dataclasses import dataclass

from index.catalog import Catalog, DuplicateDocument
from index.model import Item, Standard
from index.names import printable
from index.parse import family_and_version


@dataclass(frozen=True, slots=True)
class Finding:
    source: str
    line: int
    standard: str
    kind: str
    message: str
    page: int = 0  # in a PDF, where `line` is only the row's number

    def __str__(self) -> str:
        name = printable(self.source)
        where = f"{name} p.{self.page}" if self.page else f"{name}:{self.line}" if self.line else name
        return f"{where}: [{self.kind}] {self.standard} {self.message}".replace("]  ", "] ")


def lint(catalog: Catalog) -> list[Finding]:
    findings: list[Finding] = []
    for std in catalog.standards():
        findings += _numbering(std) + _wrong_column(std) + _duplicates(std) + _unnumbered(std) + _spellings(std)
    for err in catalog.errors:
        kind = "duplicate-document" if isinstance(err, DuplicateDocument) else "unreadable"
        findings.append(Finding(err.source, err.line or 0, "", kind, err.message, err.page or 0))
    return sorted(findings, key=lambda f: (f.source, f.page, f.line, f.kind))


def _finding(std: Standard, where: object, kind: str, message: str) -> Finding:
    """A finding at an item, task or version row (its line, and its page in a PDF)."""
    return Finding(std.source, getattr(where, "line", 0), std.code, kind, message, getattr(where, "page", 0))


def _task_prefix(code: str) -> str:
    return code[1:].rsplit(".", 1)[0]


def _numbering(std: Standard) -> list[Finding]:
    out = []
    for task in std.tasks:
        for item in task.indicators + [o for o in task.outputs if not o.misplaced]:
            if _task_prefix(item.code) != task.code[1:]:
                out.append(_finding(std, item, "numbering", f"{item.code} 印在 {task.code} 這一列（編號不符）"))
    return out


def _wrong_column(std: Standard) -> list[Finding]:
    return [
        _finding(std, o, "wrong-column", f"「{o.code} {o.text}」印在 {t.code} 的工作產出欄")
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
                    _finding(std, item, "duplicate-code",
                             f"{item.code} 有兩種文字：「{first.text}」（{_place(first)}）與「{item.text}」")
                )
    return out


def _unnumbered(std: Standard) -> list[Finding]:
    return [
        _finding(std, i, "missing-number", f"代碼缺少編號：「{i.code} {i.text}」")
        for table in (std.knowledge, std.skills, std.attitudes)
        for i in table.values()
        if i.unnumbered
    ]


def _spellings(std: Standard) -> list[Finding]:
    out = []
    for v in std.versions:
        family, _version = family_and_version(v.code)
        if family != std.family and family.upper().endswith(std.family.upper()):
            out.append(_finding(std, v, "code-spelling",
                                f"版本表寫作 {v.code}，與代碼列的 {std.code} 拼法不同（皆接受，以 {std.family} 為準）"))
    return out


def _place(item: Item) -> str:
    return f"第 {item.page} 頁" if item.page else f"第 {item.line} 行"
