"""Settings from the environment or .env; a bad value stops the start and names the variable."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CATALOGUE = REPO_ROOT / "catalogues" / "quang-tri"


class Settings(BaseSettings):
    """Every setting is documented in .env.example."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    database_path: Path = Path("data/bot.db")
    database_url: str | None = None
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    timezone: str = "Asia/Ho_Chi_Minh"
    catalogue: Path = DEFAULT_CATALOGUE
    alert_time: time = time(7, 0)
    backup_dir: Path = Path("data/backups")
    backup_keep: int = Field(default=14, ge=1)
    max_upload_bytes: int = Field(default=5_000_000, ge=10_000)
    log_level: str = "INFO"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            if not all(re.fullmatch(r"-?\d+", p) for p in parts):
                raise ValueError("cần danh sách số, cách nhau bởi dấu phẩy / comma-separated ids")
            return [int(p) for p in parts]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"múi giờ không tồn tại / unknown time zone: {value}") from exc
        return value

    @field_validator("alert_time", mode="before")
    @classmethod
    def _hh_mm(cls, value: object) -> object:
        if isinstance(value, str):
            match = re.fullmatch(r"(\d{1,2})[:h](\d{2})", value.strip())
            if not match or int(match[1]) > 23 or int(match[2]) > 59:
                raise ValueError("dạng HH:MM, ví dụ 07:00 / expected HH:MM")
            return time(int(match[1]), int(match[2]))
        return value

    @field_validator("catalogue")
    @classmethod
    def _catalogue_exists(cls, value: Path) -> Path:
        if not (value / "units.csv").is_file():
            raise ValueError(f"không thấy units.csv trong {value} / no catalogue there")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.database_path}"


class SettingsError(Exception):
    """A setting is invalid; the message names the variable."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = str(err["loc"][0]).upper() if err["loc"] else "?"
            lines.append(f"{name}: {err['msg']}")
        raise SettingsError("Cấu hình sai / invalid setting — " + "; ".join(lines)) from exc
