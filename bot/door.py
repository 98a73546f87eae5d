"""The one door every update goes through: identify, de-duplicate, authorise, route, render."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from telegram import Update
from telegram.ext import ContextTypes

from bot.render import send_reply
from bot.routing import Route, Router, Turn, allowed
from bot.services import Services
from conversations.engine import moved_on
from conversations.onboarding import STRANGER
from conversations.types import ButtonInput, CommandInput, FileInput, Input, Reply, TextInput
from locales import T, normalise_locale, render, translator
from storage.people import bindings_for, ensure_staff, mark_reachable
from storage.turn_state import load_turn_state
from storage.updates import record_update

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 20000


def input_of(update: Update) -> Input | None:
    """What the person did, in the core's terms (commands, texts, files, buttons)."""
    if update.callback_query is not None:
        return ButtonInput(update.callback_query.data or "")
    message = update.effective_message
    if message is None:
        return None
    if message.document is not None:
        doc = message.document
        return FileInput(doc.file_id, doc.file_unique_id, doc.file_name or "document", doc.file_size or 0,
                         doc.mime_type or "application/octet-stream", "document", message.caption or "")
    if message.photo:
        photo = message.photo[-1]
        return FileInput(photo.file_id, photo.file_unique_id, "photo.jpg", photo.file_size or 0, "image/jpeg",
                         "photo", message.caption or "")
    text = message.text
    if text is None:
        return TextInput("")
    if text.startswith("/"):
        head, _, rest = text.partition(" ")
        command = head[1:].split("@", 1)[0].lower()
        return CommandInput(command, tuple(rest.split()))
    return TextInput(text[:MAX_TEXT_CHARS] if len(text) > MAX_TEXT_CHARS else text)


def route_for(router: Router, inp: Input) -> Route | None:
    if isinstance(inp, CommandInput):
        return router.commands.get(inp.command)
    if isinstance(inp, ButtonInput):
        prefix = inp.data.split(":", 1)[0]
        if prefix == "m":
            return router.commands.get(inp.data.split(":", 2)[1] if ":" in inp.data else "")
        return router.buttons.get(prefix)
    return None


def as_command(inp: Input) -> Input:
    """A menu button ``m:<command>`` behaves exactly like typing the command."""
    if isinstance(inp, ButtonInput) and inp.data.startswith("m:"):
        parts = inp.data.split(":")
        return CommandInput(parts[1], tuple(parts[2:]))
    return inp


NOT_ALLOWED = T("You cannot do that with your current role. Send /help to see what you can do.")
UNKNOWN_COMMAND = T("I do not know that command. Send /help to see what you can do.")
STALE_BUTTON = T("This button is no longer active.")
TRY_AGAIN = T("Something went wrong on our side; your answers so far are saved. Please try again shortly.")


class Door:
    def __init__(self, services: Services, router: Router) -> None:
        self.services = services
        self.router = router

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        chat = update.effective_chat
        if user is None or chat is None or user.is_bot:
            return
        inp = input_of(update)
        if inp is None:
            return
        tr = translator(normalise_locale(user.language_code))
        replies: list[Reply] = []
        turn: Turn | None = None
        committed = False
        try:
            async with self.services.db.serial(), self.services.db.session() as session:
                if not await record_update(session, update.update_id, self.services.now()):
                    log.info("update %s already processed by another worker", update.update_id)
                    return
                bindings = (await load_turn_state(session, user.id)).bindings
                if user.id in self.services.settings.staff_telegram_ids and not any(
                    b.role == "staff" for b in bindings
                ):
                    await ensure_staff(session, telegram_user_id=user.id, chat_id=chat.id,
                                       name=user.full_name, language=normalise_locale(user.language_code))
                    bindings = await bindings_for(session, user.id)
                if bindings:
                    tr = translator(bindings[-1].language)
                    mark_reachable(session, bindings)
                turn = Turn(self.services, session, user.id, chat.id, user.full_name, user.language_code,
                            bindings, as_command(inp), tr, self.services.now())
                replies = await self.dispatch(turn)
                await session.commit()
                committed = True
                tr = turn.tr
        except StaleDataError:
            # Another worker moved this draft on between our read and our guarded write: nothing
            # of this update is kept, and the person is shown where the form stands.
            log.info("draft changed concurrently while handling update %s", update.update_id)
            replies = list(moved_on(None).replies)
        except IntegrityError:
            log.exception("integrity error while handling update %s", update.update_id)
            replies = [Reply(TRY_AGAIN)]
        except (OperationalError, DBAPIError, OSError):
            log.exception("database unavailable while handling update %s", update.update_id)
            replies = [Reply(TRY_AGAIN)]
        except Exception:
            log.exception("failed to handle update %s", update.update_id)
            replies = [Reply(TRY_AGAIN)]
        if turn is not None and committed:  # work promised "after commit" never follows a rollback
            for task in turn.after_commit:
                await task()
        await self.render(update, context, replies, tr)

    async def dispatch(self, turn: Turn) -> list[Reply]:
        route = route_for(self.router, turn.input)
        if not turn.bindings and (route is None or route.roles):
            return [Reply(STRANGER, notice=NOT_ALLOWED if isinstance(turn.input, ButtonInput) else None)]
        if route is not None:
            if not allowed(route, turn.roles):
                log.info("refused %s for roles %s", route.name, sorted(turn.roles))
                return [Reply(NOT_ALLOWED, notice=NOT_ALLOWED)]
            return await route.handler(turn)
        if isinstance(turn.input, CommandInput):
            return [Reply(UNKNOWN_COMMAND)]
        replies = await self.router.free_input(turn)
        if replies is not None:
            return replies
        if isinstance(turn.input, ButtonInput):
            return [Reply(STALE_BUTTON, notice=STALE_BUTTON)]
        fallback = self.router.commands.get("help")
        return await fallback.handler(turn) if fallback is not None else []

    async def render(self, update: Update, context: Any, replies: list[Reply], tr: Any) -> None:
        chat = update.effective_chat
        assert chat is not None
        query = update.callback_query
        origin = query.message.message_id if query is not None and query.message is not None else None
        notice = next((r.notice for r in replies if r.notice is not None), None)
        if query is not None:
            await query.answer(render(notice, tr)[:200] if notice is not None else None)
        for reply in replies:
            if reply.notice is not None and not render(reply.text, tr):
                continue
            await send_reply(context.bot, chat.id, reply, tr, origin)
