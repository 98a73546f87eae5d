"""Configuration from the environment or a ``.env`` file (every variable is in the README)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from conversations.quiet_hours import QuietHours
from locales import Raw, T, Text, render, translator

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_INVITE_DAYS = 365
# What each variable expects, said when a value is refused (one sentence, not a traceback).
EXPECTED: dict[str, Text] = {
    "timezone": T("an IANA time zone such as Asia/Shanghai"),
    "log_level": T("one of {choices}", choices=Raw(", ".join(LOG_LEVELS))),
    "send_rate_per_second": T("a number above 0 (messages per second, at most 30 for Telegram)"),
    "send_rate_per_chat_seconds": T("a number of seconds of 0 or more"),
    "invite_days": T("a whole number of days from 1 to {high}", high=MAX_INVITE_DAYS),
    "webhook_port": T("a port number from 1 to 65535"),
    "staff_telegram_ids": T("comma-separated Telegram user ids (numbers)"),
    "quiet_hours_start": T("a time like 21:00"),
    "quiet_hours_end": T("a time like 08:00"),
}

TOKEN_HELP = T(
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
    invite_days: int = Field(default=14, ge=1, le=MAX_INVITE_DAYS)
    quiet_hours_start: dt.time = dt.time(21, 0)
    quiet_hours_end: dt.time = dt.time(8, 0)
    send_rate_per_second: float = Field(default=30.0, gt=0)
    send_rate_per_chat_seconds: float = Field(default=1.0, ge=0)
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    console_url: str = ""  # the staff web console's public address; default: the webhook URL's origin
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    log_level: str = "INFO"
    cli_language: str = "en"

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
        try:
            ZoneInfo(value)
        except (ValueError, KeyError, ZoneInfoNotFoundError) as exc:
            raise ValueError("unknown time zone") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.strip().upper() not in LOG_LEVELS:
            raise ValueError("unknown log level")
        return value.strip().upper()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quiet_hours(self) -> QuietHours:
        return QuietHours(self.quiet_hours_start, self.quiet_hours_end, self.tz)

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.tz)


class SettingsProblem(ValueError):
    """A configuration value that cannot be used; ``text`` is one sentence naming the variable."""

    def __init__(self, text: Text) -> None:
        super().__init__(render(text, translator("en")))
        self.text = text


def settings_problem(exc: ValidationError) -> Text:
    """One sentence for the first refused variable: its name, what it expects and what it got."""
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error.get("loc") else ""
    expected = EXPECTED.get(field, Raw(str(error.get("msg", "a valid value"))))
    return T("{variable} must be {expected}, got {value}.", variable=Raw(field.upper()), expected=expected,
             value=Raw(repr(error.get("input"))))


def load_settings() -> Settings:
    """The settings, or SettingsProblem with one sentence (bad value, a .env that is not UTF-8)."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsProblem(settings_problem(exc)) from None
    except UnicodeDecodeError:
        raise SettingsProblem(T("The .env file is not UTF-8 text: save it as UTF-8 (without a byte order "
                                "mark is fine) and try again.")) from None
