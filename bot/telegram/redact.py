"""Keep the bot token (and any other secret) out of every log line, tracebacks included."""

from __future__ import annotations

import logging
import threading
from typing import Any

REDACTED = "[REDACTED]"
NOISY_LOGGERS = ("httpx", "httpcore")  # they log request URLs, which contain the token


class SecretRedactor(logging.Filter):
    """Replaces registered secrets in a record's message and exception text."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, secret: str) -> None:
        if secret and len(secret) >= 6:
            self._secrets.add(secret)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call: keep its raw text
            message = str(record.msg)
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_redactor = SecretRedactor()
_installed = threading.Lock()
_factory_wrapped = False


def install_redaction(*secrets: str | None) -> SecretRedactor:
    """Redact these secrets in every record created from now on, whatever handler shows it."""
    global _factory_wrapped
    for secret in secrets:
        if secret:
            _redactor.add(secret)
    with _installed:
        if not _factory_wrapped:
            previous = logging.getLogRecordFactory()

            def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                _redactor.filter(record)
                return record

            logging.setLogRecordFactory(redacting_factory)
            _factory_wrapped = True
    for handler in logging.getLogger().handlers:
        if _redactor not in handler.filters:
            handler.addFilter(_redactor)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return _redactor
