"""Everything a front needs, built once from the settings: catalog, assistant, database, engine."""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.assessment import AssessmentService, EvidenceMatcher
from bot.checks import require_documents
from bot.engine import Engine, RateLimiter
from bot.settings import Settings
from bot.sharing import Sharing
from bot.store import Database
from bot.wiring import build_assistant, parsed_cache
from index.catalog import DOCUMENT_SUFFIXES, Catalog, DuplicateDocument, ParsedCache
from index.embed import get_embedder
from index.guard import parse_document, sandbox
from index.model import Document
from index.names import printable
from index.names import safe_file_name as _safe_name
from index.parse import ParseError
from prompts import t
from retrieval.assistant import Assistant

log = logging.getLogger(__name__)

UPLOADS_FOLDER = "standards"
REPLACED_FOLDER = "replaced"  # inside the uploads folder: older uploads of a code, kept but not loaded
UPLOAD_SUFFIX = ".txt"
MAX_ERRORS_SHOWN = 5


def uploads_dir(settings: Settings) -> Path:
    """Where documents sent by an admin are kept (in the data directory, never the source tree)."""
    return settings.bot_data_dir / UPLOADS_FOLDER


def _document_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def load_catalog(corpus_dir: Path, extra_dir: Path | None = None, cache_dir: Path | None = None) -> Catalog:
    """The shipped corpus plus uploaded documents; an upload replaces a document with the same code.

    Of two uploads with one code the newer file is loaded and the older reported (an upload made
    now moves the older one aside, see Services.add_document; this covers folders filled by hand)."""
    catalog = Catalog(parsed=ParsedCache(cache_dir) if cache_dir else None)
    with sandbox():  # one child process for the PDFs and ODTs of both folders, if there are any
        for path in _document_files(corpus_dir):
            catalog.add_file(path)
        uploads = _uploads(extra_dir, catalog.errors)
    loaded: dict[str, str] = {}
    for path, doc in uploads:
        if doc.code in loaded:
            message = t("documents.duplicate_upload", code=doc.code, other=printable(loaded[doc.code]))
            catalog.errors.append(DuplicateDocument(path.name, message))
            continue
        loaded[doc.code] = path.name
        catalog.documents[doc.code] = doc
        catalog.hashes[doc.code] = hashlib.sha256(path.read_bytes()).hexdigest()
    catalog.resolve()
    return catalog


def _uploads(folder: Path | None, errors: list[ParseError]) -> list[tuple[Path, Document]]:
    """The uploaded documents that parse, newest file first."""
    out = []
    files = _document_files(folder) if folder else []
    for path in sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True):
        try:
            out.append((path, parse_document(path)))
        except ParseError as e:
            errors.append(e)
    return out


def safe_file_name(name: str) -> str:
    """A plain file name (no folders, no odd characters, at most 255 bytes) with a document suffix."""
    return _safe_name(name, DOCUMENT_SUFFIXES, UPLOAD_SUFFIX)


@dataclass
class Services:
    settings: Settings
    catalog: Catalog
    assistant: Assistant
    db: Database
    assessments: AssessmentService
    engine: Engine

    def reload(self) -> str:
        """Re-read the corpus; keep the old one when the new one has no document. Returns a short report."""
        catalog = load_catalog(self.settings.corpus_dir, uploads_dir(self.settings), parsed_cache(self.settings))
        if not catalog.documents:
            return t("bot.reload_failed", errors=_error_lines(catalog))
        self.catalog = catalog
        self.assistant.reload(catalog)
        self.assessments.reload(catalog)
        report = t("bot.reload_done", count=len(catalog.documents), current=len(catalog.current()))
        if catalog.errors:
            report += "\n" + t("bot.reload_errors", errors=_error_lines(catalog))
        return report

    def add_document(self, file_name: str, content: bytes) -> str:
        """Validate an uploaded document, keep it (an older upload of its code moved aside) and reload;
        raises ParseError (the old index kept)."""
        name = safe_file_name(file_name)
        target = uploads_dir(self.settings)
        with tempfile.TemporaryDirectory() as tmp, sandbox():
            candidate = Path(tmp) / name
            candidate.write_bytes(content)
            doc = parse_document(candidate)
            target.mkdir(parents=True, exist_ok=True)
            replaced = [path for path, old in _uploads(target, []) if old.code == doc.code]
            for old_path in replaced:
                _set_aside(old_path, target / REPLACED_FOLDER)
            kept = _free_name(target, name)
            shutil.copyfile(candidate, kept)
        log.info("admin upload kept as %s (%s)", printable(kept.name), doc.code)
        report = t("bot.upload_done", code=doc.code, title=doc.title)
        if replaced:
            files = "、".join(printable(p.name) for p in replaced)
            report += "\n" + t("bot.upload_replaced", code=doc.code, files=files)
        return report + "\n" + self.reload()


def _set_aside(path: Path, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    path.replace(_free_name(folder, path.name))


def _free_name(folder: Path, name: str) -> Path:
    """`name` in `folder`, numbered (name-2.pdf …) when a file of that name is already there."""
    path, n = folder / name, 1
    while path.exists():
        n += 1
        stem, suffix = Path(name).stem, Path(name).suffix
        path = folder / f"{stem[: 240 - len(suffix.encode())]}-{n}{suffix}"
    return path


def _error_lines(catalog: Catalog) -> str:
    lines = [str(e) for e in catalog.errors[:MAX_ERRORS_SHOWN]]
    if len(catalog.errors) > MAX_ERRORS_SHOWN:
        lines.append(t("bot.more_errors", count=len(catalog.errors) - MAX_ERRORS_SHOWN))
    return "\n".join(lines) or t("bot.no_documents")


def build_services(settings: Settings) -> Services:
    """Load the catalog, open (or create) the database and wire the assistant, assessments and engine."""
    catalog = load_catalog(settings.corpus_dir, uploads_dir(settings), parsed_cache(settings))
    for error in catalog.errors:
        log.warning("document skipped: %s", error)
    require_documents(catalog, settings.corpus_dir)
    setting = "DATABASE_URL" if settings.database_url else "BOT_DATA_DIR"
    db = Database(settings.db_url, timeout=settings.database_timeout, setting=setting)
    db.create()
    assistant = build_assistant(settings, catalog, background=True)  # answers while missing vectors are built
    assessments = AssessmentService(catalog, db, EvidenceMatcher(get_embedder(settings.embedder)))
    engine = Engine(assistant, assessments, db, limiter=RateLimiter(db, settings.rate_limit_per_minute),
                    sharing=Sharing(db, assessments))
    services = Services(settings, catalog, assistant, db, assessments, engine)
    engine.reloader = services.reload
    return services
