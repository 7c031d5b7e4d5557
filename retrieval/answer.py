"""Answer composition: templates from prompts/answers.toml filled with the exact printed texts,
every stated item cited (standard, code, text). Nothing here invents a code: every code comes
from the model of the cited document."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from index.catalog import Catalog, find_item, tasks_using
from index.model import Document, Item, Standard, Task, Unit
from prompts import t
from retrieval.types import Choice, Citation


@dataclass
class Draft:
    """An answer under construction: lines of text, the citations they state, the choices offered."""

    intent: str
    lines: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    standard: str | None = None
    choices: list[Choice] = field(default_factory=list)
    follow_ups: list[tuple[str, str]] = field(default_factory=list)  # (button label, the question it asks)

    @classmethod
    def reply(cls, intent: str, text: str, choices: list[Choice] | None = None) -> Draft:
        """A short reply that states nothing from the documents (a refusal, a question back)."""
        return cls(intent, [text], choices=choices or [])

    def say(self, line: str) -> None:
        self.lines.append(line)

    def cite(self, doc: Document, code: str, text: str) -> None:
        if not any(c.standard == doc.code and c.code == code for c in self.citations):
            self.citations.append(Citation(doc.code, code, text))

    def extend(self, other: Draft) -> None:
        self.lines.extend(other.lines)
        for c in other.citations:
            if not any(x.standard == c.standard and x.code == c.code for x in self.citations):
                self.citations.append(c)

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


LICENSE_CUE = re.compile(r"證照|執照|證書|licen[cs]e|certificat", re.I)

def header(doc: Document, catalog: Catalog) -> str:
    line = t("answers.header", code=doc.code, title=doc.title)
    if doc.status == "historical":
        line += t("answers.historical_note", latest=catalog.latest_of(doc).code)
    return line


def start(intent: str, doc: Document, catalog: Catalog) -> Draft:
    draft = Draft(intent, standard=doc.code)
    draft.say(header(doc, catalog))
    return draft


def numbered(draft: Draft, doc: Document, items: list[Item]) -> None:
    for n, item in enumerate(items, 1):
        draft.say(t("answers.numbered", n=n, code=item.code, text=item.text))
        for point in item.points:
            draft.say(t("answers.item_points", text=point))
        draft.cite(doc, item.code, item.full_text)


def _catalogue(std: Standard, codes: list[str], table: dict[str, Item]) -> list[Item]:
    return [table[c] for c in codes if c in table]


def _cite_task(draft: Draft, doc: Standard, task: Task) -> None:
    draft.cite(doc, task.code, task.title)


# ------------------------------------------------------------------ task fields
def task_field(draft: Draft, std: Standard, task: Task, name: str) -> None:
    _cite_task(draft, std, task)
    if name == "indicators":
        draft.say(t("answers.indicators_of", task=task.code, title=task.title))
        numbered(draft, std, task.indicators)
    elif name == "outputs":
        draft.say(t("answers.outputs_of", task=task.code, title=task.title))
        outputs = task.outputs
        numbered(draft, std, outputs) if outputs else draft.say(t("answers.no_outputs"))
    elif name == "knowledge":
        draft.say(t("answers.knowledge_of", task=task.code, title=task.title))
        numbered(draft, std, _catalogue(std, task.knowledge, std.knowledge))
    elif name == "skills":
        draft.say(t("answers.skills_of", task=task.code, title=task.title))
        numbered(draft, std, _catalogue(std, task.skills, std.skills))
    elif name == "level":
        draft.say(t("answers.level_of", task=task.code, title=task.title, level=task.level or "—"))
    elif name == "duties":
        duty = std.duty(task.duty)
        draft.say(t("answers.duty_of", task=task.code, title=task.title, duty=task.duty,
                    duty_title=duty.title if duty else ""))
        if duty:
            draft.cite(std, duty.code, duty.title)
    elif name == "overview_short":
        task_overview(draft, std, task, know_how=False)
    else:
        task_overview(draft, std, task)


def tasks_field(draft: Draft, std: Standard, tasks: list[Task], name: str) -> None:
    """The knowledge or skills several tasks need, each once, with the tasks that list it (「級別最低的任務要什麼知識」)."""
    table, attr = (std.knowledge, "knowledge") if name == "knowledge" else (std.skills, "skills")
    users: dict[str, list[str]] = {}
    for task in tasks:
        for code in getattr(task, attr):
            users.setdefault(code, []).append(task.code)
    keys = sorted((key for key in table if key in users), key=lambda key: code_order(table[key].code))
    draft.say(t(f"answers.{attr}_of_tasks", n=len(tasks), count=len(keys)))
    for n, key in enumerate(keys, 1):
        item = table[key]
        draft.say(t("answers.numbered_used_by", n=n, code=item.code, text=item.text,
                    tasks=t("answers.list_sep").join(users[key])))
        draft.cite(std, item.code, item.full_text)


def code_order(code: str) -> tuple[int, ...]:
    """S04 before S10; an item printed without its number (a bare 「S」) last."""
    numbers = [int(n) for n in re.findall(r"\d+", code)]
    return tuple(numbers) if numbers else (10**6,)


def task_overview(draft: Draft, std: Standard, task: Task, know_how: bool = True) -> None:
    """A task with its duty and level, indicators and outputs, and (know_how) its knowledge and skills."""
    duty = std.duty(task.duty)
    _cite_task(draft, std, task)
    draft.say(t("answers.task_overview", task=task.code, title=task.title, duty=task.duty,
                duty_title=duty.title if duty else "", level=task.level or "—"))
    for key, items in (
        ("section_indicators", task.indicators),
        ("section_outputs", task.outputs),
        *((("section_knowledge", _catalogue(std, task.knowledge, std.knowledge)),
           ("section_skills", _catalogue(std, task.skills, std.skills))) if know_how else ()),
    ):
        if items:
            draft.say(t(f"answers.{key}") + t("answers.colon"))
            numbered(draft, std, items)


def duty_overview(draft: Draft, std: Standard, code: str) -> bool:
    duty = std.duty(code)
    if not duty:
        return False
    draft.cite(std, duty.code, duty.title)
    draft.say(t("answers.duty_line", code=duty.code, title=duty.title, n=len(duty.tasks)))
    for task in duty.tasks:
        _cite_task(draft, std, task)
        draft.say(t("answers.bullet", text=t("answers.task_line", code=task.code, title=task.title,
                                              level=task.level or "—")))
    return True


# ------------------------------------------------------------------ single items
def item_lookup(draft: Draft, doc: Document, code: str) -> bool:
    item = find_item(doc, code)
    if item is None:
        return False
    draft.say(t("answers.item_is", code=item.code, text=item.text))
    for point in item.points:
        draft.say(t("answers.item_points", text=point))
    draft.cite(doc, item.code, item.full_text)
    if isinstance(doc, Standard):
        used = tasks_using(doc, code)
        if used:
            draft.say(t("answers.item_used_in", tasks=t("answers.list_sep").join(f"{u.code} {u.title}" for u in used)))
            for u in used:
                _cite_task(draft, doc, u)
    else:
        unit_notes_for(draft, doc, item)
    return True


def unit_notes_for(draft: Draft, unit: Unit, item: Item) -> None:
    for note_id in unit.note_refs(item):
        note = unit.notes.get(note_id)
        if note:
            draft.say(t("answers.note_heading", code=note.code, text=note.text))
            draft.cite(unit, note.code, note.text)
    if item.code in unit.notes:
        cited = unit.cited_by(item.code)
        if cited:
            draft.say(t("answers.cited_by", items=t("answers.list_sep").join(i.code for i in cited)))
            for citing in cited:
                draft.cite(unit, citing.code, citing.full_text)


def reverse_lookup(draft: Draft, std: Standard, code: str) -> None:
    item = find_item(std, code)
    used = tasks_using(std, code)
    if item is None or not used:
        draft.say(t("answers.reverse_none", item=code))
        return
    draft.cite(std, item.code, item.full_text)
    heading = "answers.reverse_heading_own" if item.code[0] in "PO" else "answers.reverse_heading"  # a task's own
    draft.say(t(heading, item=item.code, text=item.text, n=len(used)))
    for n, task in enumerate(used, 1):
        draft.say(t("answers.numbered", n=n, code=task.code, text=t("answers.task_with_level", title=task.title, level=task.level or "—")))
        _cite_task(draft, std, task)


def remark_lookup(draft: Draft, doc: Document, term: str) -> bool:
    """A term the standard's remarks (說明與補充事項) explain: the remark line, cited to the standard."""
    if not isinstance(doc, Standard):
        return False
    for section in doc.notes:
        for line in section.items:
            if line.startswith(term):
                draft.say(t("answers.remark", text=line))
                draft.cite(doc, doc.code, line)
                return True
    return False


