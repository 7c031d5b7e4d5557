"""Questions that carry a claim, and questions about temperament.

- A claim about a code (「S03 是不是程式設計能力？」, 「T1.3 的產出是需求規格書對嗎」, "is S03 programming?"): what the
  code really is, whether the claim holds, and where the claimed thing is when it is elsewhere (「講程式設計的是
  S04 程式撰寫能力」, 「需求規格書是 T1.2 的產出」).
- Temperament (「這份工作需要很會溝通嗎」, 「要很細心嗎」): the attitudes and skills the standard lists about it, with a
  plain yes when one names it and a plain "not in those words" when none does.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from index import codes
from index.catalog import Catalog, find_item, tasks_using
from index.model import Document, Duty, Item, Standard, Task
from prompts import t
from retrieval import answer as A
from retrieval.names import Named
from retrieval.normalize import concepts, gloss
from retrieval.search import Filters, Hit, HybridSearch
from retrieval.select import field_size
from retrieval.understand import EN_ORDINALS, GENERIC_TRAIT, Query, mentions_background, number, trait_words

TRAITS_FILE = Path(__file__).parent / "data" / "traits.toml"
ELSEWHERE = 2  # items shown where the claimed thing is
TRAIT_ITEMS = 5
MAX_TRAITS = 3  # traits answered of one question
TOLD_ATTITUDES = 2  # attitudes shown for a temperament told in one's own words
ACROSS_CANDIDATES = 40  # items searched for one that names a requirement asked of every standard
_SORT = {"K": ("knowledge",), "S": ("skill",), "A": ("attitude",), "P": ("indicator",), "O": ("output",)}
_LEVEL_CLAIM = re.compile(r"(?:職能)?(?:級別|等級|level)\s*(?:是|為|=|:)?\s*(\d)|(\d)\s*級")
# 「…，而且是 3 級」"… and its level 3": a level claimed besides what the task is
_ALSO_LEVEL = re.compile(r"[，,]?\s*(?:而且|並且|還有|也|又|and)?\s*(?:it'?s|its|it is|is)?\s*(?:是|為)?\s*"
                         r"(?:(?:職能)?(?:級別|等級|level)\s*(?:是|為|=|:)?\s*\d|\d\s*級)(?:的)?", re.I)
_ITEM_SORTS = ("knowledge", "skill", "attitude")
_MADE = re.compile(r"^(?:寫|撰寫|交|交出|產出|製作|完成|出)(?:一份|一張)?(?P<thing>\S{2,}?(?:報告|紀錄表|紀錄|計畫書|計劃書|規格書|"
                   r"清單|文件|申請單|手冊|說明書|表單|報表|書|表|單))$")
_FIELD_SORT = {"outputs": "output", "indicators": "indicator", "knowledge": "knowledge", "skills": "skill"}
_VERB = (r"(?:是不是|是否|不就是|就是|是)?\s*(?:在說|在講|在做|在寫)|是不是|是否為|是否是|是否|不是|就是|應該是|指的是|"
         r"講的是|說的是|意思是|代表|屬於|要交|要寫|要做|要產出|會產出|負責|係唔係|唔係|就係|係|是|有(?!關)")
_END = (r"[，,]?\s*(?:是真的嗎|真的嗎|係咪真|我?沒記錯吧|我?沒記錯的話|我?記得沒錯吧|對嗎|對吧|對不對|沒錯吧|沒錯嗎|沒錯|是不是|是嗎|是吧|係咪|係唔係|啱唔啱|啱嗎|嗎|吧|嘛|喔|哦|啦|囉|呀|對|耶|"
        r"[?？]|$)")
_CLAIM_AFTER = re.compile(rf"^\s*(?:的\s*)?(?:[^，,。？?]{{0,6}}?)(?:{_VERB})\s*[「『\"]?(?P<claim>[^「」『』\"？?。，,]{{2,30}}?)"
                          rf"[」』\"]?\s*{_END}")
# 「S05 跟寫程式有關嗎」
_CLAIM_ABOUT = re.compile(rf"^\s*(?:的\s*)?(?:內容)?\s*(?:跟|和|與|同)\s*(?P<claim>[^，,。？?]{{2,20}}?)\s*(?:有關|相關)(?:係)?\s*{_END}")
# 「既然 S03 是程式撰寫能力，那它用在哪些任務」: a premise stated before the question asked
_PREMISE = re.compile(rf"^\s*(?:的\s*)?(?:{_VERB})\s*[「『\"]?(?P<claim>[^「」『』\"？?。，,]{{2,30}}?)[」』\"]?\s*[，,]\s*"
                      r"(?=.*?(?:那|所以|它|他|這項|這個|請問|哪|什麼|幾|多少|怎麼|如何|嗎|呢|[?？]))")
_CLAIM_BEFORE = re.compile(r"(?P<claim>[^，,。？?\s]{2,20}?)\s*(?:是|屬於|來自|出自)\s*$")
_CLAIM_EN = re.compile(r"^\s*(?:['’]s\s+(?:work\s+)?(?:outputs?|deliverables?|indicators?)\s+)?(?:is|are|means?|stands? for|about|for|on|outputs?|produces?|delivers?)\s+(?:an?\s+|the\s+)?"
                       r"(?:one\s+(?:about|for|on|that\s+(?:is|does|covers)(?:\s+about)?)\s+)?"
                       r"(?P<claim>[a-z][a-z \-]{2,40}?|[\u4e00-\u9fff][\u4e00-\u9fff ]{1,20}?)"
                       r"\s*(?:,?\s*(?:right|correct|isn't it|is it)\s*)?\?", re.I)
_WHOSE = re.compile(rf"^\s*(?:in|of|from)\s+(?:the\s+)?(?:{codes.STANDARD.pattern}|[a-z][a-z \-]{{1,40}}?\s+"
                    r"(?:standard|one|document|role|job|developer|engineer|planner|integrator|manager|analyst)s?"
                    r"(?:\s+(?:standard|one|document|role|job)s?)?)", re.I)  # "of the cloud developer standard"
# "the cost-benefit analysis (成本效益分析)": the documents' own words, given in brackets, are what is claimed
_EN_WORD = r"\b(?!(?:is|are|was|the|an?)\b)[a-z][a-z\-]*"
_EN_THEN_PRINTED = re.compile(rf"(?:{_EN_WORD}\s+){{0,4}}?{_EN_WORD}\s*[（(]\s*([\u4e00-\u9fff]{{2,20}})\s*[)）]", re.I)
_WH_ASKED = re.compile(r"^\s*(?:what|which|how|where|when|why|who)\b", re.I)
_DOUBTS = re.compile(r"是不是|是否|不是|對不對|係唔係|係咪|啱唔啱")
_ASKS_EN = re.compile(r"^\s*(?:is|isn't|isnt|are|aren't)\b", re.I)
_CLAIM_EN_BARE = re.compile(r"^\s*(?:an?\s+|the\s+)?(?P<claim>[a-z][a-z \-]{2,40}?)\s*\?", re.I)
# 「…要會寫 Python，是真的嗎」: what a standard is said to require
_REQUIRES = re.compile(r"(?:要會|需要會|得會|必須會|要懂|需要懂|要具備|需要具備|要求要?會?|requires?|needs?(?: to know)?)\s*"
                       r"(?P<claim>[^，,。？?]{2,20}?|[A-Za-z][A-Za-z \-]{1,39}?)\s*(?:[，,]\s*)?(?:是真的嗎|是真的|真的嗎|對嗎|對吧|是嗎|吧|嗎|[?？]|$)", re.I)
# 「…不用會版本控制吧」「應該不需要寫程式吧」: what a standard is said not to require
_NOT_REQUIRED = re.compile(r"(?:不用會|不需要會|不必會|不用懂|不需要懂|不用|不需要|不必|用不到)\s*(?P<claim>[^，,。？?]{2,20}?)\s*"
                           r"(?:[，,]\s*)?(?:是真的嗎|是真的|真的嗎|對嗎|對吧|是嗎|吧|嗎|[?？]|$)", re.I)
# 「A07 彈性是系統整合工程人員要的態度嗎」: the name written next to the code is what the question takes it to be
_NAMED_NEXT = re.compile(r"^\s*[「『]?(?P<name>[\u4e00-\u9fff]{2,10}?)[」』]?\s*(?:是不是|是|係|算是|屬於)")
_ABOUT_DOCUMENT = re.compile(r"(?:要|需要|要求|必備)的?(?:態度|技能|知識|能力|任務|東西|條件)?$|人員|工程師|標準|基準|這份|那份")
# 「T2.1 屬於第一個職責吧」「the second duty」: a duty named by its place
_DUTY_ORDINAL = re.compile(r"第\s*(\d+|[一二兩三四五六七八九十]+)\s*(?:個|項)?\s*(?:主要)?職責|"
                           r"\b(first|second|third|fourth|fifth)\s+duty", re.I)
# 「異常處理紀錄表跟維護紀錄表」: two things claimed at once
_CLAIM_PARTS = re.compile(r"跟|和|與|以及|及|還有|\band\b")
_TASK_FIELDS = ("outputs", "indicators", "knowledge", "skills")
_EN_GENERIC = re.compile(r"\s*\b(?:skills?|knowledge|abilit(?:y|ies)|experience|know-how)\b|^(?:to know )?(?:about|of)\s+", re.I)
_ONLY = re.compile(r"只有|只要|只交|只需|\bonly\b", re.I)
_FIELD_AFTER = re.compile(r"^\s*(?:的\s*)?(工作產出|產出|行為指標|指標|知識|技能)")
_FIELD_NAMES = {"工作產出": "outputs", "產出": "outputs", "行為指標": "indicators", "指標": "indicators", "知識": "knowledge",
                "技能": "skills"}


@dataclass(frozen=True)
class Claim:
    text: str
    field: str = ""  # the field the claim is about, when the question names one next to the code
    premise: bool = False  # stated before another question (「既然 S03 是…，那它用在哪些任務」): corrected, then answered


def claim_of(q: Query) -> str:
    """What a question about one code claims it is (empty: no claim). 「S03 是不是程式設計能力？」, 「T2.2 不是要交測試
    報告嗎」, 「測試報告是 T2.3 的產出吧」, "S03 is programming, right?" -> the claimed thing."""
    found = read_claim(q)
    return found.text if found else ""


def read_claim(q: Query) -> Claim | None:
    coded = [*q.tasks, *q.items] or list(q.duties)  # 「T2 這個職責是開發與測試嗎」: a duty's title claimed
    if len(coded) != 1 or q.premise_checked:  # premise_checked: the question after its premise was corrected
        return None
    text = _EN_THEN_PRINTED.sub(r"\1", claimed_part(q.text))
    at = text.find(coded[0])
    before, after = text[:at], text[at + len(coded[0]):]
    after = _WHOSE.sub("", after, count=1)  # "S02 in ISD3512-001v3 is about coding, right?"
    if re.match(r"^\s*(?:的|裡|中|下面|底下)?\s*(?:有)?\s*(?:哪|邊)", after):
        return None  # 「T2 哪幾個是 3 級的」 asks which, claims nothing
    printed = [q.text[n.span.start : n.span.end] for n in _of_the_standard(q) if n.code == coded[0]]
    own = next((name for name in printed if name and after.lstrip().startswith(name)), "")
    after = after.lstrip()[len(own):] if own else after  # 「T2.4維護或新增功能 產出應該是…」「K13 專有軟體的安裝與使用」:
    # the code's own title or name, a label, not a claim
    other = (_another_items_name(q, coded[0], after) or _output_label(coded[0], after)) if not own else ""
    if other:
        return Claim(other, premise=True)  # 「O4.4.1 產品評估報告 要寫什麼」: the label is O4.5.1's, corrected first
    after = re.sub(r"^[\s，,]+", "", after)  # 「T8.2 評估環境，產出是…」
    level = _LEVEL_CLAIM.search(after)
    if level and q.tasks and (asserts(text) or _DOUBTS.search(after)):  # 「T1.1 的級別是3嗎」「T1.1 是不是 3 級」
        return Claim(level.group(0).strip())
    field = _FIELD_AFTER.match(after)
    bare = _CLAIM_EN_BARE.search(after) if _ASKS_EN.search(before) else None  # "Isn't S05 database design?"
    english = None if _WH_ASKED.match(before) else _CLAIM_EN.search(after)  # "What does S08 mean …?" asks, claims nothing
    candidates = [m.group("claim") for m in (_CLAIM_AFTER.search(after), _CLAIM_ABOUT.search(after), english, bare) if m]
    if not candidates and field and re.match(rf"^\s*的\s*\S+\s*{_END}", after):
        before = re.sub(rf"(?:{codes.STANDARD.pattern})\s*(?:的)?\s*$", "", before)  # 「…是 INM3513-005v4 T1.1 的產出吧」
        m = _CLAIM_BEFORE.search(before)  # 「測試報告是 T2.3 的產出吧」
        candidates = [m.group("claim")] if m else []
    premise = _PREMISE.search(after) if not candidates else None
    if premise:
        candidates = [premise.group("claim")]
    named = _NAMED_NEXT.match(after)
    if named and candidates and _ABOUT_DOCUMENT.search(_clean_claim(candidates[0]) or candidates[0]):
        candidates = [named.group("name")]  # 「A07 彈性是…要的態度嗎」: 彈性 is what A07 is taken to be
    for raw in candidates:
        claim = _clean_claim(raw)
        if claim:
            return Claim(claim, _FIELD_NAMES.get(field.group(1), "") if field else "", premise=bool(premise))
    return None


_LABEL = re.compile(r"^\s*[「『]?([\u4e00-\u9fff]{3,12}?)[」』]?(?=\s|[，,。？?]|裡|中|的|要|有|是|$)")


def _output_label(code: str, after: str) -> str:
    """An output's name written after its code (「O4.4.1 產品評估報告 要寫什麼」): checked as what the code is taken to be
    (outputs are short names no item index holds; a right one passes unremarked)."""
    m = _LABEL.match(after) if code.startswith("O") else None
    return m.group(1) if m else ""


def _of_the_standard(q: Query) -> list[Named]:
    """The items named in the standards the question names (「A07 彈性」 of the integration standard: 彈性 is another
    standard's A07, not this one's)."""
    told = set(q.standards + q.soft_standards)
    return [n for n in q.named if not told or n.standard in told]


def _another_items_name(q: Query, code: str, after: str) -> str:
    """The printed name of another item of the same sort, written right after the code as its label (「O4.4.1 產品評估
    報告」, 「A05「持續學習」」); empty: none."""
    told = after.lstrip().lstrip("「『\"'")
    for n in _of_the_standard(q):
        name = q.text[n.span.start : n.span.end]
        if n.code != code and n.code[:1] == code[:1] and len(name) >= 2 and told.startswith(name):
            return name
    return ""


# 「既然 S08 是程式撰寫能力，T2.3 還要哪些技能」: a premise about one code, then a question about another
_CODE_PREMISE = re.compile(r"^(?P<head>[^，,？?]{3,60}?)[，,？?]\s*(?P<rest>\S.{1,80})$")
_REFERS_BACK = re.compile(r"它|他|其|這項|這個|這些|那項|那個|\bit\b", re.I)


def premise_part(q: Query) -> tuple[Query, Query] | None:
    """A premise about one code stated before a question naming another: the premise as a query of its own, and the
    question without the premise's code (kept when the question refers back to it: 「…，那它用在 T2.3 嗎」)."""
    m = _CODE_PREMISE.match(q.text.strip())
    if m is None or q.premise_checked:
        return None
    head, rest = m.group("head"), m.group("rest")
    named = [*q.tasks, *q.items, *q.duties]
    in_head = [code for code in named if _written(code, head)]
    if len(in_head) != 1 or len(named) < 2 or not all(_written(code, rest) for code in named if code not in in_head):
        return None
    part = replace(q, text=head, tasks=[c for c in q.tasks if c in in_head], items=[c for c in q.items if c in in_head],
                   duties=[c for c in q.duties if c in in_head])
    if read_claim(part) is None:
        return None
    if _REFERS_BACK.search(rest):
        return part, q
    asked = replace(q, tasks=[c for c in q.tasks if c not in in_head], items=[c for c in q.items if c not in in_head],
                    duties=[c for c in q.duties if c not in in_head])
    return part, asked


