"""The negsim command as a user meets it: run, validate, and every bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DYAD


def negsim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "negsim.cli", *args], capture_output=True, text=True, cwd=cwd
    )


def test_run_prints_a_story_and_writes_the_record(tmp_path):
    out = tmp_path / "record.json"
    result = negsim(
        "run",
        str(DYAD),
        "--seed",
        "7",
        "--set",
        "leaders.ARG.risk_preference=0.8",
        "--json",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "outcome:" in result.stdout and "week" in result.stdout
    record = json.loads(out.read_text())
    assert record["seed"] == 7


def test_validate_accepts_the_shipped_casts():
    for cast in sorted(DYAD.parent.glob("*.toml")):
        result = negsim("validate", str(cast))
        assert result.returncode == 0, result.stderr


def _cast_with(tmp_path: Path, old: str, new: str) -> Path:
    text = DYAD.read_text()
    assert old in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1))
    return path


BAD = {
    "bad toml": ("military = 1.0", "military = = 1.0", "invalid TOML"),
    "unknown key": (
        "military = 1.0",
        "military = 1.0\nmilitery = 2",
        "states.ARG.militery: unknown key",
    ),
    "wrong type": (
        "military = 1.0",
        'military = "strong"',
        "states.ARG.military: input should be a valid number",
    ),
    "out of range": (
        "risk_preference = 0.6",
        "risk_preference = 1.6",
        "leaders.ARG.risk_preference: input should be less than or equal to 1",
    ),
    "missing state": (
        "exposure = { ALY = 0.3 }",
        "exposure = { XYZ = 0.3 }",
        "states.ARG.exposure.XYZ: no state 'XYZ'",
    ),
    "exposure out of range": (
        "exposure = { ALY = 0.3 }",
        "exposure = { ALY = 1.3 }",
        "exposures must lie in [0, 1]",
    ),
    "self exposure": (
        "exposure = { ALY = 0.3 }",
        "exposure = { ARG = 0.3 }",
        "states.ARG.exposure.ARG: a state has no exposure to itself",
    ),
    "no aggressor": (
        'role = "aggressor"',
        'role = "neutral"',
        "exactly one state with role = 'aggressor'",
    ),
    "bad parameter": (
        "initial_control = 0.2",
        "initial_control = 2",
        "parameters.battlefield.initial_control",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_casts_get_one_clear_line_and_exit_status_2(tmp_path, case):
    old, new, expected = BAD[case]
    path = _cast_with(tmp_path, old, new)
    result = negsim("validate", str(path))
    assert result.returncode == 2
    assert expected in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_file_is_a_clear_error(tmp_path):
    result = negsim("run", str(tmp_path / "nope.toml"))
    assert result.returncode == 2 and "no such file" in result.stderr


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("leaders.XYZ.resolve=0.5", "no entry 'leaders.XYZ'"),
        ("bargaining.face_offer=3", "less than or equal to 1"),
        ("bargaining.no_such_knob=1", "unknown key"),
        ("nonsense", "expected PATH=VALUE"),
    ],
)
def test_set_is_validated_like_a_cast(assignment, expected):
    result = negsim("run", str(DYAD), "--set", assignment)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_set_changes_the_run():
    base = negsim("run", str(DYAD), "--seed", "1")
    changed = negsim("run", str(DYAD), "--seed", "1", "--set", "states.ARG.military=4")
    assert base.stdout != changed.stdout
