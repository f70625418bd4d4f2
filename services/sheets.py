"""Importing a forwarded spreadsheet: read it safely, preview it, store it on [Nhập] only.

Files are read with openpyxl (read_only, data_only: formulas are not evaluated and macros never
run) or the csv module. Limits guard the bot: the upload size, the uncompressed size of the
.xlsx parts (a zip bomb is refused before openpyxl opens it), rows and columns. The preview
lives in `pending_actions` (a restart does not lose it); [Nhập] stores every valid row in one
transaction with the file recorded in `imports`; [Hủy] stores nothing.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from domain import sheets as dsheets
from domain.sheets import Cell, Parsed, Preview, Stored
from services.access import IMPORT, Actor, require
from services.context import Env
from store import pending as pending_store
from store import sheets as store
from store.figures import insert_figures, latest_as_of
from store.pending import Pending
from store.people import record_audit
from store.updates import claim_update

MAX_UPLOAD_BYTES = 5_000_000  # default when Env carries no max_upload_bytes (settings)
MAX_ROWS = 5_000
MAX_COLUMNS = 60
MAX_SHEETS = 10
MAX_UNZIPPED_BYTES = 60_000_000  # all parts of an .xlsx, uncompressed
MAX_ZIP_RATIO = 150  # a part that inflates more than this (and is large) is a bomb
PENDING_KIND = "sheet_import"
PENDING_TTL = timedelta(hours=24)
CHUNK_ROWS = 250  # figures inserted per statement; progress is reported after each chunk
ASK_INDICATORS = 10

Progress = Callable[[int, int], Awaitable[None]]


class SheetError(Exception):
    """reason: not_spreadsheet | broken | too_big | too_many_rows | zip_bomb | empty"""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Sheet:
    title: str
    grid: list[list[Cell]]


# --- reading files ---------------------------------------------------------------------------


def read_book(
    data: bytes, filename: str, *, max_bytes: int = MAX_UPLOAD_BYTES, max_rows: int = MAX_ROWS
) -> list[Sheet]:
    """The sheets of an .xlsx or .csv file as grids of plain values (blocking: run it in an
    executor). Raises SheetError with a reason the user can be told."""
    if len(data) > max_bytes:
        raise SheetError("too_big")
    if not data.strip():
        raise SheetError("empty")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, max_rows)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")) or data[:4] == b"\xd0\xcf\x11\xe0":
        raise SheetError("broken" if filename.lower().endswith(".xlsx") else "not_spreadsheet")
    return [Sheet(filename, _read_csv(data, max_rows))]


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SheetError("broken") from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise SheetError("not_spreadsheet")  # a .docx or another zip renamed .xlsx
    if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
        raise SheetError("zip_bomb")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1_000_000 and ratio > MAX_ZIP_RATIO:
            raise SheetError("zip_bomb")


def _read_xlsx(data: bytes, max_rows: int) -> list[Sheet]:
    _check_zip(data)
    import openpyxl  # imported here: only the import path needs it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise SheetError("broken") from None
    try:
        return [Sheet(ws.title, _sheet_grid(ws, max_rows)) for ws in book.worksheets[:MAX_SHEETS]]
    except SheetError:
        raise
    except Exception:
        raise SheetError("broken") from None
    finally:
        book.close()


def _sheet_grid(ws: Any, max_rows: int) -> list[list[Cell]]:
    declared = getattr(ws, "max_row", None)
    if isinstance(declared, int) and declared > 4 * max_rows + dsheets.HEADER_SCAN_ROWS:
        raise SheetError("too_many_rows")  # the sheet says so itself: do not read it
    grid: list[list[Cell]] = []
    filled = 0
    for read, row in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True)):
        if read > 4 * max_rows + dsheets.HEADER_SCAN_ROWS:
            raise SheetError("too_many_rows")
        cells = [_plain(v) for v in row]
        while cells and cells[-1] is None:  # max_col pads every row to MAX_COLUMNS
            cells.pop()
        if any(c is not None for c in cells):
            filled += 1
            if filled > max_rows + dsheets.HEADER_SCAN_ROWS:
                raise SheetError("too_many_rows")
        grid.append(cells)
    while grid and not grid[-1]:
        grid.pop()
    return grid


def _plain(value: object) -> Cell:
    """A cell as JSON-safe data: dates as ISO strings, text NFC."""
    if isinstance(value, bool):
        return str(value)
    if value is None or isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise SheetError("not_spreadsheet")  # binary, or UTF-16 which no export here uses
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 maps almost every byte
        raise SheetError("not_spreadsheet")
    controls = sum(
        1 for ch in text[:4096] if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t"
    )
    if controls > 8:
        raise SheetError("not_spreadsheet")
    return unicodedata.normalize("NFC", text)


def _read_csv(data: bytes, max_rows: int) -> list[list[Cell]]:
    text = _decode(data)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        first = sample.split("\n", 1)[0]
        dialect = "excel" if first.count(",") >= first.count(";") else _Semicolon
    grid: list[list[Cell]] = []
    for row in csv.reader(io.StringIO(text), dialect):
        if len(grid) > max_rows + dsheets.HEADER_SCAN_ROWS:
            raise SheetError("too_many_rows")
        grid.append([(c.strip() or None) for c in row[:MAX_COLUMNS]])
    if not any(any(c for c in row) for row in grid):
        raise SheetError("empty")
    return grid


class _Semicolon(csv.excel):
    delimiter = ";"


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetReply:
    """What the handler renders.

    status: error | denied | handoff | ask_indicator | ask_date | preview | done | cancelled |
    gone (expired, finished or another person's) | duplicate (the update was seen before).
    """

    status: str
    pending_id: str = ""
    reason: str = ""  # SheetError reason, or the Denied text key
    filename: str = ""
    preview: Preview | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for the ask buttons
    imported: int = 0
    import_id: int | None = None


def max_upload_bytes(env: Env) -> int:
    """The upload limit: the MAX_UPLOAD_BYTES setting."""
    return env.max_upload_bytes if env.max_upload_bytes > 0 else MAX_UPLOAD_BYTES


def too_big(env: Env, size: int | None) -> bool:
    """Refuse before downloading: Telegram tells the size of a document."""
    return size is not None and size > max_upload_bytes(env)


async def receive(
    env: Env,
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    caption: str = "",
    chat_id: int = 0,
    update_id: int | None = None,
) -> SheetReply:
    """A forwarded file: read it, find its header, keep it pending, and preview or ask."""
    denied = require(actor, IMPORT)
    if denied:
        return SheetReply("denied", reason=denied.text_key, filename=filename)
    loop = asyncio.get_running_loop()
    try:
        book = await loop.run_in_executor(
            None, lambda: read_book(data, filename, max_bytes=max_upload_bytes(env))
        )
    except SheetError as exc:
        return SheetReply("error", reason=exc.reason, filename=filename)
    chosen = _choose_sheet(env, book)
    if isinstance(chosen, str):
        return SheetReply(chosen if chosen == "handoff" else "error", reason=chosen,
                          filename=filename)  # fmt: skip
    sheet, header = chosen
    payload = _initial_payload(env, sheet, header, filename, caption, data)
    async with env.db.write() as conn:
        if not await claim_update(conn, update_id, env.clock.now()):
            return SheetReply("duplicate", filename=filename)
        pending_id = await pending_store.create(
            conn, kind=PENDING_KIND, user_id=actor.user_id, chat_id=chat_id, payload=payload,
            now=env.clock.now(), ttl=PENDING_TTL,
        )  # fmt: skip
        return await _evaluate(env, actor, conn, pending_id, payload)


def _choose_sheet(env: Env, book: Sequence[Sheet]) -> tuple[Sheet, dsheets.Header] | str:
    """The first sheet with a figures header; 'handoff' for a plan's task table."""
    for index, sheet in enumerate(book):
        if index == 0 and dsheets.looks_like_plan_table(sheet.grid):
            return "handoff"
        header = dsheets.find_header(sheet.grid, env.indicators)
        if header is not None and header.groups:
            return sheet, header
    return "no_header"


def _initial_payload(
    env: Env,
    sheet: Sheet,
    header: dsheets.Header,
    filename: str,
    caption: str,
    data: bytes,
) -> dict[str, Any]:
    today = env.clock.today()
    name = dsheets.clean_filename(filename)
    texts = [caption, name, *header.title_lines, sheet.title]
    named = dsheets.indicators_in(texts, env.indicators)
    as_of = dsheets.date_in([caption, name, *header.title_lines], today)
    return {
        "filename": filename,
        "sha256": hashlib.sha256(data).hexdigest(),
        "sheet": sheet.title,
        "grid": sheet.grid,
        "indicator": named[0] if len(named) == 1 else None,
        "named": named if len(named) > 1 else [],
        "as_of": as_of.isoformat() if as_of and as_of <= today else None,
    }


def _context(env: Env, actor: Actor, payload: dict[str, Any]) -> dsheets.Context:
    as_of = payload.get("as_of")
    return dsheets.Context(
        units=env.units,
        indicators=env.indicators,
        today=env.clock.today(),
        indicator_hint=payload.get("indicator"),
        as_of_hint=date.fromisoformat(as_of) if as_of else None,
        allowed=None if actor.is_leader else frozenset(actor.unit_codes),
        skip_units=frozenset({env.catalogue.province.code}),
    )


def _parse(env: Env, actor: Actor, payload: dict[str, Any]) -> Parsed | None:
    grid = payload["grid"]
    header = dsheets.find_header(grid, env.indicators)
    if header is None:
        return None
    return dsheets.parse_sheet(grid, header, _context(env, actor, payload))


async def _stored(env: Env, conn: AsyncConnection, parsed: Parsed) -> list[Stored]:
    if not parsed.rows:
        return []
    ids = env.ids
    indicator_ids = {ids.indicator_id[c] for c in parsed.indicators if c in ids.indicator_id}
    unit_ids = {ids.unit_id[r.unit] for r in parsed.rows}
    day = max(r.as_of for r in parsed.rows)
    rows = await latest_as_of(conn, indicator_ids, day, unit_ids)
    return [
        Stored(
            ids.unit_code[r.unit_id],
            ids.indicator_code[r.indicator_id],
            r.numerator,
            r.denominator,
            r.as_of,
        )
        for r in rows
    ]


async def _evaluate(
    env: Env, actor: Actor, conn: AsyncConnection, pending_id: str, payload: dict[str, Any]
) -> SheetReply:
    filename = payload["filename"]
    parsed = _parse(env, actor, payload)
    if parsed is None:
        return SheetReply("error", reason="no_header", filename=filename)
    if "indicator" in parsed.needs:
        return SheetReply("ask_indicator", pending_id, filename=filename,
                          choices=_indicator_choices(env, payload))  # fmt: skip
    if "as_of" in parsed.needs:
        return SheetReply("ask_date", pending_id, filename=filename, choices=_date_choices(env))
    result = dsheets.preview(parsed, await _stored(env, conn, parsed))
    return SheetReply("preview", pending_id, filename=filename, preview=result)


def _indicator_choices(env: Env, payload: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    named = [c for c in payload.get("named", []) if env.catalogue.find_indicator(c)]
    if named:
        chosen = [env.catalogue.indicator(c) for c in named]
    else:
        chosen = [
            i for i in env.catalogue.indicators
            if i.kind == "ratio" and env.catalogue.is_commune_indicator(i)
        ][:ASK_INDICATORS]  # fmt: skip
    return tuple((i.code, i.short) for i in chosen)


def _date_choices(env: Env) -> tuple[tuple[str, str], ...]:
    today = env.clock.today()
    month_end = today.replace(day=1) - timedelta(days=1)
    days = dict.fromkeys([today, today - timedelta(days=1), month_end])
    return tuple((d.isoformat(), d.strftime("%d/%m/%Y")) for d in days)


# --- the buttons ---------------------------------------------------------------------------


async def _open_pending(
    env: Env, actor: Actor, conn: AsyncConnection, pending_id: str
) -> Pending | None:
    return await pending_store.get(
        conn, pending_id, now=env.clock.now(), kind=PENDING_KIND, user_id=actor.user_id
    )


async def choose(env: Env, actor: Actor, pending_id: str, field: str, value: str) -> SheetReply:
    """The user answered a question: which indicator ('indicator') or which day ('as_of')."""
    async with env.db.write() as conn:
        pending = await _open_pending(env, actor, conn, pending_id)
        if pending is None:
            return SheetReply("gone")
        payload = dict(pending.payload)
        if field == "indicator" and env.catalogue.find_indicator(value):
            payload["indicator"], payload["named"] = value, []
        elif field == "as_of":
            try:
                day = date.fromisoformat(value)
            except ValueError:
                return SheetReply("gone")
            payload["as_of"] = min(day, env.clock.today()).isoformat()
        await pending_store.update_payload(conn, pending_id, payload)
        return await _evaluate(env, actor, conn, pending_id, payload)


async def cancel(env: Env, actor: Actor, pending_id: str) -> SheetReply:
    """[Hủy]: the preview is closed; no figure, no import record."""
    async with env.db.write() as conn:
        pending = await _open_pending(env, actor, conn, pending_id)
        if pending is None:
            return SheetReply("gone")
        await pending_store.finish(conn, pending_id, "cancelled")
        return SheetReply("cancelled", pending_id, filename=pending.payload.get("filename", ""))


async def confirm(
    env: Env,
    actor: Actor,
    pending_id: str,
    *,
    update_id: int | None = None,
    progress: Progress | None = None,
) -> SheetReply:
    """[Nhập]: every valid, changed row in one transaction, the file recorded as the source.

    The rows are read again from the stored grid with the actor's rights as they are now, so a
    preview never carries a right the person has lost since.
    """
    async with env.db.write() as conn:
        if not await claim_update(conn, update_id, env.clock.now()):
            return SheetReply("duplicate")
        pending = await _open_pending(env, actor, conn, pending_id)
        if pending is None:
            return SheetReply("gone")
        reply = await _evaluate(env, actor, conn, pending_id, pending.payload)
        if reply.preview is None:
            return reply
        rows = reply.preview.to_import
        if not rows:
            await pending_store.finish(conn, pending_id, "done")
            return SheetReply("done", pending_id, filename=reply.filename, preview=reply.preview)
        import_id = await _store_rows(env, actor, conn, pending, reply.preview, progress)
        await pending_store.finish(conn, pending_id, "done")
    return SheetReply("done", pending_id, filename=reply.filename, preview=reply.preview,
                      imported=len(rows), import_id=import_id)  # fmt: skip


async def _store_rows(
    env: Env,
    actor: Actor,
    conn: AsyncConnection,
    pending: Pending,
    result: Preview,
    progress: Progress | None,
) -> int:
    now = env.clock.now()
    rows = result.to_import
    parsed = result.parsed
    import_id = await store.record_import(
        conn, filename=pending.payload["filename"], sha256=pending.payload["sha256"],
        actor_user_id=actor.user_id, chat_id=pending.chat_id, now=now,
        rows_total=len(parsed.rows) + len(parsed.errors) + len(parsed.unmatched)
        + len(parsed.forbidden), rows_imported=len(rows),
        detail={"indicators": list(parsed.indicators), "unchanged": result.unchanged,
                "errors": len(parsed.errors), "unmatched": len(parsed.unmatched),
                "forbidden": len(parsed.forbidden), "sheet": pending.payload.get("sheet")},
    )  # fmt: skip
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        await insert_figures(conn, [_figure_row(env, actor, r, pending, import_id, now)
                                    for r in chunk])  # fmt: skip
        if progress is not None:
            await progress(min(start + CHUNK_ROWS, len(rows)), len(rows))
    await record_audit(conn, "sheet.import", at=now, actor=actor.user_id,
                       detail={"import_id": import_id, "rows": len(rows)})  # fmt: skip
    return import_id


def _figure_row(
    env: Env,
    actor: Actor,
    r: dsheets.RowFigure,
    pending: Pending,
    import_id: int,
    now: datetime,
) -> dict[str, object]:
    return {
        "unit_id": env.ids.unit_id[r.unit],
        "indicator_id": env.ids.indicator_id[r.indicator],
        "numerator": r.numerator,
        "denominator": r.denominator,
        "as_of": r.as_of,
        "derived": r.derived,
        "source": "import",
        "actor_user_id": actor.user_id,
        "created_at": now,
        "chat_id": pending.chat_id,
        "import_id": import_id,
    }
