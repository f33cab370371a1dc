"""The gateway (scripts/gateway.sh, deploy/nginx/gridloop.conf.tmpl) routes each prefix to its service
with the prefix stripped, serves the console's build with the single-page fallback, and passes the case
stream through as it comes, Last-Event-ID included.

Each upstream is a small HTTP server of this test that answers with its own name, the path and headers
it was asked with; nginx is the real one the project's script starts, on free ports of this machine.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
GATEWAY = ROOT / "scripts" / "gateway.sh"
SERVICES = ("console", "intake", "handling", "scoring")
INDEX = "<!doctype html><title>console build of this test</title>"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Upstream(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, name: str) -> None:
        super().__init__(("127.0.0.1", _free_port()), _Echo)
        self.name = name
        # The stream sends its second event only once the test has read the first through the gateway:
        # a gateway that buffered the response would never deliver the first, and the read would time out.
        self.first_event_read = threading.Event()


class _Echo(BaseHTTPRequestHandler):
    server: _Upstream

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self) -> None:
        if self.path.startswith("/v1/stream/"):
            self._stream()
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = json.dumps(
            {
                "service": self.server.name,
                "method": self.command,
                "path": self.path,
                "body": self.rfile.read(length).decode() if length else "",
                "cookie": self.headers.get("Cookie"),
                "forwarded_for": self.headers.get("X-Forwarded-For"),
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = do_PUT = _answer

    def _stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        last = self.headers.get("Last-Event-ID") or ""
        first = json.dumps({"last_event_id": last, "path": self.path})
        self.wfile.write(f"data: {first}\nid: 1\n\n".encode())
        self.wfile.flush()
        if self.server.first_event_read.wait(timeout=20):
            self.wfile.write(b"data: {}\nid: 2\n\n")
            self.wfile.flush()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, _Upstream]]]:
    upstreams = {name: _Upstream(name) for name in SERVICES}
    for server in upstreams.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    run_dir = tmp_path_factory.mktemp("gateway-run")
    console_root = tmp_path_factory.mktemp("console-dist")
    (console_root / "index.html").write_text(INDEX)
    (console_root / "assets").mkdir()
    (console_root / "assets" / "app-1234.js").write_text("console.log('app')")
    port = _free_port()
    env = {
        **os.environ,
        "GRIDLOOP_PROFILE": "test",
        "GRIDLOOP_RUN_DIR": str(run_dir),
        "GATEWAY_PORT": str(port),
        "CONSOLE_ROOT": str(console_root),
        "CONSOLE_PORT": str(upstreams["console"].server_address[1]),
        "INTAKE_PORT": str(upstreams["intake"].server_address[1]),
        "HANDLING_PORT": str(upstreams["handling"].server_address[1]),
        "SCORING_PORT": str(upstreams["scoring"].server_address[1]),
    }
    started = subprocess.run([str(GATEWAY), "start"], env=env, capture_output=True, text=True, check=False)
    assert started.returncode == 0, started.stderr
    try:
        yield f"http://127.0.0.1:{port}", upstreams
    finally:
        subprocess.run([str(GATEWAY), "stop"], env=env, capture_output=True, check=False)
        for server in upstreams.values():
            server.shutdown()


@pytest.mark.parametrize("service", SERVICES)
def test_each_api_prefix_reaches_its_service_with_the_prefix_stripped(gateway, service):
    base, _ = gateway
    answer = httpx.post(
        f"{base}/api/{service}/v1/things/42?x=1",
        content=b'{"a": 1}',
        headers={"Content-Type": "application/json", "Cookie": "gridloop_access=t"},
    )
    assert answer.status_code == 200
    echoed = answer.json()
    assert echoed["service"] == service
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/v1/things/42?x=1"
    assert echoed["body"] == '{"a": 1}'
    assert echoed["cookie"] == "gridloop_access=t"
    assert echoed["forwarded_for"] == "127.0.0.1"


def test_the_console_is_served_at_the_root_and_for_every_app_path(gateway):
    base, _ = gateway
    for path in ("/", "/boards", "/rankings?level=grid", "/big-screen"):
        page = httpx.get(base + path)
        assert page.status_code == 200, path
        assert page.text == INDEX
        assert page.headers["cache-control"] == "no-cache"
        assert "default-src 'self'" in page.headers["content-security-policy"]
    asset = httpx.get(f"{base}/assets/app-1234.js")
    assert asset.status_code == 200
    assert "immutable" in asset.headers["cache-control"]
    assert httpx.get(f"{base}/assets/missing.js").status_code == 404


def test_the_case_stream_comes_through_unbuffered_with_last_event_id(gateway):
    base, upstreams = gateway
    url = f"{base}/api/handling/v1/stream/cases?state=opened"
    with (
        httpx.Client(timeout=httpx.Timeout(10.0)) as client,
        client.stream("GET", url, headers={"Last-Event-ID": "41"}) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        first = next(lines)
        assert first.startswith("data: ")
        assert json.loads(first.removeprefix("data: ")) == {
            "last_event_id": "41",
            "path": "/v1/stream/cases?state=opened",
        }
        upstreams["handling"].first_event_read.set()
        rest = [next(lines) for _ in range(4)]
        assert rest == ["id: 1", "", "data: {}", "id: 2"]
