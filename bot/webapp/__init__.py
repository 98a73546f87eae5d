"""The web side of the bot: the Telegram webhook, a health check and the staff API (FastAPI)."""

from bot.webapp.app import create_web_app

__all__ = ["create_web_app"]
