"""Webhook mode: a small HTTP endpoint (tornado, as python-telegram-bot's own) for Telegram's POSTs.

An update is passed on only when the request carries the secret registered with setWebhook,
compared in constant time; anything else gets 403 and runs nothing. Without WEBHOOK_SECRET a
strong random secret is made for the run: Telegram learns it from setWebhook, nobody else can.
(python-telegram-bot's built-in server compares with `!=` and accepts everything when no secret
is set, hence this endpoint.)
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
from http import HTTPStatus
from urllib.parse import urlsplit

import tornado.web
from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from bot.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
GENERATED_SECRET_BYTES = 32  # token_urlsafe: 43 characters of A-Z a-z 0-9 _ -, as Telegram allows
MAX_BODY_BYTES = 1_000_000


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or a new random one for this run when it is not set."""
    if settings.webhook_secret and settings.webhook_secret.get_secret_value():
        return settings.webhook_secret.get_secret_value()
    log.info("WEBHOOK_SECRET is not set: a random secret was made for this run and registered with setWebhook")
    return secrets.token_urlsafe(GENERATED_SECRET_BYTES)


def local_path(settings: Settings) -> str:
    """The path the endpoint answers on: the path of WEBHOOK_URL."""
    return "/" + urlsplit(settings.webhook_url or "").path.lstrip("/")


def secret_matches(given: str | None, secret: str) -> bool:
    """The header equals the secret, compared in constant time (no timing hint of a partial match)."""
    return hmac.compare_digest((given or "").encode("utf-8", "replace"), secret.encode())


class UpdateEndpoint(tornado.web.RequestHandler):
    """POST <path>: one update from Telegram, with the secret header."""

    def initialize(self, bot_application: Application, secret: str) -> None:
        self.bot_application = bot_application
        self.secret = secret

    async def post(self) -> None:
        """Queue the update when the secret matches; 403 otherwise, 400 for a body that is not an update."""
        if not secret_matches(self.request.headers.get(SECRET_HEADER), self.secret):
            log.info("webhook request from %s refused: wrong or missing secret", self.request.remote_ip)
            self.send_error(HTTPStatus.FORBIDDEN)
            return
        try:
            update = Update.de_json(json.loads(self.request.body), self.bot_application.bot)
        except Exception:  # noqa: BLE001 - whatever the body is, it is not an update
            log.info("webhook request with a body that is not an update refused")
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        await self.bot_application.update_queue.put(update)
        self.set_status(HTTPStatus.OK)

    def write_error(self, status_code: int, **kwargs: object) -> None:
        self.finish()  # an empty body: nothing about the bot is told to whoever knocked


async def start_webhook(application: Application, settings: Settings, secret: str) -> HTTPServer:
    """Listen on WEBHOOK_LISTEN:WEBHOOK_PORT, then register WEBHOOK_URL and the secret with Telegram."""
    routes = [(re.escape(local_path(settings)), UpdateEndpoint, {"bot_application": application, "secret": secret})]
    server = HTTPServer(tornado.web.Application(routes, log_function=_quiet), max_body_size=MAX_BODY_BYTES)
    server.listen(settings.webhook_port, address=settings.webhook_listen)
    await application.bot.set_webhook(
        url=settings.webhook_url or "", secret_token=secret, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
    )
    return server


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """No access log line per update (tornado's default logs each request)."""
