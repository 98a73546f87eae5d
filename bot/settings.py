"""Configuration from the environment or a ``.env`` file (every variable is in the README)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TOKEN_HELP = (
    "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram (/newbot), then "
    "put the token it gives you in the environment or in a .env file as TELEGRAM_BOT_TOKEN=... "
    "(to try the bot without a token, run `stationbot demo`)."
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str = ""
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    telegram_bot_username: str = ""
    database_url: str = "sqlite+aiosqlite:///./data/stationbot.db"
    default_policy: str = "gd-quality"
    timezone: str = "Asia/Shanghai"
    staff_telegram_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    invite_days: int = 14
    quiet_hours_start: dt.time = dt.time(21, 0)
    quiet_hours_end: dt.time = dt.time(8, 0)
    send_rate_per_second: float = 30.0
    send_rate_per_chat_seconds: float = 1.0
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8080
    log_level: str = "INFO"

    @field_validator("staff_telegram_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.tz)
