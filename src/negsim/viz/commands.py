"""The ``negsim viz`` command: serve the browser visualization, offline, on loopback."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path
from typing import Any

from negsim.errors import InputError

DEFAULT_PORT = 8765
LOOPBACK = ("127.0.0.1", "localhost", "::1")
CAST_ENV = "NEGSIM_VIZ_CAST"  # the cast the app opens with
APP = "negsim.viz.app"  # the Solara app module


def offline_environment(env: dict[str, str], cast: Path) -> dict[str, str]:
    """``env`` adjusted so Solara serves its front-end from solara-assets, with no internet.

    The assets proxy serves the CDN files from the installed solara-assets; Solara turns the
    proxy off by itself when it sees VS Code variables, so those are dropped. Telemetry off.
    """
    env = {k: v for k, v in env.items() if k not in ("VSCODE_PID", "VSCODE_CWD")}
    env.update(
        {
            "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
            "SOLARA_ASSETS_PROXY": "True",
            CAST_ENV: str(cast),
        }
    )
    return env


def check_port_free(host: str, port: int) -> None:
    """Raise InputError when nothing can listen on ``host:port`` (taken, or not an address)."""
    try:
        socket.create_server((host, port), family=_family(host)).close()
    except (OSError, OverflowError) as exc:
        errno = getattr(exc, "errno", None)
        reason = os.strerror(errno) if errno else exc
        raise InputError(
            f"--port {port}: cannot serve on {host}:{port} ({reason}); choose another with --port"
        ) from None


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def allowed_hosts(host: str, port: int) -> frozenset[str] | None:
    """The Host headers the server answers: on loopback only the loopback names with the port
    (a page of another site that resolves its name to 127.0.0.1 is refused: DNS rebinding);
    with ``--host`` beyond loopback, any (None)."""
    if host not in LOOPBACK:
        return None
    names = ("127.0.0.1", "localhost", "[::1]")
    allowed = {f"{name}:{port}" for name in names}
    if port == 80:
        allowed.update(names)
    return frozenset(allowed)


class HostGuard:
    """ASGI middleware: answer only requests whose Host header is one of ``allowed``.

    Args:
        app: the ASGI app it guards.
        allowed: lower-case ``host:port`` values accepted; None accepts any.
    """

    def __init__(self, app: Any, allowed: frozenset[str] | None) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        """Refuse an HTTP request with 400, a websocket with a close before its handshake."""
        if self.allowed is None or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1").strip().lower()
        if host in self.allowed:
            await self.app(scope, receive, send)
        elif scope["type"] == "http":
            body = b"negsim viz: unknown Host header (only loopback names are served)\n"
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
        else:
            await receive()  # the websocket.connect message
            await send({"type": "websocket.close", "code": 1008})


def cmd_viz(args: argparse.Namespace) -> int:
    """Start the Solara app and print its address."""
    from negsim.cast import load_cast
    from negsim.model import DEFAULT_CAST

    cast = Path(args.cast or DEFAULT_CAST).resolve()
    load_cast(cast)  # a broken cast is a clear error here, not a traceback in the browser
    if args.host not in LOOPBACK:
        print(
            f"warning: serving on {args.host}: anyone who can reach this address can run the "
            "model; use the default 127.0.0.1 unless you mean it",
            file=sys.stderr,
        )
    if not 0 < args.port < 65536:
        raise InputError(f"--port: expected 1..65535, got {args.port}")
    check_port_free(args.host, args.port)
    env = offline_environment(dict(os.environ), cast)
    # Solara's server module registers the app named here when imported; importing it now
    # (to guard it) must see what `solara run` would set before importing it.
    env.update(SOLARA_APP=APP, SERVER_NAME=args.host, SERVER_PORT=str(args.port))
    os.environ.clear()
    os.environ.update(env)
    try:  # Solara reads its settings from the environment at import
        import solara.server.starlette as solara_server
        from solara.__main__ import run
    except ModuleNotFoundError as exc:
        raise InputError(f"negsim viz needs {exc.name}: pip install 'negsim[viz]'") from None
    app = solara_server.app
    app.user_middleware = [m for m in app.user_middleware if m.cls is not HostGuard]
    app.add_middleware(HostGuard, allowed=allowed_hosts(args.host, args.port))
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"negsim viz: {cast.stem} at http://{host}:{args.port}/ (Ctrl-C to stop)", flush=True)

    command = [
        APP,
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--production",
        "--no-open",
        "--no-check-version",  # it would ask pypi.org
    ]
    run.main(command, prog_name="negsim viz", standalone_mode=False)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``negsim viz`` to the CLI."""
    viz = subparsers.add_parser(
        "viz", help="watch a crisis in the browser (Mesa SolaraViz), with sliders"
    )
    viz.add_argument("cast", nargs="?", help="cast file (default: agents/ukraine_2022.toml)")
    viz.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1: only requests naming 127.0.0.1 or localhost "
        "are answered; beyond loopback, any)",
    )
    viz.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    viz.set_defaults(handler=cmd_viz)
