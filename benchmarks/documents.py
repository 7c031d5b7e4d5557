"""PDF and ODT reading: time to parse a 20-page standard, and how often a re-rendered PDF gives the text's model.

    .venv/bin/python -m benchmarks.documents                 # parse time of a 20-page PDF (median, p95)
    .venv/bin/python -m benchmarks.documents --styles 30     # also: 30 random page styles x the five documents
    .venv/bin/python -m benchmarks.documents --hostile       # also: time and memory of each hostile file (issue 23)

Run from the repository (it renders with benchmarks/render.py: reportlab, odfpy and the font are dev dependencies).
The 20-page standard is INM3513-005v4's competency table repeated with renumbered codes until it fills
20 pages; it is parsed `--runs` times after one warm-up.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "standards"


def _renumbered(rows: list[list[list[str]]], shift: int) -> list[list[list[str]]]:
    def renumber(line: str) -> str:
        return re.sub(r"(?<![A-Za-z0-9])([TPO])(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) + shift}", line)

    return [[[renumber(line) for line in cell] for cell in row] for row in rows]


def big_standard(folder: Path, pages: int) -> tuple[Path, int]:
    """A PDF of at least `pages` pages: INM3513-005v4's table repeated, duties renumbered."""
    import pypdfium2 as pdfium

    from benchmarks.render import read_layout, render_pdf

    layout = read_layout(CORPUS / "INM3513-005v4_系統整合工程人員.txt")
    base, copies = layout.rows, 1
    while True:
        layout.rows = [row for k in range(copies) for row in _renumbered(base, 3 * k)]
        path = render_pdf(layout, folder / f"standard-{copies}.pdf")
        count = len(pdfium.PdfDocument(str(path)))
        if count >= pages:
            return path, count
        copies = max(copies + 1, int(copies * pages / count))


def time_parse(path: Path, runs: int) -> list[float]:
    from index.parse import parse_file

    parse_file(path)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        parse_file(path)
        samples.append(time.perf_counter() - started)
    return samples


def styles_round_trip(count: int, seed: int, folder: Path) -> tuple[int, int, list[str]]:
    """Exact models out of renderings of the five documents in `count` random styles."""
    from benchmarks.render import PdfStyle, read_layout, render_pdf
    from index.model import without_provenance
    from index.parse import parse_file

    rng = random.Random(seed)
    pages = [(595.27, 841.89), (612, 792), (498.9, 708.66), (841.89, 595.27)]
    styles = [
        PdfStyle(page=rng.choice(pages), font_size=rng.uniform(7, 10.5), leading=rng.uniform(1.2, 1.5),
                 widths=tuple(rng.uniform(0.5, 3.0) for _ in range(7)), padding=rng.uniform(2, 7),
                 footer=rng.random() < 0.5, meta_spans=rng.random() < 0.5, margin=rng.uniform(24, 60))
        for _ in range(count)
    ]
    exact, total, misses = 0, 0, []
    for text in sorted(CORPUS.glob("*.txt")):
        want = without_provenance(parse_file(text).to_dict())
        layout = read_layout(text)
        for n, style in enumerate(styles):
            path = render_pdf(layout, folder / f"{text.stem}-{n}.pdf", style)
            total += 1
            try:
                ok = without_provenance(parse_file(path).to_dict()) == want
            except Exception as e:  # noqa: BLE001 - counted and named, the run goes on
                ok, path = False, Path(f"{path.name} ({e})")
            exact += ok
            if not ok:
                misses.append(path.name)
    return exact, total, misses


_MEASURE = """
import resource, sys, time
from pathlib import Path
from index.guard import parse_document
from index.parse import ParseError
started = time.perf_counter()
try:
    parse_document(Path(sys.argv[1]))
    outcome = "read"
except ParseError as e:
    outcome = e.message
seconds = time.perf_counter() - started
own = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
peak = max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # ru_maxrss of self counts the fork's
print(f"{seconds:.2f}\t{peak / 1024:.0f}\t{outcome}")
"""


def hostile_costs(folder: Path) -> list[str]:
    """Each hostile file of benchmarks/hostile_files.py read as the catalog reads it, in a fresh process: seconds,
    peak memory of that process or its reading child, and the outcome."""
    import subprocess

    from benchmarks import hostile_files as hostile

    files = [hostile.odt_many_elements(folder / "paragraphs.odt"),
             hostile.odt_many_elements(folder / "spaces.odt", tag=b"<text:s/>"),
             hostile.odt_repeated_rows(folder / "rows.odt"), hostile.odt_deep(folder / "lists.odt"),
             hostile.odt_deep(folder / "spans.odt", tag="span"), hostile.pdf_grid(folder / "grid150.pdf", 150),
             hostile.pdf_grid(folder / "grid200.pdf", 200), hostile.pdf_many_pages(folder / "pages.pdf"),
             hostile.text_continued_rows(folder / "continued.txt", CORPUS / "ISD3512-001v3_雲端系統開發工程人員.txt")]
    lines = []
    for path in files:
        proc = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True,
                              cwd=ROOT, timeout=900)
        seconds, peak, outcome = (proc.stdout.strip().split("\t") + ["", "", proc.stderr[-200:]])[:3]
        lines.append(f"  {path.name} ({path.stat().st_size // 1024} KB): {seconds} s, peak {peak} MiB: {outcome}")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="benchmarks.documents", description=__doc__.split("\n")[0])
    p.add_argument("--pages", type=int, default=20)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--styles", type=int, default=0, help="random page styles for the round-trip rate (0: skip)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--hostile", action="store_true", help="time and memory of each hostile file (issue 23 #5)")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, pages = big_standard(folder, args.pages)
        samples = sorted(time_parse(path, args.runs))
        p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
        print(f"parse a {pages}-page standard PDF ({path.stat().st_size // 1024} KB): "
              f"median {statistics.median(samples):.3f} s, p95 {p95:.3f} s over {args.runs} runs "
              f"({statistics.median(samples) / pages * 1000:.0f} ms a page)")
        if args.styles:
            exact, total, misses = styles_round_trip(args.styles, args.seed, folder)
            print(f"round trip, {args.styles} random styles x 5 documents: {exact}/{total} PDFs give the text's exact model")
            for name in misses:
                print(f"  differs: {name}")
        if args.hostile:
            print("hostile files, each read as a folder's file is (a fresh process each):")
            print("\n".join(hostile_costs(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
