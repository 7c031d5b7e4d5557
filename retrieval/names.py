"""Recognising things by name in a question: standards (code in any spacing, title, former title,
a distinctive part of a title, an English description) and items (a K/S/A name, a task, duty or
section title, a term a note defines)."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from index import codes
from index.catalog import Catalog
from index.model import Document, Item, Standard, Unit

GENERIC_TITLE_PARTS = ("人員", "工程", "資訊", "系統", "規劃", "管理", "技術", "科技")
MIN_FUZZY_SCORE = 1.6
# two things set side by side (「比較雲端和電商」), not a standard's topics listed (「電商的雲端與資料倉儲任務」)
# 「電商的級別比雲端高嗎」: X 比 Y followed by what is more or less
_THAN = r"比(?!對|例|率|重|價|較|賽|如|方|照)(?=[\u4e00-\u9fffA-Za-z\s]{1,12}?(?:還|更)?(?:高|低|難|簡單|容易|多|少|大|小|長|短|新|舊))"
SET_SIDE_BY_SIDE = re.compile(r"比較|比起|差在|差別|差異|不同|不一樣|一樣|共同|相同|對比|各自|各有|分別|\bvs\b|compare|differ|both|"
                              r"higher than|lower than|more than|fewer than|" + _THAN, re.I)
# a school department (「資管系」「資訊管理系的」「電機系畢業」): its words are no standard's title
DEPARTMENT = re.compile(r"[\u4e00-\u9fff]{2,6}(?:學)?系(?=的|畢業|學生|出身|背景|大學|學士|碩士|剛|應屆|今年|去年|、|，|,|\s|$)")
PAIRING = re.compile(r"跟|和|與|及|還是|或是|對比|比較|" + _THAN + r"|\bvs\b|\band\b|\bor\b|\bthan\b", re.I)  # two titles told together
OCCUPATION_END = re.compile(r"(?:人員|工程師|師|員|經理|小編)$")  # a word naming an occupation
POINTED = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,6}?)(?:的)?(?:那一份|那份|這一份|這份|那個基準|那個職能基準)"  # 「雲端那份」
                     r"|([\u4e00-\u9fff]{2,6})\s*(?:standard|one|document)\b"  # the gloss of "the cloud one"
                     r"|([\u4e00-\u9fff]{2,6}?)(?:的)?(?:職能)?(?:標準|基準)"  # 「雲端標準」「電商的職能基準」
                     r"|(?:想做|想當|想走|想轉|想進|想從事|想入行)\s*([\u4e00-\u9fff]{2,6}?)"  # 「我想做雲端，要會什麼」
                     r"(?=[，,。？?!！\s]|要|需要|的話|的工作|工作|這行|方面|領域|$)", re.I)
MIN_FUZZY_GRAM = 0.6  # a title's bigram counts as evidence from this weight up
MIN_FUZZY_SHARE = 0.25  # and a title told in other words keeps at least this share of its telling bigrams
SECTION_PART = 4
CONNECTORS = "與和及跟"  # "版權、智慧財產權" names 版權與智慧財產權
_PUNCT = re.compile(r"[\s，。、：；？！（）()「」『』【】\[\]/／・\-－—.?!,:;\"'“”]+")
_DEFINES = re.compile(r"^(.{2,16}?)(?:可能包括|係指|是指|指的是|包括|如)[：:]?")


def compact(text: str) -> str:
    return _PUNCT.sub("", text)


def name_key(text: str) -> str:
    """A name as matched: no punctuation, no connectors between its parts."""
    key = compact(text)
    for ch in CONNECTORS:
        key = key.replace(ch, "")
    return key.replace("臺", "台")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Named:
    """An item named in a question: which document, its code as printed, what sort, the name matched."""

    standard: str
    code: str
    sort: str  # task, duty, knowledge, skill, attitude, section, note, term
    name: str
    span: Span


@dataclass
class StandardMatch:
    exact: list[str]
    soft: list[str]
    unknown: list[str]
    spans: list[Span]  # codes and full titles
    soft_spans: list[tuple[Span, list[str]]] = field(default_factory=list)  # parts of titles, and whose

    def drop_soft_inside(self, spans: list[Span]) -> None:
        """A title part inside an item's name ("雲端軟體" in 雲端軟體除錯能力) names the item, not a standard."""
        kept = [(s, c) for s, c in self.soft_spans if not _inside(s.start, s.end, spans)]
        dropped = {code for s, cs in self.soft_spans if (s, cs) not in kept for code in cs}
        still = {code for _s, cs in kept for code in cs}
        self.soft = [c for c in self.soft if c not in dropped or c in still]
        self.soft_spans = kept


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


