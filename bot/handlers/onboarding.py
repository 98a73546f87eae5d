"""/start (with invite tokens), /help, /menu and /language."""

from __future__ import annotations

from bot.routing import ANYONE, KNOWN, Route, Router, Turn
from bot.services import TokenHandler
from conversations.onboarding import STRANGER, TOKEN_PROBLEMS, greeting, help_lines, menu_reply
from conversations.types import Button, ButtonInput, CommandInput, Reply, keyboard
from locales import Join, T, translator
from storage.models import AuditLog, DemandUnit, Station
from storage.people import bind_invite, bindings_for, set_language
from storage.tokens import Redeemed, redeem

LANGUAGE_NAMES = {"zh_Hans": "简体中文", "en": "English"}


def menu_entries(router: Router, turn: Turn) -> list[tuple[str, T]]:
    return [(r.name, r.menu_label) for r in router.menu_for(turn.roles) if r.menu_label is not None]


def register(router: Router, token_handlers: dict[str, TokenHandler]) -> None:
    async def start(turn: Turn) -> list[Reply]:
        assert isinstance(turn.input, CommandInput)
        if turn.input.args:
            return await open_token(turn, turn.input.args[0])
        if not turn.bindings:
            return [Reply(STRANGER)]
        return [menu_reply(menu_entries(router, turn), T("Welcome back! What would you like to do?"))]

    async def open_token(turn: Turn, token: str) -> list[Reply]:
        outcome = await redeem(turn.session, token, turn.telegram_user_id, turn.now)
        if not isinstance(outcome, Redeemed):
            return [Reply(TOKEN_PROBLEMS[outcome])]
        invite = outcome.invite
        if invite.purpose != "invite":
            return await token_handlers[invite.purpose](turn, invite)
        language = turn.tr.locale
        person = await bind_invite(turn.session, invite, telegram_user_id=turn.telegram_user_id,
                                   chat_id=turn.chat_id, name=turn.user_name, language=language)
        turn.session.add(AuditLog(at=turn.now, person_id=person.id, action="invite_used",
                                  subject=f"invite:{invite.id}", detail={"role": invite.role}))
        turn.bindings = await bindings_for(turn.session, turn.telegram_user_id)
        turn.tr = translator(person.language)
        station = await turn.session.get(Station, invite.station_id) if invite.station_id else None
        unit = await turn.session.get(DemandUnit, invite.demand_unit_id) if invite.demand_unit_id else None
        welcome = greeting(invite.role, station.name if station else None, unit.name if unit else None)
        return [menu_reply(menu_entries(router, turn), Join((welcome, T("Here is what you can do:"))))]

    async def show_help(turn: Turn) -> list[Reply]:
        if not turn.bindings:
            return [Reply(STRANGER)]
        lines = help_lines(menu_entries(router, turn))
        return [Reply(Join((T("What you can do:"), *lines, T("Send /menu for buttons, /language to switch language."))))]

    async def show_menu(turn: Turn) -> list[Reply]:
        if not turn.bindings:
            return [Reply(STRANGER)]
        return [menu_reply(menu_entries(router, turn), T("What would you like to do?"))]

    async def language(turn: Turn) -> list[Reply]:
        buttons = [Button(name, f"lang:{code}") for code, name in LANGUAGE_NAMES.items()]
        return [Reply(T("Choose your language:"), keyboard(buttons))]

    async def pick_language(turn: Turn) -> list[Reply]:
        assert isinstance(turn.input, ButtonInput)
        code = turn.input.data.split(":", 1)[1]
        if code not in LANGUAGE_NAMES:
            return [Reply(T("This button is no longer active."), notice=T("This button is no longer active."))]
        await set_language(turn.session, turn.telegram_user_id, code)
        turn.tr = translator(code)
        return [Reply(T("Language set to {language}.", language=LANGUAGE_NAMES[code]), edit=True)]

    router.add(Route("start", ANYONE, start))
    router.add(Route("help", ANYONE, show_help, menu_label=T("What I can do"), menu_order=900))
    router.add(Route("menu", ANYONE, show_menu))
    router.add(Route("language", KNOWN, language, menu_label=T("Language / 语言"), menu_order=950))
    router.add(Route("lang", KNOWN, pick_language, kind="button"))
