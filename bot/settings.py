"""Settings from the environment or .env; a bad value stops the start and names the variable."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
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
    database_pool_size: int = Field(default=5, ge=1)
    database_max_overflow: int = Field(default=10, ge=0)
    database_pool_timeout: float = Field(default=30.0, gt=0)
    database_connect_timeout: float = Field(default=10.0, gt=0)
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    timezone: str = "Asia/Ho_Chi_Minh"
    catalogue: Path = DEFAULT_CATALOGUE
    alert_time: time = time(7, 0)
    backup_dir: Path = Path("data/backups")
    backup_keep: int = Field(default=14, ge=1)
    max_upload_bytes: int = Field(default=5_000_000, ge=10_000)
    # updates handled at once (handlers/updates.py); one chat's always in order
    max_concurrent_updates: int = Field(default=4, ge=1)
    # charts are drawn in this many worker processes (services/chart_worker.py); 0: in a thread
    chart_processes: int = Field(default=1, ge=0)
    log_level: str = "INFO"
    # several instances (issue 12): webhook instead of long polling; health and metrics
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1:8443"
    webhook_secret: SecretStr | None = None
    metrics_listen: str | None = None

    @field_validator("webhook_url", "metrics_listen", "webhook_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError("cần URL https://… / expected https://host/path")
        return value

    @field_validator("webhook_listen", "metrics_listen")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^\s:]*:?\d{1,5}", value.strip()):
            raise ValueError("dạng host:port, ví dụ 127.0.0.1:8443 / expected host:port")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_chars(cls, value: SecretStr | None) -> SecretStr | None:
        secret = value.get_secret_value() if value is not None else None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
            raise ValueError("16–256 ký tự A-Z a-z 0-9 _ - / 16-256 chars of A-Z a-z 0-9 _ -")
        return value

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

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET: cần khi có WEBHOOK_URL / required with WEBHOOK_URL")
        return self

    @property
    def webhook(self) -> bool:
        """WEBHOOK_URL set: updates come by webhook (WEBHOOK_SECRET required), not polling."""
        return self.webhook_url is not None

    def sqlalchemy_url(self) -> str:
        """DATABASE_URL when set (a bare postgres:// URL gets the asyncpg driver), else the
        SQLite file at DATABASE_PATH."""
        if self.database_url:
            return asyncpg_url(self.database_url)
        return f"sqlite+aiosqlite:///{self.database_path}"

    def database_options(self) -> dict[str, Any]:
        """Pool size and timeouts for store.db.Database (PostgreSQL; SQLite uses the size)."""
        return {
            "pool_size": self.database_pool_size,
            "max_overflow": self.database_max_overflow,
            "pool_timeout": self.database_pool_timeout,
            "connect_timeout": self.database_connect_timeout,
        }


def asyncpg_url(url: str) -> str:
    """postgres://… and postgresql://… → postgresql+asyncpg://…; other URLs unchanged."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


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