class NameTable:
    """Names looked up by the substrings of a text rather than by scanning every name, so a question costs
    the same with 5 documents or 3,000. Names come out longest first (ties in the order they were given),
    each at its first occurrence, exactly as scanning the names sorted by length would find them."""

    def __init__(self, names: list[str]) -> None:
        ordered = sorted(names, key=len, reverse=True)
        self.rank = {name: n for n, name in enumerate(ordered)}
        self.sizes = sorted({len(name) for name in ordered}, reverse=True)

    def occurrences(self, text: str) -> list[tuple[str, int]]:
        """(name, first position) of every name the text holds, in the scanning order."""
        first: dict[str, int] = {}
        for size in self.sizes:
            for start in range(0, len(text) - size + 1):
                part = text[start : start + size]
                if part in self.rank and part not in first:
                    first[part] = start
        return sorted(first.items(), key=lambda item: self.rank[item[0]])


def find_standards(catalog: Catalog, name: str) -> list[Document]:
    """The documents a name typed on its own means (`/use`, `/assess`): the code in any spacing, else the title
    (as `name_key` compares names), else titles holding it or held in it; current editions first. Questions are
    read by TitleIndex instead, which also finds a standard inside a sentence."""
    code = re.sub(r"\s+", "", name)
    if not code:
        return []
    doc = catalog.get(code)
    if doc:
        return [doc]
    key = name_key(name)
    docs = [(d, name_key(d.title)) for d in catalog.documents.values()]
    exact = [d for d, title in docs if title == key]
    partial = exact or [d for d, title in docs if key and title and (key in title or title in key)]
    current = [d for d in partial if d.status == "current"]
    return current or partial