# what a claim adds after the thing it names: 「資料倉儲相關的職責」「跟測試有關的任務」「安全方面的工作」
_GENERIC_TAIL = re.compile(r"(?:相關|有關|方面|類|之類)(?:的)?(?:職責|任務|工作|事情|事|內容|東西)?$|(?<=\S{2})的(?:職責|任務|工作)$|"
                           r"(?<=\S{2})(?:的)?(?:那一塊|這一塊|那塊|這塊|那部分|這部分|那一部分|這一部分|的部分|領域)$")


def _written(code: str, text: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(code)}(?![\d.])", text) is not None


def _closest_title(doc: Standard, duty: Duty, claim: str) -> tuple[str, str] | None:
    """The other duty (else task) whose title shares most of the claim's bigrams, two at least."""
    told = _bigrams(claim)
    titled = [(d.code, d.title) for d in doc.duties if d.code != duty.code] + [
        (task.code, task.title) for task in doc.tasks if task.duty != duty.code]
    best = max(titled, key=lambda ct: len(told & _bigrams(ct[1])), default=None)
    return best if best is not None and len(told & _bigrams(best[1])) >= 2 else None


def _clean_claim(raw: str) -> str:
    claim = raw.strip()
    if claim.isascii():
        claim = gloss(claim)  # an English claim in the documents' words, where the glossary knows them
        if claim.isascii():
            return ""
    for word in _field_words():
        claim = claim.removeprefix(word).strip()
    claim = re.sub(r"(?:的)$", "", claim).strip()
    claim = _GENERIC_TAIL.sub("", claim).strip() or claim  # 「資料倉儲相關的職責」 claims 資料倉儲
    asks = any(word in claim.lower() for word in _empty_claims())  # 「K47 是哪些工作活動要用的」 asks, claims nothing
    return "" if len(claim) < 2 or asks else claim


