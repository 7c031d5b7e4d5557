"""Parse the iCAP text layout of a 職能基準 or 職能單元 into the typed model.

The text is a tab-separated table export. A page break repeats the header row and
continues the cut cells in a row whose leading (code) cells are empty: such a row is
joined cell by cell to the row above it. In the older layout (header "工作任務 / 工作活動")
職能級別, K and S are cells merged over the whole duty.

Identifiers of the 職能單元 (it prints no codes):
  工作任務一 … 工作任務六   the numbered work sections (一、二、…)
  工作任務一-1            item 1 of section 一
  K一, S一                 knowledge and skill entries, numbered as printed
  評量一 … 評量三          the three parts of 評量設計參考; 評量一-1 their items
  註1 …                    the notes 【註N】
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from index.clean import clean, split_points, squeeze, strip_html
from index.model import (
    AssessmentPart,
    Classification,
    Document,
    Duty,
    Item,
    NoteSection,
    Standard,
    Task,
    Unit,
    UnitSection,
    VersionEntry,
)

MAX_BYTES = 5_000_000
CN_NUMBERS = "一二三四五六七八九十"
_VERSION = re.compile(r"v(\d+)$", re.I)
_DUTY = re.compile(r"^T\s*(\d+)(?![\d.])\s*(.*)$", re.S)
_TASK = re.compile(r"^T\s*(\d+)\s*\.\s*(\d+)\s*(.*)$", re.S)
_P_OR_O = re.compile(r"(?<![A-Za-z0-9])([PO]\d+\.\d+\.\d+)")
_K = re.compile(r"(?<![A-Za-z0-9])(K\d+)")
_S = re.compile(r"(?<![A-Za-z0-9])(S\d+|S(?=\s+[\u4e00-\u9fff]))")
_A = re.compile(r"(?<![A-Za-z0-9])(A\d+)")
_NOTE = re.compile(r"【註(\d+)】")
_SECTION = re.compile(rf"(?:^|\s)([{CN_NUMBERS}]+)、([^：:]*)[：:]")
_NUMBERED = re.compile(r"(?:^|\s)(\d+)\.\s")


class ParseError(Exception):
    """A document that cannot be read: says which file and, where it applies, which line."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source, self.message, self.line = source, message, line
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")


@dataclass
class Fragment:
    line: int
    text: str


@dataclass
class Row:
    line: int
    cells: list[list[Fragment]] = field(default_factory=list)

    def text(self, col: int) -> str:
        return " ".join(f.text for f in self.cells[col])


# ---------------------------------------------------------------- entry points