class TitleIndex:
    """Standards by code (every spelling), title, former title, a distinctive part of a title."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.exact: dict[str, set[str]] = defaultdict(set)
        names: dict[str, set[str]] = defaultdict(set)
        for doc in catalog.documents.values():
            for name in {doc.title, *getattr(doc, "former_titles", [])}:
                if name:
                    self.exact[name].add(doc.code)
                    names[name].add(doc.family)
        self.families: dict[str, list[str]] = defaultdict(list)
        for doc in catalog.documents.values():
            self.families[doc.family].append(doc.code)
        self.soft = self._distinctive_parts(names)
        self.gram_weight, self.gram_owners = self._title_bigrams(names)
        self.title_grams: dict[str, list[set[str]]] = defaultdict(list)  # family -> each title's telling bigrams
        for name, fams in names.items():
            telling = {g for g in _bigrams(name) if self.gram_weight.get(g, 0.0) >= MIN_FUZZY_GRAM}
            for family in fams:
                self.title_grams[family].append(telling)
        self.exact_table = NameTable(list(self.exact))
        self.soft_table = NameTable(list(self.soft))

    def __getstate__(self) -> dict[str, object]:
        """Kept on disk without the catalog (the reader puts its own back)."""
        return {k: v for k, v in self.__dict__.items() if k != "catalog"}

    def _distinctive_parts(self, names: dict[str, set[str]]) -> dict[str, str]:
        """Every part (4+ characters) of one family's titles only -> that family. Kept as a plain string per part:
        at 3,000 standards there are ~400,000 parts, and a set per part cost ~100 MB."""
        shared = ""  # a part of more than one family's titles
        owner_of: dict[str, str] = {}  # every substring of 4+ characters -> its one family, or shared
        for name, fams in names.items():
            family = next(iter(fams)) if len(fams) == 1 else shared
            for size in range(4, len(name)):
                for start in range(0, len(name) - size + 1):
                    part = name[start : start + size]
                    if owner_of.setdefault(part, family) != family:
                        owner_of[part] = shared
        generic_heads = set(GENERIC_TITLE_PARTS)
        return {part: family for part, family in owner_of.items()
                if family != shared and not (len(part) <= 4 and part[:2] in generic_heads)}  # parts have 4+ characters

    @staticmethod
    def _title_bigrams(names: dict[str, set[str]]) -> tuple[dict[str, float], dict[str, set[str]]]:
        owners: dict[str, set[str]] = defaultdict(set)
        for name, fams in names.items():
            for gram in _bigrams(name):
                owners[gram].update(fams)
        total = max(1, len({f for fams in names.values() for f in fams}))
        weight = {g: math.log(1 + total / len(o)) / math.log(1 + total) for g, o in owners.items()}
        return weight, owners

    def find(self, text: str, gloss: str = "") -> StandardMatch:
        match = StandardMatch([], [], [], [])
        for m in codes.STANDARD.finditer(text):
            doc = self.catalog.get(m.group())
            if doc:
                _add(match.exact, doc.code)
                match.spans.append(Span(m.start(), m.end()))
            elif codes.STANDARD_LOOKS_REAL.search(m.group()):
                match.unknown.append(m.group())
                match.spans.append(Span(m.start(), m.end()))
        self._by_title(text, match)
        if not match.exact and gloss and gloss != text:
            self._by_title(gloss, match, spans=False)
        if not match.exact and not match.soft:
            told = DEPARTMENT.sub(" ", gloss or text)  # 「資管系畢業」 is a school, not 「…資訊科技專案管理系統」
            match.soft.extend(self._fuzzy(compact(told)) or self._pointed(text) or self._pointed(gloss))
        if self._families_told(match) == 1 and PAIRING.search(text):  # a second standard told with the first
            rest = _blanked(text, match.spans + [span for span, _ in match.soft_spans])
            for code in self._fuzzy(compact(rest) + " " + PAIRING.search(text).group()):  # "雲端開發和電商規劃"
                if code not in match.exact + match.soft:
                    _add(match.soft, code)
            if self._families_told(match) == 1 and gloss and gloss != text:
                self._other_in_gloss(gloss, match)  # "the e-commerce planner and the cloud developer"
            if self._families_told(match) == 1 and SET_SIDE_BY_SIDE.search(text):
                self._other_by_word(rest, match)  # 「比較雲端和電商的態度」: 雲端 names the cloud standard alone
        return match

    def _families_told(self, match: StandardMatch) -> int:
        """How many families the standards found so far belong to (a title names its versions too)."""
        docs = self.catalog.documents
        return len({docs[c].family if c in docs else c for c in match.exact + match.soft})

    def _other_by_word(self, rest: str, match: StandardMatch) -> None:
        """The second of two standards told by one word of its title that no other family's titles hold."""
        named = {self.catalog.documents[c].family for c in match.exact + match.soft if c in self.catalog.documents}
        for part in PAIRING.split(rest):
            family = self._sole_family([part])
            if family and family not in named:
                for code in self.families[family]:
                    _add(match.soft, code)
                return

    def _other_in_gloss(self, gloss: str, match: StandardMatch) -> None:
        """The second of two standards told in English: each part of the gloss between 'and', 'or' … on its own."""
        for part in PAIRING.split(gloss):
            told = self._fuzzy(compact(part))
            if not told:  # "the cloud and e-commerce standards": a short word one family's titles alone hold
                words = re.findall(r"[\u4e00-\u9fff]{2,6}", part)
                family = self._sole_family(words[-1:])
                told = list(self.families[family]) if family else []
            for code in told:
                if code not in match.exact + match.soft:
                    _add(match.soft, code)

    def _by_title(self, text: str, match: StandardMatch, spans: bool = True) -> None:
        found: list[tuple[int, str]] = []
        for name, at in self.exact_table.occurrences(text):
            if not _inside(at, at + len(name), match.spans):
                found.extend((at, code) for code in sorted(self.exact[name]))
                if spans:
                    match.spans.append(Span(at, at + len(name)))
        for _at, code in sorted(found):
            _add(match.exact, code)
        taken = [s for s, _ in match.soft_spans]
        for part, at in self.soft_table.occurrences(text):
            if not _inside(at, at + len(part), match.spans + taken):
                found_codes = [c for c in sorted(self.families[self.soft[part]]) if c not in match.exact]
                for code in found_codes:
                    _add(match.soft, code)
                if spans and found_codes:
                    match.soft_spans.append((Span(at, at + len(part)), found_codes))
                    taken.append(Span(at, at + len(part)))

    def _fuzzy(self, text: str) -> list[str]:
        """Titles told in other words ("雲端開發", "電商系統規劃", "雲端開發跟系統整合"): their distinctive
        bigrams, weighted. Every family told well enough is returned; none when a close one is not."""
        score: dict[str, float] = defaultdict(float)
        told: dict[str, set[str]] = defaultdict(set)
        for gram in _bigrams(text):
            for family in self.gram_owners.get(gram, ()):
                score[family] += self.gram_weight[gram]
                if self.gram_weight[gram] >= MIN_FUZZY_GRAM:
                    told[family].add(gram)
        found = sorted((f for f in score if self._told_well(f, score[f], told[f])), key=lambda f: -score[f])
        if len(found) > 1 and PAIRING.search(text):
            return [code for family in found for code in self.families[family]]  # "雲端開發跟系統整合"
        if not found or any(f != found[0] and score[f] >= score[found[0]] - 0.5 for f in score):
            return []  # nothing told, or a shared bigram rather than a title
        return list(self.families[found[0]])

    def _pointed(self, text: str) -> list[str]:
        """「雲端那份」「電商這份」: a short word pointed at as a standard names it when one family's titles alone
        hold its telling bigrams (at 3,000 standards 「雲端」 is in many titles, and names none)."""
        family = self._sole_family([next(g for g in m.groups() if g) for m in POINTED.finditer(text)])
        return list(self.families[family]) if family else []

    def _sole_family(self, words: list[str]) -> str:
        """The one family whose titles alone hold the telling bigrams of these words ("": none, or several). An
        occupation's name tells a title only when half its bigrams are telling ones: 「遊戲企劃人員」 shares 劃人 with
        規劃人員 alone, by chance."""
        families = set()
        for word in words:
            grams = _bigrams(word)
            telling = [g for g in grams if self.gram_weight.get(g, 0.0) >= MIN_FUZZY_GRAM]
            if not OCCUPATION_END.search(word) or len(telling) * 2 >= len(grams):
                families.update(f for gram in telling for f in self.gram_owners.get(gram, ()))
        return families.pop() if len(families) == 1 else ""

    def _told_well(self, family: str, score: float, told: set[str]) -> bool:
        """Two telling bigrams at least, and a fair share of one of its titles ("資料庫管理系統" shares two
        bigrams with a long title, not its gist)."""
        if score < MIN_FUZZY_SCORE or len(told) < 2:
            return False
        return any(grams and len(told & grams) >= MIN_FUZZY_SHARE * len(grams) for grams in self.title_grams[family])


