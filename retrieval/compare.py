"""Comparisons matched by text (codes differ between standards) and version differences."""

from __future__ import annotations

import re

from index.catalog import Catalog
from index.model import Item, Standard
from prompts import t
from retrieval.answer import Draft

SIMILAR = 0.6


def _key(text: str) -> str:
    return re.sub(r"[\s，。、：；（）()「」/]", "", text)


def _grams(text: str) -> set[str]:
    k = _key(text)
    return {k[i : i + 2] for i in range(max(1, len(k) - 1))}


def similarity(a: str, b: str) -> float:
    ga, gb = _grams(a), _grams(b)
    return len(ga & gb) / len(ga | gb) if ga and gb else 0.0


def match_items(left: list[Item], right: list[Item], by_name: bool) -> list[tuple[Item, Item]]:
    pairs: list[tuple[Item, Item]] = []
    used: set[str] = set()
    for a in left:
        best, score = None, 0.0
        for b in right:
            if b.code in used:
                continue
            s = 1.0 if by_name and _key(a.name) == _key(b.name) else similarity(a.full_text, b.full_text)
            if s > score:
                best, score = b, s
        if best is not None and score >= SIMILAR:
            pairs.append((a, best))
            used.add(best.code)
    return pairs


def compare(draft: Draft, a: Standard, b: Standard, what: str) -> None:
    tables = {
        "attitudes": (list(a.attitudes.values()), list(b.attitudes.values()), True),
        "skills": (list(a.skills.values()), list(b.skills.values()), False),
        "knowledge": (list(a.knowledge.values()), list(b.knowledge.values()), False),
    }
    if what == "tasks":
        left = [Item(x.code, x.title) for x in a.tasks]
        right = [Item(x.code, x.title) for x in b.tasks]
        tables["tasks"] = (left, right, False)
    left, right, by_name = tables[what]
    pairs = match_items(left, right, by_name)
    label = t(f"answers.compare_what_{what}")
    a_name, b_name = f"{a.code} {a.title}", f"{b.code} {b.title}"
    if not pairs:
        draft.say(t("answers.compare_none", a=a_name, b=b_name, what=label))
        return
    draft.say(t("answers.compare_heading", a=a_name, b=b_name, what=label))
    for x, y in pairs:
        text = x.name if by_name else x.text
        draft.say(t("answers.compare_pair", text=text, a_code=f"{a.code} {x.code}", b_code=f"{b.code} {y.code}"))
        draft.cite(a, x.code, x.full_text)
        draft.cite(b, y.code, y.full_text)


def version_diff(draft: Draft, new: Standard, old: Standard) -> None:
    draft.say(t("answers.diff_heading", new=f"{new.code} {new.title}", old=f"{old.code} {old.title}"))
    draft.say(t("answers.diff_counts", new_duties=len(new.duties), new_tasks=len(new.tasks),
                old_duties=len(old.duties), old_tasks=len(old.tasks)))
    new_items = [Item(d.code, d.title) for d in new.duties] + [Item(x.code, x.title) for x in new.tasks]
    old_items = [Item(d.code, d.title) for d in old.duties] + [Item(x.code, x.title) for x in old.tasks]
    pairs = match_items(new_items, old_items, by_name=False)
    same = [(n, o) for n, o in pairs if _key(n.text) == _key(o.text)]
    renamed = [(n, o) for n, o in pairs if _key(n.text) != _key(o.text)]
    matched_new = {n.code for n, _ in pairs}
    matched_old = {o.code for _, o in pairs}
    added = [n for n in new_items if n.code not in matched_new]
    removed = [o for o in old_items if o.code not in matched_old]
    if same:
        draft.say(t("answers.diff_same", items="、".join(f"{n.code}／{o.code} {n.text}" for n, o in same)))
    if renamed:
        draft.say(t("answers.diff_renamed",
                    items="；".join(f"{o.code} {o.text} → {n.code} {n.text}" for n, o in renamed)))
    if added:
        draft.say(t("answers.diff_added", items="；".join(f"{n.code} {n.text}" for n in added)))
    if removed:
        draft.say(t("answers.diff_removed", items="；".join(f"{o.code} {o.text}" for o in removed)))
    for n in new_items:
        draft.cite(new, n.code, n.text)
    for o in old_items:
        draft.cite(old, o.code, o.text)


def older_version(catalog: Catalog, std: Standard) -> Standard | None:
    family = [d for d in catalog.family(std) if isinstance(d, Standard) and d.code != std.code]
    return family[0] if family else None