# ------------------------------------------------------------------ standard-level fields
_LATEST = ("最新", "最近", "目前", "現行", "現在", "第幾版", "幾版", "latest", "recent", "current", "now")
_FIRST = ("第一版", "第一個版本", "最早", "首次", "首版", "最初", "first", "earliest")


def standard_field(draft: Draft, doc: Document, name: str, catalog: Catalog, question: str = "") -> bool:
    if isinstance(doc, Unit):
        return unit_field(draft, doc, name)
    std = doc
    if name == "former_titles":
        former_titles(draft, std, catalog)
    elif name == "versions":
        version_lead(draft, std, catalog, question)
        versions(draft, std, catalog)
    elif name in ("std_level", "level"):
        draft.say(t("answers.std_level", level=std.level or "—"))
        draft.cite(std, std.code, std.title)
    elif name == "description":
        draft.say(t("answers.description", text=std.description))
        draft.cite(std, std.code, std.description)
        draft.say(t("answers.description_outline"))  # what the work is, duty by duty: what people asking mean
        for duty in std.duties:
            duty_overview(draft, std, duty.code)
    elif name == "classification":
        draft.say(_classification(std))
        draft.cite(std, std.code, std.title)
    elif name == "entry":
        entry = std.entry_requirements
        draft.say(t("answers.entry_heading") if entry else t("answers.entry_none"))
        for line in entry:
            draft.say(t("answers.bullet", text=line))
        if LICENSE_CUE.search(question) and not any(LICENSE_CUE.search(line) for line in entry):
            draft.say(t("answers.entry_no_license"))
        draft.cite(std, std.code, "；".join(entry) or std.title)
    elif name == "notes":
        draft.say(t("answers.notes_heading"))
        for section in std.notes:
            if section.heading:
                draft.say(section.heading + t("answers.colon"))
            for line in section.items:
                draft.say(t("answers.bullet", text=line))
        draft.cite(std, std.code, std.title)
    elif name in ("attitudes", "knowledge", "skills"):
        table = {"attitudes": std.attitudes, "knowledge": std.knowledge, "skills": std.skills}[name]
        draft.say(t(f"answers.{name}_heading"))
        numbered(draft, std, list(table.values()))
    elif name in ("tasks", "duties"):
        draft.say(t("answers.tasks_heading"))
        for duty in std.duties:
            duty_overview(draft, std, duty.code)
    else:
        return False
    return True