class ItemIndex:
    """Items of every document by name: K/S/A names, task, duty and section titles, terms notes define."""

    MIN_CHARS = 3

    def __init__(self, catalog: Catalog) -> None:
        self.by_name: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # name -> (standard, code, sort)
        seen: set[tuple[str, str, str, str]] = set()
        sections: set[str] = set()
        for doc in catalog.documents.values():
            for name, code, sort in _names_of(doc):
                key = name_key(name)
                if len(key) >= (2 if sort == "attitude" else self.MIN_CHARS) and (key, doc.code, code, sort) not in seen:
                    seen.add((key, doc.code, code, sort))
                    self.by_name[key].append((doc.code, code, sort))
                    if sort == "section":
                        sections.add(key)
        self.names = sorted(self.by_name, key=len, reverse=True)
        self.table = NameTable(self.names)
        self.section_names = [n for n in self.names if n in sections]

    def find(self, text: str, taken: list[Span]) -> list[Named]:
        """Items whose name the text holds (longest names first, no overlaps)."""
        key, offsets = _compact_with_offsets(text)
        found: list[Named] = []
        used: list[Span] = [Span(_compact_pos(offsets, s.start), _compact_pos(offsets, s.end)) for s in taken]
        for name, at in self.table.occurrences(key):
            if _inside(at, at + len(name), used) or _overlaps(at, at + len(name), used):
                continue
            if len(name) == 2 and "態度" not in key:
                continue
            used.append(Span(at, at + len(name)))
            span = Span(offsets[at], offsets[at + len(name) - 1] + 1)
            for standard, code, sort in self.by_name[name]:
                found.append(Named(standard, code, sort, name, span))
        return found


    def find_sections(self, text: str) -> list[Named]:
        """A unit section told by part of its title ("驗收測試那一段" -> 工作任務四 管理驗收測試): the part
        must be four characters or more and belong to one section only."""
        key = name_key(text)
        found: list[Named] = []
        for name in self.section_names:
            owners = self.by_name[name]
            best = _longest_common(name, key)
            if len(best) >= SECTION_PART and sum(best in other for other in self.section_names) == 1:
                at = text.find(best)
                span = Span(at, at + len(best)) if at >= 0 else Span(0, 0)
                found.extend(Named(std, code, sort, name, span) for std, code, sort in owners)
        return found