@cache
def _field_words() -> list[str]:
    with TRAITS_FILE.open("rb") as f:
        return sorted(tomllib.load(f)["claims"]["field_prefixes"], key=len, reverse=True)


@cache
def _empty_claims() -> frozenset[str]:
    with TRAITS_FILE.open("rb") as f:
        return frozenset(w.lower() for w in tomllib.load(f)["claims"]["not_claims"])


_ASSERTS = re.compile(r"(?:我?沒記錯吧|對吧|對嗎|對不對|沒錯吧|沒錯嗎|是不是|是嗎|是吧|係咪|係唔係|啱唔啱|吧|嗎|嘛)\s*[?？]?\s*$|"
                      r"^\s*(?:我)?(?:聽說|據說|聽人說|有人說|網路上說|看到有人說|以為|還以為|記得)|^\s*i (?:heard|read|thought)\b|"
                      r",\s*(?:right|correct|isn't it|is it not|aren't they|don't they|doesn't it|yes)\s*\?\s*$|"
                      r"^(?:is|are|does|do|has|have)\b", re.I)
_COUNT_CLAIM = re.compile(r"(?<!第)(?<!第\s)(\d+|[一二兩三四五六七八九十]+)\s*(?:個|項|條|份)?\s*(?:工作)?"
                          r"(任務|職責|行為指標|指標|工作產出|產出|知識|技能|態度)|"
                          r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:work\s+)?"
                          r"(tasks?|duties|duty|behaviou?r indicators?|indicators?|outputs?|skills?|attitudes?)\b", re.I)
_NOUN_FIELD = {"任務": "tasks", "職責": "duties", "行為指標": "indicators", "指標": "indicators", "工作產出": "outputs",
               "產出": "outputs", "知識": "knowledge", "技能": "skills", "態度": "attitudes", "task": "tasks",
               "duty": "duties", "duties": "duties", "indicator": "indicators", "output": "outputs", "skill": "skills",
               "attitude": "attitudes"}


def _counted(m: re.Match[str]) -> tuple[str, int]:
    """The field and the number a count claim states (「21 個任務」, "10 tasks")."""
    if m.group(1):
        return _NOUN_FIELD[m.group(2)], number(m.group(1))
    noun = re.sub(r"^behaviou?r\s+", "", m.group(4).lower())
    noun = noun if noun in _NOUN_FIELD else noun.rstrip("s")
    return _NOUN_FIELD[noun], number(m.group(3))


# 「最新版是 v5 吧」「IIS3513-006v4 是 2020 年發布的對吧」: a version or a year claimed of a standard
_VERSION_CLAIM = re.compile(r"(?:最新版|最新的版本|最新版本|現行版本|現行版|目前的版本|目前版本)\s*(?:是|為|應該是|已經是)?\s*(?:第)?\s*"
                            r"[vV]?\s*(\d{1,2})\s*(?:版)?(?!\d)|latest version is (?:v|version )?(\d{1,2})", re.I)
# 「第一版就叫電子商務網站規劃人員」 "version 2 was called …": the title one version is said to have had
_VERSION_TITLE_CLAIM = re.compile(r"(?:第\s*(?P<n>[一二三四五六七八九十\d]{1,2})\s*版|[vV]\s*(?P<v>\d{1,2})(?![\d.]))\s*(?:的)?(?:名稱)?"
                                  r"\s*(?:就|本來|原本|當時|那時)?\s*(?:叫做|叫|名為|名稱是|稱為)\s*[「『]?(?P<claim>[\u4e00-\u9fff]{3,20}?)"
                                  r"[」』]?(?=\s|[，,。？?]|嗎|吧|對|是|\d|$)|was called (?P<en>[\u4e00-\u9fff]{3,20})")
_YEAR_CLAIM = re.compile(r"(?<!\d)(\d{4})\s*年?\s*(?:的|就|才)?\s*(?:發布|發佈|公告|公布|更新|出版|推出|制定|修訂)|"
                         r"(?:published|released|updated) in (\d{4})", re.I)
# 「第二個職責是開發及測試可行性分析吧」: a duty named by its place, and the title it is said to have
_DUTY_TITLE_CLAIM = re.compile(r"第\s*(?:\d+|[一二兩三四五六七八九十]+)\s*(?:個|項)?\s*(?:主要)?職責\s*(?:是|為|叫|叫做)\s*"
                               r"[「『]?(?P<claim>[^「」『』，,。？?]{2,30}?)[」』]?\s*(?:對吧|對嗎|對不對|沒錯吧|是嗎|是吧|吧|嗎|[?？]|$)")
# 「任務都是 5 級吧」「all its tasks are level 4」: every task's level claimed at once
_EVERY_TASK = re.compile(r"任務(?:都|全部|全都|通通)|(?:所有|全部|每個|每項|每一個|每一項)(?:的)?(?:工作)?任務|all (?:the |its )?tasks",
                         re.I)
# 「電商規劃人員屬於 ISD 職類吧」: a category code claimed
_CATEGORY_CLAIM = re.compile(r"(?:屬於|是|歸在|in the)\s*([A-Z]{3})\s*(?:職類|類別|類|category)|"
                             r"(?:職類|類別)(?:別)?\s*(?:是|為|屬於)\s*([A-Z]{3})\b")
# 「既然雲端開發的基準級別是 5，那入門要幾年」: the claim before the comma, a question after it
_STANDARD_PREMISE = re.compile(r"^(?P<head>[^，,？?]{3,60})[，,]\s*(?P<rest>\S.{1,80})$")


