"""The ``negsim viz`` command: serve the browser visualization, offline, on loopback."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from negsim.errors import InputError

DEFAULT_PORT = 8765
LOOPBACK = ("127.0.0.1", "localhost", "::1")
CAST_ENV = "NEGSIM_VIZ_CAST"  # the cast the app opens with


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
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"negsim viz: {cast.stem} at http://{host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    env = offline_environment(dict(os.environ), cast)
    os.environ.clear()
    os.environ.update(env)
    try:  # Solara reads its settings from the environment at import
        from solara.__main__ import run
    except ModuleNotFoundError as exc:
        raise InputError(f"negsim viz needs {exc.name}: pip install 'negsim[viz]'") from None

    command = [
        "negsim.viz.app",
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
    viz.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    viz.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    viz.set_defaults(handler=cmd_viz)