def _classification(std: Standard) -> str:
    def part(c: object, attr: str) -> str:
        return getattr(c, attr, "") if c else ""

    return t(
        "answers.classification",
        category=part(std.category, "name"), category_code=part(std.category, "code"),
        occupation=part(std.occupation, "name"), occupation_code=part(std.occupation, "code"),
        industry=part(std.industry, "name"), industry_code=part(std.industry, "code"),
    )


def version_table(std: Standard, catalog: Catalog) -> list:  # type: ignore[type-arg]
    source = std if std.versions else catalog.latest_of(std)
    return list(getattr(source, "versions", []))


def version_lead(draft: Draft, std: Standard, catalog: Catalog, question: str) -> None:
    """The one version the question asks about (the latest, the first), before the whole table."""
    table = version_table(std, catalog)
    if not table:
        return
    low = question.lower()
    if any(w in low for w in _FIRST):
        first = table[-1]
        draft.say(t("answers.version_first", version=first.version, code=first.code, title=first.title, date=first.date))
    elif any(w in low for w in _LATEST) or "更新" in low or "update" in low:
        latest = next((v for v in table if v.state == "最新版本"), table[0])
        draft.say(t("answers.version_latest", version=latest.version, code=latest.code, title=latest.title,
                    date=latest.date))


