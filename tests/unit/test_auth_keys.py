"""Key files: the development key pair, reading PEM files, and key ids."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from jwt.algorithms import RSAAlgorithm

from shared.auth import KeyFileError, generate_key_pair, key_id, load_private_key, load_public_key

# RFC 7638 §3.1: the example key and its thumbprint.
RFC_7638_KEY = {
    "kty": "RSA",
    "e": "AQAB",
    "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXj"
        "BZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8"
        "KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_x"
        "BniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    ),
}


def test_a_key_id_is_the_rfc_7638_thumbprint_of_the_key():
    key = RSAAlgorithm.from_jwk(RFC_7638_KEY)
    assert key_id(key) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"  # type: ignore[arg-type]


def test_a_new_key_pair_is_written_once_with_the_private_key_readable_by_its_owner_only(tmp_path: Path):
    private_file, public_file = generate_key_pair(tmp_path / "keys")
    assert stat.S_IMODE(private_file.stat().st_mode) == 0o600
    private, public = load_private_key(private_file), load_public_key(public_file)
    assert key_id(private.public_key()) == key_id(public)
    again = generate_key_pair(tmp_path / "keys")
    assert again == (private_file, public_file)
    assert key_id(load_public_key(public_file)) == key_id(public), "an existing key pair is kept"


def test_a_lost_public_key_is_written_again_from_the_private_key(tmp_path: Path):
    _, public_file = generate_key_pair(tmp_path)
    expected = key_id(load_public_key(public_file))
    public_file.unlink()
    generate_key_pair(tmp_path)
    assert key_id(load_public_key(public_file)) == expected


def test_files_that_hold_no_rsa_key_of_the_kind_asked_for_are_refused_naming_the_file(tmp_path: Path):
    private_file, public_file = generate_key_pair(tmp_path)
    (tmp_path / "text.pem").write_text("hello")
    with pytest.raises(KeyFileError, match=r"console-signing-key\.pem: is not a PEM public key"):
        load_public_key(private_file)
    with pytest.raises(KeyFileError, match=r"console-public-key\.pem: is not an unencrypted PEM private key"):
        load_private_key(public_file)
    with pytest.raises(KeyFileError, match=r"text\.pem"):
        load_public_key(tmp_path / "text.pem")
    with pytest.raises(KeyFileError, match=r"absent\.pem: cannot be read"):
        load_public_key(tmp_path / "absent.pem")