def _blanked(text: str, spans: list[Span]) -> str:
    chars = list(text)
    for span in spans:
        for i in range(span.start, min(span.end, len(chars))):
            chars[i] = " "
    return "".join(chars)


def _longest_common(a: str, b: str) -> str:
    best = ""
    for i in range(len(a)):
        for j in range(i + len(best) + 1, len(a) + 1):
            if a[i:j] in b:
                best = a[i:j]
            else:
                break
    return best


def _names_of(doc: Document) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    if isinstance(doc, Standard):
        for table, sort in ((doc.knowledge, "knowledge"), (doc.skills, "skill"), (doc.attitudes, "attitude")):
            for item in table.values():
                out.append((item.name, item.code.split(" ")[0], sort))
        out.extend((t.title, t.code, "task") for t in doc.tasks if t.title)
        out.extend((d.title, d.code, "duty") for d in doc.duties if d.title)
        for section in doc.notes:
            for line in section.items:
                term = _defined_term(line)
                if term:
                    out.append((term, doc.code, "term"))
    elif isinstance(doc, Unit):
        out.extend((s.title, s.id, "section") for s in doc.sections if s.title)
        for table, sort in ((doc.knowledge, "knowledge"), (doc.skills, "skill")):
            out.extend((_short_name(i), i.code, sort) for i in table.values())
        for note in doc.notes.values():
            term = _defined_term(note.text)
            if term:
                out.append((term, note.code, "note"))
    return out


def _defined_term(text: str) -> str:
    """The term a note or remark defines: "發佈經理可能包括：…" -> 發佈經理; "雲端產品資訊：如…" -> 雲端產品資訊."""
    m = _DEFINES.match(text)
    if m:
        return m.group(1).strip("：: ")
    head = text.split("：", 1)
    return head[0].strip() if len(head) == 2 and 2 <= len(head[0].strip()) <= 12 else ""


def _short_name(item: Item) -> str:
    return codes.NOTE_REF.sub("", item.text).split("，", 1)[0].strip()


def _compact_with_offsets(text: str) -> tuple[str, list[int]]:
    chars, offsets = [], []
    for i, ch in enumerate(text):
        if not _PUNCT.fullmatch(ch) and ch not in CONNECTORS:
            chars.append("台" if ch == "臺" else ch)
            offsets.append(i)
    return "".join(chars), offsets


def _compact_pos(offsets: list[int], pos: int) -> int:
    return next((i for i, o in enumerate(offsets) if o >= pos), len(offsets))


def _inside(start: int, end: int, spans: list[Span]) -> bool:
    return any(s.start <= start and end <= s.end for s in spans)


def _overlaps(start: int, end: int, spans: list[Span]) -> bool:
    return any(start < s.end and s.start < end for s in spans)


def _add(seq: list[str], value: str) -> None:
    if value not in seq:
        seq.append(value)