def read_lines(path: Path) -> list[str]:
    source = path.name
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ParseError(source, f"無法讀取檔案：{e.strerror}") from e
    if not raw.strip():
        raise ParseError(source, "檔案是空的")
    if len(raw) > MAX_BYTES:
        raise ParseError(source, f"檔案過大（{len(raw)} bytes，上限 {MAX_BYTES}）")
    if b"\x00" in raw:
        raise ParseError(source, "看起來是二進位檔，不是文字檔", raw[: raw.index(b"\x00")].count(b"\n") + 1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ParseError(source, "不是 UTF-8 文字檔", raw[: e.start].count(b"\n") + 1) from e
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse_file(path: Path) -> Document:
    return parse_text(read_lines(path), path.name)


def parse_text(lines: list[str], source: str) -> Document:
    for no, line in enumerate(lines, 1):
        head = line.split("\t", 1)[0].replace(" ", "")
        if head == "職能單元代碼":
            return parse_unit(lines, source)
        if head == "職能基準代碼" or line.strip().endswith("職能基準"):
            return parse_standard(lines, source)
        if no > 40:
            break
    raise ParseError(source, "不是職能基準或職能單元文件（找不到「職能基準代碼」或「職能單元代碼」）", 1)


# ---------------------------------------------------------------- 職能基準


def family_and_version(code: str) -> tuple[str, int | None]:
    m = _VERSION.search(code)
    if not m:
        return code, None
    return code[: m.start()], int(m.group(1))


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


def _label(cell: str) -> str:
    return re.sub(r"\s+", "", cell)


def _after(cells: list[str], index: int) -> str:
    return next((c for c in cells[index + 1 :] if c), "")


def _is_table_header(cells: list[str]) -> bool:
    labels = {_label(c) for c in cells}
    return "行為指標" in labels and "工作產出" in labels


def parse_standard(lines: list[str], source: str) -> Standard:
    std = Standard(code="", title="", source=source)
    rows: list[Row] = []
    mode = "meta"
    attitude_text: list[Fragment] = []
    note_lines: list[tuple[int, str]] = []
    for no, line in enumerate(lines, 1):
        cells = _cells(line)
        label = _label(cells[0])
        if not line.strip():
            continue
        if label.startswith("職能內涵(A=attitude"):
            mode = "attitudes"
            continue
        if label == "說明與補充事項":
            mode = "notes"
            continue
        if _is_table_header(cells):
            mode = "table"
            if "工作活動" in {_label(c) for c in cells}:
                std.layout = "merged"
            continue
        if mode == "meta":
            _read_meta(std, cells, label, no)
        elif mode == "table":
            _read_row(rows, cells, no, source)
        elif mode == "attitudes":
            attitude_text.append(Fragment(no, re.sub(r"^\s*-\s*", "", line)))
        else:
            note_lines.append((no, line))
    if not std.code:
        raise ParseError(source, "找不到職能基準代碼")
    if not rows:
        raise ParseError(source, "找不到工作任務表格（文件可能被截斷）", _last_line(lines))
    std.family, std.version = family_and_version(std.code)
    if not std.title:
        std.title = clean(next((x for x in lines if x.strip()), "")).removesuffix("職能基準")
    _build_duties(std, rows, source)
    if mode == "table" or (not attitude_text and not note_lines):
        raise ParseError(source, "文件似乎被截斷：表格之後沒有態度（A）與說明段落", _last_line(lines))
    std.attitudes = {i.code: i for i in _split_items(attitude_text, _A)}
    std.notes = _parse_notes(note_lines)
    if not std.tasks:
        raise ParseError(source, "表格中沒有任何工作任務（T1.1 這類代碼）", rows[0].line)
    return std


def _read_meta(std: Standard, cells: list[str], label: str, no: int) -> None:
    if re.fullmatch(r"V\d+", label) and len(cells) >= 6:
        std.versions.append(VersionEntry(label, cells[1], clean(cells[2]), cells[3], clean(cells[4]), cells[5], no))
        return
    if label == "職能基準代碼":
        std.code = _after(cells, 0)
        return
    labels = [_label(c) for c in cells]
    if "職業" in labels[1:3] and _after(cells, labels.index("職業")):
        std.title = clean(_after(cells, labels.index("職業")))
    for key, attr in (("職類別", "category"), ("職業別", "occupation"), ("行業別", "industry")):
        if key in labels:
            name = clean(_after(cells, labels.index(key)))
            code_at = next((i for i, lab in enumerate(labels) if lab == key + "代碼"), None)
            code = _after(cells, code_at) if code_at is not None else ""
            setattr(std, attr, Classification(name, code))
    if label == "工作描述":
        std.description = clean(_after(cells, 0))
    if label == "基準級別":
        std.level = _int(_after(cells, 0))


def _last_line(lines: list[str]) -> int:
    return max((n for n, line in enumerate(lines, 1) if line.strip()), default=1)


def _int(text: str) -> int | None:
    m = re.search(r"\d+", text)
    return int(m.group()) if m else None


def _read_row(rows: list[Row], cells: list[str], no: int, source: str) -> None:
    cells = (cells + [""] * 7)[:7]
    starts_new = bool(_DUTY.match(cells[0]) or _TASK.match(cells[1]))
    if starts_new or not rows:
        if not starts_new:
            raise ParseError(source, "表格第一列沒有工作職責或工作任務代碼", no)
        rows.append(Row(no, [[Fragment(no, c)] if c else [] for c in cells]))
        return
    last = rows[-1]
    for col, text in enumerate(cells):
        if text:
            last.cells[col].append(Fragment(no, text))


def _split_items(fragments: list[Fragment], pattern: re.Pattern[str]) -> list[Item]:
    """Split cell text into coded items; each item keeps the line its code is printed on."""
    joined, starts = "", []
    for frag in fragments:
        starts.append((len(joined), frag.line))
        joined += strip_html(frag.text) + " "
    matches = list(pattern.finditer(joined))
    items = []
    for m, nxt in zip(matches, matches[1:] + [None], strict=False):
        body = joined[m.end() : nxt.start() if nxt else len(joined)]
        line = max(ln for off, ln in starts if off <= m.start())
        head, points = split_points(body)
        code = m.group(1)
        items.append(Item(code, clean(head), points, line, unnumbered=not re.search(r"\d", code)))
    return items


def _build_duties(std: Standard, rows: list[Row], source: str) -> None:
    duty: Duty | None = None
    duty_rows: list[tuple[Duty, Row]] = []
    for row in rows:
        head = clean(row.text(0))
        m = _DUTY.match(head)
        if m:
            duty = Duty(f"T{m.group(1)}", clean(m.group(2)), line=row.line)
            std.duties.append(duty)
        if duty is None:
            raise ParseError(source, "工作任務前沒有工作職責", row.line)
        tm = _TASK.match(clean(row.text(1)))
        if not tm:
            raise ParseError(source, "這一列沒有工作任務代碼", row.line)
        task = Task(f"T{tm.group(1)}.{tm.group(2)}", clean(tm.group(3)), duty.code, None, line=row.line)
        task.outputs = _split_items(row.cells[2], _P_OR_O)
        for out in task.outputs:
            out.misplaced = not out.code.startswith("O")
        task.indicators = _split_items(row.cells[3], _P_OR_O)
        duty.tasks.append(task)
        duty_rows.append((duty, row))
    if std.layout == "merged":
        for d in std.duties:
            merged = Row(d.line, [[] for _ in range(7)])
            for owner, row in duty_rows:
                if owner is d:
                    for col in (4, 5, 6):
                        merged.cells[col].extend(row.cells[col])
            for task in d.tasks:
                _attach_competencies(std, task, merged)
    else:
        for (_owner, row), task in zip(duty_rows, std.tasks, strict=True):
            _attach_competencies(std, task, row)


def _attach_competencies(std: Standard, task: Task, row: Row) -> None:
    task.level = _int(row.text(4))
    for col, pattern, catalogue, codes in (
        (5, _K, std.knowledge, task.knowledge),
        (6, _S, std.skills, task.skills),
    ):
        for item in _split_items(row.cells[col], pattern):
            key = item.code if not item.unnumbered else f"{item.code} {item.text}"
            if key not in catalogue:
                catalogue[key] = item
            if key not in codes:
                codes.append(key)


def _parse_notes(note_lines: list[tuple[int, str]]) -> list[NoteSection]:
    sections: list[NoteSection] = []
    for _no, line in note_lines:
        nested = line[:1] in (" ", "\t")
        for part in re.split(r"</?p>", line):
            text = clean(part)
            if not text or set(text) <= {"-"}:
                continue
            if re.search(r"[：:](\s*\(以下擇一\))?$", text) and not nested:
                sections.append(NoteSection(re.sub(r"[：:]\s*(\(以下擇一\))?$", "", text)))
            elif sections and sections[-1].heading:
                sections[-1].items.append(text)
            else:
                sections.append(NoteSection("", [text]))
    return sections


# ---------------------------------------------------------------- 職能單元


def parse_unit(lines: list[str], source: str) -> Unit:
    fields: dict[str, list[Fragment]] = {}
    current: str | None = None
    history_mode = False
    history: list[str] = []
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        cells = line.split("\t")
        label = _label(cells[0])
        if label == "更新紀錄":
            history_mode = True
            continue
        if history_mode:
            history.append(clean(line))
            continue
        if set(label) <= {"-"} and len(cells) > 1 and set(cells[1].strip()) <= {"-"}:
            current = None
            continue
        if label:
            current = label
            fields.setdefault(label, [])
        if current is None:
            continue
        body = "\t".join(cells[1:]).strip()
        if body:
            fields[current].append(Fragment(no, body))
    code = _field(fields, "職能單元代碼")
    if not code:
        raise ParseError(source, "找不到職能單元代碼")
    unit = Unit(code=code, title=_field(fields, "職能單元名稱"), source=source)
    unit.family, unit.version = family_and_version(code)
    unit.domain = _field(fields, "領域類別")
    unit.level = _int(_field(fields, "職能單元級別"))
    unit.history = history
    unit.sections = _unit_sections(fields.get("工作任務與行為指標", []))
    if not unit.sections:
        raise ParseError(source, "找不到「工作任務與行為指標」的編號段落（文件可能被截斷）", _last_line(lines))
    unit.knowledge = _numbered_entries(fields.get(_find_key(fields, "K=knowledge"), []), "K")
    unit.skills = _numbered_entries(fields.get(_find_key(fields, "S=skills"), []), "S")
    if not unit.knowledge or not unit.skills:
        raise ParseError(source, "文件似乎被截斷：缺少職能內涵（K 或 S）", _last_line(lines))
    unit.assessment = _assessment(fields.get("評量設計參考", []))
    unit.notes = _unit_notes(fields.get("說明與補充事項", []))
    return unit


def _field(fields: dict[str, list[Fragment]], key: str) -> str:
    return clean(" ".join(f.text for f in fields.get(key, [])))


def _find_key(fields: dict[str, list[Fragment]], needle: str) -> str:
    return next((k for k in fields if needle in k), "")


def _joined(fragments: list[Fragment]) -> tuple[str, list[tuple[int, int]]]:
    joined, starts = "", []
    for frag in fragments:
        starts.append((len(joined), frag.line))
        joined += strip_html(frag.text) + " "
    return joined, starts


def _line_at(starts: list[tuple[int, int]], offset: int) -> int:
    return max(ln for off, ln in starts if off <= offset)


def _unit_sections(fragments: list[Fragment]) -> list[UnitSection]:
    joined, starts = _joined(fragments)
    heads = list(_SECTION.finditer(joined))
    sections = []
    for m, nxt in zip(heads, heads[1:] + [None], strict=False):
        number = m.group(1)
        sid = f"工作任務{number}"
        section = UnitSection(sid, number, clean(m.group(2)), line=_line_at(starts, m.start(1)))
        body_start = m.end()
        body = joined[body_start : nxt.start() if nxt else len(joined)]
        for n, text, off in _numbered(body):
            section.items.append(Item(f"{sid}-{n}", text, line=_line_at(starts, body_start + off)))
        sections.append(section)
    return sections


def _numbered(body: str) -> list[tuple[str, str, int]]:
    marks = list(_NUMBERED.finditer(body))
    out = []
    for m, nxt in zip(marks, marks[1:] + [None], strict=False):
        text = clean(body[m.end() : nxt.start() if nxt else len(body)])
        if text:
            out.append((m.group(1), text, m.start(1)))
    return out


def _numbered_entries(fragments: list[Fragment], prefix: str) -> dict[str, Item]:
    joined, starts = _joined(fragments)
    marks = list(re.finditer(rf"(?:^|\s)([{CN_NUMBERS}]+)、", joined))
    out: dict[str, Item] = {}
    for m, nxt in zip(marks, marks[1:] + [None], strict=False):
        text = clean(joined[m.end() : nxt.start() if nxt else len(joined)])
        code = f"{prefix}{m.group(1)}"
        out[code] = Item(code, text, line=_line_at(starts, m.start(1)))
    return out


def _assessment(fragments: list[Fragment]) -> list[AssessmentPart]:
    joined, starts = _joined(fragments)
    heads = list(_SECTION.finditer(joined))
    parts = []
    for m, nxt in zip(heads, heads[1:] + [None], strict=False):
        pid = f"評量{m.group(1)}"
        part = AssessmentPart(pid, clean(m.group(2)))
        body_start = m.end()
        body = joined[body_start : nxt.start() if nxt else len(joined)]
        for n, text, off in _numbered(body):
            part.items.append(Item(f"{pid}-{n}", text, line=_line_at(starts, body_start + off)))
        parts.append(part)
    return parts


def _unit_notes(fragments: list[Fragment]) -> dict[str, Item]:
    joined, starts = _joined(fragments)
    marks = list(_NOTE.finditer(joined))
    notes: dict[str, Item] = {}
    for m, nxt in zip(marks, marks[1:] + [None], strict=False):
        text = squeeze(joined[m.end() : nxt.start() if nxt else len(joined)])
        text = clean(text)
        code = f"註{m.group(1)}"
        if code not in notes:
            notes[code] = Item(code, text, line=_line_at(starts, m.start()))
    return notes
