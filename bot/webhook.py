"""Webhook mode: Telegram posts updates to WEBHOOK_URL; PTB's server listens on WEBHOOK_LISTEN.

Behind a reverse proxy (docs/deploy.md) several workers can share one bot: each update is
handled by whichever worker receives it, exactly once thanks to processed_updates. A request
without the right X-Telegram-Bot-Api-Secret-Token header gets 403 from PTB; PTB only notes that
at DEBUG, so `log_refusals` makes it one WARNING line (never the header's value).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from telegram.ext import Application
from telegram.ext._utils.webhookhandler import WebhookAppClass

from bot.settings import Settings
from handlers.observe import split_listen

log = logging.getLogger("bot.webhook")


def _log_request(self: Any, handler: Any) -> None:
    """Tornado calls this after each request; PTB's version logs nothing."""
    status = handler.get_status()
    if status >= 400:
        request = handler.request
        log.warning(
            "webhook refused: %s %s from %s -> %d (secret header %s)",
            request.method,
            request.path,
            request.headers.get("X-Real-IP") or request.remote_ip,
            status,
            "present" if request.headers.get("X-Telegram-Bot-Api-Secret-Token") else "missing",
        )


def log_refusals() -> None:
    """Install the 403 logging on PTB's webhook application class (idempotent)."""
    WebhookAppClass.log_request = _log_request  # type: ignore[method-assign]


def webhook_args(settings: Settings) -> dict[str, Any]:
    """Arguments of Application.run_webhook / Updater.start_webhook for these settings."""
    assert settings.webhook_url is not None
    if settings.webhook_secret is None:
        raise ValueError("WEBHOOK_SECRET is required with WEBHOOK_URL")
    host, port = split_listen(settings.webhook_listen)
    return {
        "listen": host,
        "port": port,
        "url_path": urlsplit(settings.webhook_url).path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret.get_secret_value(),
        "allowed_updates": None,
        "drop_pending_updates": False,
    }


def run_webhook(application: Application, settings: Settings) -> None:
    args = webhook_args(settings)
    log_refusals()
    log.info("starting webhook on %s:%s/%s", args["listen"], args["port"], args["url_path"])
    application.run_webhook(**args)
