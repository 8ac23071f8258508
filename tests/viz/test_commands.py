"""`negsim viz`: registered in the CLI, loopback by default, offline environment."""

from __future__ import annotations

import asyncio
import http.client
import os
import socket
import subprocess
import sys
import time

import pytest

from negsim.cli import build_parser, main
from negsim.viz import commands


@pytest.fixture
def served(monkeypatch) -> list[list[str]]:
    """Capture what would be handed to `solara run` instead of starting a server."""
    import solara.__main__

    calls: list[list[str]] = []
    monkeypatch.setattr(solara.__main__.run, "main", lambda args, **_: calls.append(args))
    monkeypatch.setattr(os, "environ", dict(os.environ))  # cmd_viz edits the environment
    return calls


def test_viz_defaults_to_loopback_port_8765():
    args = build_parser().parse_args(["viz"])
    assert (args.host, args.port, args.cast) == ("127.0.0.1", 8765, None)


def test_viz_serves_on_loopback_and_prints_the_url(served, capsys, dyad_path):
    assert main(["viz", str(dyad_path), "--port", "9123"]) == 0
    out, err = capsys.readouterr()
    assert "http://127.0.0.1:9123/" in out
    assert "warning" not in err
    args = served[0]
    assert args[0] == "negsim.viz.app"
    assert args[args.index("--host") + 1] == "127.0.0.1"
    assert "--production" in args and "--no-open" in args
    assert os.environ[commands.CAST_ENV].endswith("dyad.toml")
    assert os.environ["SOLARA_ASSETS_PROXY"] == "True"


def test_viz_warns_when_told_to_serve_beyond_loopback(served, capsys):
    main(["viz", "--host", "0.0.0.0"])
    assert "warning: serving on 0.0.0.0" in capsys.readouterr().err
    assert served[0][served[0].index("--host") + 1] == "0.0.0.0"


def test_a_broken_cast_is_an_error_before_any_server(served, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[cast]\nname = 'x'\n")
    assert main(["viz", str(bad)]) == 2
    assert served == []
    assert "bad.toml" in capsys.readouterr().err


def test_the_offline_environment_keeps_solaras_assets_proxy_on():
    env = commands.offline_environment(
        {"VSCODE_PID": "1", "VSCODE_CWD": "/", "HOME": "/h"}, commands.Path("c.toml")
    )
    assert "VSCODE_PID" not in env and "VSCODE_CWD" not in env  # they turn the proxy off
    assert env["SOLARA_ASSETS_PROXY"] == "True"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["HOME"] == "/h"


def test_the_cli_module_does_not_import_solara_before_the_environment_is_set():
    code = "import sys, negsim.cli; negsim.cli.build_parser(); print('solara' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_viz_with_a_taken_port_fails_before_printing_the_url(served, capsys):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["viz", "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert "http://" not in out
    assert f"error: --port {port}: cannot serve on 127.0.0.1:{port} (Address already in use)" in err
    assert served == []


def _guarded(scope_type: str, host: str, allowed: frozenset[str] | None) -> list[dict]:
    """What a HostGuard sends for one request, and whether the app behind it was reached."""
    sent: list[dict] = []

    async def app(scope, receive, send):
        sent.append({"type": "app reached"})

    async def receive():
        return {"type": "websocket.connect"}

    async def send(message):
        sent.append(message)

    scope = {"type": scope_type, "headers": [(b"host", host.encode())]}
    asyncio.run(commands.HostGuard(app, allowed)(scope, receive, send))
    return sent


@pytest.mark.parametrize("scope_type", ["http", "websocket"])
def test_the_guard_answers_only_requests_naming_a_loopback_host(scope_type):
    allowed = commands.allowed_hosts("127.0.0.1", 8765)
    for host in ("127.0.0.1:8765", "localhost:8765", "LOCALHOST:8765", "[::1]:8765"):
        assert _guarded(scope_type, host, allowed) == [{"type": "app reached"}]
    for host in ("evil.example:8765", "127.0.0.1:9999", "localhost", ""):
        sent = _guarded(scope_type, host, allowed)
        assert {"type": "app reached"} not in sent
        if scope_type == "http":
            assert sent[0]["status"] == 400
        else:
            assert sent == [{"type": "websocket.close", "code": 1008}]


def test_serving_beyond_loopback_answers_any_host():
    assert commands.allowed_hosts("0.0.0.0", 8765) is None
    assert _guarded("http", "my-machine.lan:8765", None) == [{"type": "app reached"}]


def _status(port: int, host: str, websocket: bool = False) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": host}
    path = "/"
    if websocket:
        path = "/jupyter/api/kernels/x/channels"
        headers.update(
            {
                "Connection": "Upgrade",
                "Upgrade": "websocket",
                "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            }
        )
    conn.request("GET", path, headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


def test_the_served_page_refuses_a_rebound_host_name(tmp_path):
    port = _free_port()
    log = tmp_path / "viz.log"
    negsim = os.path.join(os.path.dirname(sys.executable), "negsim")
    proc = subprocess.Popen(
        [negsim, "viz", "--port", str(port)], stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _status(port, f"127.0.0.1:{port}") == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        assert _status(port, f"localhost:{port}") == 200
        assert _status(port, f"attacker.example:{port}") == 400
        assert _status(port, f"attacker.example:{port}", websocket=True) == 403
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert "Traceback" not in log.read_text()
