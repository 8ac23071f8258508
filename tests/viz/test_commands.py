"""`negsim viz`: registered in the CLI, loopback by default, offline environment."""

from __future__ import annotations

import os
import subprocess
import sys

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
