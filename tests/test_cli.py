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
    assert "outcome:" in result.stdout and "tick" in result.stdout and "day" in result.stdout
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
        "states.ARG.militery: unknown key (did you mean military?)",
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
        "exposure: values must lie in [0, 1]",
    ),
    "self exposure": (
        "exposure = { ALY = 0.3 }",
        "exposure = { ARG = 0.3 }",
        "states.ARG.exposure.ARG: a state has no exposure to itself",
    ),
    "principal on the wrong side": (
        'side = "challenger"',
        'side = "neutral"',
        "sides.challenger.principal: 'ARG' is on side 'neutral', not 'challenger'",
    ),
    "bad value": (
        "initial_control = 0.2",
        "initial_control = 2",
        "cast.initial_control",
    ),
    "version 1 cast": (
        'side = "challenger"',
        'role = "aggressor"',
        "role is gone",
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


# --- bad values, bad files, bad pipes: one line each, exit status 2, no traceback -------------


def _clear_error(result: subprocess.CompletedProcess, expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ('bargaining.face_offer="0.5"', "face_offer: input should be a valid number, got '0.5'"),
        ("bargaining.face_offer=true", "face_offer: input should be a valid number, got True"),
        (
            'constituencies.ARG.public.count="200"',
            "count: input should be a valid integer, got '200'",
        ),
        ("bargaining.start_days=12.0", "start_days: input should be a valid integer, got 12.0"),
        ("domestic.elections=-0", "elections: input should be a valid boolean, got 0"),
        ('domestic.elections="true"', "elections: input should be a valid boolean, got 'true'"),
        ("states.ARG.regime=1", "regime: input should be 'democracy' or 'autocracy', got 1"),
    ],
)
def test_a_value_of_the_wrong_type_is_an_error_not_converted(assignment, expected):
    _clear_error(negsim("run", str(DYAD), "--ticks", "1", "--set", assignment), expected)


def test_an_integer_is_a_fine_number_and_text_a_fine_enum():
    result = negsim(
        "run",
        str(DYAD),
        "--ticks",
        "1",
        "--set",
        "bargaining.face_offer=1",
        "--set",
        'states.ARG.regime="democracy"',
    )
    assert result.returncode == 0, result.stderr


def test_a_wrong_type_in_a_cast_file_is_an_error(tmp_path):
    path = _cast_with(tmp_path, "count = 20 ", 'count = "20" ')
    _clear_error(negsim("validate", str(path)), "count: input should be a valid integer, got '20'")


@pytest.mark.parametrize("ticks", ["0", "-5"])
def test_ticks_must_be_a_positive_number(ticks):
    result = negsim("run", str(DYAD), "--ticks", ticks)
    _clear_error(result, "--ticks: expected a positive number")
    assert result.stdout == ""


def test_a_negative_seed_is_an_error():
    _clear_error(negsim("run", str(DYAD), "--seed", "-1"), "--seed: expected a whole number >= 0")


def test_a_spec_given_to_run_says_to_use_sweep():
    spec = DYAD.parents[1] / "experiments" / "face_saving.toml"
    result = negsim("run", str(spec))
    _clear_error(result, "this is an experiment spec, not a cast: run it with `negsim sweep")
    assert len(result.stderr.splitlines()) == 1


def test_a_cast_given_to_sweep_says_to_use_run():
    result = negsim("sweep", str(DYAD))
    _clear_error(result, "this is a cast, not an experiment spec: run it with `negsim run")
    assert len(result.stderr.splitlines()) == 1


def test_a_cast_nested_thousands_of_levels_deep_is_an_error(tmp_path):
    text = DYAD.read_text().replace("exposure = { ALY = 0.3 }\n", "", 1)
    path = tmp_path / "deep.toml"
    path.write_text(text + "\n[states.ARG.exposure." + ".".join(["a"] * 3000) + "]\nx = 1\n")
    _clear_error(negsim("validate", str(path)), "nested more than 16 levels deep")


def test_a_huge_value_gives_a_short_error_line(tmp_path):
    path = _cast_with(tmp_path, "military = 1.0", 'military = "' + "x" * 1_000_000 + '"')
    result = negsim("validate", str(path))
    _clear_error(result, "states.ARG.military: input should be a valid number, got 'xxx")
    assert len(result.stderr) < 1000


def test_an_integer_of_a_million_digits_is_an_error(tmp_path):
    path = _cast_with(tmp_path, "military = 1.0", "military = " + "1" * 1_000_000)
    result = negsim("validate", str(path))
    _clear_error(result, "invalid TOML: an integer too long to read")
    assert len(result.stderr) < 1000


def test_a_huge_key_gives_a_short_error_line(tmp_path):
    path = _cast_with(tmp_path, "military = 1.0", "military = 1.0\n" + "k" * 1_000_000 + " = 1")
    result = negsim("validate", str(path))
    _clear_error(result, ": unknown key")
    assert len(result.stderr) < 1000


def test_thousands_of_problems_are_cut_to_a_readable_list(tmp_path):
    keys = "".join(f"unknown_{i} = 1\n" for i in range(5000))
    path = _cast_with(tmp_path, "military = 1.0", "military = 1.0\n" + keys)
    result = negsim("validate", str(path))
    _clear_error(result, "more problems")
    assert len(result.stderr.splitlines()) <= 51


def test_a_cast_beyond_the_size_bound_is_refused_at_once(tmp_path):
    text = DYAD.read_text().replace("count = 20 ", "count = 1000000 ")
    for group in ("hawks", "business"):
        text = text.replace(
            f"[constituencies.ARG.{group}]\n", f"[constituencies.ARG.{group}]\ncount = 1000000\n"
        )
    path = tmp_path / "huge.toml"
    path.write_text(text)
    result = negsim("run", str(path))
    _clear_error(result, "the cast makes 3,000,011 agents")
    assert "more than the 200,000 allowed" in result.stderr


def test_run_json_into_a_missing_folder_is_an_error_before_the_run(tmp_path):
    result = negsim("run", str(DYAD), "--json", str(tmp_path / "no" / "record.json"))
    _clear_error(result, f"--json {tmp_path / 'no' / 'record.json'}: no such folder")
    assert result.stdout == ""


def test_run_json_onto_a_folder_is_an_error(tmp_path):
    _clear_error(negsim("run", str(DYAD), "--json", str(tmp_path)), "is a folder")


@pytest.mark.parametrize("option", ["--series", "--events"])
def test_run_tables_into_a_missing_folder_or_onto_a_folder_are_errors(tmp_path, option):
    target = tmp_path / "no" / "t.csv"
    missing = negsim("run", str(DYAD), option, str(target))
    _clear_error(missing, f"{option} {target}: no such folder")
    assert missing.stdout == "" and not target.parent.exists()
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    _clear_error(negsim("run", str(DYAD), option, str(folder)), "is a folder")


def _closed_pipe(*args: str) -> subprocess.CompletedProcess:
    """The command with its standard output already closed by its reader (like `| head`)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "negsim.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    proc.stdout.close()
    err = proc.stderr.read()
    return subprocess.CompletedProcess(proc.args, proc.wait(), "", err)


@pytest.mark.parametrize("args", [["params"], ["run", str(DYAD), "--ticks", "30"]])
def test_output_into_a_closed_pipe_ends_quietly(args):
    result = _closed_pipe(*args)
    assert result.returncode == 141
    assert result.stderr == ""