# what a person's background is claimed in (the words), and how the entry requirements word it (the pattern)
_BACKGROUNDS = (
    (("經驗", "年資"), re.compile(r"經驗|年資|\d+\s*年以上")),
    (("學歷", "畢業"), re.compile(r"大專|大學|碩士|高中|高職|學歷|畢業")),
    (("科系", "本科"), re.compile(r"科系|相關系|本科")),
    (("證照",), re.compile(r"證照|證書|執照")),
)
_BACKGROUND_ASKED = {word: pattern for words, pattern in _BACKGROUNDS for word in words}
_BACKGROUND = re.compile("|".join(_BACKGROUND_ASKED))
_SPECIFIC = re.compile(r"博士|碩士|大學|大專|高中|高職|\d+\s*年")
_ENTRY_SAID = re.compile(r"(?P<no>不用|不需要|不必|免)?(?:要|需要|得|必須|要求)?(?:有)?\s*(?P<claim>[^，,。？?吧嗎要有]{0,8}?(?:"
                         + "|".join(_BACKGROUND_ASKED) + r"))")


def _printed(value: str, line: str) -> bool:
    """A degree is printed as such; N 年 is met by a line asking N or more years (「5年以上」 prints 5)."""
    years = re.match(r"(\d+)\s*年", value)
    if years:
        return any(int(n) == int(years.group(1)) for n in re.findall(r"(\d+)\s*年", line))
    return value in line


# 「為什麼雲端開發不需要溝通能力」: the question takes for granted that the trait is not asked for
_DENIES = re.compile(r"不需要|不用|不必|不太需要|沒有要求|不要求|用不到|doesn't need|does not need|no need", re.I)


def refutes(draft: A.Draft) -> bool:
    """A claim's answer says the claim is wrong (every such answer begins with answers.claim_no_word)."""
    return draft.intent == "claim" and any(line.startswith(t("answers.claim_no_word")) for line in draft.lines[:2])


# a claim put to the reader, then more said (「…產出應該是測試報告對吧 我要照這個準備文件」 "…right? putting it in our
# guide"): the claim is read up to its question
_ASSERT_THEN_MORE = re.compile(r"(?:我?沒記錯吧|對吧|對嗎|對不對|沒錯吧|沒錯嗎|是嗎|是吧|right\s*\?|correct\s*\?)"
                               r"(?=[\s，,。.!！?？]+\S)", re.I)


def claimed_part(text: str) -> str:
    m = _ASSERT_THEN_MORE.search(text)
    return text[: m.end()] if m else text


def asserts(text: str) -> bool:
    """The question states something and asks to have it confirmed (「…對吧」, 「…是嗎」, "…, right?")."""
    return bool(_ASSERTS.search(text.strip()))


