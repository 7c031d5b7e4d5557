"""Settings that explain themselves: every setting has a line of help, appears in the README's table and is listed,
secrets masked, by `competency-bot settings`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings
from prompts import raw

README = Path(__file__).resolve().parents[1] / "README.md"


def aliases() -> list[str]:
    return [field.alias or name for name, field in Settings.model_fields.items()]


def test_every_setting_has_help_and_a_row_in_the_readme() -> None:
    table = {m.group(1) for m in re.finditer(r"^\| `([A-Z_]+)` \|", README.read_text("utf-8"), re.M)}
    for name in aliases():
        assert raw(f"settings.{name}").strip(), f"{name} has no help in prompts/settings.toml"
        assert name in table, f"{name} is not in the README's settings table"
    assert table <= set(aliases()), f"the README lists settings that do not exist: {table - set(aliases())}"


def test_the_settings_command_lists_them_with_secrets_masked(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:very-secret-token")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://bot:hunter2@127.0.0.1:5432/bot")
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in aliases())
    assert "very-secret-token" not in out and "hunter2" not in out
    assert str(tmp_path) in out