def former_titles(draft: Draft, std: Standard, catalog: Catalog) -> None:
    table = version_table(std, catalog)
    current_title = catalog.latest_of(std).title
    former: dict[str, list[str]] = {}
    for v in table:
        if v.title and v.title != current_title:
            former.setdefault(v.title, []).append(f"{v.version} {v.code}，{v.date}")
    if not former:
        draft.say(t("answers.former_titles_none", title=current_title))
    else:
        draft.say(t("answers.former_titles_heading", title=current_title))
        for title, uses in former.items():
            draft.say(t("answers.bullet", text=f"{title}（{'；'.join(uses)}）"))
    draft.cite(std, std.code, std.title)


def versions(draft: Draft, std: Standard, catalog: Catalog) -> None:
    source = std if std.versions else catalog.latest_of(std)
    draft.say(t("answers.versions_heading"))
    for v in getattr(source, "versions", []):
        draft.say(t("answers.version_line", version=v.version, code=v.code, title=v.title, state=v.state,
                    date=v.date, note="" if v.note == "略" else v.note))
    loaded = [d.code for d in catalog.family(std)]
    draft.say(t("answers.versions_loaded", codes=t("answers.list_sep").join(loaded)))
    for code in loaded:
        doc = catalog.get(code)
        if doc:
            draft.cite(doc, doc.code, doc.title)


def unit_field(draft: Draft, unit: Unit, name: str) -> bool:
    if name in ("std_level", "level"):
        draft.say(t("answers.unit_level", level=unit.level or "—"))
        draft.cite(unit, unit.code, unit.title)
    elif name == "classification":
        draft.say(t("answers.unit_domain", domain=unit.domain))
        draft.cite(unit, unit.code, unit.title)
    elif name in ("knowledge", "skills"):
        draft.say(t(f"answers.{name}_heading"))
        table = unit.knowledge if name == "knowledge" else unit.skills
        numbered(draft, unit, list(table.values()))
    elif name == "assessment":
        draft.say(t("answers.assessment_heading"))
        for part in unit.assessment:
            draft.say(f"{part.id} {part.title}")
            numbered(draft, unit, part.items)
    elif name in ("tasks", "indicators", "duties"):
        draft.say(t("answers.unit_sections_heading"))
        for section in unit.sections:
            draft.say(f"{section.id} {section.title}")
            draft.cite(unit, section.id, section.title)
            numbered(draft, unit, section.items)
    elif name == "notes":
        draft.say(t("answers.notes_heading"))
        numbered(draft, unit, list(unit.notes.values()))
    elif name == "versions":
        draft.say(t("answers.unit_history", text="；".join(unit.history) or "—"))
        draft.cite(unit, unit.code, unit.title)
    else:
        return False
    return True


def unit_id_lookup(draft: Draft, unit: Unit, code: str) -> bool:
    section = next((s for s in unit.sections if s.id == code), None)
    if section:
        draft.say(f"{section.id} {section.title}")
        draft.cite(unit, section.id, section.title)
        numbered(draft, unit, section.items)
        return True
    part = next((p for p in unit.assessment if p.id == code), None)
    if part:
        draft.say(f"{part.id} {part.title}")
        numbered(draft, unit, part.items)
        return True
    return item_lookup(draft, unit, code)