class Claims:
    def __init__(self, catalog: Catalog, search: HybridSearch) -> None:
        self.catalog = catalog
        self.search = search

    # ------------------------------------------------------------ a claim about a code
    def check(self, q: Query, doc: Document, claim: str) -> A.Draft | None:
        """The answer to a claim about the question's code in `doc`; None when the code is not in it."""
        code = (q.tasks or q.items or q.duties)[0]
        level = _LEVEL_CLAIM.search(claim)
        task = doc.task(code) if q.tasks and isinstance(doc, Standard) else None
        if task is not None and level:
            checked = self._level_claim(doc, task, int(level.group(1) or level.group(2)))  # type: ignore[arg-type]
            return self._also_claimed(q, doc, checked)
        duty = claimed_duty(claim)
        if task is not None and duty:
            return self._duty_claim(doc, task, duty)  # type: ignore[arg-type]
        count = _COUNT_CLAIM.search(claim)
        if task is not None and count and _counted(count)[0] in _TASK_FIELDS:
            return self._task_count_claim(doc, task, *_counted(count))  # type: ignore[arg-type]
        if task is not None:
            read = read_claim(q)
            field = (read.field if read and read.field else "") or ("" if read and read.premise else next(
                (f for f in q.fields if f in _FIELD_SORT), ""))  # a premise's field is its own, not the question's
            made = _MADE.match(claim)
            if not field and made:  # 「T2.3 是寫測試報告對吧」: writing a thing is making an output
                return self._task_claim(doc, task, "outputs", made.group("thing"))  # type: ignore[arg-type]
            if not field:  # 「Isn't T2.2 about debugging?」: what the task is about, its title and indicators
                return self._topic_claim(doc, task, claim)  # type: ignore[arg-type]
            return self._task_claim(doc, task, field, claim, only=bool(_ONLY.search(q.text)))  # type: ignore[arg-type]
        if q.tasks:
            return None
        duty = doc.duty(code) if isinstance(doc, Standard) and not q.items else None
        if duty is not None:
            return self._duty_title_claim(doc, duty, claim)  # type: ignore[arg-type]
        item = find_item(doc, code)
        return self._item_claim(doc, item, claim) if item else None

    def _also_claimed(self, q: Query, doc: Document, level_checked: A.Draft) -> A.Draft:
        """「T4.2 是測試廠商產品，而且是 3 級，對吧」: what the task is claimed to be, checked before its level."""
        text = _ALSO_LEVEL.sub("", q.text)
        rest = replace(q, text=text)
        other = read_claim(rest) if text != q.text else None
        if other is None or _LEVEL_CLAIM.search(other.text):
            return level_checked
        first = self.check(rest, doc, other.text)
        if first is None:
            return level_checked
        first.lines.append("")
        first.extend(A.Draft(level_checked.intent, lines=level_checked.lines[1:], citations=level_checked.citations))
        return first

    def _task_count_claim(self, doc: Standard, task: Task, field: str, claimed: int) -> A.Draft:
        """「T2.1 只有一項工作產出吧」: how many the task lists, and which."""
        items = _task_items(doc, task, field)
        draft = A.start("claim", doc, self.catalog)
        key = "answers.claim_task_count_yes" if len(items) == claimed else "answers.claim_task_count_no"
        draft.say(t(key, task=task.code, title=task.title, noun=t(f"answers.count_noun_{field}"), n=len(items),
                    claimed=claimed))
        draft.cite(doc, task.code, task.title)
        for n, item in enumerate(items, 1):
            draft.say(t("answers.numbered", n=n, code=item.code, text=item.text))
            draft.cite(doc, item.code, item.full_text)
        return draft

    def _duty_claim(self, doc: Standard, task: Task, duty_code: str) -> A.Draft:
        draft = A.start("claim", doc, self.catalog)
        duty = doc.duty(task.duty)
        key = "answers.claim_duty_yes" if task.duty == duty_code else "answers.claim_duty_no"
        draft.say(t(key, task=task.code, title=task.title, duty=task.duty, duty_title=duty.title if duty else "",
                    claimed=duty_code))
        draft.cite(doc, task.code, task.title)
        if duty is not None:
            draft.cite(doc, duty.code, duty.title)
        return draft

    def _duty_title_claim(self, doc: Standard, duty: Duty, claim: str) -> A.Draft:
        draft = A.start("claim", doc, self.catalog)
        tasks = [task for task in doc.tasks if task.duty == duty.code]
        holds = _says(duty.title, claim) or any(_says(task.title, claim) for task in tasks)
        draft.say(t("answers.claim_duty_title_yes" if holds else "answers.claim_duty_title_no", duty=duty.code,
                    title=duty.title, claim=claim))
        draft.cite(doc, duty.code, duty.title)
        for task in tasks:
            draft.say(t("answers.task_line", code=task.code, title=task.title, level=task.level or "—"))
            draft.cite(doc, task.code, task.title)
        if not holds:
            self._duty_elsewhere(draft, doc, duty, claim)
        return draft

    def _duty_elsewhere(self, draft: A.Draft, doc: Standard, duty: Duty, claim: str) -> None:
        """The duty (else the tasks) whose title says the claimed thing."""
        found = [(d.code, d.title) for d in doc.duties if d.code != duty.code and _says(d.title, claim)] or [
            (task.code, task.title) for task in doc.tasks if task.duty != duty.code and _says(task.title, claim)]
        if not found:
            draft.say(t("answers.claim_nowhere", claim=claim))
            near = _closest_title(doc, duty, claim)  # 「T3 是在管雲端安全吧」: T5 規劃雲端服務佈署的安全…
            if near is not None:
                draft.say(t("answers.claim_nearest"))
                draft.say(t("answers.claim_where", code=near[0], text=near[1], where=""))
                draft.cite(doc, *near)
            return
        draft.say(t("answers.claim_elsewhere", claim=claim))
        for code, title in found[:ELSEWHERE]:
            draft.say(t("answers.claim_where", code=code, text=title, where=""))
            draft.cite(doc, code, title)

    def _level_claim(self, doc: Standard, task: Task, level: int) -> A.Draft:
        draft = A.start("claim", doc, self.catalog)
        key = "answers.claim_level_yes" if task.level == level else "answers.claim_level_no"
        draft.say(t(key, task=task.code, title=task.title, level=task.level or "—", claimed=level))
        draft.cite(doc, task.code, task.title)
        return draft

    def _item_claim(self, doc: Document, item: Item, claim: str) -> A.Draft:
        draft = A.start("claim", doc, self.catalog)
        holds = _says(item.full_text, claim)
        draft.say(t("answers.claim_item_yes" if holds else "answers.claim_item_no", code=item.code, text=item.text,
                    claim=claim))
        draft.cite(doc, item.code, item.full_text)
        if not holds:
            self._elsewhere(draft, doc, claim, _SORT.get(item.code[:1], ()), exclude=item.code)
        return draft

    def _task_claim(self, doc: Standard, task: Task, field: str, claim: str, only: bool = False) -> A.Draft:
        draft = A.start("claim", doc, self.catalog)
        items = task.outputs if field == "outputs" else task.indicators if field == "indicators" else [
            i for i in (doc.knowledge.get(c) or doc.skills.get(c) for c in [*task.knowledge, *task.skills]) if i]
        parts = _parts_of(claim) if not any(_says(i.full_text, claim) for i in items) else [claim]
        held = [part for part in parts if any(_says(i.full_text, part) for i in items)]
        missing = [part for part in parts if part not in held]
        holding = [i for i in items if any(_says(i.full_text, part) for part in held)]
        noun = t(f"answers.count_noun_{field}")
        sep = t("answers.list_sep")
        if held and not missing and only and len(holding) < len(items):  # 「T2.2 的產出只有測試報告對嗎」
            draft.say(t("answers.claim_task_not_only", task=task.code, title=task.title, noun=noun, claim=claim,
                        n=len(items)))
            missing, holding = [], items
        elif held and missing:  # 「異常處理紀錄表跟維護紀錄表」: one of the two is T2.5's
            draft.say(t("answers.claim_task_partly", task=task.code, title=task.title, noun=noun, held=sep.join(held),
                        missing=sep.join(missing)))
        else:
            draft.say(t("answers.claim_task_yes" if held else "answers.claim_task_no", task=task.code,
                        title=task.title, noun=noun, claim=claim))
        draft.cite(doc, task.code, task.title)
        for n, item in enumerate(items if missing else holding, 1):
            draft.say(t("answers.numbered", n=n, code=item.code, text=item.text))
            draft.cite(doc, item.code, item.full_text)
        if not items:
            draft.say(t("answers.no_outputs" if field == "outputs" else "answers.claim_none_listed"))
        for part in missing:
            self._elsewhere(draft, doc, part, (_FIELD_SORT[field],), exclude="")
        return draft

    def _topic_claim(self, doc: Standard, task: Task, claim: str) -> A.Draft:
        draft = A.start("claim", doc, self.catalog)
        # 「T2.2 就是在寫軟體需求規格書吧」: what another task produces (O2.1.1) is not this one's work, though this one's
        # indicators read it (「依軟體需求規格書制定測試條件」)
        made_elsewhere = not any(_says(o.text, claim) for o in task.outputs) and any(
            o.text == claim for other in doc.tasks if other.code != task.code for o in other.outputs)
        holds = _says(task.title, claim) or not made_elsewhere and any(_says(i.full_text, claim) for i in task.indicators)
        draft.say(t("answers.claim_topic_yes" if holds else "answers.claim_topic_no", task=task.code, title=task.title,
                    claim=claim))
        draft.cite(doc, task.code, task.title)
        for n, item in enumerate(task.indicators, 1):
            draft.say(t("answers.numbered", n=n, code=item.code, text=item.text))
            draft.cite(doc, item.code, item.full_text)
        if not holds:
            sorts = ("output", "task", "indicator") if made_elsewhere else ("task", "indicator")
            self._elsewhere(draft, doc, claim, sorts, exclude=task.code)
        return draft

    def _elsewhere(self, draft: A.Draft, doc: Document, claim: str, sorts: tuple[str, ...], exclude: str) -> None:
        """Where in the same document the claimed thing is: the items whose text names it, else the closest ones."""
        hits = self.search.search(claim, k=8, filters=Filters(standards=[doc.code], status=None, item_types=sorts))
        found = [h for h in hits if not exclude or exclude not in (h.chunk.code.split("/")[-1], h.chunk.task)
                 and _says(h.chunk.text, claim)][:ELSEWHERE]
        if not found and set(sorts) < set(_ITEM_SORTS):  # 「A05 是溝通能力吧」: the skill S01 溝通技能 says it
            return self._elsewhere(draft, doc, claim, _ITEM_SORTS, exclude)
        if not found:
            draft.say(t("answers.claim_nowhere", claim=claim))
            if not self._in_other_standards(draft, doc, claim, sorts):
                self._nearest(draft, doc, claim, [h for h in hits if h.chunk.code.split("/")[-1] != exclude])
            return
        draft.say(t("answers.claim_elsewhere", claim=claim))
        for hit in found:
            code = hit.chunk.code.split("/")[-1]
            task = doc.task(code) if isinstance(doc, Standard) else None
            if task is not None:  # 「T1.2 是評估應用可行性對嗎」: the task whose title it is, T1.1
                draft.say(t("answers.claim_where", code=code, text=task.title, where=""))
                draft.cite(doc, code, task.title)
                continue
            item = find_item(doc, code)
            if item is None:
                continue
            where = _holder(doc, code)
            draft.say(t("answers.claim_where", code=code, text=item.text, where=where))
            draft.cite(doc, code, item.full_text)

    def _nearest(self, draft: A.Draft, doc: Document, claim: str, hits: list[Hit]) -> None:
        """「T2.5 是開發新功能吧」: no item says it in those words; the closest one that shares a word with the claim
        (T2.4 維護或新增功能), said to be the closest, not the same."""
        for hit in hits[:1]:
            code = hit.chunk.code.split("/")[-1]
            task = doc.task(code) if isinstance(doc, Standard) else None
            item = find_item(doc, code)
            text, full = (task.title, task.title) if task else (item.text, item.full_text) if item else ("", "")
            if text and _bigrams(claim) & _bigrams(full):
                draft.say(t("answers.claim_nearest"))
                draft.say(t("answers.claim_where", code=code, text=text, where="" if task else _holder(doc, code)))
                draft.cite(doc, code, full)

    def _in_other_standards(self, draft: A.Draft, doc: Document, claim: str, sorts: tuple[str, ...],
                            literal: bool = False) -> bool:
        """「系統整合工程人員的 A01 是主動積極對吧」: 主動積極 is no item of that standard, but another prints it."""
        if not sorts:
            return False
        hits = self.search.search(claim, k=8, filters=Filters(item_types=sorts))  # every current standard's: a list
        for hit in hits:  # of 2,999 others would be compared one by one
            other = self.catalog.get(hit.chunk.standard) if hit.chunk.standard != doc.code else None
            code = hit.chunk.code.split("/")[-1]
            item = find_item(other, code) if other else None
            if other is not None and item is not None and _says(item.full_text, claim, literal):
                draft.say(t("answers.claim_other_standard", claim=claim, std=f"{other.code} {other.title}",
                            code=code, text=item.text))
                draft.cite(other, code, item.full_text)
                return True
        return False

    # ------------------------------------------------------------ a claim about two codes
    def check_pair(self, q: Query, doc: Document | None) -> A.Draft | None:
        """「T2.2 跟 T2.3 都是級別 4 吧」「T2.3 要用到 K15 吧」: a claim joining two codes, checked (None: none)."""
        if not isinstance(doc, Standard) or not asserts(claimed_part(q.text)) or q.premise_checked:
            return None
        level = _LEVEL_CLAIM.search(q.text)
        if len(q.tasks) > 1 and not q.items and level:
            return self._levels_claim(doc, q.tasks, int(level.group(1) or level.group(2)))
        if len(q.tasks) == 1 and len(q.items) == 1 and q.items[0][:1] in "KS":
            return self._uses_claim(doc, q.tasks[0], q.items[0])
        if len(q.tasks) == 1 and len(q.items) == 1 and q.items[0][:1] in "OP":
            return self._claimed_by_code(q, doc)
        return None

    def _claimed_by_code(self, q: Query, doc: Standard) -> A.Draft | None:
        """「T2.1 的產出是 O2.1.1 軟體需求規格書對吧」「T8.2 的產出是 O8.2.1 環境評估紀錄，沒錯吧」: the output or
        indicator claimed, read by its name (the code may be wrong or made up), else by its code's text."""
        code = q.items[0]
        m = re.search(rf"(?<![\w.]){re.escape(code)}(?![\d.])\s*", q.text)
        if m is None or m.start() < q.text.find(q.tasks[0]):
            return None
        named = re.match(r"[\u4e00-\u9fff]{2}", q.text[m.end():]) is not None
        item = find_item(doc, code)
        said = "" if named else item.text if item else code
        plain = replace(q, items=[], text=q.text[: m.start()] + said + q.text[m.end():])
        claim = claim_of(plain)
        return self.check(plain, doc, claim) if claim else None

    def _levels_claim(self, doc: Standard, codes_named: list[str], claimed: int) -> A.Draft | None:
        tasks = [doc.task(code) for code in codes_named]
        if any(task is None for task in tasks):
            return None
        draft = A.start("claim", doc, self.catalog)
        holds = all(task.level == claimed for task in tasks if task)
        draft.say(t("answers.claim_levels_yes" if holds else "answers.claim_levels_no", claimed=claimed))
        for task in tasks:
            if task is not None:
                draft.say(t("answers.task_line", code=task.code, title=task.title, level=task.level or "—"))
                draft.cite(doc, task.code, task.title)
        return draft

    def _uses_claim(self, doc: Standard, task_code: str, item_code: str) -> A.Draft | None:
        task, item = doc.task(task_code), find_item(doc, item_code)
        if task is None or item is None:
            return None
        draft = A.start("claim", doc, self.catalog)
        holds = item.code in (*task.knowledge, *task.skills)
        draft.say(t("answers.claim_uses_yes" if holds else "answers.claim_uses_no", task=task.code, title=task.title,
                    code=item.code, text=item.name))
        draft.cite(doc, task.code, task.title)
        draft.cite(doc, item.code, item.full_text)
        used = [] if holds else tasks_using(doc, item.code)
        if used:
            draft.say(t("answers.claim_used_by", code=item.code))
        for other in used:
            draft.say(t("answers.task_line", code=other.code, title=other.title, level=other.level or "—"))
            draft.cite(doc, other.code, other.title)
        return draft

    # ------------------------------------------------------------ a claim about a standard itself
    def check_standard(self, q: Query, doc: Document) -> A.Draft | None:
        """「雲端系統開發工程人員是 4 級的吧」「電商那份有 20 個任務對嗎」: a level or a count the question states, checked
        against the document (None: no such claim)."""
        sentences = [p for p in re.split(r"(?<=[？?])", q.text) if p.strip()]  # 「…要會寫程式嗎？還是會操作就好」
        if not any(asserts(p) for p in [*sentences, claimed_part(q.text)]) or q.has_codes or q.premise_checked:
            return None
        if mentions_background(q.text):  # 「剛從資管系畢業…我這種程度適合嗎」: one's own background, no claim about the entry
            return self._standard_claim(q.text, doc)
        return self._standard_claim(q.text, doc) or self._required(q, doc) or self._entry_asserted(q, doc)

    def _entry_asserted(self, q: Query, doc: Document) -> A.Draft | None:
        """「雲端開發的入門條件要碩士學歷吧」: a background the entry requirements are said to ask."""
        after = re.split(r"入門條件|入門門檻|門檻|條件", q.text)[-1]  # what is said of them comes after their name
        said = _ENTRY_SAID.search(after)
        if "entry" not in q.fields or said is None or not isinstance(doc, Standard):
            return None
        return self._entry_claim(doc, said.group("claim"), denied=bool(said.group("no")))

    def standard_premise(self, q: Query, doc: Document) -> A.Draft | None:
        """「既然雲端開發的基準級別是 5，那入門要幾年經驗」: a wrong level, count, version or year stated before the
        question, corrected (None: no such premise, or it holds)."""
        m = _STANDARD_PREMISE.match(q.text.strip())
        if m is None or q.has_codes or q.premise_checked or asserts(m.group("head")):
            return None
        checked = self._standard_claim(m.group("head"), doc)
        return checked if checked is not None and refutes(checked) else None

    def _standard_claim(self, text: str, doc: Document) -> A.Draft | None:
        duty = _DUTY_TITLE_CLAIM.search(text)
        if duty and isinstance(doc, Standard) and doc.duty(claimed_duty(duty.group(0))):
            return self._duty_title_claim(doc, doc.duty(claimed_duty(duty.group(0))), _clean_claim(duty.group("claim")))
        counts = list(_COUNT_CLAIM.finditer(text))
        if counts and isinstance(doc, Standard):
            draft = None
            for count in counts:  # "9 tasks split across 3 duties, right?": each count checked
                field, claimed = _counted(count)
                if doc.layout == "merged" and field == "tasks" and "活動" not in text:
                    field = "duties"  # the older layout's 工作任務 are its T1–T10
                draft = self._count_claim(doc, field, claimed, draft)
            return draft
        level = _LEVEL_CLAIM.search(text)
        if level and _EVERY_TASK.search(text[:level.start()]) and isinstance(doc, Standard):
            return self._levels_claim(doc, [task.code for task in doc.tasks], int(level.group(1) or level.group(2)))
        if level:
            return self._std_level_claim(doc, int(level.group(1) or level.group(2)))
        version = _VERSION_CLAIM.search(text)
        if version and isinstance(doc, Standard):
            return self._version_claim(doc, int(version.group(1) or version.group(2)))
        named = _VERSION_TITLE_CLAIM.search(text)
        if named and isinstance(doc, Standard) and (named.group("n") or named.group("v")):
            return self._version_title_claim(doc, number(named.group("n") or named.group("v")), named.group("claim"))
        year = _YEAR_CLAIM.search(text)
        if year and isinstance(doc, Standard):
            return self._year_claim(doc, year.group(1) or year.group(2))
        category = _CATEGORY_CLAIM.search(text)
        if category and isinstance(doc, Standard) and doc.category is not None:
            return self._category_claim(doc, category.group(1) or category.group(2))
        return None

    def _category_claim(self, doc: Standard, claimed: str) -> A.Draft:
        assert doc.category is not None
        draft = A.start("claim", doc, self.catalog)
        key = "answers.claim_category_yes" if doc.category.code == claimed else "answers.claim_category_no"
        draft.say(t(key, name=doc.category.name, code=doc.category.code, claimed=claimed))
        draft.cite(doc, doc.code, doc.title)
        return draft

    def _required(self, q: Query, doc: Document) -> A.Draft | None:
        denied = _NOT_REQUIRED.search(q.text)
        required = denied or _REQUIRES.search(q.text)
        claim = required.group("claim").strip() if required else ""  # a tool's name (Java) is a claim as it is
        if any(word in claim.lower() for word in _empty_claims()):
            claim = ""  # 「要會哪些技能」 asks, claims nothing
        claim = re.sub(r"^(?:使用|運用|操作|用)(?=\S{2})", "", claim)  # 「要會用除錯工具」: the tools are the claim
        claim = _EN_GENERIC.sub("", claim).strip()  # "version control skills": the skill is version control
        claim = gloss(claim) if claim.isascii() else claim  # in the documents' words, where the glossary knows them
        if not claim or not isinstance(doc, Standard):
            return None
        if _BACKGROUND.search(claim):  # 「入門條件不用經驗吧」: what the entry requirements ask
            return self._entry_claim(doc, claim, denied=bool(denied))
        return self._requirement_claim(doc, claim, denied=bool(denied))

    def _entry_claim(self, doc: Standard, claim: str, denied: bool) -> A.Draft:
        """「系統整合工程人員不用經驗吧」「要大學畢業吧」: whether the entry requirements ask it, with their lines."""
        lines = doc.entry_requirements
        specific = _SPECIFIC.findall(claim)  # 碩士, 3 年: the claim's own value must be printed, not any degree
        pattern = _BACKGROUND_ASKED[_BACKGROUND.search(claim).group()]  # type: ignore[union-attr]
        asked = [line for line in lines if (all(_printed(v, line) for v in specific) if specific else pattern.search(line))]
        draft = A.start("claim", doc, self.catalog)
        key = ("answers.claim_entry_denied_wrong" if asked else "answers.claim_entry_denied_right") if denied else (
            "answers.claim_entry_yes" if asked else "answers.claim_entry_no")
        draft.say(t(key, claim=claim))
        for line in asked or lines:
            draft.say(t("answers.bullet", text=line))
        draft.cite(doc, doc.code, "；".join(lines) or doc.title)
        return draft

    def required_across(self, q: Query) -> A.Draft | None:
        """「哪些標準有要求英文能力」"which standards require SQL": the current standards whose knowledge or skills
        name it, each with those items; none naming it is said so, with nothing cited (None: no such question)."""
        required = _REQUIRES.search(q.text)
        claim = _EN_GENERIC.sub("", required.group("claim")).strip() if required else ""
        claim = gloss(claim) if claim.isascii() else claim
        if len(claim) < 2 or any(word in claim.lower() for word in _empty_claims()):
            return None
        query = " ".join(dict.fromkeys([claim, *concepts(claim)]))  # the candidates, then the ones that name it
        hits = self.search.search(query, k=ACROSS_CANDIDATES, filters=Filters(item_types=("knowledge", "skill")))
        naming = []
        for hit in hits:
            doc = self.catalog.get(hit.chunk.standard)
            item = find_item(doc, hit.chunk.code) if isinstance(doc, Standard) else None
            if doc is not None and item is not None and _says(item.full_text, claim):
                naming.append((doc, item))
        if not naming:
            return A.Draft.reply("claim", t("answers.required_nowhere", claim=claim))
        draft = A.Draft("claim")
        draft.say(t("answers.required_in", claim=claim))
        for doc, item in naming[:TRAIT_ITEMS * 2]:
            draft.say(t("answers.trait_item", n=naming.index((doc, item)) + 1, code=item.code, text=item.text,
                        where=t("answers.trait_std", code=doc.code)))
            draft.cite(doc, item.code, item.full_text)
        return draft

    def _version_claim(self, doc: Standard, claimed: int) -> A.Draft:
        latest = self.catalog.latest_of(doc)
        draft = A.start("claim", latest, self.catalog)
        draft.say(t("answers.claim_version_yes" if latest.version == claimed else "answers.claim_version_no",
                    version=latest.version or "—", code=latest.code, claimed=claimed))
        draft.cite(latest, latest.code, latest.title)
        return draft

    def _version_title_claim(self, doc: Standard, version: int, claimed: str) -> A.Draft | None:
        """The version's own row of the version table, and the version that did carry the claimed title."""
        table = A.version_table(doc, self.catalog)
        row = next((v for v in table if number(re.sub(r"\D", "", v.version) or "0") == version), None)
        if row is None:
            return None
        latest = self.catalog.latest_of(doc)
        draft = A.start("claim", latest, self.catalog)
        same = row.title == claimed
        draft.say(t("answers.claim_version_title_yes" if same else "answers.claim_version_title_no", version=row.version,
                    code=row.code, title=row.title, date=row.date, claimed=claimed))
        other = next((v for v in table if v.title == claimed and v is not row), None)
        if other is not None and not same:
            draft.say(t("answers.claim_version_title_other", version=other.version, code=other.code, title=other.title,
                        date=other.date))
        draft.cite(latest, latest.code, latest.title)
        return draft

    def _year_claim(self, doc: Standard, claimed: str) -> A.Draft:
        entry = next((v for v in A.version_table(doc, self.catalog) if v.code == doc.code), None)
        date = entry.date if entry is not None else ""
        draft = A.start("claim", doc, self.catalog)
        if not date:
            draft.say(t("answers.claim_year_unknown", code=doc.code))
        else:
            draft.say(t("answers.claim_year_yes" if date.startswith(claimed) else "answers.claim_year_no",
                        code=doc.code, date=date, claimed=claimed))
        draft.cite(doc, doc.code, doc.title)
        return draft

    def _requirement_claim(self, doc: Standard, claim: str, denied: bool = False) -> A.Draft:
        """「聽說系統整合工程人員要會寫 Python，是真的嗎」: the knowledge and skills that name it, else the closest;
        「…不用會版本控制吧」 (denied): "it does" with the items that name it."""
        items = [*doc.knowledge.values(), *doc.skills.values()]
        naming = [item for item in items if _says(item.full_text, claim)][:ELSEWHERE]
        draft = A.start("claim", doc, self.catalog)
        yes = "answers.claim_required_denied" if denied else "answers.claim_required_yes"
        draft.say(t(yes if naming else "answers.claim_required_no", claim=claim))
        shown = naming or self._closest_items(doc, claim)
        for item in shown:
            draft.say(t("answers.claim_where", code=item.code, text=item.text, where=_holder(doc, item.code)))
            draft.cite(doc, item.code, item.full_text)
        if not naming:  # 「電商規劃人員要會用除錯工具吧」: not this one's, but the cloud standard prints it
            self._in_other_standards(draft, doc, claim, ("knowledge", "skill"), literal=True)
        return draft

    def _closest_items(self, doc: Standard, claim: str) -> list[Item]:
        filters = Filters(standards=[doc.code], status=None, item_types=("knowledge", "skill"))
        query = " ".join(dict.fromkeys([claim, gloss(claim), *concepts(claim)]))  # "Python": 程式語言 程式撰寫
        found = [find_item(doc, h.chunk.code) for h in self.search.search(query, k=ELSEWHERE, filters=filters)]
        return [item for item in found if item is not None]

    def _count_claim(self, doc: Standard, field: str, claimed: int, draft: A.Draft | None = None) -> A.Draft:
        size, noun = field_size(doc, field)
        draft = draft or A.start("claim", doc, self.catalog)
        draft.say(t("answers.claim_count_yes" if size == claimed else "answers.claim_count_no", n=size, noun=noun,
                    claimed=claimed))
        draft.cite(doc, doc.code, doc.title)
        return draft

    def _std_level_claim(self, doc: Document, claimed: int) -> A.Draft:
        draft = A.start("claim", doc, self.catalog)
        draft.say(t("answers.claim_std_level_yes" if doc.level == claimed else "answers.claim_std_level_no",
                    level=doc.level or "—", claimed=claimed))
        draft.cite(doc, doc.code, doc.title)
        return draft

    # ------------------------------------------------------------ temperament
    def trait(self, q: Query, traits: list[str], docs: list[Document]) -> A.Draft:
        """「這份工作需要很會溝通嗎」: the items that name each trait asked about (「夠細心、抗壓性 OK 嗎」: both), else the
        attitudes closest to it by meaning; 「需要什麼個性」 (no trait in particular): the attitudes (A), the
        documents' word for temperament."""
        docs = list({d.code: d for d in docs}.values())  # named and softly named may repeat a standard
        named = [trait for trait in traits if trait != GENERIC_TRAIT][:MAX_TRAITS]
        if not named and any(isinstance(d, Standard) and d.attitudes for d in docs):
            return self._attitudes(docs)
        draft = A.Draft("trait", standard=docs[0].code if len(docs) == 1 else None)
        if len(docs) == 1:
            draft.say(A.header(docs[0], self.catalog))
        shown: set[tuple[str, str]] = set()
        for n, trait in enumerate(named or traits[:1]):
            self._one_trait(draft, q, trait, docs, shown, first=n == 0)
        return draft

    def _one_trait(self, draft: A.Draft, q: Query, trait: str, docs: list[Document], shown: set[tuple[str, str]],
                   first: bool) -> None:
        naming = [(doc, item) for doc in docs for item in _naming(doc, trait_words(trait))][:TRAIT_ITEMS]
        yes = "answers.trait_negated" if _DENIES.search(q.text) else "answers.trait_yes"
        draft.say(t(yes if first else "answers.trait_also", trait=trait) if naming else t("answers.trait_none",
                                                                                            trait=trait))
        items = [(doc, item) for doc, item in naming or self._closest(trait, docs) if (doc.code, item.code) not in shown]
        for n, (doc, item) in enumerate(items, 1):
            shown.add((doc.code, item.code))
            where = t("answers.trait_std", code=doc.code) if len(docs) != 1 else ""
            draft.say(t("answers.trait_item", n=n, code=item.code, text=item.text, where=where))
            draft.cite(doc, item.code, item.full_text)
            if isinstance(doc, Standard):
                used = tasks_using(doc, item.code)
                if used:
                    draft.say(t("answers.item_used_in", tasks=t("answers.list_sep").join(
                        f"{u.code} {u.title}" for u in used)))
                    for task in used:
                        draft.cite(doc, task.code, task.title)

    def attitudes_like(self, q: Query, docs: list[Document]) -> A.Draft:
        """「我是那種很容易被新奇事物吸引的人，態度要求裡有對應的嗎」: the attitudes closest to a temperament told in
        one's own words."""
        draft = A.Draft("trait", standard=docs[0].code if len(docs) == 1 else None)
        if len(docs) == 1:
            draft.say(A.header(docs[0], self.catalog))
        draft.say(t("answers.trait_told"))
        filters = Filters(standards=[d.code for d in docs], item_types=("attitude",))
        for n, hit in enumerate(self.search.search(q.text, k=TOLD_ATTITUDES, filters=filters), 1):
            doc = self.catalog.get(hit.chunk.standard)
            item = find_item(doc, hit.chunk.code) if doc else None
            if doc is not None and item is not None:
                where = t("answers.trait_std", code=doc.code) if len(docs) != 1 else ""
                draft.say(t("answers.trait_item", n=n, code=item.code, text=item.text, where=where))
                draft.cite(doc, item.code, item.full_text)
        return draft

    def _closest(self, trait: str, docs: list[Document]) -> list[tuple[Document, Item]]:
        """The attitudes nearest the trait's own words (the rest of the question, 「做系統整合」, would pull in
        know-how instead); skills where a document has no attitudes."""
        kinds = ("attitude",) if any(isinstance(d, Standard) and d.attitudes for d in docs) else ("skill",)
        filters = Filters(standards=[d.code for d in docs], item_types=kinds)
        found: list[tuple[Document, Item]] = []
        for hit in self.search.search(" ".join(trait_words(trait)), k=TRAIT_ITEMS, filters=filters):
            doc = self.catalog.get(hit.chunk.standard)
            item = find_item(doc, hit.chunk.code) if doc else None
            if doc is not None and item is not None:
                found.append((doc, item))
        return found

    def _attitudes(self, docs: list[Document]) -> A.Draft:
        standards = [d for d in docs if isinstance(d, Standard) and d.attitudes]
        draft = A.Draft("trait", standard=standards[0].code if len(standards) == 1 else None)
        if len(standards) == 1:
            draft.say(A.header(standards[0], self.catalog))
        draft.say(t("answers.trait_attitudes"))
        for doc in standards:
            if len(standards) > 1:
                draft.say(A.header(doc, self.catalog))
            for n, item in enumerate(doc.attitudes.values(), 1):
                text = item.text if len(standards) == 1 else item.text.split("：")[0]
                draft.say(t("answers.trait_item", n=n, code=item.code, text=text, where=""))
                draft.cite(doc, item.code, item.full_text)
        return draft


