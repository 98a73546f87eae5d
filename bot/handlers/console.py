"""``/web``: a staff member's one-time link into the staff web console (``bot.webapp.console``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.routing import STAFF, Route, Router, Turn
from bot.services import Services
from conversations.types import Reply
from locales import Join, Raw, T
from storage.console import LINK_LIFETIME, PURPOSE, create_login_link
from storage.models import Invite

LOGIN_PATH = "/console/login"


def console_base(services: Services) -> str:
    """Where the console is served: ``CONSOLE_URL``, else the origin of the webhook URL ("" when neither)."""
    settings = services.settings
    if settings.console_url:
        return settings.console_url.rstrip("/")
    parts = urlsplit(settings.telegram_webhook_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def extend(router: Router, services: Services) -> None:
    async def web(turn: Turn) -> list[Reply]:
        staff = turn.staff()
        assert staff is not None  # the door lets only staff in
        base = console_base(turn.services)
        if not base:
            return [Reply(T("The web console has no address yet: set CONSOLE_URL (or TELEGRAM_WEBHOOK_URL) "
                            "and restart the bot."))]
        token = await create_login_link(turn.session, staff, turn.now)
        minutes = int(LINK_LIFETIME.total_seconds() // 60)
        return [Reply(Join((T("Your sign-in link to the web console. It works once, for {minutes} minutes, and "
                              "only for you; do not forward it.", minutes=minutes),
                            Raw(f"{base}{LOGIN_PATH}?t={token}"))))]

    async def opened_in_chat(turn: Turn, invite: Invite) -> list[Reply]:
        """A console link pasted into /start: it is used up now, so say how to get a new one."""
        return [Reply(T("That link opens the web console in a browser, not here. Send /web for a new one."))]

    router.add(Route("web", STAFF, web, menu_label=T("Web console sign-in link"), menu_order=590))
    services.hooks.token_handlers[PURPOSE] = opened_in_chat