def overview(draft: Draft, doc: Document) -> None:
    status = t("answers.status_current" if doc.status == "current" else "answers.status_historical")
    if isinstance(doc, Standard):
        detail = t("answers.overview_detail_standard", level=doc.level or "—", duties=len(doc.duties),
                   tasks=len(doc.tasks), description=doc.description)
    else:
        detail = t("answers.overview_detail_unit", level=doc.level or "—", sections=len(doc.sections),
                   items=len(doc.items), domain=doc.domain)
    draft.say(t("answers.overview", code=doc.code, title=doc.title, kind=doc.kind, status=status, detail=detail))
    draft.cite(doc, doc.code, doc.title)


# ------------------------------------------------------------------ a value of the basic information, the other way
MAX_LISTED_DOCS = 20  # documents listed for a value or a term many of them print (at 3,000 standards, hundreds)
_YEAR = re.compile(r"(?<!\d)(20\d\d|19\d\d)(?!\d)")
_ROC_YEAR = re.compile(r"(?<!\d)(1[01]\d)\s*年")  # 民國 113 年 = 2024


def values_of(doc: Document, catalog: Catalog) -> list[tuple[str, str, str, str]]:
    """(field, value, name, code) of a document's basic information that a question may name: classification names,
    their parts and codes, the latest version's date (name and code empty) and each older version's date (「2018/12/20
    那次是哪一版」: that version's number, title and code)."""
    pairs: list[tuple[str, str, str, str]] = []
    if isinstance(doc, Standard):
        for key, c in (("category", doc.category), ("occupation", doc.occupation), ("industry", doc.industry)):
            if c is not None:
                told = dict.fromkeys([c.code, c.name, *(p.strip() for p in re.split(r"[/／]", c.name or ""))])  # a part too
                pairs += [(key, v, c.name, c.code) for v in told if v]
        table = version_table(doc, catalog)
        latest = next((v for v in table if v.state == "最新版本"), None)
        if latest is not None and latest.date:
            pairs.append(("date", latest.date, "", ""))
        pairs += [("version", v.date, f"{v.version} {v.title}", v.code) for v in table if v.date and v is not latest]
    elif doc.domain:
        pairs.append(("domain", doc.domain, "", ""))
    return pairs


BasicValues = dict[str, list[tuple[Document, str, str, str, str]]]  # value -> (document, field, value, name, code)


def basic_values(catalog: Catalog) -> BasicValues:
    """Every current document's basic information by value (a date under its year too, as "year:2024"): built once
    per catalog by its router, so a question does not walk 3,000 documents."""
    table: BasicValues = {}
    for doc in sorted(catalog.current(), key=lambda d: d.code):
        for key, value, name, code in values_of(doc, catalog):
            table.setdefault(value, []).append((doc, key, value, name, code))
            if key == "date" and _YEAR.match(value):  # an older version's date is found by the whole date only
                table.setdefault(f"year:{value[:4]}", []).append((doc, key, value, name, code))
    return table


def _shown(key: str, value: str, name: str, code: str) -> str:
    if key in ("date", "domain"):
        return value
    return t("answers.value_named", name=name, code=code) if name and code else name or code


_CLASS_WORD = re.compile(r"職類|職業|行業|類別|代碼|代號|category|occupation|industry", re.I)


def named_values(text: str, names: Collection[str] = (), years: bool = True) -> list[str]:
    """Values a question names that could be basic information: codes such as J6201 or 3512, a three-letter
    category code (ISD), years (when `years`), and any of `names` (classification names, four characters or more)
    it holds, found by the question's own substrings."""
    found = re.findall(r"(?<![A-Za-z0-9])([A-Z]\d{4}|\d{4})(?![A-Za-z0-9])", text)
    if not years:
        found = [f for f in found if not _YEAR.fullmatch(f) or _CLASS_WORD.search(text)]
    found += re.findall(r"(?<![A-Za-z0-9])([A-Z]{3})(?![A-Za-z0-9])", text)  # kept only when a document's value
    if years:
        found += [str(int(m.group(1)) + 1911) for m in _ROC_YEAR.finditer(text)]
    found += [name for name in substrings(text, 4, 30) if name in names]
    return list(dict.fromkeys(found))


