"""A synthetic corpus of N documents, made at bench time from the five shipped ones.

Document i is a copy of template i mod 5 (group g = i // 5) that the project's parser reads back
with the same structure (checked for every document), and that repeats texts of other documents no
more often than the five shipped ones repeat each other's:

- codes are renamed per group: INM3513-005 -> INM0001-005, INM3513-005v4 -> INM0001-005v4,
  IIS4R0751v2 -> IIS4R0001v2 …, so a group keeps its version family (an old edition stays
  historical beside its v4), and version tables and notes name the renamed codes;
- titles (and former titles) get a per-group two-word domain phrase: 農業物聯網系統整合工程人員;
- every duty, task, output, indicator, K, S and A text, the work description and every 職能單元
  section, item, K, S, 評量 and note text gets a per-document tag, the document number: "第137｜依組織
  要求…" (two or three tokens of the e5 model: a longer tag would make every passage costlier to embed than
  the real ones; the tag of the versions before issue 25, "智慧農業資料治理137｜", made them 41% longer);
- the K, S and A texts that the shipped documents print in more than one document (attitudes, common
  knowledge and skills: 57 of their 700 embedded passages, 36 repeats) get the group's tag instead,
  "第G28｜…", so within each group of five they repeat exactly as the shipped ones do, and never across
  groups. Attitude names (the part before "：") stay as printed, so comparisons still find common
  attitudes.

The layout is rendered from the parsed model (not patched in the raw text): the older merged
layout (工作活動, K/S merged over a duty) stays merged, the others stay per task.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from index.catalog import Catalog
from index.codes import STANDARD
from index.model import Document, Item, Standard, Unit
from index.parse import parse_text

DOMAINS = (
    "智慧農業", "精準醫療", "金融科技", "冷鏈物流", "綠色能源", "智慧製造", "數位學習", "智慧交通",
    "文化觀光", "海洋工程", "食品安全", "長期照護", "智慧零售", "航太產業", "半導體業", "水資源業",
    "運動科技", "影視娛樂", "公共安全", "環境監測", "智慧建築", "生技製藥", "電動車業", "港埠營運",
    "數位政府", "社會福利", "林業保育", "紡織創新", "電信網路", "智慧家庭",
)
FOCUS = (
    "資料治理", "邊緣運算", "供應鏈", "客戶體驗", "品質保證", "流程優化", "風險控管", "跨境服務",
    "永續發展", "營運分析", "設備維護", "創新研發", "行動應用", "雲端遷移", "自動控制", "資源調度",
    "服務設計", "影像辨識", "庫存管理", "能源管理", "系統監控", "數據平台", "作業整合", "安全稽核",
    "教育訓練", "專案治理", "場域實證", "用戶支援", "法規遵循", "智慧感測",
)
TAG_SEPARATOR = "｜"
TAG = re.compile(rf"^第G?\d+{TAG_SEPARATOR}")
# the shipped templates, in the order they are copied (standards first, the historical and the unit last)
TEMPLATE_ORDER = ("ISD3512-001v3", "IIS3513-006v4", "INM3513-005v4", "INM3513-005", "IIS4R0751v2")
_CODE_DIGITS = re.compile(r"(?<=[A-Za-z])\d{4}(?=-\d{3})|(?<=\d[A-Za-z])\d{4}")
_ANY_CODE = STANDARD
STANDARD_HEADER_PER_TASK = ("工作職責", "工作任務")
STANDARD_HEADER_MERGED = ("工作任務", "工作活動")
TABLE_TAIL = ("工作產出", "行為指標", "職能級別", "職能內涵 (K=knowledge 知識)", "職能內涵 (S=skills 技能)")


class SynthError(RuntimeError):
    """A generated document does not parse back to its template's structure."""


