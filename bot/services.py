"""Everything a front needs, built once from the settings: catalog, assistant, database, engine."""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.assessment import AssessmentService, EvidenceMatcher
from bot.engine import Engine, RateLimiter
from bot.settings import Settings
from bot.store import Database
from index.catalog import Catalog
from index.embed import get_embedder
from index.parse import ParseError, parse_file
from prompts import t
from retrieval.assistant import Assistant

log = logging.getLogger(__name__)

UPLOADS_FOLDER = "standards"
UPLOAD_SUFFIX = ".txt"
MAX_ERRORS_SHOWN = 5


def uploads_dir(settings: Settings) -> Path:
    """Where documents sent by an admin are kept (in the data directory, never the source tree)."""
    return settings.bot_data_dir / UPLOADS_FOLDER


def _document_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def load_catalog(corpus_dir: Path, extra_dir: Path | None = None) -> Catalog:
    """The shipped corpus plus uploaded documents; an upload replaces a document with the same code."""
    catalog = Catalog()
    for path in _document_files(corpus_dir):
        catalog.add_file(path)
    for path in _document_files(extra_dir) if extra_dir else []:
        try:
            doc = parse_file(path)
        except ParseError as e:
            catalog.errors.append(e)
            continue
        catalog.documents[doc.code] = doc
        catalog.hashes[doc.code] = hashlib.sha256(path.read_bytes()).hexdigest()
    catalog.resolve()
    return catalog


def safe_file_name(name: str) -> str:
    """A plain file name (no folders, no odd characters) ending in .txt."""
    stem = re.sub(r"[^\w.\-\u4e00-\u9fff]+", "_", Path(name or "").name).strip("._") or "upload"
    return stem if stem.endswith(UPLOAD_SUFFIX) else stem + UPLOAD_SUFFIX


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
        catalog = load_catalog(self.settings.corpus_dir, uploads_dir(self.settings))
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
        """Validate an uploaded document, keep it and reload; raises ParseError (old index kept)."""
        name = safe_file_name(file_name)
        with tempfile.TemporaryDirectory() as tmp:
            candidate = Path(tmp) / name
            candidate.write_bytes(content)
            doc = parse_file(candidate)
            target = uploads_dir(self.settings)
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(candidate, target / name)
        log.info("admin upload kept as %s (%s)", name, doc.code)
        return t("bot.upload_done", code=doc.code, title=doc.title) + "\n" + self.reload()


def _error_lines(catalog: Catalog) -> str:
    lines = [str(e) for e in catalog.errors[:MAX_ERRORS_SHOWN]]
    if len(catalog.errors) > MAX_ERRORS_SHOWN:
        lines.append(t("bot.more_errors", count=len(catalog.errors) - MAX_ERRORS_SHOWN))
    return "\n".join(lines) or t("bot.no_documents")


def build_services(settings: Settings) -> Services:
    """Load the catalog, open (or create) the database and wire the assistant, assessments and engine."""
    catalog = load_catalog(settings.corpus_dir, uploads_dir(settings))
    for error in catalog.errors:
        log.warning("document skipped: %s", error)
    db = Database(settings.db_url, timeout=settings.database_timeout)
    db.create()
    assistant = Assistant.from_settings(settings, catalog)
    assessments = AssessmentService(catalog, db, EvidenceMatcher(get_embedder(settings.embedder)))
    engine = Engine(assistant, assessments, db, limiter=RateLimiter(db, settings.rate_limit_per_minute))
    services = Services(settings, catalog, assistant, db, assessments, engine)
    engine.reloader = services.reload
    return services
