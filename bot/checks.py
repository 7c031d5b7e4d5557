"""Start-up checks: each configuration problem as one line naming the setting, before anything starts.

Every command runs the checks for what it uses (the corpus, the data folder, the embedder, the
addresses of the Telegram front) and stops with these lines instead of a traceback later on.
"""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from bot.settings import Settings
from index.catalog import Catalog
from index.masking import mask_url
from prompts import t

WEBHOOK_SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
WEBHOOK_SECRET_MAX = 256  # Telegram's limits for setWebhook's secret_token


class ConfigError(RuntimeError):
    """Settings the operator must fix: one line per problem, each naming the setting."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_settings() -> Settings:
    """The settings from the environment; a value of the wrong kind is a ConfigError naming it."""
    try:
        return Settings()
    except ValidationError as e:
        raise ConfigError([_invalid_value(error) for error in e.errors()]) from None


def load_plugins(settings: Settings) -> None:
    """Import the modules BOT_PLUGINS names (they register embedders); one that fails is a ConfigError naming it."""
    problems = []
    for name in settings.plugin_modules:
        try:
            importlib.import_module(name)
        except Exception as e:  # noqa: BLE001 - whatever stops a plugin, the operator is told which and why
            problems.append(t("cli.plugin_failed", name=name, reason=f"{type(e).__name__}: {e}"))
    if problems:
        raise ConfigError(problems)


def _invalid_value(error: dict) -> str:  # type: ignore[type-arg]
    setting = ".".join(str(part) for part in error.get("loc", ())) or "?"
    reason = str(error.get("msg", "")).removeprefix("Value error, ")
    return t("cli.setting_invalid", setting=setting, reason=reason)


def check(settings: Settings, *, data: bool = True, writes: bool = True, front: bool = False) -> None:
    """The checks a command needs: the corpus always; the data folder (written unless `writes` is
    False), the embedder and CHROMA_URL when it searches; the Telegram addresses for `serve`."""
    problems = corpus_problems(settings.corpus_dir)
    if data:
        problems += data_dir_problems(settings, writes) + embedder_problems(settings)
        problems += url_problems("CHROMA_URL", settings.chroma_url)
    if front:
        problems += url_problems("TELEGRAM_BASE_URL", settings.telegram_base_url)
        problems += url_problems("TELEGRAM_BASE_FILE_URL", settings.telegram_base_file_url)
        problems += url_problems("WEBHOOK_URL", settings.webhook_url) + webhook_secret_problems(settings)
    if problems:
        raise ConfigError(problems)


def corpus_problems(folder: Path, setting: str = "BOT_CORPUS_DIR") -> list[str]:
    if not folder.exists():
        return [t("cli.folder_missing", setting=setting, path=folder)]
    if not folder.is_dir():
        return [t("cli.not_a_folder", setting=setting, path=folder)]
    return []


def data_dir_problems(settings: Settings, writes: bool) -> list[str]:
    """BOT_DATA_DIR and the folders inside it must be folders (and writable when the command writes)."""
    for path in (settings.bot_data_dir, settings.index_dir, settings.exports_dir):
        if path.exists() and not path.is_dir():
            return [t("cli.not_a_folder", setting="BOT_DATA_DIR", path=path)]
        if not path.exists() and _blocking_file(path):
            return [t("cli.not_a_folder", setting="BOT_DATA_DIR", path=_blocking_file(path))]
    if writes and not writable(settings.bot_data_dir):
        return [t("cli.folder_read_only", setting="BOT_DATA_DIR", path=settings.bot_data_dir)]
    return []


def _blocking_file(path: Path) -> Path | None:
    """The file that stands where a parent folder of `path` should be, if any."""
    return next((parent for parent in path.parents if parent.exists() and not parent.is_dir()), None)


def writable(folder: Path) -> bool:
    """True when a file can be created in the folder (made if missing); root ignores modes, so try it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def embedder_problems(settings: Settings) -> list[str]:
    from index.embed import available

    if settings.embedder in available():
        return []
    return [t("cli.embedder_unknown", name=settings.embedder, available="、".join(available()))]


def url_problems(setting: str, url: str | None) -> list[str]:
    """An http(s) address with a host and, if given, a numeric port."""
    if url is None:
        return []
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        return [t("cli.url_invalid", setting=setting, url=mask_url(url))]
    return []


def webhook_secret_problems(settings: Settings) -> list[str]:
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if secret is None or (0 < len(secret) <= WEBHOOK_SECRET_MAX and set(secret) <= WEBHOOK_SECRET_CHARS):
        return []
    return [t("cli.webhook_secret_invalid", limit=WEBHOOK_SECRET_MAX)]


def require_documents(catalog: Catalog, folder: Path) -> None:
    """A front or an index with no document would answer nothing: say so instead of starting."""
    if not catalog.documents:
        problems = [t("cli.corpus_empty", setting="BOT_CORPUS_DIR", path=folder)]
        problems += [t("cli.ingest_error", error=" ".join(str(e).split())) for e in catalog.errors[:5]]
        raise ConfigError(problems)
