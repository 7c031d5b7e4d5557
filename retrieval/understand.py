"""Question understanding: which standards, which items, which field, which kind of question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations

from index.catalog import Catalog
from index.model import Document
from retrieval.normalize import normalize

FIELDS: dict[str, tuple[str, ...]] = {
    "indicators": ("行為指標", "指標", "表現標準"),
    "outputs": ("工作產出", "產出", "交付", "成果"),
    "knowledge": ("知識", "職能內涵(K", "K="),
    "skills": ("技能", "哪些能力", "什麼能力", "職能內涵(S", "S="),
    "attitudes": ("態度",),
    "level": ("職能級別", "級別", "等級", "幾級"),
    "std_level": ("基準級別", "單元級別"),
    "description": ("工作描述", "做什麼", "負責什麼", "工作內容"),
    "entry": ("入門條件", "入門水準", "入門", "學歷", "經歷", "資格", "條件", "經驗要求"),
    "versions": ("版本", "歷史版", "更新紀錄", "更新日期", "修訂"),
    "classification": ("職類別", "職業別", "行業別", "職類", "行業", "分類", "類別代碼", "領域類別", "領域"),
    "assessment": ("評量", "評估方法", "評量方法"),
    "notes": ("說明與補充", "補充事項", "補充說明"),
    "tasks": ("工作任務", "任務", "哪些工作"),
    "duties": ("工作職責", "主要職責", "職責"),
}
REVERSE_WORDS = ("哪些任務", "哪個任務", "那些任務", "哪些工作任務", "哪個工作任務", "什麼任務", "哪幾個任務",
                 "哪些職責", "用到", "需要這個", "哪裡用到", "在哪")
COMPARE_WORDS = ("共同", "相同", "一樣", "都有", "都需要", "比較", "差異", "不同", "差別", "對照", "並列", "side")
DIFF_WORDS = ("不同", "差異", "差別", "改變", "變化", "變更", "改了", "比較", "新增", "刪除")
OLD_WORDS = ("舊版", "舊的", "前一版", "上一版", "歷史版本", "舊版本", "以前的版本", "原本的版本")
INJECTION = re.compile(
    r"(token|權杖|api[\s_-]?key|密碼|password|secret|環境變數|環境變量|env\b|system\s*prompt|系統提示|提示詞|"
    r"忽略(之前|前面|以上|所有|全部)|ignore\s+(all|previous|the above)|設定檔|settings|config|憑證|金鑰)",
    re.I,
)
_TASK = re.compile(r"(?<![A-Za-z\d.])T(\d{1,2})\.(\d{1,2})(?![\d.])")
_DUTY = re.compile(r"(?<![A-Za-z\d.])T(\d{1,2})(?![\d.])")
_PO = re.compile(r"(?<![A-Za-z\d.])([PO]\d{1,2}\.\d{1,2}\.\d{1,2})(?![\d.])")
_KSA = re.compile(r"(?<![A-Za-z\d])([KSA])(\d{1,3})(?!\d)")
_UNIT_ID = re.compile(r"(工作任務[一二三四五六七八九十]+(?:-\d+)?|[KS][一二三四五六七八九十]+|註\d+|評量[一二三](?:-\d+)?)")
_LEVEL = re.compile(r"(?:職能)?(?:級別|等級|level)\s*(?:為|是|=|:)?\s*(\d)|(\d)\s*級")
_STD_CODE = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,5}\d{1,4}[A-Za-z]?\d{0,5}(?:-\d{3})?(?:[vV]\d+)?")
GENERIC_TITLE_PARTS = ("人員", "工程", "資訊", "系統", "規劃", "管理", "技術", "科技")


@dataclass
class Query:
    raw: str
    text: str
    standards: list[str] = field(default_factory=list)
    soft_standards: list[str] = field(default_factory=list)
    unknown_standard_codes: list[str] = field(default_factory=list)
    historical: bool = False
    tasks: list[str] = field(default_factory=list)
    duties: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    unit_ids: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)
    reverse: bool = False
    compare: bool = False
    diff: bool = False
    injection: bool = False

    @property
    def has_codes(self) -> bool:
        return bool(self.tasks or self.duties or self.items or self.unit_ids)


class TitleIndex:
    """Recognises standards by code (every spelling), title, former title, a distinctive part of a title."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.exact: dict[str, set[str]] = {}
        self.soft: dict[str, set[str]] = {}
        names: dict[str, set[str]] = {}
        for doc in catalog.documents.values():
            for name in {doc.title, *getattr(doc, "former_titles", [])}:
                if name:
                    self.exact.setdefault(name, set()).add(doc.code)
                    names.setdefault(name, set()).add(doc.family)
        owners_of: dict[str, set[str]] = {}  # every substring of 4+ characters -> families whose titles hold it
        for name, fams in names.items():
            for size in range(4, len(name)):
                for start in range(0, len(name) - size + 1):
                    owners_of.setdefault(name[start : start + size], set()).update(fams)
        codes_of: dict[str, set[str]] = {}
        for doc in catalog.documents.values():
            codes_of.setdefault(doc.family, set()).add(doc.code)
        for part, owners in owners_of.items():
            if len(owners) == 1 and not any(part == g or part.startswith(g) and len(part) <= 4
                                            for g in GENERIC_TITLE_PARTS):
                self.soft.setdefault(part, set()).update(codes_of[next(iter(owners))])

    def find(self, text: str) -> tuple[list[str], list[str], list[str]]:
        """(standards named exactly, standards named by a distinctive part, unknown codes)."""
        exact: list[str] = []
        unknown: list[str] = []
        for m in _STD_CODE.finditer(text):
            doc = self.catalog.get(m.group())
            if doc:
                _add(exact, doc.code)
            elif re.search(r"\d{3,4}-\d{3}|\d[A-Za-z]\d{4}", m.group()):
                unknown.append(m.group())
        by_position: list[tuple[int, str]] = []
        for name in sorted(self.exact, key=len, reverse=True):
            at = text.find(name)
            if at >= 0:
                by_position.extend((at, code) for code in sorted(self.exact[name]))
        for _at, code in sorted(by_position, key=lambda pc: pc[0]):
            _add(exact, code)
        soft: list[str] = []
        for part in sorted(self.soft, key=len, reverse=True):
            if part in text:
                for code in sorted(self.soft[part]):
                    if code not in exact:
                        _add(soft, code)
        return exact, soft, unknown