def substrings(text: str, shortest: int, longest: int) -> list[str]:
    """Every substring of the text from `shortest` to `longest` characters, longest first at each start."""
    return [text[i:j] for i in range(len(text)) for j in range(min(len(text), i + longest), i + shortest - 1, -1)]


def by_value(draft: Draft, catalog: Catalog, text: str, years: bool = True, table: BasicValues | None = None) -> bool:
    """「哪一份的行業別代碼是 J6201」「哪一份是 2024 年更新的」「INM 是哪個職類」: the current documents whose basic
    information holds a value the question names. False when none does."""
    table = basic_values(catalog) if table is None else table
    wanted = named_values(text, table, years)
    matches: dict[tuple[str, str], tuple[Document, str, str, str, str]] = {}
    for w in wanted:
        for row in [*table.get(w, ()), *(table.get(f"year:{w}", ()) if _YEAR.fullmatch(w) else ())]:
            matches.setdefault((row[0].code, row[1]), row)
    if not matches:
        return False
    draft.say(t("answers.value_heading", values=t("answers.list_sep").join(wanted)))
    ordered = [matches[key] for key in sorted(matches)]
    for n, (doc, key, value, name, code) in enumerate(ordered[:MAX_LISTED_DOCS], 1):
        draft.say(t("answers.value_line", n=n, code=doc.code, title=doc.title, label=t(f"answers.value_{key}"),
                    value=_shown(key, value, name, code)))
        draft.cite(doc, doc.code, doc.title)
    if len(ordered) > MAX_LISTED_DOCS:
        draft.say(t("answers.more_documents", n=len(ordered) - MAX_LISTED_DOCS))
    if len({doc.code for doc, *_ in ordered}) == 1:
        draft.standard = ordered[0][0].code  # 「3512 係邊份？佢嘅職類別呢」: that one is what 「佢」 means next
    return True


# ------------------------------------------------------------------ where a quoted passage is printed
QUOTED_PASSAGE = re.compile(r"[「『\"“]([^」』\"”]{8,120})[」』\"”]")
_NOT_WRITING = re.compile(r"[\s，,、。．.；;：:！!？?（）()「」『』\"'·・]")


def quoted_source(draft: Draft, catalog: Catalog, quote: str) -> bool:
    """「「負責規劃、指揮及協調…之專案」這段出自哪份」: the documents (any version) that print the quoted words, with the
    field or item that holds them; False when none does. Punctuation and spaces are not compared."""
    wanted = _NOT_WRITING.sub("", quote)
    found = [(doc, where) for doc in sorted(catalog.documents.values(), key=lambda d: (d.status != "current", d.code))
             for where in _printing(doc, wanted)]
    for code_of_doc in dict.fromkeys(d.code for d, _ in found):
        doc = next(d for d, _ in found if d.code == code_of_doc)
        draft.say(header(doc, catalog))
        draft.standard = draft.standard or doc.code
        for _, (code, label, text) in ((d, w) for d, w in found if d is doc):
            draft.say(t("answers.quoted_in", label=label, text=text))
            draft.cite(doc, code, text)
    return bool(found)


def _printing(doc: Document, wanted: str) -> list[tuple[str, str, str]]:
    """(code, label, text) of what in the document holds the words: its description, a task's title, an item."""
    places: list[tuple[str, str, str]] = []
    if isinstance(doc, Standard):
        places.append((doc.code, t("answers.quoted_description"), doc.description))
        places += [(task.code, task.code, task.title) for task in doc.tasks]
        places += [(i.code, i.code, i.full_text) for task in doc.tasks for i in (*task.indicators, *task.outputs)]
        places += [(i.code, i.code, i.full_text) for table in (doc.knowledge, doc.skills, doc.attitudes)
                   for i in table.values()]
    else:
        places += [(i.code, i.code, i.full_text) for i in (*doc.items, *doc.knowledge.values(), *doc.skills.values())]
    return [p for p in places if p[2] and wanted in _NOT_WRITING.sub("", p[2])][:MAX_LISTED_DOCS]


