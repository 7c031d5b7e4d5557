"""Parse the rows of a 職能基準 or 職能單元 (from its text, PDF or ODT) into the typed model.

Every format is first read into rows of cells (index/rows.py: text here, PDF in index/pdf.py, ODT in
index/odt.py); this one parser gives them their meaning, so each quirk below is handled once.
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

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

from index import codes as printed_codes
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
from index.rows import MAX_BYTES as MAX_BYTES  # the readers' budgets and errors, imported from here too
from index.rows import SPACE, Located, ParseError, SourceRow, check_size, text_rows
from prompts import t

CN_NUMBERS = "一二三四五六七八九十"
_VERSION = printed_codes.VERSION_SUFFIX
_DUTY = printed_codes.CELL_DUTY
_TASK = printed_codes.CELL_TASK
_TASKS = printed_codes.CELL_TASKS  # several task codes sharing one cell
_P_OR_O = printed_codes.CELL_INDICATOR_OR_OUTPUT
_K, _S, _A = printed_codes.CELL_K, printed_codes.CELL_S, printed_codes.CELL_A
_NOTE = printed_codes.NOTE_REF
_SECTION = re.compile(rf"(?:^|\s)([{CN_NUMBERS}]+)、([^：:]*)[：:]")
_NUMBERED = re.compile(r"(?:^|\s)(\d+)\.\s")


def unexpected(source: str, error: Exception, row: Located | None) -> ParseError:
    """An exception of ours while reading a row, as the file's error at that row."""
    kind = "documents.too_deep_to_read" if isinstance(error, RecursionError) else "documents.unexpected"
    return ParseError.at(source, t(kind, kind=type(error).__name__), row)  # type: ignore[arg-type]


@dataclass
class Fragment:
    line: int
    text: str
    page: int = 0
    glue: str = SPACE  # what joins it to the fragment before it in the same cell


@dataclass
class Row:
    line: int
    cells: list[list[Fragment]] = field(default_factory=list)
    page: int = 0

    def text(self, col: int) -> str:
        return _glued(self.cells[col])


def _glued(fragments: list[Fragment]) -> str:
    return "".join((f.glue if i else "") + f.text for i, f in enumerate(fragments))


# ---------------------------------------------------------------- entry points


