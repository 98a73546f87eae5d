"""All wiring in one builder: settings, database, routes, the one door, jobs."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters
from telegram.request import BaseRequest

from bot import jobs
from bot.door import Door
from bot.handlers import (
    application_staff,
    applications,
    assessment,
    broadcasts,
    consequences,
    console,
    documents,
    evaluation,
    forms,
    invites,
    manual_scores,
    notices,
    onboarding,
    people,
    ratings,
    reports,
    review,
    roster,
    status,
)
from bot.ordering import PerChatUpdateProcessor, concurrency_for
from bot.routing import Router
from bot.services import Clock, Services
from bot.settings import Settings
from locales import T, render, translator
from storage.db import Database

log = logging.getLogger(__name__)

# Feature areas plug in here: each gets the router and the services once, at build time.
Extension = Callable[[Router, Services], None]


def build_router(services: Services, extensions: list[Extension] | None = None) -> Router:
    router = Router()
    onboarding.register(router, services.hooks.token_handlers)
    invites.register(router)
    for extend in extensions or default_extensions():
        extend(router, services)
    return router


# Every feature area beyond onboarding, in the order their routes are added. Imported, not looked up by
# name: an area that fails to import stops the bot at start instead of silently missing (no reminders...).
FEATURES: tuple[Extension, ...] = (
    forms.extend, review.extend, status.extend, ratings.extend, evaluation.extend, broadcasts.extend,
    reports.extend, manual_scores.extend, notices.extend, applications.extend, application_staff.extend, assessment.extend,
    consequences.extend, roster.extend, console.extend, documents.extend, people.extend,
)

# Every scheduled job, installed by the builder whatever features a test selects: the start-up sweep, the
# daily/weekly reminders and the outbox dispatcher (bot.jobs), rating reminders, the end of 公示 notice
# periods and rectification reminders. Jobs only enqueue outbox rows.
SCHEDULED: tuple[Callable[[Services], None], ...] = (
    jobs.install, ratings.install_reminders, notices.install_jobs, consequences.install_jobs, documents.install,
)


def default_extensions() -> list[Extension]:
    return list(FEATURES)


async def _post_init(application: Application) -> None:
    services: Services = application.bot_data["services"]
    await services.db.upgrade()
    services.bot_username = application.bot.username or services.bot_username
    services.bot = application.bot
    router: Router = application.bot_data["router"]
    for locale, scope_language in (("zh_Hans", None), ("en", "en")):
        tr = translator(locale)
        commands = [BotCommand(name, render(route.menu_label, tr)[:256])
                    for name, route in router.commands.items() if route.menu_label is not None]
        await application.bot.set_my_commands(commands, language_code=scope_language)
    for hook in services.hooks.post_init:
        await hook(application)


def build_application(
    settings: Settings,
    *,
    db: Database | None = None,
    request: BaseRequest | None = None,
    clock: Clock | None = None,
    extensions: list[Extension] | None = None,
    with_updater: bool = True,
) -> Application:
    """The real PTB Application; tests pass a sandbox ``request`` and a fixed ``clock``."""
    import datetime as dt

    from conversations.columns import check_profile_metrics
    from rules.profile import all_profiles

    # A malformed policy profile stops the bot here, naming the file and the key; so does a metric
    # reading a ledger column the activity form does not declare (``sum:<column>``).
    check_profile_metrics(all_profiles().values())

    services = Services(settings=settings, db=db or Database(settings.database_url),
                        clock=clock or (lambda: dt.datetime.now(settings.tz)))
    services.db.clock = services.clock  # row defaults and outbox rows are stamped with the injected clock
    builder: ApplicationBuilder = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .post_init(_post_init)
        .concurrent_updates(PerChatUpdateProcessor(concurrency_for(services.db.is_sqlite)))
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if not with_updater:
        builder = builder.updater(None)
    application = builder.build()
    for install in SCHEDULED:
        install(services)
    router = build_router(services, extensions)
    application.bot_data["services"] = services
    application.bot_data["router"] = router
    door = Door(services, router)
    application.add_handler(CallbackQueryHandler(door))
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, door))
    application.add_error_handler(_on_error)
    return application


async def _on_error(update: object, context: object) -> None:
    error = getattr(context, "error", None)
    log.error("unhandled error for update %s: %r", getattr(update, "update_id", "?"), error)


def allowed_updates() -> list[str]:
    return [Update.MESSAGE, Update.CALLBACK_QUERY]


__all__ = ["T", "build_application", "build_router"]