# ------------------------------------------------------------------ a term a standard's remarks define
# How a question asks what a term means, written once for the remarks' terms (here), the documents' own terms
# (retrieval/terms.py) and terms no document prints (retrieval/understand.py): a cue before the term, one after it, and
# the bare 'what is' after it, which 「行為指標是什麼」 may also use to ask for the items themselves.
MEANING_BEFORE = r"(?:什麼是|甚麼是|什么是|何謂|所謂的|所謂|什麼叫做|什麼叫|咩係|乜嘢係|乜係|咩叫|what is|what's|define|definition of|meaning of)"
MEANING_AFTER = (r"(?:怎麼定義|如何定義|怎麼解釋|如何解釋|的解釋|是什麼意思|什麼意思|甚麼意思|的意思|意思是|意思|指的是什麼|指的是|是指什麼|是指|指什麼|是什麼東西|的定義|定義是|"
                 r"定義|代表什麼|係咩意思|係乜嘢|means?|definition|is defined)")
WHAT_IS = r"(?:是什麼|是甚麼|是什么|是啥|係咩)"
# 「「資料倉儲」，它的定義到底是什麼」「「各項需求測試」，具體是包含哪些」: a comma and a pronoun may come between, and
# the term's English after it (「資料倉儲 data warehouse，…怎麼解釋」「系統整合 (system integration) 是什麼意思」)
_ENGLISH_GLOSS = r"(?:\s*[（(]?\s*[A-Za-z][A-Za-z .\-/]{1,40}?\s*[)）]?\s*)?"
_DEFINE_AFTER = re.compile(rf"^[」』\"'\s）)]*{_ENGLISH_GLOSS}(?:[，,]\s*(?:它|這個|这个|那個|這|那|this|it)?\s*)?(?:的|这个|這個)?\s*"
                           r"(?:(?:在|於)[^，,？?]{2,16}?(?:裡面|裡|中|上)\s*)?"  # 「資料倉儲在電商規劃人員裡是怎麼定義的」
                           r"(?:(?:職能)?(?:基準|標準|文件)(?:裡面|裡|中|上)\s*)?"  # 「…，職能基準裡怎麼解釋這個詞」
                           rf"(?:到底|究竟|具體)?\s*(?:是)?\s*(?:{MEANING_AFTER}|{WHAT_IS}|包含|包括|有哪些|具體|是誰|是哪些)", re.I)
_DEFINE_BEFORE = re.compile(rf"{MEANING_BEFORE}\s*[「『\"']?\s*$", re.I)


FIELD_HEADINGS = ("入門水準建議",)  # the older layout prints its entry requirements as a remark: a field, no term


def remark_terms(doc: Document) -> list[tuple[str, str]]:
    """(term, remark line) for the terms a standard's remarks define: "資料倉儲 (data warehouse…) : 是用於…" ->
    資料倉儲; "各項需求測試：如輸出入…" -> 各項需求測試."""
    if not isinstance(doc, Standard):
        return []
    out = []
    for section in doc.notes:
        for line in section.items:
            head = re.split(r"\s*[：:]\s*", line, maxsplit=1)
            term = re.sub(r"\s*[（(][^）)]*[）)]\s*", "", head[0]).strip() if len(head) == 2 else ""
            if 2 <= len(term) <= 12 and term not in FIELD_HEADINGS:
                out.append((term, line))
    return out


RemarkTerms = dict[str, list[tuple[Document, str]]]  # term -> (document, remark line)