def _naming(doc: Document, words: list[str]) -> list[Item]:
    """The attitudes, skills and knowledge of a document that print one of these words (attitudes first)."""
    if not isinstance(doc, Standard):
        tables = [doc.skills, doc.knowledge] if hasattr(doc, "skills") else []
    else:
        tables = [doc.attitudes, doc.skills, doc.knowledge]
    chinese = [w for w in words if len(w) >= 2 and not w.isascii()]
    return [item for table in tables for item in table.values() if any(w in item.text for w in chinese)]


def _says(text: str, claim: str, literal: bool = False) -> bool:
    """The item's text names the claimed thing: the claim, all but its last character (能力/技能 endings aside), or
    (unless literal) the documents' word for it (「寫程式」 -> 程式撰寫, data/lexicon.toml [concepts])."""
    squeeze = re.sub(r"\s+", "", text)
    core = re.sub(r"(的能力|能力|技能|知識)$", "", re.sub(r"\s+", "", claim))
    shared = _longest_shared(core, squeeze)
    said = bool(core) and (core in squeeze or len(shared) >= max(4, round(0.7 * len(core))) and _same_head(core, shared, squeeze))
    plain = re.sub(r"\s+", "", claim)  # a word the claim already prints is no gloss of it (資料倉儲使用者介面)
    if said or literal:  # literal: the claim's own words only (「寫 Python」 is not 程式語言 in another standard)
        return said
    return any(word in squeeze and word not in plain for concept in concepts(claim) for word in concept.split())


