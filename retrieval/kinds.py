"""Every kind of question in one registry: what it is, whether it lies outside the documents, whether the e5 model
reads such questions too, whether it needs a standard, and the Router method that answers it.

The classifier learns the kinds that have examples (data/kinds.toml); a few are decided by structure alone
(catalog, refuse, empty, oos_occupation). Loading the examples fails on a kind this registry does not know, and
building the Router fails on a kind it cannot answer, so a kind is added here, given examples, and given a
handler, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    about: str
    outside: bool = False  # the documents do not hold the answer: a short reply, no citations
    dense: bool = False  # the e5 model reads the question too (its words alone leave the kind open)
    needs_standard: bool = False  # asked of one standard: with none named or chosen, the person is asked which
    learned: bool = True  # the classifier has examples of it (data/kinds.toml)

    @property
    def handler(self) -> str:
        return "_" + self.name


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("lookup", "one item: a task's field, what a code or a named item or a term means"),
    Kind("list", "a standard's (or duty's, section's) items of one sort", needs_standard=True),
    Kind("count", "how many, stated as a number with the list", needs_standard=True),
    Kind("filter", "tasks meeting a condition (no outputs, level 4, two outputs or more, the most …)",
         needs_standard=True),
    Kind("reverse", "which tasks (or standards) use an item, by code, by name or by topic", dense=True),
    Kind("compare", "two standards side by side, any field"),
    Kind("version_diff", "two editions of one standard, any field", needs_standard=True),
    Kind("learning", "what to learn for a task or a standard: a plan, or its K and S", dense=True),
    Kind("profile", "\"I know X and do Y\": which standard fits, why, and what is missing", dense=True),
    Kind("meta", "a standard's own fields: versions and dates, former titles, classification, entry, level",
         needs_standard=True),
    Kind("search", "where the standards describe some work (hybrid search)", dense=True),
    Kind("oos_salary", "pay, salary, benefits", outside=True, dense=True),
    Kind("oos_jobs", "openings, hiring, CVs sent", outside=True, dense=True),
    Kind("oos_other", "anything else the documents do not hold", outside=True, dense=True),
    Kind("help", "greetings and \"what can you do\"", dense=True),
    Kind("catalog", "the collection itself: which standards are loaded, the highest or lowest level", learned=False),
    Kind("oos_occupation", "an occupation no loaded document is about", outside=True, learned=False),
    Kind("refuse", "asks for secrets or settings", outside=True, learned=False),
    Kind("empty", "nothing to read", learned=False),
)}

OUTSIDE = tuple(name for name, kind in KINDS.items() if kind.outside)
DENSE = tuple(name for name, kind in KINDS.items() if kind.dense)
NEEDS_STANDARD = tuple(name for name, kind in KINDS.items() if kind.needs_standard)
LEARNED_OUTSIDE = tuple(name for name, kind in KINDS.items() if kind.outside and kind.learned)


class UnknownKind(ValueError):
    pass


def check_examples(kinds: set[str]) -> None:
    """The example file names only kinds of the registry, and every learned kind has examples."""
    unknown = sorted(kinds - set(KINDS))
    missing = sorted(name for name, kind in KINDS.items() if kind.learned and name not in kinds)
    if unknown or missing:
        raise UnknownKind(f"kinds.toml: kinds without a registry entry {unknown}; registry kinds without examples "
                          f"{missing} (retrieval/kinds.py)")


def check_handlers(router: object) -> None:
    """Every kind has its answering method on the router."""
    missing = [kind.handler for kind in KINDS.values() if kind.name != "empty" and not hasattr(router, kind.handler)]
    if missing:
        raise UnknownKind(f"Router lacks handlers {missing} (retrieval/kinds.py)")