def read_lines(path: Path) -> list[str]:
    source = path.name
    check_size(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ParseError(source, t("documents.unreadable", reason=e.strerror)) from e
    if not raw.strip():
        raise ParseError(source, t("documents.empty"))
    if b"\x00" in raw:
        raise ParseError(source, t("documents.binary"), raw[: raw.index(b"\x00")].count(b"\n") + 1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ParseError(source, t("documents.not_utf8"), raw[: e.start].count(b"\n") + 1) from e
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read_rows(path: Path) -> list[SourceRow]:
    """The rows of a document in any supported format (chosen by the file's suffix; anything else is text)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from index.pdf import pdf_rows

        return pdf_rows(path)
    if suffix == ".odt":
        from index.odt import odt_rows

        return odt_rows(path)
    return text_rows(read_lines(path))


def parse_file(path: Path) -> Document:
    return parse_rows(read_rows(path), path.name)


def parse_text(lines: list[str], source: str) -> Document:
    return parse_rows(text_rows(lines), source)


def parse_rows(rows: list[SourceRow], source: str) -> Document:
    for i, row in enumerate(rows):
        head = row.cells[0].replace(" ", "") if row.cells else ""
        if head == "職能單元代碼":
            return parse_unit(rows, source)
        if head == "職能基準代碼" or row.text.strip().endswith("職能基準"):
            return parse_standard(rows, source)
        if i >= 40:
            break
    raise ParseError.at(source, t("documents.not_a_standard"), rows[0] if rows else None)


# ---------------------------------------------------------------- 職能基準


def family_and_version(code: str) -> tuple[str, int | None]:
    m = _VERSION.search(code)
    if not m:
        return code, None
    return code[: m.start()], int(m.group(1))


def _label(cell: str) -> str:
    return re.sub(r"\s+", "", cell)


def _after(cells: list[str], index: int) -> str:
    return next((c for c in cells[index + 1 :] if c), "")


def _is_table_header(cells: list[str]) -> bool:
    labels = {_label(c) for c in cells}
    return "行為指標" in labels and "工作產出" in labels


def parse_standard(source_rows: list[SourceRow], source: str) -> Standard:
    std = Standard(code="", title="", source=source)
    rows: list[Row] = []
    mode = "meta"
    attitude_text: list[Fragment] = []
    note_rows: list[SourceRow] = []
    meta_row: tuple[SourceRow, list[str]] | None = None  # the last row of the basic information, which a page break may cut
    src = None
    try:
        for src in source_rows:
            line = src.text
            cells = [c.strip() for c in src.cells] or [""]
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
                if meta_row and _continues(meta_row[0], src, cells):
                    cells = _continued(meta_row[1], cells, src)
                    label, src = _label(cells[0]), meta_row[0]
                    if re.fullmatch(r"V\d+", label) and std.versions:
                        std.versions.pop()  # read again whole
                meta_row = (src, cells)
                _read_meta(std, cells, label, src)
            elif mode == "table":
                _read_row(rows, cells, src, source)
            elif mode == "attitudes":
                attitude_text.append(Fragment(src.line, re.sub(r"^\s*-\s*", "", line), src.page))
            else:
                note_rows.append(src)
    except ParseError:
        raise
    except Exception as e:  # noqa: BLE001 - a bug of ours on odd input: the file's error, at its row
        raise unexpected(source, e, src) from e
    if not std.code:
        raise ParseError(source, t("documents.no_code"))
    if not rows:
        raise ParseError.at(source, t("documents.no_table"), _last_row(source_rows))
    std.family, std.version = family_and_version(std.code)
    if not std.title:
        std.title = clean(next((r.text for r in source_rows if r.text.strip()), "")).removesuffix("職能基準")
    _build_duties(std, rows, source)
    if mode == "table" or (not attitude_text and not note_rows):
        raise ParseError.at(source, t("documents.cut_after_table"), _last_row(source_rows))
    std.attitudes = {i.code: i for i in _split_items(attitude_text, _A)}
    std.notes = _parse_notes(note_rows)
    if not std.tasks:
        raise ParseError(source, t("documents.no_tasks"), rows[0].line, rows[0].page or None)
    return std


META_LABELS = {"職類", "職業", "職類別", "職業別", "行業別", "職類別代碼", "職業別代碼", "行業別代碼"}


def _continues(previous: SourceRow, src: SourceRow, cells: list[str]) -> bool:
    """A row of the basic information cut by a page break: on the next page, its label cells empty and no label
    of its own (a text export has no pages, so this is a PDF's)."""
    return (src.page != previous.page and not any(cells[:2]) and any(cells)
            and not {_label(c) for c in cells} & META_LABELS)


def _continued(above: list[str], cells: list[str], src: SourceRow) -> list[str]:
    """The cut row's cells continued cell by cell, as a continued row of the competency table is."""
    width = max(len(above), len(cells))
    above, cells = above + [""] * (width - len(above)), cells + [""] * (width - len(cells))
    return [a + (src.glue_of(i) if a and b else "") + b for i, (a, b) in enumerate(zip(above, cells, strict=True))]


def _read_meta(std: Standard, cells: list[str], label: str, src: SourceRow) -> None:
    if re.fullmatch(r"V\d+", label) and len(cells) >= 6:
        std.versions.append(
            VersionEntry(label, cells[1], clean(cells[2]), cells[3], clean(cells[4]), cells[5], src.line, src.page)
        )
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


def _last_row(rows: list[SourceRow]) -> SourceRow | None:
    return next((r for r in reversed(rows) if r.text.strip()), rows[0] if rows else None)


def _int(text: str) -> int | None:
    m = re.search(r"\d+", text)
    return int(m.group()) if m else None


def _read_row(rows: list[Row], cells: list[str], src: SourceRow, source: str) -> None:
    cells = (cells + [""] * 7)[:7]
    starts_new = bool(_DUTY.match(cells[0]) or _TASK.match(cells[1]))
    if starts_new or not rows:
        if not starts_new:
            raise ParseError.at(source, t("documents.first_row_without_code"), src)
        rows.append(Row(src.line, [[Fragment(src.line, c, src.page)] if c else [] for c in cells], src.page))
        return
    last = rows[-1]
    for col, text in enumerate(cells):
        if text:
            last.cells[col].append(Fragment(src.line, text, src.page, src.glue_of(col)))


def _joined(fragments: list[Fragment]) -> tuple[str, list[tuple[int, Fragment]]]:
    """The fragments' text (HTML removed) as one string, and where each fragment starts in it."""
    parts: list[str] = []
    length, starts = 0, []
    for i, frag in enumerate(fragments):
        if i:
            parts.append(frag.glue)
            length += len(frag.glue)
        starts.append((length, frag))
        text = strip_html(frag.text)
        parts.append(text)
        length += len(text)
    return "".join(parts) + SPACE, starts


def _at(starts: list[tuple[int, Fragment]], offset: int) -> Fragment:
    """The fragment holding this offset (of fragments starting at the same offset, the first): found by bisection,
    as a cell continued over thousands of rows has thousands of fragments and items."""
    last = bisect.bisect_right(starts, offset, key=_offset) - 1
    return starts[bisect.bisect_left(starts, starts[max(last, 0)][0], key=_offset)][1]


def _offset(start: tuple[int, Fragment]) -> int:
    return start[0]


def _split_items(fragments: list[Fragment], pattern: re.Pattern[str]) -> list[Item]:
    """Split cell text into coded items; each item keeps the line (and page) its code is printed on."""
    joined, starts = _joined(fragments)
    matches = list(pattern.finditer(joined))
    items = []
    for m, nxt in zip(matches, matches[1:] + [None], strict=False):
        body = joined[m.end() : nxt.start() if nxt else len(joined)]
        where = _at(starts, m.start())
        head, points = split_points(body)
        code = m.group(1)
        items.append(Item(code, clean(head), points, where.line, unnumbered=not re.search(r"\d", code), page=where.page))
    return items


def _task_heads(text: str) -> list[tuple[str, str]]:
    """The task codes and titles printed in a task cell: usually one, sometimes several sharing the cell."""
    marks = list(_TASKS.finditer(text))
    if not marks or marks[0].start() != 0:
        return []
    return [
        (f"T{m.group(1)}.{m.group(2)}", clean(text[m.end() : nxt.start() if nxt else len(text)]))
        for m, nxt in zip(marks, marks[1:] + [None], strict=False)
    ]


def _build_duties(std: Standard, rows: list[Row], source: str) -> None:
    duty: Duty | None = None
    duty_rows: list[tuple[Duty, Row, list[Task]]] = []
    row = None
    try:
        for row in rows:
            head = clean(row.text(0))
            m = _DUTY.match(head)
            if m:
                duty = Duty(f"T{m.group(1)}", clean(m.group(2)), line=row.line, page=row.page)
                std.duties.append(duty)
            if duty is None:
                raise ParseError(source, t("documents.task_before_duty"), row.line, row.page or None)
            heads = _task_heads(clean(row.text(1)))
            if not heads:
                raise ParseError(source, t("documents.row_without_task"), row.line, row.page or None)
            tasks = [Task(code, title, duty.code, None, line=row.line, page=row.page) for code, title in heads]
            outputs = _split_items(row.cells[2], _P_OR_O)
            for out in outputs:
                out.misplaced = not out.code.startswith("O")
            _share(tasks, outputs, "outputs")
            _share(tasks, _split_items(row.cells[3], _P_OR_O), "indicators")
            duty.tasks.extend(tasks)
            duty_rows.append((duty, row, tasks))
    except ParseError:
        raise
    except Exception as e:  # noqa: BLE001 - a bug of ours on odd input: the file's error, at its row
        raise unexpected(source, e, row) from e
    if std.layout == "merged":
        for d in std.duties:
            merged = Row(d.line, [[] for _ in range(7)])
            for owner, row, _tasks in duty_rows:
                if owner is d:
                    for col in (4, 5, 6):
                        merged.cells[col].extend(row.cells[col])
            for task in d.tasks:
                _attach_competencies(std, task, merged)
    else:
        for _owner, row, tasks in duty_rows:
            for task in tasks:
                _attach_competencies(std, task, row)


def _share(tasks: list[Task], items: list[Item], attr: str) -> None:
    """Items of a row go to its task; when several tasks share the row, each item to the task its number names."""
    for item in items:
        owner = next((task for task in tasks if item.code[1:].rsplit(".", 1)[0] == task.code[1:]), tasks[0])
        getattr(owner, attr).append(item)


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


def _parse_notes(note_rows: list[SourceRow]) -> list[NoteSection]:
    sections: list[NoteSection] = []
    for src in note_rows:
        line = src.text
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


def parse_unit(rows: list[SourceRow], source: str) -> Unit:
    fields: dict[str, list[Fragment]] = {}
    current: str | None = None
    history_mode = False
    history: list[str] = []
    src = None
    try:
        for src in rows:
            line = src.text
            if not line.strip():
                continue
            cells = src.cells
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
                fields[current].append(Fragment(src.line, body, src.page, src.glue_of(1)))
    except ParseError:
        raise
    except Exception as e:  # noqa: BLE001 - a bug of ours on odd input: the file's error, at its row
        raise unexpected(source, e, src) from e
    code = _field(fields, "職能單元代碼")
    if not code:
        raise ParseError(source, t("documents.no_unit_code"))
    unit = Unit(code=code, title=_field(fields, "職能單元名稱"), source=source)
    unit.family, unit.version = family_and_version(code)
    unit.domain = _field(fields, "領域類別")
    unit.level = _int(_field(fields, "職能單元級別"))
    unit.history = history
    unit.sections = _unit_sections(fields.get("工作任務與行為指標", []))
    if not unit.sections:
        raise ParseError.at(source, t("documents.no_unit_sections"), _last_row(rows))
    unit.knowledge = _numbered_entries(fields.get(_find_key(fields, "K=knowledge"), []), "K")
    unit.skills = _numbered_entries(fields.get(_find_key(fields, "S=skills"), []), "S")
    if not unit.knowledge or not unit.skills:
        raise ParseError.at(source, t("documents.unit_cut"), _last_row(rows))
    unit.assessment = _assessment(fields.get("評量設計參考", []))
    unit.notes = _unit_notes(fields.get("說明與補充事項", []))
    return unit


def _field(fields: dict[str, list[Fragment]], key: str) -> str:
    return clean(_glued(fields.get(key, [])))


def _find_key(fields: dict[str, list[Fragment]], needle: str) -> str:
    return next((k for k in fields if needle in k), "")


def _unit_sections(fragments: list[Fragment]) -> list[UnitSection]:
    joined, starts = _joined(fragments)
    heads = list(_SECTION.finditer(joined))
    sections = []
    for m, nxt in zip(heads, heads[1:] + [None], strict=False):
        number = m.group(1)
        sid = f"工作任務{number}"
        where = _at(starts, m.start(1))
        section = UnitSection(sid, number, clean(m.group(2)), line=where.line, page=where.page)
        body_start = m.end()
        body = joined[body_start : nxt.start() if nxt else len(joined)]
        section.items = _numbered_items(sid, body, body_start, starts)
        sections.append(section)
    return sections


def _numbered_items(prefix: str, body: str, body_start: int, starts: list[tuple[int, Fragment]]) -> list[Item]:
    items = []
    for n, text, off in _numbered(body):
        where = _at(starts, body_start + off)
        items.append(Item(f"{prefix}-{n}", text, line=where.line, page=where.page))
    return items


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
        where = _at(starts, m.start(1))
        out[code] = Item(code, text, line=where.line, page=where.page)
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
        part.items = _numbered_items(pid, body, body_start, starts)
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
            where = _at(starts, m.start())
            notes[code] = Item(code, text, line=where.line, page=where.page)
    return notes
