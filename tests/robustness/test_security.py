"""Security: HTML escaping of what users write, upload size limits, parameterised SQL, and the
token kept out of replies and logs (the subprocess run in test_crash.py greps the real logs)."""

from __future__ import annotations

import ast
import logging
from pathlib import Path
from typing import Any

from bot.app import build_application
from bot.logs import RedactTokens
from tests.conftest import REPO_ROOT, TEST_TOKEN
from tests.rig import FakeBotApi
from tests.rig.runner import running
from tests.robustness.support import STRANGER, Capture

HOSTILE = "<b>Tổ 1</b> & <script>alert(1)</script> <a href='x'>"


async def test_names_and_messages_are_escaped(botapi: FakeBotApi, seeded: Any) -> None:
    app = build_application(seeded)
    async with running(app, poll_timeout=1):
        start = botapi.user_text(STRANGER, STRANGER, "/start", first_name=HOSTILE)
        [greeting] = await botapi.reply_to(start)
        join = botapi.user_text(STRANGER, STRANGER, f"/dangky {HOSTILE}")
        [answer] = await botapi.reply_to(join)
        question = botapi.user_text(501, 501, f"{HOSTILE} thế nào?")
        [reply] = await botapi.reply_to(question, timeout=10)
        figure = botapi.user_text(501, 501, f"ASXH 12/100 {HOSTILE}")
        [receipt] = await botapi.reply_to(figure, timeout=10)
    # The rig answers 400 to malformed HTML; these arrived, and show the text literally.
    assert "<b>Tổ 1</b> &" in greeting["text"]
    for message in (answer, reply, receipt):
        assert "<script>" not in str(message.get("entities", ""))
    assert not botapi.find_calls(ok=False, method=("sendMessage", "editMessageText"))


async def test_oversized_uploads_are_not_downloaded(botapi: FakeBotApi, seeded: Any) -> None:
    seeded.max_upload_bytes = 20_000
    app = build_application(seeded)
    big = b"PK\x03\x04" + b"\x00" * 30_000
    async with running(app, poll_timeout=1):
        for name in ("ke-hoach.docx", "so-lieu.xlsx", "so-lieu.csv"):
            botapi.document(501, 501, name, big)
        await botapi.idle(quiet=0.5, timeout=10)
    assert not botapi.find_calls("getFile"), "an oversized file was downloaded"


def test_log_filter_redacts_the_token() -> None:
    url = "POST https://api.telegram.org/bot%s/getMe"
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, url, (TEST_TOKEN,), None)
    RedactTokens(TEST_TOKEN).filter(record)
    secret = TEST_TOKEN.split(":", 1)[1]
    assert secret not in record.getMessage()


async def test_token_not_in_replies_or_in_process_logs(botapi: FakeBotApi, seeded: Any) -> None:
    capture = Capture()
    capture.addFilter(RedactTokens(TEST_TOKEN))
    logging.getLogger().addHandler(capture)
    try:
        app = build_application(seeded)
        async with running(app, poll_timeout=1):
            app.bot.rate_limiter.backoff = (0.05, 0.05, 0.05)
            botapi.fail_next("sendMessage", status=500, times=4, chat_id=501)
            botapi.user_text(501, 501, "/help")
            await botapi.wait_for("sendMessage", count=4, chat_id=501, timeout=10)
            [reply] = await botapi.reply_to(botapi.user_text(501, 501, "/toi"))
    finally:
        logging.getLogger().removeHandler(capture)
    secret = TEST_TOKEN.split(":", 1)[1]
    sent = " ".join(str(c.params) for c in botapi.calls)
    assert secret not in sent and secret not in reply["text"]
    assert secret not in capture.text()


# -- SQL is parameterised: no string-built SQL in store/ ---------------------------------------

# Identifiers (never user input) interpolated where SQL has no parameter for them.
ALLOWED = {("store/transfer.py", "setval")}
SQL_CALLS = {"text", "exec_driver_sql", "execute", "executescript", "literal_column"}


def _string_built(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return isinstance(node.left, ast.Constant | ast.JoinedStr) and isinstance(
            getattr(node.left, "value", ""), str
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format"
    return False


def _offences(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in SQL_CALLS and _string_built(node.args[0]):
            source = ast.get_source_segment(path.read_text("utf-8"), node) or ""
            rel = str(path.relative_to(REPO_ROOT))
            if not any(rel == f and word in source for f, word in ALLOWED):
                found.append(f"{rel}:{node.lineno}: {source[:80]}")
    return found


def test_sql_is_parameterised_in_store() -> None:
    offences = [o for p in sorted((REPO_ROOT / "store").rglob("*.py")) for o in _offences(p)]
    assert not offences, "string-built SQL:\n" + "\n".join(offences)


def test_the_sql_check_can_fail(tmp_path: Path) -> None:
    bad = REPO_ROOT / "store" / "__probe_sql_check__.py"
    try:
        bad.write_text('def q(conn, name):\n    return conn.execute(text(f"select {name}"))\n')
        assert _offences(bad)
    finally:
        bad.unlink()