def _add(seq: list[str], value: str) -> None:
    if value not in seq:
        seq.append(value)


def understand(question: str, titles: TitleIndex) -> Query:
    text = normalize(question)
    q = Query(raw=question, text=text)
    q.standards, q.soft_standards, q.unknown_standard_codes = titles.find(text)
    stripped = _STD_CODE.sub(" ", text)
    q.tasks = _unique(f"T{a}.{b}" for a, b in _TASK.findall(stripped))
    q.duties = _unique(f"T{a}" for a in _DUTY.findall(_TASK.sub(" ", stripped)))
    q.items = _unique([*_PO.findall(stripped), *(a + b for a, b in _KSA.findall(stripped))])
    q.unit_ids = _unique(_UNIT_ID.findall(stripped))
    compact = re.sub(r"\s+", "", stripped)
    q.fields = [name for name, words in FIELDS.items() if any(w in compact for w in words)]
    q.levels = _unique(int(a or b) for a, b in _LEVEL.findall(compact))
    q.historical = any(w in compact for w in OLD_WORDS)
    q.reverse = any(w in compact for w in REVERSE_WORDS)
    q.compare = len(q.standards + q.soft_standards) >= 2 and any(w in compact for w in COMPARE_WORDS)
    q.diff = ("版" in compact or q.historical) and any(w in compact for w in DIFF_WORDS)
    q.injection = bool(INJECTION.search(text))
    _refine_fields(q, compact)
    return q


def _refine_fields(q: Query, compact: str) -> None:
    if "std_level" in q.fields and "level" in q.fields and "職能級別" not in compact:
        q.fields.remove("level")
    if "tasks" in q.fields and q.unit_ids and any(u.startswith("工作任務") for u in q.unit_ids):
        q.fields.remove("tasks")
    if "indicators" in q.fields and "tasks" in q.fields and "工作任務與行為指標" not in compact:
        q.fields.remove("tasks")


def _unique(values) -> list:  # type: ignore[no-untyped-def]
    out: list = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def pairs(docs: list[Document]) -> list[tuple[Document, Document]]:
    return list(combinations(docs, 2))
