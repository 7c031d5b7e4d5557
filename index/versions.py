"""What a cache was built by: `code_version(stage)`, a digest of a stage's code computed from what it imports.

A stage is a module whose output is kept on disk between starts (parsed documents: index.guard; chunks:
index.chunk; the name indexes and masked examples: retrieval.understand; the kind classifier: retrieval.classify;
the BM25 weights: retrieval.search). Its version covers the stage's own source, every module of the product it
imports at any depth (at module level or inside a function, the packages on the way included) and the data files
of the packages among them (retrieval/data/): a helper module added to a stage, or a change in any module it
reads through, makes the cache stale without anyone keeping a list of files.

Imports are found by reading each source's import lines (a pattern, ~0.1 ms a file, where parsing the syntax
tree took ~4 ms: a one-shot `ask` computes several versions at every start). A line that only looks like an
import (in a docstring) can add a file to a version, never drop one.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("prompts", "index", "retrieval", "bot")  # the product (the benchmarks and tests build no cache)
DATA_FOLDER = "data"
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)|import[ \t]+([^\n#;]+))", re.M)


@cache
def code_version(stage: str) -> str:
    """A digest of the stage's module and of everything of the product it imports (see the module's docstring)."""
    digest = hashlib.sha256()
    for path in sorted(stage_files(stage)):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def stage_files(stage: str) -> set[Path]:
    """The source files of the stage and of every module it imports, and their packages' data files."""
    seen: set[str] = set()
    todo = [stage]
    while todo:
        module = todo.pop()
        if module in seen or module_file(module) is None:
            continue
        seen.add(module)
        todo.extend(_packages_of(module))
        todo.extend(imported_modules(module_file(module)))  # type: ignore[arg-type]
    files = {module_file(m) for m in seen}
    data = {f for m in seen for f in _data_files(m)}
    return {f for f in files | data if f is not None}


@cache
def module_file(module: str) -> Path | None:
    """The file of one of the product's modules; None for any other module."""
    if module.split(".")[0] not in PACKAGES:
        return None
    base = ROOT.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@cache
def imported_modules(path: Path) -> frozenset[str]:
    """The product's modules a source imports: `from a.b import c` is a.b.c when that is a module, else a.b."""
    found: set[str] = set()
    for source, names, plain in _IMPORT.findall(path.read_text("utf-8")):
        if source:
            for part in names.strip("()").split(","):
                words = part.split()  # "name" or "name as alias"
                if words and words[0] != "*" and module_file(f"{source}.{words[0]}"):
                    found.add(f"{source}.{words[0]}")
            found.add(source)
        else:
            found.update(part.split()[0] for part in plain.split(",") if part.strip())
    return frozenset(name for name in found if module_file(name) is not None)


def _packages_of(module: str) -> list[str]:
    """The packages importing a module runs first (a.b.c: a and a.b)."""
    parts = module.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


def _data_files(module: str) -> list[Path]:
    folder = ROOT / module.split(".")[0] / DATA_FOLDER
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