def _same_head(core: str, shared: str, squeeze: str) -> bool:
    """What the claim says besides the words it shares with the item is the item's too, or a character at most: a
    Chinese noun's head comes last and a verb first (「開發建置計畫」 is no 「開發建置紀錄」, 「測試廠商產品」 no 「確認廠商產品」;
    「測試報告書」 is 「測試報告」)."""
    at = core.find(shared)
    rest = [part.strip("的") for part in (core[:at], core[at + len(shared):])]
    return all(len(part) <= 1 or part in squeeze for part in rest)


def _bigrams(text: str) -> set[str]:
    plain = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {plain[i:i + 2] for i in range(len(plain) - 1)} - _GENERIC_BIGRAMS


_GENERIC_BIGRAMS = frozenset({"能力", "技能", "知識", "相關", "進行", "工作"})


def _longest_shared(a: str, b: str) -> str:
    best = ""
    for i in range(len(a)):
        for j in range(i + len(best) + 1, len(a) + 1):
            if a[i:j] not in b:
                break
            best = a[i:j]
    return best


def claimed_duty(claim: str) -> str:
    """The duty a claim names: its code (「屬於 T1」) or its place (「第一個職責」, "the second duty"); empty: none."""
    code = codes.DUTY.search(claim)
    if code:
        return f"T{code.group(1)}"
    place = _DUTY_ORDINAL.search(claim)
    if place is None:
        return ""
    return f"T{number(place.group(1)) if place.group(1) else EN_ORDINALS[place.group(2).lower()]}"


def _task_items(doc: Standard, task: Task, field: str) -> list[Item]:
    if field == "outputs":
        return task.outputs
    if field == "indicators":
        return task.indicators
    codes_used = task.knowledge if field == "knowledge" else task.skills
    table = doc.knowledge if field == "knowledge" else doc.skills
    return [i for i in (table.get(c) for c in codes_used) if i]


def _parts_of(claim: str) -> list[str]:
    """The things a claim names at once, when it names several (each at least two characters), else the claim."""
    parts = [p.strip(" 、，,") for p in _CLAIM_PARTS.split(claim)]
    return parts if len(parts) > 1 and all(len(p) >= 2 for p in parts) else [claim]


def _holder(doc: Document, code: str) -> str:
    if not isinstance(doc, Standard):
        return ""
    used = tasks_using(doc, code)
    if not used:
        return ""
    return t("answers.claim_in_tasks", tasks=t("answers.list_sep").join(f"{u.code} {u.title}" for u in used))
