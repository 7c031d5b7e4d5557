"""What the documents' own terms mean (「行為指標是什麼意思」「工作產出跟行為指標差在哪」「what is a competency unit」):
the term explained in general words (prompts/answers.toml [terms]) with one example from a loaded standard."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from index.catalog import Catalog
from index.model import Document, Standard, Unit
from prompts import t
from retrieval import answer as A

TERMS_FILE = Path(__file__).with_name("data") / "terms.toml"
MAX_TERMS = 3
_DIFFER = r"(?:有什麼不同|有什麼不一樣|有什麼差別|有什麼分別|有什麼區別|有何不同|的不同|的差別|的區別|差在哪|差別|區別|分別|不同|差異)"


@cache
def _words() -> list[tuple[str, str]]:
    with TERMS_FILE.open("rb") as f:
        data = tomllib.load(f)
    return sorted(((w.lower(), key) for key, words in data["words"].items() for w in words), key=lambda p: -len(p[0]))


@cache
def _patterns() -> list[re.Pattern[str]]:
    term = "(" + "|".join(re.escape(w) for w, _ in _words()) + ")"
    q = r"[「『\"']?"
    e = r"[」』\"']?"
    return [
        re.compile(rf"^\s*(?:請問)?\s*{A.MEANING_BEFORE}\s*{q}{term}{e}\s*[？?。]?\s*$", re.I),
        re.compile(rf"{q}{term}{e}\s*(?:到底|究竟)?\s*{A.MEANING_AFTER}", re.I),
        re.compile(rf"{q}{term}{e}\s*(?:跟|和|與|同|及|vs\.?)\s*{q}{term}{e}\s*(?:之間)?\s*{_DIFFER}", re.I),
        re.compile(rf"^\s*what(?:'s| is)\s+an?\s+{term}\s*\??\s*$", re.I),  # "what are the tasks" lists them
        re.compile(rf"difference between\s+(?:an?\s+|the\s+)?{term}s?\s+and\s+(?:an?\s+|the\s+)?{term}s?", re.I),
    ]


def terms_asked(text: str) -> list[str]:
    """The documents' terms a question asks the meaning of, in its order (empty: it asks no such thing)."""
    keys = dict(_words())
    for pattern in _patterns():
        m = pattern.search(text.strip())
        if m:
            return list(dict.fromkeys(keys[g.lower()] for g in m.groups() if g))[:MAX_TERMS]
    return []


def explain(keys: list[str], catalog: Catalog, session: Document | None) -> A.Draft:
    """Each term in general words, with an example from the standard in focus (or the first loaded one)."""
    draft = A.Draft("term_meaning")
    standard = session if isinstance(session, Standard) else next(
        (d for d in sorted(catalog.current(), key=lambda d: d.code) if isinstance(d, Standard)), None)
    unit = session if isinstance(session, Unit) else next((d for d in catalog.current() if isinstance(d, Unit)), None)
    for key in keys:
        draft.say(t(f"answers.terms.{key}"))
        _example(draft, key, standard, unit)
    return draft


def _example(draft: A.Draft, key: str, doc: Standard | None, unit: Unit | None) -> None:
    if key == "unit":
        if unit is not None:
            draft.say(t("answers.terms.example_document", code=unit.code, title=unit.title))
            draft.cite(unit, unit.code, unit.title)
        return
    if doc is None:
        return
    task = doc.tasks[0] if doc.tasks else None
    found: tuple[str, str] | None = None
    if key in ("standard", "std_level"):
        draft.say(t("answers.terms.example_level", code=doc.code, title=doc.title, level=doc.level or "—"))
        draft.cite(doc, doc.code, doc.title)
        return
    if key == "duty" and doc.duties:
        found = (doc.duties[0].code, doc.duties[0].title)
    elif key == "task" and task is not None:
        found = (task.code, task.title)
    elif key == "indicator" and task is not None and task.indicators:
        found = (task.indicators[0].code, task.indicators[0].text)
    elif key == "output":
        item = next((o for x in doc.tasks for o in x.outputs), None)
        found = (item.code, item.text) if item else None
    elif key in ("knowledge", "skill", "attitude"):
        items = {"knowledge": doc.knowledge, "skill": doc.skills, "attitude": doc.attitudes}[key]
        item = next(iter(items.values()), None)
        found = (item.code, item.text) if item else None
    elif key == "entry" and getattr(doc, "entry_requirements", None):
        found = (doc.code, doc.entry_requirements[0])
    if found is None:
        return
    code, text = found
    draft.say(t("answers.terms.example", std=f"{doc.code} {doc.title}", code=code if code != doc.code else "",
                text=text).replace("  ", " "))
    draft.cite(doc, code, text)
