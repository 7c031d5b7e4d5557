"""Choosing items inside one document: which items a question names (codes, ordinals), lists of one
sort, counts stated as numbers, and tasks filtered by a condition."""

from __future__ import annotations

from index.catalog import Catalog, find_item, tasks_using
from index.model import Document, Duty, Item, Standard, Task, Unit
from prompts import t
from retrieval import answer as A
from retrieval.understand import Condition, Ordinal, Query

MEASURE_LABEL = {"outputs": "section_outputs", "indicators": "section_indicators", "knowledge": "section_knowledge",
                 "skills": "section_skills", "level": "level_label", "tasks": "tasks_label"}
NEAREST_VALUES = 3  # a filter matching no task shows the tasks of the values nearest the one asked


def has_any(doc: Document, q: Query) -> bool:
    """True when the document holds one of the codes the question names."""
    if isinstance(doc, Unit):
        return any(A.find_item(doc, u) or any(s.id == u for s in doc.sections) or
                   any(p.id == u for p in doc.assessment) for u in q.unit_ids)
    return (
        any(doc.task(c) for c in q.tasks)
        or any(doc.duty(c) for c in q.duties)
        or any(find_item(doc, c) or tasks_using(doc, c) for c in q.items)
    )


def named_codes(q: Query) -> list[tuple[str, str]]:
    """The question's codes by sort, as `Catalog.holding` looks them up: the documents it finds are the
    ones `has_any` accepts."""
    return [*(("task", c) for c in q.tasks), *(("duty", c) for c in q.duties), *(("item", c) for c in q.items),
            *(("unit", c) for c in q.unit_ids)]


# ---------------------------------------------------------------- ordinals
def _pick(seq: list, index: int):  # type: ignore[no-untyped-def]
    position = index - 1 if index > 0 else len(seq) + index
    return seq[position] if 0 <= position < len(seq) else None


def resolve_ordinals(doc: Document, q: Query) -> bool:
    """'第三個職責', '最後一個工作任務', '第二個職責底下第一個任務', 'T2.2 的第一個行為指標', '態度裡最後一項'
    -> codes in the query. False when one is out of range."""
    if isinstance(doc, Unit):
        return _unit_ordinals(doc, q)
    order = {"duty": 0, "task": 1, "indicator": 2, "output": 2}
    for o in sorted(q.ordinals, key=lambda o: order.get(o.target, 3)):
        code = _ordinal_code(doc, q, o)
        if code is None:
            return False
        if o.target == "duty":
            q.duties.append(code)
        elif o.target == "task":
            q.tasks.append(code)
        else:
            q.items.append(code)
    if q.items and q.tasks and any(o.target in ("indicator", "output") for o in q.ordinals):
        q.tasks.clear()  # the indicator itself is the answer, not its whole task
    if q.tasks and any(o.target == "task" for o in q.ordinals):
        q.duties.clear()  # "第二個職責底下第一個任務": the duty only located the task
    return bool(q.tasks or q.duties or q.items)


def _ordinal_code(std: Standard, q: Query, o: Ordinal) -> str | None:
    if o.target == "duty":
        duty = _pick(std.duties, o.index)
        return duty.code if duty else None
    if o.target == "task":
        duty = q.duties[-1] if q.duties else None
        tasks = [task for task in std.tasks if duty is None or task.duty == duty]
        task = _pick(tasks, o.index)
        return task.code if task else None
    if o.target in ("indicator", "output"):
        task = std.task(q.tasks[-1]) if q.tasks else None
        items = (task.indicators if o.target == "indicator" else task.outputs) if task else []
        item = _pick(items, o.index)
        return item.code if item else None
    table = {"knowledge": std.knowledge, "skill": std.skills, "attitude": std.attitudes}.get(o.target)
    item = _pick(list(table.values()), o.index) if table else None
    return item.code if item else None


def _unit_ordinals(unit: Unit, q: Query) -> bool:
    for o in q.ordinals:
        if o.target in ("section", "task", "duty"):
            found = _pick(unit.sections, o.index)
            code = found.id if found else None
        else:
            table = {"knowledge": unit.knowledge, "skill": unit.skills}.get(o.target, {})
            item = _pick(list(table.values()), o.index)
            code = item.code if item else None
        if code is None:
            return False
        q.unit_ids.append(code)
    return bool(q.unit_ids)


# ---------------------------------------------------------------- lists
def _all_items(std: Standard, field: str) -> list[tuple[Task, list[Item]]]:
    pick = {"indicators": lambda task: task.indicators, "outputs": lambda task: task.outputs}[field]
    return [(task, pick(task)) for task in std.tasks]


def list_field(draft: A.Draft, doc: Document, field: str, catalog: Catalog) -> None:
    if isinstance(doc, Standard) and field in ("indicators", "outputs"):
        draft.say(t(f"answers.all_{field}_heading"))
        for task, items in _all_items(doc, field):
            draft.say(t("answers.task_heading", task=task.code, title=task.title))
            draft.cite(doc, task.code, task.title)
            A.numbered(draft, doc, items) if items else draft.say(t("answers.no_outputs"))
        return
    A.standard_field(draft, doc, field if field in ("knowledge", "skills", "attitudes", "assessment", "notes",
                                                    "duties") else "tasks", catalog)


