"""Menus of a standard with thousands of tasks stay within Telegram's limits (paged), and every part
of it can be reached and assessed. The standard is written by benchmarks/synth.py's renderer and read
back by the project's parser, like an uploaded document."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bot.assessment import AssessmentService, EvidenceMatcher
from bot.assessment.menus import PAGE_SIZE
from bot.assessment.questions import MAX_QUESTIONS, deep_parts, quick_parts
from bot.replies import Button, Reply
from bot.store import Database
from index.catalog import Catalog
from index.embed import get_embedder
from index.model import Duty, Standard

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is a source-tree package, not installed with the product
    sys.path.insert(0, str(ROOT))

from benchmarks import synth  # noqa: E402
from bot.testing.fakebotapi import keyboard_problem  # noqa: E402

DUTIES, TASKS_PER_DUTY = 100, 50  # 5,000 tasks; every duty is larger than one quick assessment
USER, CHAT = 5005, 5005
TEMPLATE = "ISD3512-001v3"


def large_standard(template: Standard, duties: int, per_duty: int) -> Standard:
    """The template's tasks repeated into `duties` duties of `per_duty` tasks, codes renumbered."""
    source = template.tasks
    made = []
    for d in range(1, duties + 1):
        tasks = []
        for k in range(1, per_duty + 1):
            task = source[(d + k) % len(source)]
            tasks.append(
                replace(
                    task,
                    code=f"T{d}.{k}",
                    duty=f"T{d}",
                    indicators=[replace(p, code=f"P{d}.{k}.{i}") for i, p in enumerate(task.indicators, 1)],
                    outputs=[replace(o, code=f"O{d}.{k}.{i}") for i, o in enumerate(task.outputs, 1)],
                )
            )
        made.append(Duty(code=f"T{d}", title=template.duties[d % len(template.duties)].title, tasks=tasks))
    return replace(template, duties=made)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Standard:
    template = Catalog.load(ROOT / "data" / "standards").get(TEMPLATE)
    assert isinstance(template, Standard)
    folder = tmp_path_factory.mktemp("large-corpus")
    text = synth.render(large_standard(template, DUTIES, TASKS_PER_DUTY), 41, 205)
    (folder / "large.txt").write_text(text, encoding="utf-8")
    catalog = Catalog.load(folder)
    doc = next(iter(catalog.documents.values()))
    assert isinstance(doc, Standard) and len(doc.tasks) == DUTIES * TASKS_PER_DUTY, catalog.errors
    return doc


@pytest.fixture
def service(big: Standard, tmp_path: Path) -> AssessmentService:
    catalog = Catalog()
    catalog.documents[big.code] = big
    catalog.resolve()
    db = Database(f"sqlite:///{tmp_path / 'menus.sqlite3'}")
    db.create()
    return AssessmentService(catalog, db, EvidenceMatcher(get_embedder("fake")))


def keyboard(reply: Reply) -> dict:
    return {"inline_keyboard": [[{"text": b.label, "callback_data": b.data} for b in row] for row in reply.buttons]}


def checked(replies: list[Reply]) -> list[Button]:
    """The buttons of the replies, after checking every keyboard against Telegram's limits."""
    for reply in replies:
        assert keyboard_problem(keyboard(reply)) is None, keyboard_problem(keyboard(reply))
        assert sum(len(row) for row in reply.buttons) <= PAGE_SIZE + 3
    return [b for reply in replies for row in reply.buttons for b in row]


def test_the_quick_menu_is_paged_and_every_part_can_be_ticked_and_assessed(service: AssessmentService) -> None:
    big = service.catalog.get(next(iter(service.catalog.documents)))
    assert isinstance(big, Standard)
    parts = quick_parts(big.duties)
    assert len(parts) == DUTIES * 2 and all(len(p.tasks) == MAX_QUESTIONS for p in parts)

    service.begin(USER, CHAT, big.code)
    page = checked(service.on_button(USER, CHAT, f"as:q:{big.code}"))
    reached: list[str] = []
    pages = 0
    while True:
        pages += 1
        reached += [b.data for b in page if b.data.startswith("as:qt:")]
        forward = [b.data for b in page if b.data.startswith("as:qp:") and int(b.data.rsplit(":", 1)[1]) >= pages]
        if not forward:
            break
        page = checked(service.on_button(USER, CHAT, forward[0]))
    assert pages == -(-len(parts) // PAGE_SIZE)
    assert [int(d.split(":")[3]) for d in reached] == list(range(len(parts)))  # every part, once, in order

    last = reached[-1]  # the last part: T100.26–T100.50
    replies = service.on_button(USER, CHAT, last)
    assert replies[0].edit and "已選 25 項任務" in replies[0].text
    assert any(
        b.label.startswith("✅ T100 ") and b.label.endswith("：T100.26–T100.50（25 項）") for b in checked(replies)
    )
    started = service.on_button(USER, CHAT, f"as:qs:{big.code}")
    assert "第 1/25 題｜T100.26" in started[-1].text and "T100.26–T100.50" in started[0].text


def test_the_deep_menu_splits_large_duties_into_parts_of_whole_tasks(service: AssessmentService) -> None:
    big = service.catalog.get(next(iter(service.catalog.documents)))
    assert isinstance(big, Standard)
    parts = deep_parts(big.duties[0])
    assert len(parts) > 1 and sum(len(p.tasks) for p in parts) == TASKS_PER_DUTY
    assert all(sum(len(t.indicators) for t in p.tasks) <= MAX_QUESTIONS for p in parts)

    first = checked(service.on_button(USER, CHAT, f"as:d:{big.code}"))
    assert [b.data for b in first][:2] == [f"as:dd:{big.code}:T1:0", f"as:dd:{big.code}:T1:1"]
    last_page = (sum(len(deep_parts(d)) for d in big.duties) - 1) // PAGE_SIZE
    page = checked(service.on_button(USER, CHAT, f"as:dp:{big.code}:{last_page}"))
    assert f"as:dd:{big.code}:T100:{len(deep_parts(big.duties[-1])) - 1}" in [b.data for b in page]
    started = service.on_button(USER, CHAT, f"as:dd:{big.code}:T1:1")
    assert started[-1].text.startswith("第 1/") and f"（{parts[1].tasks[0].code}" in started[-1].text
    assert parts[1].span in started[0].text


def test_the_document_menu_is_paged(tmp_path: Path) -> None:
    catalog = Catalog.load(ROOT / "data" / "standards")
    many = Catalog()
    for n in range(30):  # thirty current standards
        doc = catalog.get(TEMPLATE)
        many.documents[f"ISD{n:04d}-001v3"] = replace(doc, code=f"ISD{n:04d}-001v3")  # type: ignore[type-var]
    many.resolve()
    db = Database(f"sqlite:///{tmp_path / 'docs.sqlite3'}")
    db.create()
    service = AssessmentService(many, db, EvidenceMatcher(get_embedder("fake")))
    menu = service.begin(USER, CHAT, None)
    seen = [b.data for b in checked(menu) if b.data.startswith("as:std:")]
    page = 0
    while f"as:sp:{page + 1}" in [b.data for b in checked(menu)]:
        page += 1
        menu = service.on_button(USER, CHAT, f"as:sp:{page}")
        assert menu[0].edit and f"（第 {page + 1}/4 頁）" in menu[0].text
        seen += [b.data for b in checked(menu) if b.data.startswith("as:std:")]
    assert len(seen) == len(set(seen)) == 30