def phrase(n: int) -> str:
    """The n-th two-word domain phrase (900 distinct ones, then they repeat; the number keeps tags unique)."""
    return DOMAINS[n % len(DOMAINS)] + FOCUS[(n // len(DOMAINS)) % len(FOCUS)]


def doc_tag(i: int) -> str:
    """The per-document variation put in front of every text of document i."""
    return f"第{i + 1}{TAG_SEPARATOR}"  # led by a character, not a digit: "S 第3｜…" is no code S3


def group_tag(g: int) -> str:
    """The tag of the texts a group's documents share (as the shipped documents share them)."""
    return f"第G{g + 1}{TAG_SEPARATOR}"


def repeated_texts(templates: Iterable[Document]) -> frozenset[str]:
    """The K, S and A texts (as embedded: with their points) printed in more than one template."""
    owners: dict[str, set[str]] = {}
    for doc in templates:
        if isinstance(doc, Standard):
            for item in (*doc.knowledge.values(), *doc.skills.values(), *doc.attitudes.values()):
                owners.setdefault(item.full_text, set()).add(doc.code)
    return frozenset(text for text, docs in owners.items() if len(docs) > 1)


def title_prefix(g: int) -> str:
    """The per-group phrase in front of titles (shared by a family's editions, like the real titles)."""
    extra = str(g // (len(DOMAINS) * len(FOCUS))) if g >= len(DOMAINS) * len(FOCUS) else ""
    return FOCUS[g % len(FOCUS)] + DOMAINS[(g // len(FOCUS)) % len(DOMAINS)] + extra


def strip_tag(text: str) -> str:
    """A text without its synthetic tag (what a person would type)."""
    return TAG.sub("", text)


def rename_code(code: str, g: int) -> str:
    """The template code as printed in group g (the 4-digit occupation number becomes the group number)."""
    renamed, n = _CODE_DIGITS.subn(f"{g + 1:04d}", code, count=1)
    if not n:
        raise SynthError(f"cannot rename code {code!r}")
    return renamed


def _rename_all(text: str, g: int) -> str:
    def one(m: re.Match[str]) -> str:
        return rename_code(m.group(), g) if _CODE_DIGITS.search(m.group()) else m.group()

    return _ANY_CODE.sub(one, text)


# ------------------------------------------------------------------ rendering
def _item(item: Item, tag: str, code: str | None = None) -> str:
    code = item.code if code is None else code
    points = "".join(f" ■ {p}" for p in item.points)
    return f"{code} {tag}{item.text}{points}"


def _attitude(item: Item, tag: str) -> str:
    name, sep, rest = item.text.partition("：")
    body = f"{name}：{tag}{rest}" if sep else f"{tag}{item.text}"
    return f"{item.code}{body}"


def render_standard(std: Standard, g: int, i: int, repeated: frozenset[str] = frozenset()) -> str:
    tag, prefix = doc_tag(i), title_prefix(g)

    def own(item: Item) -> str:
        """The tag of a K, S or A item: the group's when the shipped documents repeat its text."""
        return group_tag(g) if item.full_text in repeated else tag

    title = prefix + std.title
    out = ["", f"{title}職能基準", ""]
    if std.versions:
        out.append("版本\t職能基準代碼\t職能基準名稱\t狀態\t更新說明\t發展更新日期")
        for v in std.versions:
            vt = prefix + v.title if v.title else ""
            out.append("\t".join([v.version, rename_code(v.code, g), vt, v.state, _rename_all(v.note, g), v.date]))
        out.append("")
    out += [
        f"職能基準代碼\t\t{rename_code(std.code, g)}\t\t\t",
        "職能基準名稱 (擇一填寫)\t\t職類\t\t\t",
        f"\t\t職業\t{title}\t\t",
    ]
    for n, (key, c) in enumerate((("職類別", std.category), ("職業別", std.occupation), ("行業別", std.industry))):
        if c is not None:
            out.append(f"{'所屬類別' if n == 0 else ''}\t{key}\t{c.name}\t\t{key}代碼\t{c.code}")
    out.append(f"工作描述\t\t{tag}{std.description}\t\t\t")
    out.append(f"基準級別\t\t{std.level if std.level is not None else ''}\t\t\t")
    out.append("")
    merged = std.layout == "merged"
    out.append("\t".join((STANDARD_HEADER_MERGED if merged else STANDARD_HEADER_PER_TASK) + TABLE_TAIL))
    for duty in std.duties:
        for j, task in enumerate(duty.tasks):
            competencies = not merged or j == 0
            cells = [
                f"{duty.code} {tag}{duty.title}" if j == 0 else "",
                f"{task.code} {tag}{task.title}",
                " ".join(_item(o, tag) for o in task.outputs),
                " ".join(_item(p, tag) for p in task.indicators),
                str(task.level) if competencies and task.level is not None else "",
                " ".join(_ks(std.knowledge[k], own(std.knowledge[k])) for k in task.knowledge) if competencies else "",
                " ".join(_ks(std.skills[s], own(std.skills[s])) for s in task.skills) if competencies else "",
            ]
            out.append("\t".join(cells))
    if std.attitudes:
        out += ["", "職能內涵 (A=attitude 態度)", ""]
        for a in std.attitudes.values():
            out += [_attitude(a, own(a)), ""]
    if std.notes:
        out += ["說明與補充事項", ""]
        for section in std.notes:
            if section.heading:
                out.append(f"- **{section.heading}：**")
                out += [f" - {text}" for text in section.items]
            else:
                out += [f"- {text}" for text in section.items]
    return "\n".join(out) + "\n"


def _ks(item: Item, tag: str) -> str:
    return _item(item, tag, "S" if item.unnumbered else item.code)


def render_unit(unit: Unit, g: int, i: int) -> str:
    tag, prefix = doc_tag(i), title_prefix(g)

    def numbered(items: Iterable[Item]) -> str:
        return " ".join(f"{it.code.rsplit('-', 1)[1]}. {tag}{it.text}" for it in items)

    sections = " ".join(f"<p>{s.number}、{tag}{s.title}：</p> {numbered(s.items)}" for s in unit.sections)
    parts = " ".join(f"<p>{p.id.removeprefix('評量')}、{tag}{p.title}：</p> {numbered(p.items)}"
                     for p in unit.assessment)
    out = [
        "",
        f"職能單元代碼\t{rename_code(unit.code, g)}",
        f"職能單元名稱\t{prefix}{unit.title}",
        f"領域類別\t{unit.domain}",
        f"職能單元級別\t{unit.level if unit.level is not None else ''}",
        f"工作任務與行為指標\t{sections}",
        "職能內涵 (K=knowledge 知識)\t" + " ".join(f"<p>{k[1:]}、{tag}{it.text}</p>" for k, it in unit.knowledge.items()),
        "職能內涵 (S=skills 技能)\t" + " ".join(f"<p>{k[1:]}、{tag}{it.text}</p>" for k, it in unit.skills.items()),
        f"評量設計參考\t{parts}",
        "說明與補充事項\t" + " ".join(f"<p>【{k}】{tag}{it.text}</p>" for k, it in unit.notes.items()),
        "--\t---",
        "",
    ]
    if unit.history:
        out += ["更新紀錄", "", *unit.history]
    return "\n".join(out) + "\n"


def render(doc: Document, g: int, i: int, repeated: frozenset[str] = frozenset()) -> str:
    return render_standard(doc, g, i, repeated) if isinstance(doc, Standard) else render_unit(doc, g, i)


# ------------------------------------------------------------------ checking
def shape(doc: Document) -> dict[str, int]:
    """The structure a copy must keep: counts of every kind of item."""
    if isinstance(doc, Standard):
        return {
            "duties": len(doc.duties),
            "tasks": len(doc.tasks),
            "indicators": sum(len(t.indicators) for t in doc.tasks),
            "outputs": sum(len(t.outputs) for t in doc.tasks),
            "knowledge": len(doc.knowledge),
            "skills": len(doc.skills),
            "attitudes": len(doc.attitudes),
            "versions": len(doc.versions),
            "merged": int(doc.layout == "merged"),
        }
    return {
        "sections": len(doc.sections),
        "items": len(doc.items),
        "knowledge": len(doc.knowledge),
        "skills": len(doc.skills),
        "assessment": sum(len(p.items) for p in doc.assessment),
        "notes": len(doc.notes),
    }


def tagged_texts(doc: Document) -> list[str]:
    """Every text that must carry the document's tag (the ones that are embedded)."""
    if isinstance(doc, Standard):
        texts = [doc.description]
        for task in doc.tasks:
            texts += [task.title, *(i.text for i in task.indicators + task.outputs)]
        texts += [i.text for i in (*doc.knowledge.values(), *doc.skills.values())]
        texts += [a.text.partition("：")[2] or a.text for a in doc.attitudes.values()]
        return texts
    texts = [s.title for s in doc.sections] + [i.text for i in doc.items]
    texts += [i.text for i in (*doc.knowledge.values(), *doc.skills.values(), *doc.notes.values())]
    texts += [p.title for p in doc.assessment] + [i.text for p in doc.assessment for i in p.items]
    return texts


def check(copy: Document, template: Document, tag: str, source: str, shared: str = "") -> None:
    """The copy has the template's structure and every text its tag (or the group's tag `shared`)."""
    want, got = shape(template), shape(copy)
    if want != got:
        diff = {k: (want.get(k), got.get(k)) for k in set(want) | set(got) if want.get(k) != got.get(k)}
        raise SynthError(f"{source}: structure differs from {template.code} (template, copy): {diff}")
    untagged = [t for t in tagged_texts(copy) if not t.startswith(tag) and not (shared and t.startswith(shared))]
    if untagged:
        raise SynthError(f"{source}: {len(untagged)} texts lack the tag {tag!r}, e.g. {untagged[0][:40]!r}")


# ------------------------------------------------------------------ generating
@dataclass
class SynthCorpus:
    folder: Path
    files: list[Path] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def load_templates(folder: Path | None = None) -> list[Document]:
    from bot.settings import SHIPPED_CORPUS

    catalog = Catalog.load(folder or SHIPPED_CORPUS)
    if catalog.errors:
        raise SynthError(f"template corpus does not parse: {catalog.errors[0]}")
    order = {code: n for n, code in enumerate(TEMPLATE_ORDER)}
    return sorted(catalog.documents.values(), key=lambda d: (order.get(d.code, len(order)), d.code))


def generate(n: int, out_dir: Path, templates: list[Document] | None = None, verify: bool = True,
             progress: Callable[[int, int], None] | None = None) -> SynthCorpus:
    """Write n documents into out_dir (created; must hold no documents yet) and check each parses back."""
    if n < 1:
        raise ValueError("n must be at least 1")
    templates = templates or load_templates()
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise SynthError(f"{out_dir} is not empty")
    started = time.perf_counter()
    corpus = SynthCorpus(out_dir)
    repeated = repeated_texts(templates)
    for i in range(n):
        g, t = divmod(i, len(templates))
        template = templates[t]
        text = render(template, g, i, repeated)
        code = rename_code(template.code, g)
        path = out_dir / f"{i:05d}_{code}.txt"
        path.write_text(text, "utf-8")
        if verify:
            check(parse_text(text.split("\n"), path.name), template, doc_tag(i), path.name, group_tag(g))
        corpus.files.append(path)
        corpus.kinds[template.kind] = corpus.kinds.get(template.kind, 0) + 1
        if progress and ((i + 1) % 100 == 0 or i + 1 == n):
            progress(i + 1, n)
    corpus.seconds = time.perf_counter() - started
    return corpus


def large_standard(tasks: int, out: Path, template: Standard | None = None, per_duty: int = 10) -> Path:
    """One standard of `tasks` tasks (an admin's big upload): ISD3512-001v3's tasks copied round and round under
    duties of `per_duty` tasks, renumbered, every task's texts made its own by the task's number. Written as text
    to `out` (code ISD0999-001v3); it parses back with this many tasks."""
    from dataclasses import replace as copy

    from index.model import Duty, Task

    template = template or next(d for d in load_templates() if d.code == "ISD3512-001v3")
    assert isinstance(template, Standard)
    duties: list[Duty] = []
    for n in range(tasks):
        d, k = divmod(n, per_duty)
        if k == 0:
            duties.append(Duty(f"T{d + 1}", f"{phrase(d)}職責{d + 1}"))
        source = template.tasks[n % len(template.tasks)]
        number, mark = f"{d + 1}.{k + 1}", f"{phrase(n)}{n + 1}之"
        outputs = [copy(o, code=f"O{number}.{m + 1}", text=mark + o.text) for m, o in enumerate(source.outputs)]
        indicators = [copy(p, code=f"P{number}.{m + 1}", text=mark + p.text) for m, p in enumerate(source.indicators)]
        duties[-1].tasks.append(Task(f"T{number}", mark + source.title, duties[-1].code, source.level,
                                     outputs=outputs, indicators=indicators,
                                     knowledge=list(source.knowledge), skills=list(source.skills)))
    big = copy(template, code="ISD0999-001v3", duties=duties, versions=[])
    text = render_standard(big, 998, 99_999)
    out.write_text(text, "utf-8")
    return out


def shared_texts(catalog: Catalog) -> dict[str, set[str]]:
    """Task and indicator texts printed in more than one document (empty for a proper synthetic corpus)."""
    owners: dict[str, set[str]] = {}
    for doc in catalog.standards():
        for task in doc.tasks:
            for text in (task.title, *(p.text for p in task.indicators)):
                owners.setdefault(text, set()).add(doc.code)
    return {text: codes for text, codes in owners.items() if len(codes) > 1}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.synth", description="write a synthetic corpus")
    p.add_argument("out_dir", type=Path)
    p.add_argument("--standards", type=int, default=900)
    args = p.parse_args(argv)
    corpus = generate(args.standards, args.out_dir,
                      progress=lambda k, n: print(f"synth: {k}/{n}", file=sys.stderr))
    print(f"{len(corpus.files)} documents in {corpus.folder} ({corpus.kinds}) in {corpus.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