def field_size(doc: Document, field: str) -> tuple[int, str]:
    """How many items of a sort the document holds, and the label of the sort."""
    sizes = field_sizes(doc)
    if isinstance(doc, Unit):
        key = field if field in sizes else "indicators"
        return sizes[key], t(f"answers.count_noun_unit_{key}")
    key = field if field in sizes else "tasks"
    older = doc.layout == "merged" and key in ("tasks", "duties")  # its columns: 工作任務 (T1…) and 工作活動 (T1.1…)
    return sizes[key], t(f"answers.count_noun_{'older_' if older else ''}{key}")


def field_sizes(doc: Document) -> dict[str, int]:
    """How many items of each sort the document holds."""
    if isinstance(doc, Unit):
        return {"tasks": len(doc.sections), "duties": len(doc.sections), "knowledge": len(doc.knowledge),
                "skills": len(doc.skills), "assessment": sum(len(p.items) for p in doc.assessment),
                "notes": len(doc.notes), "indicators": len(doc.items)}
    return {"tasks": len(doc.tasks), "duties": len(doc.duties), "knowledge": len(doc.knowledge),
            "skills": len(doc.skills), "attitudes": len(doc.attitudes),
            "indicators": sum(len(task.indicators) for task in doc.tasks),
            "outputs": sum(len([o for o in task.outputs if not o.misplaced]) for task in doc.tasks),
            "notes": sum(len(n.items) for n in doc.notes)}


def count_field(draft: A.Draft, doc: Document, field: str, catalog: Catalog, brief: bool = False) -> None:
    size, noun = field_size(doc, field)
    draft.say(t("answers.count_total", n=size, noun=noun))
    if isinstance(doc, Unit) and field in ("tasks", "duties", "indicators"):
        draft.say(t("answers.count_unit_items", sections=len(doc.sections), items=len(doc.items)))
    if brief:
        draft.cite(doc, doc.code, doc.title)
        return
    if isinstance(doc, Standard) and field in ("indicators", "outputs"):
        per_task = [(task, len(items)) for task, items in _all_items(doc, field)]
        draft.say(t("answers.count_per_task_heading"))
        for task, n in per_task:
            draft.say(t("answers.count_per_task", task=task.code, title=task.title, n=n))
            draft.cite(doc, task.code, task.title)
        return
    list_field(draft, doc, field, catalog)


def count_task_field(draft: A.Draft, std: Standard, task: Task, field: str) -> None:
    items = _task_items(std, task, field)
    draft.cite(std, task.code, task.title)
    draft.say(t("answers.count_in_task", task=task.code, title=task.title, n=len(items),
                noun=t(f"answers.count_noun_{field}")))
    A.numbered(draft, std, items)


LISTED_IN_DUTY_COUNT = 12  # a duty's count small enough to show its items under each task

def count_duty_field(draft: A.Draft, std: Standard, code: str, field: str) -> None:
    duty = std.duty(code)
    if duty is None:
        return
    draft.cite(std, duty.code, duty.title)
    per_task = [(task, _task_items(std, task, field)) for task in duty.tasks]
    distinct = list({item.code: item for _, items in per_task for item in items}.values())  # K, S shared by tasks
    shared = len(distinct) < sum(len(items) for _, items in per_task)
    draft.say(t("answers.count_in_duty_field", duty=duty.code, title=duty.title, n=len(distinct),
                noun=t(f"answers.count_noun_{field}")))
    listed = len(distinct) <= LISTED_IN_DUTY_COUNT  # "list the outputs under T4, how many": the few items too
    for task, items in per_task:
        draft.say(t("answers.count_per_task", task=task.code, title=task.title, n=len(items)))
        draft.cite(std, task.code, task.title)
        for item in items if listed and not shared else ():
            _item_line(draft, std, item)
    for item in distinct if listed and shared else ():  # the older layout's merged cells: one list for the duty
        _item_line(draft, std, item)


def _item_line(draft: A.Draft, std: Standard, item: Item) -> None:
    draft.say(t("answers.count_item_line", code=item.code, text=item.text))
    draft.cite(std, item.code, item.full_text)


def shared_in_duty(draft: A.Draft, std: Standard, duty: Duty, field: str) -> None:
    """The knowledge (or skills) every task of a duty needs; when none is, the ones most of them need, with how many."""
    per_task = [_task_items(std, task, field) for task in duty.tasks]
    uses: dict[str, tuple[Item, int]] = {}
    for items in per_task:
        for item in items:
            uses[item.code] = (item, uses.get(item.code, (item, 0))[1] + 1)
    total = len(duty.tasks)
    every = [item for item, n in uses.values() if n == total]
    noun = t(f"answers.count_noun_{field}")
    draft.say(t("answers.duty_common" if every else "answers.duty_common_none", duty=duty.code, title=duty.title,
                noun=noun))
    most = max((n for _, n in uses.values()), default=0)
    shown = every or [item for item, n in uses.values() if n == most and n > 1]
    for n, item in enumerate(shown, 1):
        draft.say(t("answers.duty_common_line", n=n, code=item.code, text=item.text, used=uses[item.code][1],
                    total=total))
        draft.cite(std, item.code, item.full_text)
    if not shown:
        draft.say(t("answers.duty_common_nothing"))


