"""The local console chat: the real Application, with the Bot API answered in-process.

Type messages as the chosen user; `!2` presses button 2 under the last reply, `:file PATH
[caption]` sends a file, `:edit TEXT` edits your last message, `:quit` leaves. Photos and
documents the bot sends are saved under --out and their paths printed.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.app import build_application
from bot.settings import Settings
from handlers.common import ENV_KEY
from services.context import Env
from store.people import bind_units, upsert_user

BOT = {"id": 999_000, "is_bot": True, "first_name": "Đề án 06", "username": "dean06_console_bot"}
ADMIN_ID, LEADER_ID, OFFICER_ID, STRANGER_ID = 1001, 1002, 1003, 1004
GROUP = {"id": -100_123, "type": "supergroup", "title": "Tổ Công tác (console)"}


class ConsoleRequest(BaseRequest):
    """Answers Bot API calls in-process and shows what the bot sends."""

    def __init__(self, out: Path, show: Callable[[str], None]) -> None:
        self.out, self.show = out, show
        self.message_ids = itertools.count(10_000)
        self.files: dict[str, bytes] = {}
        self.last_keyboard: list[tuple[str, str]] = []
        self.last_bot_message: dict[str, Any] | None = None

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(  # type: ignore[override]
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        if "/file/" in url:
            return 200, self.files.get(url.rsplit("/", 1)[-1], b"")
        api_method = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        files = request_data.multipart_data if request_data else {}
        result = self._answer(api_method, dict(params), files)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _answer(self, method: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method in ("sendMessage", "editMessageText"):
            self._print_text(params.get("text", ""), params.get("reply_markup"), method)
            return self._message(params, text=params.get("text", ""))
        if method in ("sendPhoto", "sendDocument"):
            return self._save_file(method, params, files)
        if method == "getFile":
            return {"file_id": params["file_id"], "file_unique_id": params["file_id"],
                    "file_path": params["file_id"]}  # fmt: skip
        if method == "editMessageReplyMarkup":
            self._remember_keyboard(params.get("reply_markup"))
            return self._message(params)
        return True  # setMyCommands, answerCallbackQuery, sendChatAction, deleteMessage, ...

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        chat_id = params.get("chat_id", 0)
        message = {
            "message_id": params.get("message_id") or next(self.message_ids),
            "date": int(time.time()),
            "chat": GROUP if chat_id == GROUP["id"] else {"id": chat_id, "type": "private"},
            "from": BOT,
            **extra,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.last_bot_message = message
        return message

    def _print_text(self, text: str, markup: Any, method: str) -> None:
        prefix = "(sửa) " if method == "editMessageText" else ""
        self.show(f"🤖 {prefix}{html_to_plain(text)}")
        self._remember_keyboard(markup)

    def _remember_keyboard(self, markup: Any) -> None:
        if isinstance(markup, str):
            markup = json.loads(markup)
        rows = (markup or {}).get("inline_keyboard", [])
        buttons = [(b["text"], b.get("callback_data") or b.get("url", "")) for r in rows for b in r]
        if buttons:
            self.last_keyboard = buttons
            labels = [f"[{i}] {label}" for i, (label, _) in enumerate(buttons, 1)]
            self.show("   " + "  ".join(labels))

    def _save_file(self, method: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        field = "photo" if method == "sendPhoto" else "document"
        name, content = "file.bin", b""
        for part in files.values():
            name, content = part[0] or name, part[1]
            if hasattr(content, "read"):
                content = content.read()
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / f"{next(self.message_ids)}-{Path(name).name}"
        path.write_bytes(content)
        caption = html_to_plain(params.get("caption", "") or "")
        self.show(f"🤖 [{'ảnh' if field == 'photo' else 'tệp'}] {path}  {caption}".rstrip())
        self._remember_keyboard(params.get("reply_markup"))
        file_id = path.name
        self.files[file_id] = content
        payload: Any = (
            [{"file_id": file_id, "file_unique_id": file_id, "width": 1280, "height": 800}]
            if field == "photo"
            else {"file_id": file_id, "file_unique_id": file_id, "file_name": path.name}
        )
        return self._message(params, **{field: payload})


def html_to_plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


class ConsoleChat:
    """Builds updates as a chosen user would send them and feeds them to the Application."""

    def __init__(self, application: Any, request: ConsoleRequest, user: dict[str, Any],
                 group: bool) -> None:  # fmt: skip
        self.app, self.request, self.user = application, request, user
        self.chat = GROUP if group else {"id": user["id"], "type": "private"}
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1)
        self.last_user_message: dict[str, Any] | None = None

    async def say(self, text: str) -> None:
        message = {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "text": text,
            "entities": entities_of(text),
        }
        self.last_user_message = message
        await self._feed({"message": message})

    async def edit(self, text: str) -> None:
        if self.last_user_message is None:
            return
        edited = {**self.last_user_message, "text": text, "entities": entities_of(text),
                  "edit_date": int(time.time())}  # fmt: skip
        await self._feed({"edited_message": edited})

    async def press(self, index: int) -> None:
        buttons = self.request.last_keyboard
        if not 1 <= index <= len(buttons) or self.request.last_bot_message is None:
            self.request.show("(không có nút đó / no such button)")
            return
        query = {
            "id": str(next(self.update_ids)),
            "from": self.user,
            "chat_instance": "c",
            "message": self.request.last_bot_message,
            "data": buttons[index - 1][1],
        }
        await self._feed({"callback_query": query})

    async def send_file(self, path: Path, caption: str = "") -> None:
        content = path.read_bytes()
        file_id = f"upload-{path.name}"
        self.request.files[file_id] = content
        message = {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "document": {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": path.name,
                "file_size": len(content),
            },
            "caption": caption,
        }
        await self._feed({"message": message})

    async def _feed(self, payload: dict[str, Any]) -> None:
        update = Update.de_json({"update_id": next(self.update_ids), **payload}, self.app.bot)
        await self.app.process_update(update)


def entities_of(text: str) -> list[dict[str, Any]]:
    """Telegram marks commands and mentions; handlers rely on those entities."""
    found = []
    for m in re.finditer(r"(?:^/[A-Za-z0-9_]+(?:@\w+)?)|(?:@\w{3,})", text):
        kind = "bot_command" if m.group(0).startswith("/") else "mention"
        start = len(text[: m.start()].encode("utf-16-le")) // 2
        length = len(m.group(0).encode("utf-16-le")) // 2
        found.append({"type": kind, "offset": start, "length": length})
    return found


async def _make_user(env: Env, as_: str) -> dict[str, Any]:
    now = env.clock.now()
    role, _, unit_name = as_.partition(":")
    ids = {"admin": ADMIN_ID, "leader": LEADER_ID, "officer": OFFICER_ID}
    user_id = ids.get(role, STRANGER_ID)
    name = f"Console {role}"
    user = {"id": user_id, "is_bot": False, "first_name": name, "language_code": "vi"}
    if role in ("leader", "officer", "admin"):
        async with env.db.write() as conn:
            await upsert_user(conn, user_id, now=now, full_name=name, role=role)
            if role == "officer":
                code = env.units.lookup(unit_name) or env.catalogue.province.code
                await bind_units(conn, user_id, [env.ids.unit_id[code]], now=now, by=None)
    return user


async def run_console(
    settings: Settings,
    *,
    as_: str = "admin",
    group: bool = False,
    out: str = "console-out",
    lines: Iterable[str] | None = None,
    show: Callable[[str], None] = print,
) -> int:
    request = ConsoleRequest(Path(out), show)
    settings = settings.model_copy(update={"admin_ids": [*settings.admin_ids, ADMIN_ID]})
    application = build_application(settings, request=request)
    async with application:
        await application.post_init(application)  # type: ignore[misc]
        try:
            await application.start()
            env: Env = application.bot_data[ENV_KEY]
            chat = ConsoleChat(application, request, await _make_user(env, as_), group)
            if lines is None:
                show(f"Console — {as_}{' (nhóm)' if group else ''}. :quit để thoát, !N bấm nút.")
            source = iter(lines) if lines is not None else None
            while True:
                line = next(source, None) if source else await _read_line()
                if line is None or line.strip() in (":quit", ":q"):
                    break
                await _dispatch(chat, line.rstrip("\n"))
                await asyncio.sleep(0)  # let jobs and tasks started by handlers run
        finally:  # Ctrl-C or an error too: the chart worker and the database are closed there
            if application.running:
                await application.stop()
            await application.post_shutdown(application)  # type: ignore[misc]
    return 0


async def _dispatch(chat: ConsoleChat, line: str) -> None:
    if not line.strip():
        return
    if re.fullmatch(r"!\d+", line.strip()):
        await chat.press(int(line.strip()[1:]))
    elif line.startswith(":file "):
        path, _, caption = line[6:].strip().partition(" ")
        await chat.send_file(Path(path), caption)
    elif line.startswith(":edit "):
        await chat.edit(line[6:])
    else:
        await chat.say(line)


async def _read_line() -> str | None:
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)
    return line or None
