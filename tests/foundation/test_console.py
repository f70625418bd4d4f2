"""The console chat runs the same application logic and answers /help."""

from pathlib import Path

from bot.console import entities_of, html_to_plain, run_console
from bot.settings import load_settings


async def test_console_answers_help_and_start(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    settings = load_settings(database_path=tmp_path / "c.db")
    shown: list[str] = []
    code = await run_console(settings, lines=["/help", "/start"], show=shown.append,
                             out=str(tmp_path / "out"))  # fmt: skip
    assert code == 0
    text = "\n".join(shown)
    assert "Hướng dẫn sử dụng" in text
    assert "ASXH 1.234/5.678" in text
    assert "Xin chào" in text


def test_entities_mark_commands_and_mentions() -> None:
    assert entities_of("/help") == [{"type": "bot_command", "offset": 0, "length": 5}]
    assert entities_of("@dean06_bot xã nào?")[0]["type"] == "mention"
    assert html_to_plain("<b>a</b> &lt;b&gt;") == "a <b>"
