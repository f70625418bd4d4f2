"""A minimal python-telegram-bot echo bot wired to the fake Bot API.

Used by the rig's own tests and as the baseline the benchmark compares the real bot against.
"""

from __future__ import annotations

import hashlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.rig.botapi import TINY_PNG, FakeBotApi
from tests.rig.runner import running

__all__ = ["build_echo_application", "running"]


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("Xin chào! Tôi là bot thử nghiệm.")


async def _photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_photo(
        TINY_PNG, caption="Ảnh <b>thử</b>", parse_mode="HTML", filename="tiny.png"
    )


async def _keyboard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Có", callback_data="yes"),
                InlineKeyboardButton("Không", callback_data="no"),
            ]
        ]
    )
    await update.effective_message.reply_text("Bạn đồng ý?", reply_markup=markup)


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"Đã chọn {query.data}")
    await query.edit_message_text(f"Bạn đã chọn: {query.data}")


async def _document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    tg_file = await message.document.get_file()
    data = bytes(await tg_file.download_as_bytearray())
    digest = hashlib.sha256(data).hexdigest()[:12]
    await message.reply_document(
        data[::-1],
        filename=f"reversed-{message.document.file_name}",
        caption=f"{len(data)} bytes, sha256 {digest}",
    )


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_text(message.text)


def build_echo_application(
    api: FakeBotApi,
    *,
    rate_limiter: AIORateLimiter | None = None,
    concurrent_updates: bool = False,
) -> Application:  # type: ignore[type-arg]
    """A real PTB ``Application`` talking to ``api``; not initialized or started."""
    builder = (
        Application.builder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .get_updates_read_timeout(2)
        .connect_timeout(2)
        .read_timeout(2)
        .write_timeout(2)
        .concurrent_updates(concurrent_updates)
    )
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CommandHandler("photo", _photo))
    app.add_handler(CommandHandler("keyboard", _keyboard))
    app.add_handler(CallbackQueryHandler(_button))
    app.add_handler(MessageHandler(filters.Document.ALL, _document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    return app
