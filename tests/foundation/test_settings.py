"""Settings: defaults, parsing, and errors that name the variable."""

from datetime import time

import pytest

from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "ADMIN_IDS", "ALERT_TIME", "TIMEZONE", "CATALOGUE",
                 "DATABASE_PATH", "TELEGRAM_API_URL"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    s = load_settings()
    assert s.token is None
    assert s.timezone == "Asia/Ho_Chi_Minh"
    assert s.alert_time == time(7, 0)
    assert str(s.database_path) == "data/bot.db"
    assert s.telegram_api_url == "https://api.telegram.org/bot"
    assert s.catalogue.name == "quang-tri"


def test_values_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "12, 34,56")
    monkeypatch.setenv("ALERT_TIME", "7:30")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    s = load_settings()
    assert s.admin_ids == [12, 34, 56]
    assert s.alert_time == time(7, 30)
    assert s.token == "123:abc"
    assert "123:abc" not in repr(s)  # the token is a secret, never printed


def test_env_file(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("ALERT_TIME=06:45\nADMIN_IDS=9\n", encoding="utf-8")
    s = load_settings()
    assert s.alert_time == time(6, 45) and s.admin_ids == [9]


@pytest.mark.parametrize(
    ("name", "value"),
    [("ALERT_TIME", "25:00"), ("ALERT_TIME", "soon"), ("TIMEZONE", "Mars/Olympus"),
     ("ADMIN_IDS", "12,abc"), ("CATALOGUE", "/nonexistent")],
)  # fmt: skip
def test_invalid_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, name, value) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert name in str(err.value)


def test_env_example_documents_every_setting() -> None:
    from pathlib import Path

    from bot.settings import Settings

    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text(encoding="utf-8")
    for field in Settings.model_fields:
        assert field.upper() in example, f"{field.upper()} missing from .env.example"
