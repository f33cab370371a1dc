"""RSA keys for access tokens: PEM files in, key ids out, and a fresh pair for development.

The console signs with a private key; every service verifies with its public key. A key's id (``kid``) is
its RFC 7638 JWK thumbprint, so that a verifier holding several keys (during a rotation) picks the right
one without any registry of names.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# NIST SP 800-57: 2048-bit RSA is good until 2030; 3072 costs four times as much to sign with.
KEY_BITS = 2048
PRIVATE_KEY_FILE = "console-signing-key.pem"
PUBLIC_KEY_FILE = "console-public-key.pem"


class KeyFileError(ValueError):
    """A key file is missing, unreadable or holds no RSA key of the kind asked for."""


def load_private_key(path: Path) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(_read(path), password=None)
    except (ValueError, TypeError) as error:
        raise KeyFileError(f"{path}: is not an unencrypted PEM private key ({error})") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyFileError(f"{path}: holds a {type(key).__name__}, not an RSA private key")
    return key


def load_public_key(path: Path) -> rsa.RSAPublicKey:
    data = _read(path)
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as error:
        raise KeyFileError(f"{path}: is not a PEM public key ({error})") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyFileError(f"{path}: holds a {type(key).__name__}, not an RSA public key")
    return key


def key_id(key: rsa.RSAPublicKey) -> str:
    """The RFC 7638 thumbprint of the key: SHA-256 over its canonical JWK members, base64url."""
    numbers = key.public_numbers()
    members = {"e": _b64_int(numbers.e), "kty": "RSA", "n": _b64_int(numbers.n)}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return _b64(hashlib.sha256(canonical).digest())


def generate_key_pair(directory: Path) -> tuple[Path, Path]:
    """A new RSA key pair written to ``directory`` (created if absent) unless one is already there:
    (private key file, public key file). The private key file is readable by its owner only."""
    directory.mkdir(parents=True, exist_ok=True)
    private_file, public_file = directory / PRIVATE_KEY_FILE, directory / PUBLIC_KEY_FILE
    if private_file.exists():
        if not public_file.exists():
            public_file.write_bytes(public_pem(load_private_key(private_file).public_key()))
        return private_file, public_file
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Created with its final mode, then moved into place: never a moment when others could read it.
    partial = directory / f".{PRIVATE_KEY_FILE}.{os.getpid()}"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    os.replace(partial, private_file)
    public_file.write_bytes(public_pem(key.public_key()))
    return private_file, public_file


def public_pem(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise KeyFileError(f"{path}: cannot be read ({error.strerror or error})") from None


def _b64_int(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
