"""The console's signing key: made by the keys command or, in development only, at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.console.bootstrap import signing_key_of
from services.console.keys import main
from services.console.settings import ConsoleSettings
from shared.auth import KeyFileError, key_id, load_public_key

DB = "postgresql://u:p@db.example.org/gridloop"


def test_the_keys_command_makes_a_pair_once_and_prints_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    assert main([str(tmp_path / "keys")]) == 0
    private_file, public_file = capsys.readouterr().out.split()
    first = key_id(load_public_key(Path(public_file)))
    assert main([str(tmp_path / "keys")]) == 0
    assert key_id(load_public_key(Path(public_file))) == first
    assert Path(private_file).name == "console-signing-key.pem"


def test_in_development_a_missing_signing_key_is_made_at_start(tmp_path: Path):
    settings = ConsoleSettings(env="dev", signing_key_file=tmp_path / "keys" / "console-signing-key.pem")
    key = signing_key_of(settings)
    assert key_id(key.public_key()) == key_id(load_public_key(tmp_path / "keys" / "console-public-key.pem"))
    assert key_id(signing_key_of(settings).public_key()) == key_id(key.public_key()), "and kept"


def test_outside_development_a_missing_signing_key_stops_the_start(tmp_path: Path):
    settings = ConsoleSettings(
        env="test", database_url=DB, signing_key_file=tmp_path / "console-signing-key.pem"
    )
    with pytest.raises(KeyFileError, match="cannot be read"):
        signing_key_of(settings)
    assert not (tmp_path / "console-signing-key.pem").exists()
    with pytest.raises(ValueError, match="set GRIDLOOP_CONSOLE_SIGNING_KEY_FILE"):
        signing_key_of(ConsoleSettings(env="test", database_url=DB))
