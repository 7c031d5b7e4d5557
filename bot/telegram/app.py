"""The python-telegram-bot Application: builder, handlers, command menu, polling or webhook."""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any
from urllib.parse import urlparse

from sqlalchemy.engine import make_url
from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.engine import ADMIN_COMMANDS
from bot.services import Services, build_services
from bot.settings import Settings
from bot.telegram import admin, buttons, commands, guards, inline, questions
from bot.telegram.common import SERVICES_KEY
from bot.telegram.order import PerChatOrder
from bot.telegram.redact import install_redaction
from prompts import raw, t

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3
CONNECT_TIMEOUT = 10.0
WRITE_TIMEOUT = 30.0
POOL_TIMEOUT = 5.0
POOL_SIZE = 16


class MissingTokenError(RuntimeError):
    """No TELEGRAM_BOT_TOKEN: the Telegram front cannot start."""


def _request(read_timeout: float) -> HTTPXRequest:
    return HTTPXRequest(
        connection_pool_size=POOL_SIZE,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=read_timeout,
        write_timeout=WRITE_TIMEOUT,
        pool_timeout=POOL_TIMEOUT,
        media_write_timeout=WRITE_TIMEOUT,
    )


def build_application(services: Services) -> Application:
    """The real Application for these services (token, base URL and admins from the settings)."""
    settings = services.settings
    token = settings.token()
    if not token:
        raise MissingTokenError(t("bot.no_token"))
    install_redaction(*secrets_of(settings))
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .request(_request(settings.telegram_timeout))
        .get_updates_request(_request(settings.telegram_timeout + settings.poll_timeout))
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(PerChatOrder())
        .post_init(post_init)
    )
    if settings.telegram_base_file_url:
        builder = builder.base_file_url(settings.telegram_base_file_url)
    application = builder.build()
    application.bot_data[SERVICES_KEY] = services
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    """Every handler family, after the guards that answer each update once and drop a flood."""
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(TypeHandler(Update, guards.skip_repeated_update), group=-2)
    application.add_handler(TypeHandler(Update, guards.drop_flood), group=-1)
    application.add_handler(CommandHandler(list(ADMIN_COMMANDS), admin.on_admin_command, filters=only_new))
    application.add_handler(CommandHandler(list(commands.COMMANDS), commands.on_command, filters=only_new))
    application.add_handler(MessageHandler(only_new & filters.COMMAND, commands.on_unknown_command))
    application.add_handler(MessageHandler(only_new & filters.Document.ALL, admin.on_document))
    application.add_handler(MessageHandler(only_new & filters.TEXT & ~filters.COMMAND, questions.on_text))
    private_other = only_new & filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL
    application.add_handler(MessageHandler(private_other, questions.on_other_message))
    application.add_handler(CallbackQueryHandler(buttons.on_button))
    application.add_handler(InlineQueryHandler(inline.on_inline_query))
    application.add_error_handler(guards.on_error)


def command_menu(names: dict[str, str]) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in names.items()]


async def post_init(application: Application) -> None:
    """Publish the command menu (admins also see their own commands in their private chat)."""
    user_menu = command_menu(raw("bot.commands"))
    await application.bot.set_my_commands(user_menu)
    services: Services = application.bot_data[SERVICES_KEY]
    admin_menu = user_menu + command_menu(raw("bot.admin_commands"))
    for admin_id in sorted(services.settings.admin_ids):
        with suppress(TelegramError):  # the admin may not have opened a chat with the bot yet
            await application.bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(admin_id))


def webhook_options(settings: Settings) -> dict[str, Any]:
    """The run_webhook arguments for settings.webhook_url (the URL path is the local path too)."""
    assert settings.webhook_url
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlparse(settings.webhook_url).path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret.get_secret_value() if settings.webhook_secret else None,
    }


def secrets_of(settings: Settings) -> list[str | None]:
    """What must never appear in a log line: the token, the webhook secret, the database password."""
    webhook_secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    db_password = make_url(settings.database_url).password if settings.database_url else None
    return [settings.token(), webhook_secret, str(db_password) if db_password else None]


def configure_logging(settings: Settings) -> None:
    """Plain logs on stderr at the configured level, with the secrets redacted everywhere."""
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_redaction(*secrets_of(settings))


def run(settings: Settings) -> None:
    """`competency-bot serve`: polling by default, a webhook when WEBHOOK_URL is set."""
    configure_logging(settings)
    application = build_application(build_services(settings))
    if settings.webhook_url:
        log.info("serving through a webhook on %s:%s", settings.webhook_listen, settings.webhook_port)
        application.run_webhook(
            **webhook_options(settings), drop_pending_updates=False, allowed_updates=Update.ALL_TYPES
        )
    else:
        log.info("serving by long polling")
        application.run_polling(
            drop_pending_updates=False, allowed_updates=Update.ALL_TYPES, timeout=int(settings.poll_timeout)
        )
