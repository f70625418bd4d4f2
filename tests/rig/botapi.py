"""A local fake Telegram Bot API server for end-to-end tests.

``FakeBotApi`` is an aiohttp server on ``127.0.0.1:<free port>`` that speaks enough of the Bot
API (https://core.telegram.org/bots/api) for a real python-telegram-bot ``Application`` to run
against it with long polling: it returns realistic JSON, keeps the chats/messages/files it has
seen, records every call, and can inject updates and faults.

Typical use (see ``tests/conftest.py`` for the fixtures)::

    msg = botapi.user_text(chat_id=42, user_id=42, text="/start")
    [reply] = await botapi.reply_to(msg)
    assert "Xin chào" in reply["text"]
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import logging
import mimetypes
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from tests.rig.markup import ParseError, detect_entities, render, utf16_len

__all__ = ["BOT_API_ERRORS", "Call", "FakeBotApi", "Fault", "SentFile", "StoredFile"]

_LOGGER = logging.getLogger(__name__)

JSON = dict[str, Any]

#: Descriptions Telegram uses for the common failures, by status code.
BOT_API_ERRORS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot "
    "instance is running",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

# Parameters whose values are plain strings even when they look like JSON ("123", "true").
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "file_id",
        "url",
        "title",
        "description",
        "short_description",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "action",
        "parse_mode",
        "secret_token",
        "data",
        "language_code",
        "ip_address",
        "query",
        "emoji",
        "name",
        "photo",
        "document",
        "thumbnail",
        "certificate",
    }
)

_UPDATE_TYPES_DEFAULT_EXCLUDED = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})

# A 1x1 transparent PNG, handy for tests that send photos.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4bc0000000049454e44ae426082"
)


class _ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(detail: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {detail}")


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    content: bytes


@dataclass
class Call:
    """One recorded Bot API request."""

    seq: int
    method: str
    params: JSON
    files: dict[str, UploadedFile]
    at: float
    status: int = 200
    result: Any = None
    error: JSON | None = None
    done: bool = False  # False while the request is still being answered (delays, long polls)

    @property
    def ok(self) -> bool:
        return self.done and self.error is None

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    filename: str | None = None
    mime_type: str | None = None


@dataclass
class SentFile:
    """A photo/document the bot uploaded (or re-sent by file_id)."""

    chat_id: int
    filename: str | None
    content: bytes
    caption: str | None
    mime_type: str | None
    reply_markup: JSON | None
    message: JSON
    call: Call


@dataclass
class Fault:
    """A pending injected failure; see :meth:`FakeBotApi.fail_next`."""

    method: str
    status: int | None
    retry_after: int | float | None
    description: str | None
    delay: float | None
    times: int
    chat_id: int | str | None
    parameters: JSON | None = None
    hits: int = 0

    def matches(self, method: str, params: JSON) -> bool:
        if self.method not in ("*", method) and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)


@dataclass
class _Queued:
    update: JSON
    forced: bool = False  # a redelivery: handed out once even though below the offset
    seq: int = 0


@dataclass
class _Store:
    chats: dict[int, JSON] = field(default_factory=dict)
    users: dict[int, JSON] = field(default_factory=dict)
    messages: dict[tuple[int, int], JSON] = field(default_factory=dict)
    deleted: set[tuple[int, int]] = field(default_factory=set)
    next_message_id: dict[int, int] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    members: dict[tuple[int, int], str] = field(default_factory=dict)
    commands: dict[str, list[JSON]] = field(default_factory=dict)
    callback_queries: dict[str, JSON] = field(default_factory=dict)
    migrated: dict[int, int] = field(default_factory=dict)


_DEFAULT = object()


class FakeBotApi:
    """Fake Telegram Bot API server; start with ``await api.start()`` (or ``async with``)."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_id: int | None = None,
        bot_username: str = "dean06_test_bot",
        bot_first_name: str = "Dean06 Test Bot",
        strict_chats: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        self.token = token
        self.host = host
        self.port: int | None = None
        self.bot_user: JSON = {
            "id": bot_id if bot_id is not None else int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        #: When False, sending to a chat the rig has never seen invents that chat.
        self.strict_chats = strict_chats
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.webhook_url = ""
        self.allowed_updates: list[str] | None = None
        self.clock: Callable[[], float] = time.time
        self.store = _Store()
        self._queue: list[_Queued] = []
        self._next_update_id = 100_000_001
        self._injected_at: dict[int, int] = {}  # update_id -> len(calls) at injection
        self._ids = itertools.count(1)
        self._updates: dict[int, JSON] = {}
        self._message_updates: dict[tuple[int, int], int] = {}
        self._poll_generation = 0
        self._runner: web.AppRunner | None = None
        self._changed: asyncio.Event | None = None
        self._updates_changed: asyncio.Event | None = None
        self._closing: asyncio.Event | None = None
        self._offline_until = 0.0
        self._offline_mode = "close"
        self._last_activity = 0.0
        self._getupdates_inflight = 0

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("FakeBotApi is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder.base_url`` (PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder.base_file_url``."""
        return f"{self.url}/file/bot"

    async def start(self) -> FakeBotApi:
        self._changed = asyncio.Event()
        self._updates_changed = asyncio.Event()
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_download)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self._last_activity = self._loop_time()
        return self

    async def stop(self) -> None:
        if self._closing is not None:
            self._closing.set()
            self._notify_updates()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ small helpers

    @staticmethod
    def _loop_time() -> float:
        return time.monotonic()

    def _now(self) -> int:
        return int(self.clock())

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event()

    def _notify_updates(self) -> None:
        if self._updates_changed is not None:
            self._updates_changed.set()
            self._updates_changed = asyncio.Event()

    def _new_message_id(self, chat_id: int) -> int:
        mid = self.store.next_message_id.get(chat_id, 1)
        self.store.next_message_id[chat_id] = mid + 1
        return mid

    def _file_ids(self, prefix: str) -> tuple[str, str]:
        n = next(self._ids)
        return f"{prefix}{n:08d}TESTFILE", f"AgAD{n:06d}"

    # ------------------------------------------------------------------ registry: users/chats

    def user(
        self,
        user_id: int,
        *,
        first_name: Any = _DEFAULT,
        username: Any = _DEFAULT,
        last_name: str | None = None,
        language_code: str = "vi",
    ) -> JSON:
        """Register (or update) and return a user dict."""
        known = self.store.users.get(user_id)
        if known is None:
            known = {"id": user_id, "is_bot": False, "first_name": f"Cán bộ {user_id}"}
            known["username"] = f"user{user_id}"
            known["language_code"] = language_code
            self.store.users[user_id] = known
        if first_name is not _DEFAULT:
            known["first_name"] = first_name
        if username is not _DEFAULT:
            if username is None:
                known.pop("username", None)
            else:
                known["username"] = username
        if last_name is not None:
            known["last_name"] = last_name
        return dict(known)

    def chat(self, chat_id: int, *, chat_type: str | None = None, title: str | None = None) -> JSON:
        """Register (or update) and return a chat dict (``Chat`` JSON)."""
        known = self.store.chats.get(chat_id)
        if known is None:
            if chat_type is None:
                if chat_id > 0:
                    chat_type = "private"
                elif str(chat_id).startswith("-100"):
                    chat_type = "supergroup"
                else:
                    chat_type = "group"
            known = {"id": chat_id, "type": chat_type}
            if chat_type == "private":
                user = self.store.users.get(chat_id) or self.user(chat_id)
                known["first_name"] = user["first_name"]
                if "username" in user:
                    known["username"] = user["username"]
            else:
                known["title"] = title or f"Tổ công tác {abs(chat_id)}"
            self.store.chats[chat_id] = known
        else:
            if chat_type is not None and chat_type != known["type"]:
                known["type"] = chat_type
            if title is not None and known["type"] != "private":
                known["title"] = title
        return dict(known)

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Set what ``getChatMember(chat_id, user_id)`` reports (creator/administrator/...)."""
        self.store.members[(chat_id, user_id)] = status

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """Current state of a stored message (after edits), or None."""
        msg = self.store.messages.get((chat_id, message_id))
        return copy.deepcopy(msg) if msg is not None else None

    def add_file(
        self,
        content: bytes,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        kind: str = "documents",
    ) -> StoredFile:
        """Register downloadable bytes; returns the StoredFile (use ``file_id``)."""
        file_id, unique = self._file_ids(
            "BQACAgUAAxkBAAI" if kind == "documents" else "AgACAgUAAxk"
        )
        ext = ""
        if filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1]
        elif kind == "photos":
            ext = ".jpg"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique,
            content=content,
            file_path=f"{kind}/file_{len(self.store.files)}{ext}",
            filename=filename,
            mime_type=mime_type
            or (mimetypes.guess_type(filename)[0] if filename else None)
            or "application/octet-stream",
        )
        self.store.files[file_id] = stored
        return stored

    # ------------------------------------------------------------------ update injection

    def push_update(self, update: JSON, *, redelivery: bool = False) -> JSON:
        """Queue a raw update (``update_id`` is assigned if missing). Returns the update."""
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
            self._next_update_id += 1
        uid = update["update_id"]
        self._injected_at.setdefault(uid, len(self.calls))
        self._queue.append(_Queued(copy.deepcopy(update), forced=redelivery, seq=len(self.calls)))
        self._queue.sort(key=lambda q: q.update["update_id"])
        self._last_activity = self._loop_time()
        self._notify_updates()
        return update

    def redeliver(self, update_or_message: JSON) -> JSON:
        """Queue the SAME update again (same ``update_id``), as Telegram does when a bot
        restarts before confirming. It is delivered once more even if already confirmed."""
        update = self._update_of(update_or_message)
        return self.push_update(copy.deepcopy(update), redelivery=True)

    def _update_of(self, obj: JSON) -> JSON:
        if "update_id" in obj:
            return obj
        key = (obj["chat"]["id"], obj["message_id"])
        uid = self._message_updates.get(key)
        if uid is None:
            raise KeyError(f"message {key} was not injected by this rig")
        return self._updates[uid]

    def _inject(
        self, key: str, payload: JSON, *, message_key: tuple[int, int] | None = None
    ) -> JSON:
        update = self.push_update({key: payload})
        self._updates[update["update_id"]] = update
        if message_key is not None:
            self._message_updates[message_key] = update["update_id"]
        return update

    def _date(self, date: int | datetime | None) -> int:
        if date is None:
            return self._now()
        if isinstance(date, datetime):
            return int(date.timestamp())
        return int(date)

    def _base_message(
        self,
        chat_id: int,
        user_id: int,
        *,
        chat_type: str,
        chat_title: str | None,
        first_name: Any,
        username: Any,
        reply_to: JSON | None,
        date: int | datetime | None,
    ) -> JSON:
        user = self.user(user_id, first_name=first_name, username=username)
        chat = self.chat(chat_id, chat_type=chat_type, title=chat_title)
        if chat["type"] == "private":
            chat = {k: v for k, v in chat.items() if k != "title"}
        msg: JSON = {
            "message_id": self._new_message_id(chat_id),
            "from": user,
            "chat": chat,
            "date": self._date(date),
        }
        if reply_to is not None:
            replied = self.message(reply_to["chat"]["id"], reply_to["message_id"]) or reply_to
            replied.pop("reply_to_message", None)
            msg["reply_to_message"] = replied
        if chat["type"] == "supergroup":
            msg["is_topic_message"] = False
        self.store.members.setdefault((chat_id, user_id), "member")
        return msg

    def user_text(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        chat_type: str = "private",
        chat_title: str | None = None,
        first_name: Any = _DEFAULT,
        username: Any = _DEFAULT,
        reply_to: JSON | None = None,
        entities: list[JSON] | None = None,
        date: int | datetime | None = None,
    ) -> JSON:
        """Queue a text message from a user; returns the Message dict.

        ``bot_command``/``mention``/``url``/``hashtag``/``email`` entities are detected
        automatically unless ``entities`` is given. ``reply_to`` is a message dict.
        """
        msg = self._base_message(
            chat_id,
            user_id,
            chat_type=chat_type,
            chat_title=chat_title,
            first_name=first_name,
            username=username,
            reply_to=reply_to,
            date=date,
        )
        msg["text"] = text
        ents = detect_entities(text) if entities is None else entities
        if ents:
            msg["entities"] = ents
        self.store.messages[(chat_id, msg["message_id"])] = msg
        self._inject("message", msg, message_key=(chat_id, msg["message_id"]))
        return copy.deepcopy(msg)

    def edit_text(self, original_message: JSON, new_text: str) -> JSON:
        """Queue an ``edited_message`` update for a user message; returns the update."""
        chat_id = original_message["chat"]["id"]
        current = self.store.messages.get((chat_id, original_message["message_id"]))
        msg = copy.deepcopy(current if current is not None else original_message)
        msg["text"] = new_text
        msg["edit_date"] = self._now()
        ents = detect_entities(new_text)
        if ents:
            msg["entities"] = ents
        else:
            msg.pop("entities", None)
        self.store.messages[(chat_id, msg["message_id"])] = copy.deepcopy(msg)
        return self._inject("edited_message", msg)

    def callback(
        self,
        chat_id: int,
        user_id: int,
        message: JSON,
        data: str,
        *,
        first_name: Any = _DEFAULT,
        username: Any = _DEFAULT,
    ) -> JSON:
        """Queue a ``callback_query`` update for a button on a message the bot sent;
        returns the update (its ``callback_query.id`` is what answerCallbackQuery gets)."""
        current = self.store.messages.get((chat_id, message["message_id"]))
        if current is None:
            raise KeyError(f"message {message['message_id']} in chat {chat_id} is unknown")
        query_id = str(4_000_000_000_000_000_000 + next(self._ids))
        query: JSON = {
            "id": query_id,
            "from": self.user(user_id, first_name=first_name, username=username),
            "message": copy.deepcopy(current),
            "chat_instance": str(-(7_000_000_000_000_000_000 + abs(chat_id))),
            "data": data,
        }
        self.store.callback_queries[query_id] = {"query": query, "answered": None}
        return self._inject("callback_query", query)

    def document(
        self,
        chat_id: int,
        user_id: int,
        filename: str,
        content_bytes: bytes,
        caption: str | None = None,
        *,
        chat_type: str = "private",
        chat_title: str | None = None,
        mime_type: str | None = None,
        reply_to: JSON | None = None,
        date: int | datetime | None = None,
    ) -> JSON:
        """Queue a document message (the file is downloadable via getFile); returns it."""
        stored = self.add_file(content_bytes, filename=filename, mime_type=mime_type)
        msg = self._base_message(
            chat_id,
            user_id,
            chat_type=chat_type,
            chat_title=chat_title,
            first_name=_DEFAULT,
            username=_DEFAULT,
            reply_to=reply_to,
            date=date,
        )
        msg["document"] = {
            "file_name": filename,
            "mime_type": stored.mime_type,
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(content_bytes),
        }
        if caption is not None:
            msg["caption"] = caption
            ents = detect_entities(caption)
            if ents:
                msg["caption_entities"] = ents
        self.store.messages[(chat_id, msg["message_id"])] = msg
        self._inject("message", msg, message_key=(chat_id, msg["message_id"]))
        return copy.deepcopy(msg)

    def photo(
        self,
        chat_id: int,
        user_id: int,
        content_bytes: bytes = TINY_PNG,
        caption: str | None = None,
        *,
        chat_type: str = "private",
        chat_title: str | None = None,
    ) -> JSON:
        """Queue a photo message from a user; returns it."""
        stored = self.add_file(content_bytes, kind="photos", mime_type="image/jpeg")
        msg = self._base_message(
            chat_id,
            user_id,
            chat_type=chat_type,
            chat_title=chat_title,
            first_name=_DEFAULT,
            username=_DEFAULT,
            reply_to=None,
            date=None,
        )
        msg["photo"] = [_photo_size(stored, len(content_bytes))]
        if caption is not None:
            msg["caption"] = caption
        self.store.messages[(chat_id, msg["message_id"])] = msg
        self._inject("message", msg, message_key=(chat_id, msg["message_id"]))
        return copy.deepcopy(msg)

    def my_chat_member(
        self,
        chat_id: int,
        title: str | None,
        user_id: int,
        old_status: str,
        new_status: str,
        chat_type: str = "group",
    ) -> JSON:
        """Queue a ``my_chat_member`` update (bot added/removed/promoted by ``user_id``)."""
        chat = self.chat(chat_id, chat_type=chat_type, title=title)
        if chat_type == "private":
            chat.pop("title", None)
        bot = dict(self.bot_user)
        self.store.members[(chat_id, bot["id"])] = new_status
        payload = {
            "chat": chat,
            "from": self.user(user_id),
            "date": self._now(),
            "old_chat_member": _chat_member(bot, old_status),
            "new_chat_member": _chat_member(bot, new_status),
        }
        return self._inject("my_chat_member", payload)

    def migrate(
        self, chat_id: int, new_chat_id: int, *, user_id: int | None = None, both: bool = True
    ) -> JSON:
        """Queue the group→supergroup migration service message (``migrate_to_chat_id`` in
        the old group; with ``both`` also ``migrate_from_chat_id`` in the new supergroup, as
        Telegram does). Afterwards sending to ``chat_id`` fails with ChatMigrated.
        Returns the ``migrate_to_chat_id`` message."""
        old = self.chat(chat_id, chat_type="group")
        uid = user_id if user_id is not None else next(iter(self.store.users), 1)
        msg = self._base_message(
            chat_id,
            uid,
            chat_type="group",
            chat_title=None,
            first_name=_DEFAULT,
            username=_DEFAULT,
            reply_to=None,
            date=None,
        )
        msg["migrate_to_chat_id"] = new_chat_id
        self.store.messages[(chat_id, msg["message_id"])] = msg
        self._inject("message", msg, message_key=(chat_id, msg["message_id"]))
        self.chat(new_chat_id, chat_type="supergroup", title=old.get("title"))
        self.store.migrated[chat_id] = new_chat_id
        bot_status = self.store.members.get((chat_id, self.bot_user["id"]))
        if bot_status:
            self.store.members[(new_chat_id, self.bot_user["id"])] = bot_status
        if both:
            msg2 = self._base_message(
                new_chat_id,
                uid,
                chat_type="supergroup",
                chat_title=None,
                first_name=_DEFAULT,
                username=_DEFAULT,
                reply_to=None,
                date=None,
            )
            msg2["migrate_from_chat_id"] = chat_id
            self.store.messages[(new_chat_id, msg2["message_id"])] = msg2
            self._inject("message", msg2, message_key=(new_chat_id, msg2["message_id"]))
        return copy.deepcopy(msg)

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        retry_after: int | float | None = 2,
        description: str | None = None,
        delay: float | None = None,
        times: int = 1,
        chat_id: int | str | None = None,
        parameters: JSON | None = None,
    ) -> Fault:
        """Make the next ``times`` calls of ``method`` ("*" = any) fail.

        * ``status=429`` (default unless only ``delay`` is given): flood control with
          ``parameters.retry_after`` → PTB raises ``RetryAfter``.
        * ``status=500``/``502``: server errors → ``NetworkError``.
        * ``status=403``: "Forbidden: bot was blocked by the user" → ``Forbidden``.
        * ``status=400`` with ``description``/``parameters`` (e.g. ``migrate_to_chat_id``).
        * ``delay=seconds``: hold the request that long before answering (client time-outs);
          combined with ``status`` the error is returned after the delay, otherwise the call
          is then processed normally.
        """
        if status is None and delay is None:
            status = 429
        fault = Fault(
            method=method,
            status=status,
            retry_after=retry_after if status == 429 else None,
            description=description,
            delay=delay,
            times=times,
            chat_id=chat_id,
            parameters=parameters,
        )
        self.faults.append(fault)
        return fault

    def offline(self, seconds: float, *, mode: str = "close") -> None:
        """For ``seconds``, answer every request by closing the connection (``mode="close"``
        → httpx RemoteProtocolError → PTB ``NetworkError``) or with ``502 Bad Gateway``."""
        if mode not in ("close", "502"):
            raise ValueError("mode must be 'close' or '502'")
        self._offline_until = self._loop_time() + seconds
        self._offline_mode = mode
        self._notify_updates()

    @property
    def is_offline(self) -> bool:
        return self._loop_time() < self._offline_until

    def clear_faults(self) -> None:
        self.faults.clear()
        self._offline_until = 0.0

    def _take_fault(self, method: str, params: JSON) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, params):
                fault.times -= 1
                fault.hits += 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    # ------------------------------------------------------------------ waiting helpers

    async def _wait_until(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            assert self._changed is not None, "FakeBotApi is not started"
            event = self._changed
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"timed out after {timeout}s waiting for {what}; "
                    f"calls so far:\n{self.describe_calls()}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def find_calls(
        self,
        method: str | Iterable[str] | None = None,
        *,
        since: int | Call | None = None,
        ok: bool | None = None,
        include_pending: bool = False,
        **params: Any,
    ) -> list[Call]:
        """Answered calls (plus in-flight ones with ``include_pending``) filtered by method
        name(s), position (``since``: index into ``calls`` or a Call) and parameter values."""
        methods = {method} if isinstance(method, str) else set(method) if method else None
        start = since.seq + 1 if isinstance(since, Call) else (since or 0)
        out = []
        for call in self.calls[start:]:
            if methods is not None and call.method not in methods:
                continue
            if not call.done and not include_pending:
                continue
            if ok is not None and call.ok != ok:
                continue
            if all(_same(call.params.get(k), v) for k, v in params.items()):
                out.append(call)
        return out

    async def wait_for(
        self,
        method: str | Iterable[str] | None = None,
        *,
        count: int = 1,
        timeout: float = 5,
        since: int | Call | None = None,
        ok: bool | None = None,
        include_pending: bool = False,
        **params: Any,
    ) -> list[Call]:
        """Wait until at least ``count`` matching calls were answered (or merely received,
        with ``include_pending``); return all matches. Raises TimeoutError listing the calls."""

        def ready() -> list[Call] | None:
            found = self.find_calls(
                method, since=since, ok=ok, include_pending=include_pending, **params
            )
            return found if len(found) >= count else None

        return await self._wait_until(
            ready, timeout, f"{count} x {method or 'any'} {params or ''}".strip()
        )

    async def reply_to(
        self,
        update_or_message: JSON,
        *,
        count: int = 1,
        timeout: float = 5,
        methods: Iterable[str] = ("sendMessage", "sendPhoto", "sendDocument"),
    ) -> list[JSON]:
        """Wait for ``count`` messages the bot sent (successfully) to the chat of the given
        injected update/message after it was injected; returns their Message dicts."""
        update = self._update_of(update_or_message)
        chat_id = _chat_of_update(update)
        since = self._injected_at.get(update["update_id"], 0)
        calls = await self.wait_for(
            tuple(methods), count=count, timeout=timeout, since=since, ok=True, chat_id=chat_id
        )
        return [copy.deepcopy(c.result) for c in calls]

    async def idle(self, *, quiet: float = 0.2, timeout: float = 5) -> None:
        """Wait until every queued update was fetched and confirmed and the bot has made no
        call (other than getUpdates) for ``quiet`` seconds — for asserting that something
        did NOT happen (e.g. a redelivered update was not answered twice)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = loop.time()
            idle_for = now - self._last_activity
            if not self._queue and idle_for >= quiet:
                return
            if now >= deadline:
                raise TimeoutError(
                    f"bot not idle after {timeout}s (queued updates: {len(self._queue)})"
                )
            await asyncio.sleep(min(max(quiet - idle_for, 0.01), 0.05))

    # ------------------------------------------------------------------ query helpers

    def sent_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[JSON]:
        """Current state (after edits) of every message the bot sent to ``chat_id``."""
        out = []
        for call in self.find_calls(_SEND_METHODS, ok=True):
            msg = call.result
            if not _same(msg["chat"]["id"], chat_id):
                continue
            key = (msg["chat"]["id"], msg["message_id"])
            if key in self.store.deleted and not include_deleted:
                continue
            out.append(copy.deepcopy(self.store.messages.get(key, msg)))
        return out

    def texts(self, chat_id: int) -> list[str]:
        """Text (or caption) of every message the bot sent to ``chat_id``."""
        return [m.get("text", m.get("caption", "")) for m in self.sent_messages(chat_id)]

    def _sent_files(self, method: str, field_name: str, chat_id: int | None) -> list[SentFile]:
        out = []
        for call in self.find_calls(method, ok=True):
            if chat_id is not None and not _same(call.params.get("chat_id"), chat_id):
                continue
            upload = call.files.get(field_name)
            msg = call.result
            if upload is not None:
                filename, content, mime = upload.filename, upload.content, upload.content_type
            else:
                stored = self.store.files.get(str(call.params.get(field_name)))
                filename = stored.filename if stored else None
                content = stored.content if stored else b""
                mime = stored.mime_type if stored else None
            out.append(
                SentFile(
                    chat_id=msg["chat"]["id"],
                    filename=filename,
                    content=content,
                    caption=call.params.get("caption"),
                    mime_type=mime,
                    reply_markup=call.params.get("reply_markup"),
                    message=copy.deepcopy(msg),
                    call=call,
                )
            )
        return out

    def sent_documents(self, chat_id: int | None = None) -> list[SentFile]:
        return self._sent_files("sendDocument", "document", chat_id)

    def sent_photos(self, chat_id: int | None = None) -> list[SentFile]:
        return self._sent_files("sendPhoto", "photo", chat_id)

    def describe_calls(self, last: int = 30) -> str:
        lines = []
        for c in self.calls[-last:]:
            params = {k: v for k, v in c.params.items() if k not in ("timeout",)}
            if not c.done:
                status = "(pending)"
            elif c.ok:
                status = "ok"
            else:
                status = f"{c.status} {c.error and c.error.get('description')}"
            lines.append(f"  #{c.seq} {c.method} {params} -> {status}")
        return "\n".join(lines) or "  (none)"

    # ------------------------------------------------------------------ HTTP layer

    async def _decode(self, request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
        params: JSON = {}
        files: dict[str, UploadedFile] = {}
        for key, value in request.query.items():
            params[key] = _decode_value(key, value)
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.json()
                if isinstance(body, dict):  # as the Bot API: a string is the parameter's text
                    for key, value in body.items():
                        params[key] = _decode_value(key, value) if isinstance(value, str) else value
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = UploadedFile(
                            field=key,
                            filename=value.filename,
                            content_type=value.content_type,
                            content=value.file.read(),
                        )
                    elif isinstance(value, str):
                        params[key] = _decode_value(key, value)
        return params, files

    def _record(self, method: str, params: JSON, files: dict[str, UploadedFile]) -> Call:
        call = Call(seq=len(self.calls), method=method, params=params, files=files, at=self.clock())
        self.calls.append(call)
        if method != "getUpdates":
            self._last_activity = self._loop_time()
        self._notify()
        return call

    async def _drop_connection(self, request: web.Request) -> web.StreamResponse:
        if self._offline_mode == "502":
            return web.json_response(
                {"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502
            )
        transport = request.transport
        if transport is not None:
            transport.close()
        raise asyncio.CancelledError  # aiohttp drops the (already closed) connection

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        if self.is_offline:
            return await self._drop_connection(request)
        raw_method = request.match_info["method"]
        method = _CANONICAL.get(raw_method.lower(), raw_method)
        params, files = await self._decode(request)
        call = self._record(method, params, files)
        if request.match_info["token"] != self.token:
            return self._finish(call, _ApiError(401, "Unauthorized"))
        fault = self._take_fault(method, params)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.status is not None:
            return self._finish(call, _fault_error(fault))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._finish(call, _ApiError(404, "Not Found"))
        try:
            result = await handler(params, files)
        except _ApiError as exc:
            return self._finish(call, exc)
        if self.is_offline:  # went offline while a long poll was pending
            return await self._drop_connection(request)
        return self._finish(call, result)

    def _finish(self, call: Call, outcome: Any) -> web.Response:
        if isinstance(outcome, _ApiError):
            call.status = outcome.status
            call.error = outcome.body()
            body: JSON = call.error
        else:
            call.result = outcome
            body = {"ok": True, "result": outcome}
        call.done = True
        if call.method != "getUpdates":
            self._last_activity = self._loop_time()
        self._notify()
        return web.json_response(body, status=call.status, dumps=_dumps)

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        if self.is_offline:
            return await self._drop_connection(request)
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        path = request.match_info["path"]
        for stored in self.store.files.values():
            if stored.file_path == path:
                return web.Response(
                    body=stored.content,
                    content_type=stored.mime_type or "application/octet-stream",
                )
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    # ------------------------------------------------------------------ chat access rules

    def _target_chat(self, params: JSON) -> JSON:
        raw = params.get("chat_id")
        if raw is None:
            raise _bad_request("chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise _bad_request("chat not found") from None
        if chat_id in self.store.migrated:
            raise _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.store.migrated[chat_id]},
            )
        if chat_id not in self.store.chats and self.strict_chats:
            raise _bad_request("chat not found")
        chat = self.chat(chat_id)
        status = self.store.members.get((chat_id, self.bot_user["id"]))
        if status in ("kicked", "left"):
            if chat["type"] == "private":
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            kind = "supergroup" if chat["type"] == "supergroup" else "group"
            what = "kicked from" if status == "kicked" else "not a member of"
            raise _ApiError(403, f"Forbidden: bot was {what} the {kind} chat")
        return chat

    def _bot_message(self, chat: JSON, params: JSON) -> JSON:
        msg: JSON = {
            "message_id": self._new_message_id(chat["id"]),
            "from": dict(self.bot_user),
            "chat": chat,
            "date": self._now(),
        }
        reply_id = params.get("reply_to_message_id")
        reply_params = params.get("reply_parameters")
        if isinstance(reply_params, dict):
            reply_id = reply_params.get("message_id", reply_id)
        if reply_id is not None:
            replied = self.store.messages.get((chat["id"], int(reply_id)))
            if replied is not None:
                replied = copy.deepcopy(replied)
                replied.pop("reply_to_message", None)
                msg["reply_to_message"] = replied
            elif not (
                isinstance(reply_params, dict) and reply_params.get("allow_sending_without_reply")
            ):
                raise _bad_request("message to be replied not found")
        if chat["type"] == "supergroup":
            msg["is_topic_message"] = False
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            msg["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        return msg

    def _store_sent(self, msg: JSON) -> JSON:
        self.store.messages[(msg["chat"]["id"], msg["message_id"])] = msg
        return copy.deepcopy(msg)

    def _formatted(self, params: JSON, key: str, limit: int) -> tuple[str, list[JSON]]:
        text = params.get(key)
        if text is None or text == "":
            return "", []
        text = str(text)
        try:
            plain, entities = render(text, params.get("parse_mode"))
        except ParseError as exc:
            raise _bad_request(f"can't parse entities: {exc}") from None
        if key == "text" and not plain.strip():
            raise _bad_request("message text is empty")
        if utf16_len(plain) > limit:
            raise _bad_request(
                "message is too long" if key == "text" else "message caption is too long"
            )
        explicit = params.get(f"{'caption_' if key == 'caption' else ''}entities")
        if isinstance(explicit, list):
            entities = explicit
        if not entities:
            entities = [e for e in detect_entities(plain) if e["type"] != "bot_command"]
        return plain, entities

    def _editable(self, params: JSON) -> JSON:
        if params.get("inline_message_id"):
            raise _bad_request("inline messages are not supported by the fake Bot API")
        chat = self._target_chat(params)
        try:
            key = (chat["id"], int(params.get("message_id")))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _bad_request("message identifier is not specified") from None
        msg = self.store.messages.get(key)
        if msg is None or key in self.store.deleted:
            raise _bad_request("message to edit not found")
        if msg["from"]["id"] != self.bot_user["id"]:
            raise _bad_request("message can't be edited")
        return msg

    # ------------------------------------------------------------------ Bot API methods
    # Each `_m_<method>(params, files)` returns the JSON `result` or raises _ApiError.

    async def _m_getMe(self, params: JSON, files: Any) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_logOut(self, params: JSON, files: Any) -> bool:
        return True

    async def _m_close(self, params: JSON, files: Any) -> bool:
        return True

    async def _m_deleteWebhook(self, params: JSON, files: Any) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._queue.clear()
            self._notify_updates()
        return True

    async def _m_setWebhook(self, params: JSON, files: Any) -> bool:
        url = params.get("url") or ""
        if url and not str(url).startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = str(url)
        if params.get("drop_pending_updates"):
            self._queue.clear()
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"] or None
        self._notify_updates()
        return True

    async def _m_getWebhookInfo(self, params: JSON, files: Any) -> JSON:
        info: JSON = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            info["ip_address"] = "127.0.0.1"
        return info

    def _deliverable(self, update: JSON) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self.allowed_updates is None:
            return kind not in _UPDATE_TYPES_DEFAULT_EXCLUDED
        return kind in self.allowed_updates

    async def _m_getUpdates(self, params: JSON, files: Any) -> list[JSON]:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        # Like Telegram, a new getUpdates terminates an older pending one (which gets 409).
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify_updates()
        offset = params.get("offset")
        limit = max(1, min(int(params.get("limit") or 100), 100))
        timeout = float(params.get("timeout") or 0)
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"] or None
        if offset is not None:
            offset = int(offset)
            if offset < 0:
                keep = self._queue[offset:]
                self._queue = [q for q in self._queue if q in keep or q.forced]
            else:
                before = len(self._queue)
                self._queue = [
                    q for q in self._queue if q.update["update_id"] >= offset or q.forced
                ]
                if len(self._queue) != before:
                    self._last_activity = self._loop_time()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._getupdates_inflight += 1
        batch: list[_Queued] = []
        try:
            while True:
                self._queue = [q for q in self._queue if self._deliverable(q.update)]
                batch = self._queue[:limit]
                remaining = deadline - loop.time()
                closing = self._closing is not None and self._closing.is_set()
                if generation != self._poll_generation:
                    raise _ApiError(409, BOT_API_ERRORS[409])
                if batch or remaining <= 0 or closing or self.is_offline:
                    break
                assert self._updates_changed is not None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._updates_changed.wait(), remaining)
        finally:
            self._getupdates_inflight -= 1
        for q in batch:
            if q.forced:
                self._queue.remove(q)
        if batch:
            self._last_activity = self._loop_time()
        return [copy.deepcopy(q.update) for q in batch]

    async def _m_setMyCommands(self, params: JSON, files: Any) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("commands must be a list")
        for cmd in commands:
            name = str(cmd.get("command", ""))
            if (
                not (1 <= len(name) <= 32)
                or not name.replace("_", "").isalnum()
                or (name.lower() != name)
            ):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not (1 <= len(str(cmd.get("description", ""))) <= 256):
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.store.commands[_scope_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _m_getMyCommands(self, params: JSON, files: Any) -> list[JSON]:
        return copy.deepcopy(self.store.commands.get(_scope_key(params), []))

    async def _m_deleteMyCommands(self, params: JSON, files: Any) -> bool:
        self.store.commands.pop(_scope_key(params), None)
        return True

    async def _m_sendMessage(self, params: JSON, files: Any) -> JSON:
        chat = self._target_chat(params)
        text, entities = self._formatted(params, "text", 4096)
        if not text:
            raise _bad_request("message text is empty")
        msg = self._bot_message(chat, params)
        msg["text"] = text
        if entities:
            msg["entities"] = entities
        lpo = params.get("link_preview_options")
        if isinstance(lpo, dict) and lpo:
            msg["link_preview_options"] = lpo
        return self._store_sent(msg)

    def _input_file(
        self, params: JSON, files: dict[str, UploadedFile], field_name: str, kind: str
    ) -> tuple[StoredFile, int]:
        upload = files.get(field_name)
        value = params.get(field_name)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        if upload is not None:
            stored = self.add_file(
                upload.content, filename=upload.filename, mime_type=upload.content_type, kind=kind
            )
            return stored, len(upload.content)
        if isinstance(value, str) and value in self.store.files:
            stored = self.store.files[value]
            return stored, len(stored.content)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            stored = self.add_file(b"", filename=value.rsplit("/", 1)[-1], kind=kind)
            return stored, 0
        raise _bad_request("wrong file identifier/HTTP URL specified")

    async def _m_sendPhoto(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat = self._target_chat(params)
        caption, entities = self._formatted(params, "caption", 1024)
        stored, size = self._input_file(params, files, "photo", "photos")
        if size == 0 and "photo" in files:
            raise _bad_request("IMAGE_PROCESS_FAILED")
        msg = self._bot_message(chat, params)
        msg["photo"] = [_photo_size(stored, size)]
        if caption:
            msg["caption"] = caption
            if entities:
                msg["caption_entities"] = entities
        return self._store_sent(msg)

    async def _m_sendDocument(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat = self._target_chat(params)
        caption, entities = self._formatted(params, "caption", 1024)
        stored, size = self._input_file(params, files, "document", "documents")
        if size == 0 and "document" in files:
            raise _bad_request("file must be non-empty")
        msg = self._bot_message(chat, params)
        doc: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": size,
        }
        if stored.filename:
            doc["file_name"] = stored.filename
        if stored.mime_type:
            doc["mime_type"] = stored.mime_type
        msg["document"] = doc
        if caption:
            msg["caption"] = caption
            if entities:
                msg["caption_entities"] = entities
        return self._store_sent(msg)

    async def _m_editMessageText(self, params: JSON, files: Any) -> JSON:
        msg = self._editable(params)
        if "text" not in msg:
            raise _bad_request("there is no text in the message to edit")
        text, entities = self._formatted(params, "text", 4096)
        if not text:
            raise _bad_request("message text is empty")
        markup = params.get("reply_markup")
        new_markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if (
            text == msg.get("text")
            and entities == msg.get("entities", [])
            and new_markup == msg.get("reply_markup")
        ):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        msg["text"] = text
        _set_or_pop(msg, "entities", entities)
        _set_or_pop(msg, "reply_markup", new_markup)
        msg["edit_date"] = self._now()
        return copy.deepcopy(msg)

    async def _m_editMessageCaption(self, params: JSON, files: Any) -> JSON:
        msg = self._editable(params)
        if not any(k in msg for k in ("photo", "document", "video", "audio", "animation")):
            raise _bad_request("there is no caption in the message to edit")
        caption, entities = self._formatted(params, "caption", 1024)
        markup = params.get("reply_markup")
        new_markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if (
            caption == msg.get("caption", "")
            and entities == msg.get("caption_entities", [])
            and new_markup == msg.get("reply_markup")
        ):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        _set_or_pop(msg, "caption", caption)
        _set_or_pop(msg, "caption_entities", entities)
        _set_or_pop(msg, "reply_markup", new_markup)
        msg["edit_date"] = self._now()
        return copy.deepcopy(msg)

    async def _m_editMessageReplyMarkup(self, params: JSON, files: Any) -> JSON:
        msg = self._editable(params)
        markup = params.get("reply_markup")
        new_markup = markup if isinstance(markup, dict) and markup.get("inline_keyboard") else None
        if new_markup == msg.get("reply_markup"):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        _set_or_pop(msg, "reply_markup", new_markup)
        msg["edit_date"] = self._now()
        return copy.deepcopy(msg)

    async def _m_deleteMessage(self, params: JSON, files: Any) -> bool:
        chat = self._target_chat(params)
        key = (chat["id"], int(params.get("message_id") or 0))
        if key not in self.store.messages or key in self.store.deleted:
            raise _bad_request("message to delete not found")
        self.store.deleted.add(key)
        return True

    async def _m_sendChatAction(self, params: JSON, files: Any) -> bool:
        self._target_chat(params)
        return True

    async def _m_answerCallbackQuery(self, params: JSON, files: Any) -> bool:
        query_id = str(params.get("callback_query_id"))
        entry = self.store.callback_queries.get(query_id)
        if entry is None:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        entry["answered"] = params
        return True

    async def _m_getFile(self, params: JSON, files: Any) -> JSON:
        stored = self.store.files.get(str(params.get("file_id")))
        if stored is None:
            raise _bad_request("invalid file_id")
        if len(stored.content) > 20 * 1024 * 1024:
            raise _bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    async def _m_getChat(self, params: JSON, files: Any) -> JSON:
        raw = params.get("chat_id")
        try:
            chat_id = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _bad_request("chat not found") from None
        if chat_id not in self.store.chats and self.strict_chats:
            raise _bad_request("chat not found")
        chat = self.chat(chat_id)
        info: JSON = {
            **chat,
            "accent_color_id": chat_id % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat["type"] != "private":
            info["permissions"] = {"can_send_messages": True, "can_invite_users": True}
        return info

    async def _m_getChatMember(self, params: JSON, files: Any) -> JSON:
        chat = self.chat(int(params.get("chat_id") or 0))
        user_id = int(params.get("user_id") or 0)
        if user_id == self.bot_user["id"]:
            user = dict(self.bot_user)
        elif user_id in self.store.users:
            user = self.user(user_id)
        else:
            raise _bad_request("PARTICIPANT_ID_INVALID")
        default = "member"
        status = self.store.members.get((chat["id"], user_id), default)
        return _chat_member(user, status)

    async def _m_leaveChat(self, params: JSON, files: Any) -> bool:
        chat = self._target_chat(params)
        if chat["type"] == "private":
            raise _bad_request("chat member status can't be changed in private chats")
        self.store.members[(chat["id"], self.bot_user["id"])] = "left"
        return True

    async def _m_setMessageReaction(self, params: JSON, files: Any) -> bool:
        chat = self._target_chat(params)
        key = (chat["id"], int(params.get("message_id") or 0))
        msg = self.store.messages.get(key)
        if msg is None or key in self.store.deleted:
            raise _bad_request("message to react not found")
        msg.setdefault("_reactions", [])
        msg["_reactions"] = params.get("reaction") or []
        return True


# ---------------------------------------------------------------------- module helpers

_CANONICAL = {
    name.removeprefix("_m_").lower(): name.removeprefix("_m_")
    for name in dir(FakeBotApi)
    if name.startswith("_m_")
}


def _dumps(obj: Any) -> str:
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if not k.startswith("_")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return json.dumps(strip(obj), ensure_ascii=False)


def _decode_value(key: str, value: str) -> Any:
    """Undo PTB's form encoding: non-string values are JSON-encoded, strings are raw."""
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _same(a: Any, b: Any) -> bool:
    return a == b or (a is not None and b is not None and str(a) == str(b))


def _set_or_pop(obj: JSON, key: str, value: Any) -> None:
    if value:
        obj[key] = value
    else:
        obj.pop(key, None)


def _scope_key(params: JSON) -> str:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)


def _chat_of_update(update: JSON) -> int:
    for key, payload in update.items():
        if key == "update_id" or not isinstance(payload, dict):
            continue
        if "chat" in payload:
            return payload["chat"]["id"]
        if "message" in payload:
            return payload["message"]["chat"]["id"]
        if "from" in payload:
            return payload["from"]["id"]
    raise ValueError(f"cannot tell the chat of {update!r}")


def _photo_size(stored: StoredFile, size: int) -> JSON:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": size,
        "width": 1,
        "height": 1,
    }


def _fault_error(fault: Fault) -> _ApiError:
    status = fault.status or 500
    parameters = dict(fault.parameters or {})
    if status == 429:
        retry_after = fault.retry_after if fault.retry_after is not None else 2
        parameters["retry_after"] = retry_after
        description = fault.description or f"Too Many Requests: retry after {retry_after}"
    else:
        description = fault.description or BOT_API_ERRORS.get(status, "Error")
        if status == 400 and not description.startswith("Bad Request"):
            description = f"Bad Request: {description}"
    return _ApiError(status, description, parameters or None)


def _chat_member(user: JSON, status: str) -> JSON:
    """``ChatMember`` JSON with the fields PTB requires for each status."""
    member: JSON = {"status": status, "user": dict(user)}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
        )
    elif status == "restricted":
        member.update(
            is_member=True,
            can_send_messages=False,
            can_send_audios=False,
            can_send_documents=False,
            can_send_photos=False,
            can_send_videos=False,
            can_send_video_notes=False,
            can_send_voice_notes=False,
            can_send_polls=False,
            can_send_other_messages=False,
            can_add_web_page_previews=False,
            can_change_info=False,
            can_invite_users=False,
            can_pin_messages=False,
            can_manage_topics=False,
            until_date=0,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member