def _task_items(std: Standard, task: Task, field: str) -> list[Item]:
    return {"indicators": task.indicators, "outputs": task.outputs,
            "knowledge": [std.knowledge[c] for c in task.knowledge if c in std.knowledge],
            "skills": [std.skills[c] for c in task.skills if c in std.skills]}.get(field, [])


def count_per_duty(draft: A.Draft, std: Standard) -> None:
    """「各職責的任務數」: how many tasks each duty holds, and in all."""
    draft.say(t("answers.count_total", n=len(std.tasks), noun=t("answers.count_noun_tasks")))
    for duty in std.duties:
        draft.say(t("answers.count_per_duty", duty=duty.code, title=duty.title, n=len(duty.tasks)))
        draft.cite(std, duty.code, duty.title)


def count_duty_tasks(draft: A.Draft, std: Standard, code: str) -> bool:
    duty = std.duty(code)
    if duty is None:
        return False
    draft.say(t("answers.count_in_duty", duty=duty.code, title=duty.title, n=len(duty.tasks)))
    return A.duty_overview(draft, std, code)


# ---------------------------------------------------------------- filters
def measure(std: Standard, task: Task, name: str) -> int:
    return {
        "outputs": len([o for o in task.outputs if not o.misplaced]),
        "indicators": len(task.indicators),
        "knowledge": len(task.knowledge),
        "skills": len(task.skills),
        "level": task.level or 0,
        "tasks": 1,
    }[name]


def _matching(std: Standard, conditions: list[Condition], among: list[Task] | None = None) -> list[Task]:
    tasks = list(std.tasks if among is None else among)
    for c in conditions:
        if c.op in ("max", "min"):
            values = [measure(std, task, c.measure) for task in tasks]
            if values:
                best = max(values) if c.op == "max" else min(values)
                tasks = [task for task, v in zip(tasks, values, strict=True) if v == best]
        else:
            tasks = [task for task in tasks if c.holds(measure(std, task, c.measure))]
    return tasks


def filter_tasks(draft: A.Draft, std: Standard, conditions: list[Condition], counting: bool = False,
                 among: list[Task] | None = None, scope: str = "") -> list[Task]:
    """The tasks meeting the conditions; among: only these (the tasks using an item, a duty's tasks), told by scope.
    Returns the tasks told."""
    conditions = [c for c in conditions if c.measure != "tasks"] or conditions
    tasks = _matching(std, conditions, among)
    described = t("answers.list_sep").join(describe(c) for c in conditions)
    if scope:
        described = t("answers.filter_scoped", scope=scope, condition=described)
    if not tasks:
        draft.say(t("answers.filter_none", condition=described))
        _what_there_is(draft, std, conditions[0], among)
        return []
    draft.say(t("answers.filter_heading", condition=described, n=len(tasks)))
    shown = [c.measure for c in conditions if c.measure in MEASURE_LABEL and c.measure != "tasks"]
    for n, task in enumerate(tasks, 1):
        detail = "；".join(f"{t('answers.' + MEASURE_LABEL[m])} {measure(std, task, m)}" for m in _unique(shown))
        draft.say(t("answers.filter_line", n=n, code=task.code, title=task.title, detail=detail))
        draft.cite(std, task.code, task.title)
    return tasks


def _what_there_is(draft: A.Draft, std: Standard, condition: Condition, among: list[Task] | None) -> None:
    """「有沒有 5 級的任務」 when none is: the values the tasks do have, the nearest first, each with its tasks (a
    "no" that shows what is there, and where)."""
    tasks = list(std.tasks if among is None else among)
    groups: dict[int, list[Task]] = {}
    for task in tasks:
        groups.setdefault(measure(std, task, condition.measure), []).append(task)
    if not groups or condition.measure == "tasks":
        return
    nearest = sorted(groups, key=lambda v: (abs(v - condition.value), v))[:NEAREST_VALUES]
    label = t("answers." + MEASURE_LABEL.get(condition.measure, "tasks_label"))
    draft.say(t("answers.filter_there_is", what=label))
    for value in sorted(nearest):
        shown = groups[value]
        draft.say(t("answers.filter_value_line", what=label, value=value, n=len(shown),
                    codes=t("answers.list_sep").join(task.code for task in shown)))
        for task in shown:
            draft.cite(std, task.code, task.title)


def describe(c: Condition) -> str:
    label = t("answers." + MEASURE_LABEL.get(c.measure, "tasks_label"))
    key = _op_key(c.op) + ("_level" if c.measure == "level" and c.op in ("max", "min") else "")
    return t(f"answers.condition_{key}", what=label, n=c.value)


def _op_key(op: str) -> str:
    return {"==": "eq", ">=": "ge", "<=": "le", ">": "gt", "<": "lt", "max": "max", "min": "min"}[op]


def _unique(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out
