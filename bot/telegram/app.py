"""The python-telegram-bot Application: builder, handlers, command menu, polling or webhook."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from sqlalchemy.engine import make_url
from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import Conflict, InvalidToken, TelegramError
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

from bot.checks import ConfigError
from bot.engine import ADMIN_COMMANDS
from bot.services import Services, build_services
from bot.settings import Settings
from bot.telegram import admin, buttons, commands, guards, inline, questions
from bot.telegram.common import SERVICES_KEY
from bot.telegram.format import message_count
from bot.telegram.order import MAX_QUEUED_PER_PERSON, PerChatOrder
from bot.telegram.redact import install_redaction
from bot.telegram.webhook import start_webhook, webhook_secret
from index.masking import mask_url, mask_urls_in
from prompts import raw, t

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3
CONNECT_TIMEOUT = 10.0
WRITE_TIMEOUT = 30.0
POOL_TIMEOUT = 5.0
POOL_SIZE = 16
FATAL_KEY = "fatal"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class MissingTokenError(RuntimeError):
    """No TELEGRAM_BOT_TOKEN: the Telegram front cannot start."""


class FatalBotApiError(RuntimeError):
    """The Bot API refuses the bot for good (a revoked token, another instance polling): stop, say why."""


class FatalWatch:
    """Remembers the first error the bot cannot recover from and stops the run."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.stop: Callable[[], None] = lambda: None

    def trip(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
            log.error("%s", reason)
        self.stop()


class WatchedRequest(HTTPXRequest):
    """HTTPXRequest that reports 401/404 (InvalidToken) and 409 (Conflict) to the watch.

    python-telegram-bot gives up polling after an InvalidToken but keeps the process alive, and
    retries a Conflict for ever: a supervisor would never notice either."""

    def __init__(self, watch: FatalWatch, **options: Any) -> None:
        super().__init__(**options)
        self.watch = watch

    async def post(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().post(*args, **kwargs)
        except InvalidToken:
            self.watch.trip(t("bot.fatal_unauthorized"))
            raise
        except Conflict:
            self.watch.trip(t("bot.fatal_conflict"))
            raise


def _request(read_timeout: float, watch: FatalWatch) -> HTTPXRequest:
    return WatchedRequest(
        watch,
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
    watch = FatalWatch()
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .request(_request(settings.telegram_timeout, watch))
        .get_updates_request(_request(settings.telegram_timeout + settings.poll_timeout, watch))
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(PerChatOrder(max_queued_per_person=_queued_per_person(settings)))
        .post_init(post_init)
    )
    if settings.telegram_base_file_url:
        builder = builder.base_file_url(settings.telegram_base_file_url)
    application = builder.build()
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[FATAL_KEY] = watch
    pager = getattr(services.engine, "pager", None)
    if pager is not None:  # long replies are paged by what they become here: HTML messages of 4096 characters
        pager.message_count = message_count
    add_handlers(application)
    return application


def _queued_per_person(settings: Settings) -> int:
    """Room for everything the rate limit lets through in a window (and its notice), never less than the default."""
    return max(MAX_QUEUED_PER_PERSON, settings.rate_limit_per_minute + 2)


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


def secrets_of(settings: Settings) -> list[str | None]:
    """What must never appear in a log line: the token, the webhook secret, the database password."""
    webhook_secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    try:
        db_password = make_url(settings.database_url).password if settings.database_url else None
    except Exception:  # noqa: BLE001 - an unreadable URL is reported by the database, masked
        db_password = None
    return [settings.token(), webhook_secret, str(db_password) if db_password else None]


class NoFatalTracebacks(logging.Filter):
    """python-telegram-bot logs a revoked token or a conflict with a traceback (several times, while
    stopping too); the reason is said in one line instead, so its log lines keep only their message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], InvalidToken | Conflict):
            record.exc_info, record.exc_text = None, None
        return True


def configure_logging(settings: Settings) -> None:
    """Plain logs on stderr at the configured level, with the secrets redacted everywhere."""
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_redaction(*secrets_of(settings))
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, NoFatalTracebacks) for f in handler.filters):
            handler.addFilter(NoFatalTracebacks())


def run(settings: Settings) -> None:
    """`competency-bot serve`: polling by default, a webhook when WEBHOOK_URL is set, until SIGINT/SIGTERM.

    Raises FatalBotApiError (one line) when the Bot API cannot be reached at start, or refuses the
    token or reports another instance at any time."""
    configure_logging(settings)
    application = build_application(build_services(settings))
    asyncio.run(serve(application, settings))
    watch: FatalWatch = application.bot_data[FATAL_KEY]
    if watch.reason:
        raise FatalBotApiError(watch.reason)


async def serve(
    application: Application,
    settings: Settings,
    stopped: asyncio.Event | None = None,
    signals: tuple[signal.Signals, ...] = STOP_SIGNALS,
) -> None:
    """Initialise, start receiving updates, run until `stopped` is set (by a stop signal or a fatal
    Bot API error), then stop cleanly."""
    stopped = stopped or asyncio.Event()
    watch: FatalWatch = application.bot_data[FATAL_KEY]
    watch.stop = stopped.set
    loop = asyncio.get_running_loop()
    for sig in signals:
        loop.add_signal_handler(sig, stopped.set)
    server = None
    try:
        try:
            await application.initialize()
            await post_init(application)
            server = await _start_receiving(application, settings)
            await application.start()
        except TelegramError as e:
            raise FatalBotApiError(watch.reason or _unreachable(settings, e)) from None
        await stopped.wait()
    finally:
        await _stop(application, server)


async def _start_receiving(application: Application, settings: Settings) -> Any:
    if settings.webhook_url:
        secret = webhook_secret(settings)
        install_redaction(secret)
        log.info("serving through a webhook on %s:%s", settings.webhook_listen, settings.webhook_port)
        try:
            return await start_webhook(application, settings, secret)
        except OSError as e:  # the port is taken, or the address is not this machine's
            reason = e.strerror or type(e).__name__
            raise ConfigError([t("cli.webhook_listen_failed", listen=settings.webhook_listen,
                                 port=settings.webhook_port, reason=reason)]) from None
    log.info("serving by long polling")
    assert application.updater is not None
    await application.updater.start_polling(
        timeout=int(settings.poll_timeout), drop_pending_updates=False, allowed_updates=Update.ALL_TYPES
    )
    return None


async def _stop(application: Application, server: Any) -> None:
    """Stop taking updates, let the handlers running finish, close (errors of a dead token are expected)."""
    if server is not None:
        server.stop()
    with suppress(TelegramError):
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
    with suppress(TelegramError):
        if application.running:
            await application.stop()
    with suppress(TelegramError):
        await application.shutdown()


def _unreachable(settings: Settings, error: TelegramError) -> str:
    return t("bot.fatal_unreachable", url=mask_url(settings.telegram_base_url),
             reason=mask_urls_in(f"{type(error).__name__}: {error}"))
