"""What a plain reply to a rating question means: 「有」 → 2, 「還不太會，要人帶」 → 1, 「可以教人」 → 3.

The words are data (prompts/assessment.toml [plain]). A reply is cut into words, longest first; a
negation word right before another word turns it round (「不是不會」, 「不用人帶」, 「沒有做過」). Each word
allows some levels; the reply means what all its words allow together:
- one level left: that level; several with 2 among them and 0 not: 2 (「有做過」 is a 2 unless told otherwise);
- words that disagree: the clause after the last contrast word decides (「以前不會，現在可以自己做」), and
  「不會」 beside 「要人帶」 is a 1;
- otherwise the levels still possible are returned for a clarifying question (no word at all: all four).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from prompts import raw
from retrieval.normalize import to_traditional

LEVELS = frozenset({0, 1, 2, 3})
_CLAUSE_BREAK = re.compile(r"[,，、。.;；:：!！?？~～\n]+|\s{2,}")
_LATIN = re.compile(r"[a-z]")


@dataclass(frozen=True, slots=True)
class Reading:
    """The level a reply means, or (level None) the levels it leaves open; `heard` says it had level words."""

    level: int | None
    possible: frozenset[int] = LEVELS
    heard: bool = False


@dataclass(frozen=True, slots=True)
class Word:
    start: int
    end: int
    kind: str  # a key of [plain.means], or "" for a negation word only
    negation: bool  # the word can turn the next word round


@dataclass(frozen=True, slots=True)
class _Lexicon:
    words: dict[str, str]  # word -> kind
    whole: dict[str, str]
    negations: frozenset[str]
    between: tuple[str, ...]
    contrast: tuple[str, ...]
    fillers: tuple[str, ...]
    particles: tuple[str, ...]
    means: dict[str, frozenset[int]]
    negated: dict[str, frozenset[int]]


@cache
def lexicon() -> _Lexicon:
    data = raw("assessment.plain")
    words: dict[str, str] = {}
    for kind, listed in data["words"].items():
        for word in listed:
            words.setdefault(word.lower(), kind)
    whole = {word.lower(): kind for kind, listed in data["whole"].items() for word in listed}
    return _Lexicon(
        words=words,
        whole=whole,
        negations=frozenset(w.lower() for w in data["negations"]),
        between=tuple(sorted((w.lower() for w in data["between"]), key=len, reverse=True)),
        contrast=tuple(w.lower() for w in data["contrast"]),
        fillers=tuple(sorted((w.lower() for w in data["fillers"]), key=len, reverse=True)),
        particles=tuple(w.lower() for w in data["particles"]),
        means={kind: frozenset(levels) for kind, levels in data["means"].items()},
        negated={kind: frozenset(levels) for kind, levels in data["negated"].items()},
    )


def folded(text: str) -> str:
    """Full-width forms folded, Simplified read as Traditional, lower case, one space between words."""
    text = to_traditional(unicodedata.normalize("NFKC", text)).lower()
    return re.sub(r"[ \t]+", " ", text.replace("’", "'")).strip()


def occurrences(text: str, word: str) -> list[tuple[int, int]]:
    if _LATIN.search(word):  # English words whole: "led" is not in "called"
        pattern = rf"(?<![a-z']){re.escape(word)}(?![a-z'])"
        return [(m.start(), m.end()) for m in re.finditer(pattern, text)]
    found, at = [], text.find(word)
    while at >= 0:
        found.append((at, at + len(word)))
        at = text.find(word, at + 1)
    return found


def words_in(text: str) -> list[Word]:
    """The level and negation words of the text, longest first where they overlap, in reading order."""
    lex = lexicon()
    candidates = [
        (start, end, word)
        for word in {*lex.words, *lex.negations}
        for start, end in occurrences(text, word)
    ]
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken: list[Word] = []
    for start, end, word in candidates:
        if any(start < w.end and w.start < end for w in taken):
            continue
        taken.append(Word(start, end, lex.words.get(word, ""), word in lex.negations))
    return sorted(taken, key=lambda w: w.start)


def _only_between(gap: str) -> bool:
    """Nothing but words allowed between a negation and the word it turns (「不是很會」 is listed whole)."""
    gap = gap.strip()
    while gap:
        word = next((w for w in lexicon().between if gap.startswith(w)), None)
        if word is None:
            return False
        gap = gap[len(word) :].strip()
    return True


def _allowed(text: str, found: list[Word]) -> list[frozenset[int]]:
    """What each level word allows, a negation right before it turning it round."""
    lex = lexicon()
    allowed: list[frozenset[int]] = []
    skip_next = False
    for i, word in enumerate(found):
        if skip_next:
            skip_next = False
            continue
        following = found[i + 1] if i + 1 < len(found) else None
        if (
            word.negation
            and following is not None
            and following.kind
            and _only_between(text[word.end : following.start])
        ):
            allowed.append(lex.negated[following.kind])
            skip_next = True
        elif word.kind:
            allowed.append(lex.means[word.kind])
    return allowed


def _strip_clause(clause: str) -> str:
    lex = lexicon()
    changed = True
    while changed and clause:
        changed = False
        for filler in lex.fillers:
            if clause.startswith(filler) and len(clause) > len(filler):
                clause, changed = clause[len(filler) :].strip(), True
        for particle in lex.particles:
            if clause.endswith(particle) and len(clause) > len(particle):
                clause, changed = clause[: -len(particle)].strip(), True
    return clause


def _clause_levels(text: str) -> list[frozenset[int]]:
    """What the clauses and words of the text allow, each clause that is a whole word read as that word."""
    lex = lexicon()
    allowed: list[frozenset[int]] = []
    for clause in (c.strip() for c in _CLAUSE_BREAK.split(text)):
        whole = lex.whole.get(_strip_clause(clause)) if clause else None
        if whole is not None:
            allowed.append(lex.means[whole])
        elif clause:
            allowed.extend(_allowed(clause, words_in(clause)))
    return allowed


def _decide(allowed: list[frozenset[int]]) -> Reading:
    if not allowed:
        return Reading(None)
    together = frozenset(LEVELS.intersection(*allowed))
    if len(together) == 1:
        return Reading(next(iter(together)), together, True)
    if together and 2 in together and 0 not in together:
        return Reading(2, together, True)
    if together:
        return Reading(None, together, True)
    singles = {next(iter(a)) for a in allowed if len(a) == 1}
    if singles == {0, 1}:  # 「不會，要人帶」: done with someone's help
        return Reading(1, frozenset({1}), True)
    return Reading(None, frozenset(LEVELS.union(*allowed)), True)


def _after_contrast(text: str) -> str | None:
    """The text after the last contrast word, when there is one with something after it."""
    last = -1
    for word in lexicon().contrast:
        for start, end in occurrences(text, word):
            if end < len(text) and start > 0 and start > last:
                last = start
                cut = end
    return text[cut:] if last >= 0 else None


def read_level(text: str) -> Reading:
    """The level a plain reply means (Reading.level), or the levels it leaves open."""
    clean = folded(text)
    reading = _decide(_clause_levels(clean))
    if reading.level is not None or not reading.heard:
        return reading
    later = _after_contrast(clean)
    if later is not None:
        after = _decide(_clause_levels(later))
        if after.level is not None:
            return after
    return reading


def level_words(text: str, kind: str) -> list[str]:
    """The words of one kind in the text that no negation turns round (「帶新人」「寫 SOP」 for "3")."""
    clean = folded(text)
    found = words_in(clean)
    turned = {
        i + 1
        for i, word in enumerate(found[:-1])
        if word.negation and found[i + 1].kind and _only_between(clean[word.end : found[i + 1].start])
    }
    source = text if len(text) == len(clean) else clean  # quoted as written where the positions agree
    return [source[w.start : w.end] for i, w in enumerate(found) if w.kind == kind and i not in turned]