def remark_index(docs: Iterable[Document]) -> RemarkTerms:
    """The terms the documents' remarks define, by term (a router keeps the current documents' once per catalog)."""
    index: RemarkTerms = {}
    for doc in docs:
        for term, line in remark_terms(doc):
            index.setdefault(term, []).append((doc, line))
    return index


def defined_terms(draft: Draft, docs: list[Document], question: str, catalog: Catalog,
                  index: RemarkTerms | None = None) -> bool:
    """「資料倉儲的定義是什麼」「「各項需求測試」包含哪些」: the remark that defines the term, quoted and cited. Only when
    the question asks what the term itself means (a cue right after or before it), not whenever it holds the word.
    `index`: the remark terms of these documents, built before."""
    index = remark_index(docs) if index is None else index
    found = []
    for term in dict.fromkeys(substrings(question, 2, 12)):
        for doc, line in index.get(term, ()):
            for m in re.finditer(re.escape(term), question):  # 「系統整合工程人員裡的「系統整合」是什麼意思」: the second
                if _DEFINE_AFTER.match(question[m.end():]) or _DEFINE_BEFORE.search(question[: m.start()]):
                    found.append((doc, line, term))
                    break
    said: set[str] = set()
    unique = {(doc.code, line, term): (doc, line, term) for doc, line, term in found}
    for doc, line, term in list(unique.values())[:MAX_LISTED_DOCS]:
        if doc.code not in said:
            draft.say(header(doc, catalog))
            said.add(doc.code)
        draft.say(t("answers.remark", text=line))
        draft.cite(doc, doc.code, line)
        _term_used(draft, doc, term)
        draft.standard = draft.standard or doc.code
    return bool(found)


MAX_TERM_USES = 3  # a term the notes define shown where it is used, when it is used in a few places only


def _term_used(draft: Draft, doc: Document, term: str) -> None:
    """「各項需求測試」 defined in the notes and written in P2.2.2: the indicator too, with its task."""
    if not isinstance(doc, Standard):
        return
    uses = [(task, item) for task in doc.tasks for item in task.indicators + task.outputs
            if term in item.text and not item.misplaced]
    if not uses or len(uses) > MAX_TERM_USES:
        return
    draft.say(t("answers.remark_used_in", term=term))
    for task, item in uses:
        draft.say(t("answers.remark_use", code=item.code, text=item.text, task=task.code, title=task.title))
        draft.cite(doc, item.code, item.text)
        draft.cite(doc, task.code, task.title)


def latest_dates(draft: Draft, catalog: Catalog) -> bool:
    """「哪一份最近一次更新」: every current document by the date of its latest version, the most recent first."""
    dated = []
    for doc in catalog.current():
        if isinstance(doc, Standard):
            latest = next((v for v in version_table(doc, catalog) if v.state == "最新版本"), None)
            if latest is not None and latest.date:
                dated.append((latest.date, doc, latest))
    if not dated:
        return False
    draft.say(t("answers.latest_dates_heading"))
    for n, (date, doc, latest) in enumerate(sorted(dated, key=lambda d: d[0], reverse=True), 1):
        draft.say(t("answers.latest_dates_line", n=n, code=doc.code, title=doc.title, version=latest.version, date=date))
        draft.cite(doc, doc.code, doc.title)
    return True


def version_not_loaded(draft: Draft, catalog: Catalog, code: str) -> bool:
    """「IIS3513-006v3 是什麼時候的」: a version whose text is not loaded, told from the version table of a loaded
    version of its family (what the table prints of it, cited to the loaded document)."""
    wanted = code.upper()
    for doc in catalog.standards():
        for v in version_table(doc, catalog):
            if v.code.upper() == wanted or v.code.upper().lstrip("I") == wanted.lstrip("I"):
                draft.say(t("answers.version_not_loaded", code=v.code, version=v.version, title=v.title, state=v.state,
                            date=v.date, loaded=doc.code))
                draft.cite(doc, doc.code, doc.title)
                draft.standard = doc.code
                return True
    return False
