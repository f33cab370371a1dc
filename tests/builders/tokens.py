"""Signing keys, access tokens and a small OpenID Connect provider, for every test layer.

``IdentityProvider`` serves discovery and a JSON Web Key Set on a real loopback port, from a thread, so
that the code under test fetches them over TCP with its own HTTP client exactly as it would a city's
provider. ``forged`` builds the tokens no library would sign for us (``alg: none``, HS256 keyed with an
RSA public key).
"""

from __future__ import annotations

import atexit
import base64
import functools
import hashlib
import hmac
import json
import shutil
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from shared.auth import AUDIENCE, LOCAL_ISSUER, key_id
from shared.auth.keys import public_pem


def signing_key(name: str = "console") -> rsa.RSAPrivateKey:
    """One 2048-bit key per name for the whole test run (making one takes a tenth of a second)."""
    return _key(name)


@functools.cache
def _key(name: str) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def write_public_key(key: rsa.RSAPrivateKey, directory: Path, name: str = "public.pem") -> Path:
    path = directory / name
    path.write_bytes(public_pem(key.public_key()))
    return path


@functools.cache
def public_key_file() -> Path:
    """The public half of ``signing_key()`` in a file, once per test session: what a service under test
    is given as the console's public key."""
    directory = Path(tempfile.mkdtemp(prefix="gridloop-test-keys-"))
    atexit.register(shutil.rmtree, directory, True)
    return write_public_key(signing_key(), directory, "console-public-key.pem")


def mint(
    person_id: str | None,
    *,
    key: rsa.RSAPrivateKey | None = None,
    issuer: str = LOCAL_ISSUER,
    audience: str | None = AUDIENCE,
    now: datetime | None = None,
    lifetime: timedelta = timedelta(minutes=5),
    kid: str | None = "auto",
    **claims: Any,
) -> str:
    """An RS256 token; ``None`` for a claim (``audience=None``, ``exp=None``) leaves it out."""
    key = key or signing_key()
    issued = now or datetime.now(UTC)
    body: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": person_id,
        "iat": int(issued.timestamp()),
        "exp": int((issued + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
        **claims,
    }
    headers = {"kid": key_id(key.public_key()) if kid == "auto" else kid} if kid else None
    return jwt.encode(
        {k: v for k, v in body.items() if v is not None}, key, algorithm="RS256", headers=headers
    )


def forged(algorithm: str, claims: dict[str, Any], secret: bytes = b"") -> str:
    """A token PyJWT would refuse to make: ``none`` (no signature) or HS256 over any secret bytes."""
    header = _b64(json.dumps({"alg": algorithm, "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signing_input = f"{header}.{payload}".encode()
    signature = b"" if algorithm == "none" else hmac.new(secret, signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class IdentityProvider:
    """Discovery at ``<url>/.well-known/openid-configuration`` and the key set at ``<url>/jwks``.

    ``keys`` are the private keys whose public halves the key set publishes (tests rotate them);
    ``requests`` counts the paths asked for; ``up = False`` answers 503 to everything;
    ``issuer_in_discovery`` overrides the issuer the discovery document announces."""

    def __init__(self, realm: str = "/realms/yancheng") -> None:
        self.realm = realm
        self.keys: list[rsa.RSAPrivateKey] = [signing_key("oidc-1")]
        self.extra_jwks: list[dict[str, Any]] = []
        self.requests: Counter[str] = Counter()
        self.up = True
        self.issuer_in_discovery: str | None = None
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "the provider is not serving"
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.realm}"

    def token(self, person_id: str | None, *, key: rsa.RSAPrivateKey | None = None, **options: Any) -> str:
        options.setdefault("issuer", self.url)
        return mint(person_id, key=key or self.keys[0], **options)

    def jwks(self) -> dict[str, Any]:
        published = []
        for key in self.keys:
            jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            published.append({**jwk, "kid": key_id(key.public_key()), "use": "sig", "alg": "RS256"})
        return {"keys": [*self.extra_jwks, *published]}

    def _answer(self, path: str) -> tuple[int, dict[str, Any]]:
        self.requests[path] += 1
        if not self.up:
            return 503, {"error": "down"}
        if path == f"{self.realm}/.well-known/openid-configuration":
            return 200, {"issuer": self.issuer_in_discovery or self.url, "jwks_uri": f"{self.url}/jwks"}
        if path == f"{self.realm}/jwks":
            return 200, self.jwks()
        return 404, {"error": "not found"}

    @contextmanager
    def serving(self) -> Iterator[IdentityProvider]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = provider._answer(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="oidc-provider",
            daemon=True,
        )
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=5)
