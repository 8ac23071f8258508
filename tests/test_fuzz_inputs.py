"""Fuzzing the cast and spec loaders: any input loads or raises InputError, never a traceback.

Inputs are random TOML documents built from the schema's own keys, random edits of the
shipped files' documents, random edits of their text, random ``--set`` overrides, values of
every type at every schema path, documents nested thousands of levels deep, huge values, and
sweeps over every kind of parameter (numbers, booleans, enums, text).

Each test tries ``NEGSIM_FUZZ_EXAMPLES`` inputs (default 150, so the suite stays fast). The long
run: ``NEGSIM_FUZZ_EXAMPLES=1500 pytest tests/test_fuzz_inputs.py --hypothesis-show-statistics``.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negsim.cast import (
    Parameters,
    StateSpec,
    build_cast,
    canonical_path,
    load_cast,
    read_toml,
    schema_field,
)
from negsim.cli import _overrides
from negsim.errors import MAX_LINE, InputError
from negsim.experiment.runner import plan
from negsim.experiment.spec import load_spec, parse_spec
from negsim.experiment.store import runs_schema

ROOT = Path(__file__).resolve().parents[1]
CASTS = sorted((ROOT / "agents").glob("*.toml"))
SPECS = sorted((ROOT / "experiments").glob("*.toml"))
DEEP = "[" * 5000  # deeper than tomllib can recurse, even under hypothesis's raised limit
PIECES = ["=", "[", "]", '"', ".", "-", "1e9", "nan", "x", DEEP, "{a = " * 3000]
FUZZ = settings(
    max_examples=int(os.environ.get("NEGSIM_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _keys_of(doc: Any, found: set[str]) -> set[str]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.add(key)
            _keys_of(value, found)
    elif isinstance(doc, list):
        for value in doc:
            _keys_of(value, found)
    return found


SHIPPED = {path: tomllib.loads(path.read_text()) for path in CASTS + SPECS}
KEYS = sorted(set().union(*(_keys_of(doc, set()) for doc in SHIPPED.values())))

text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
keys = st.sampled_from(KEYS) | text
scalars = (
    st.none()  # dropped from tables: TOML has no null
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | text
    | st.sampled_from(["aggressor", "target", "coalition", "democracy", "autocracy", "grid"])
    | st.dates()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)
documents = st.dictionaries(keys, values, max_size=6)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)  # repr gives 'inf', '1e+100' ...
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        items = (f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None)
        return "{" + ", ".join(items) + "}"
    return value.isoformat()  # a date


def to_toml(doc: dict) -> str:
    """A TOML text of the document (inline tables throughout; None values left out)."""
    return "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in doc.items() if v is not None)


def _absolute_cast(doc: dict, spec_path: Path) -> dict:
    """A spec document whose cast path still resolves once written elsewhere."""
    info = doc.get("experiment")
    if isinstance(info, dict) and isinstance(info.get("cast"), str):
        info["cast"] = str((spec_path.parent / info["cast"]).resolve())
    return doc


def _loads_or_input_error(load: Any, *args: Any) -> Any:
    try:
        return load(*args)
    except InputError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        assert all(len(p) <= MAX_LINE for p in exc.problems)
        return None


@st.composite
def edited_documents(draw: st.DrawFn, paths: list[Path]) -> tuple[Path, dict]:
    """A shipped document with a few random edits: a value replaced, a key dropped or added."""
    path = draw(st.sampled_from(paths))
    doc = json.loads(json.dumps(SHIPPED[path], default=str))
    for _ in range(draw(st.integers(1, 4))):
        node = doc
        while isinstance(node, dict) and node and draw(st.booleans()):
            child = node[draw(st.sampled_from(sorted(node)))]
            if not isinstance(child, dict):
                break
            node = child
        if not isinstance(node, dict):
            continue
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "add" or not node:
            node[draw(keys)] = draw(values)
        elif action == "drop":
            node.pop(draw(st.sampled_from(sorted(node))))
        else:
            node[draw(st.sampled_from(sorted(node)))] = draw(values)
    return path, doc


@st.composite
def edited_texts(draw: st.DrawFn, paths: list[Path]) -> tuple[Path, str]:
    """A shipped file's text with a few random edits: lines dropped or doubled, characters
    inserted or deleted."""
    path = draw(st.sampled_from(paths))
    lines = path.read_text().splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "double", "insert", "delete"]))
        if action == "drop":
            del lines[i]
        elif action == "double":
            lines.insert(i, lines[i])
        else:
            j = draw(st.integers(0, len(lines[i])))
            piece = draw(st.sampled_from(PIECES) | text)
            lines[i] = (
                lines[i][:j] + piece + lines[i][j + 1 :]
                if action == "delete"
                else (lines[i][:j] + piece + lines[i][j:])
            )
    return path, "\n".join(lines) + "\n"


@FUZZ
@given(doc=documents)
def test_a_random_toml_document_loads_or_is_an_input_error(tmp_path, doc):
    path = tmp_path / "random.toml"
    path.write_text(to_toml(doc), encoding="utf-8")
    _loads_or_input_error(load_cast, path)
    _loads_or_input_error(load_spec, path)


@FUZZ
@given(edited=edited_documents(CASTS))
def test_an_edited_cast_document_builds_or_is_an_input_error(edited):
    path, doc = edited
    _loads_or_input_error(build_cast, doc, str(path))


@FUZZ
@given(edited=edited_documents(SPECS))
def test_an_edited_spec_document_parses_or_is_an_input_error(edited):
    path, doc = edited
    _loads_or_input_error(parse_spec, doc, str(path), path.parent)


@FUZZ
@given(edited=edited_texts(CASTS + SPECS))
def test_an_edited_shipped_file_loads_or_is_an_input_error(tmp_path, edited):
    path, content = edited
    if path in SPECS:
        content = content.replace('"../agents/', f'"{ROOT / "agents"}/')
    target = tmp_path / path.name
    target.write_text(content, encoding="utf-8")
    _loads_or_input_error(load_cast if path in CASTS else load_spec, target)


@FUZZ
@given(
    cast=st.sampled_from(CASTS),
    assignments=st.lists(
        st.tuples(
            st.lists(st.sampled_from(KEYS) | text, min_size=1, max_size=4).map(".".join),
            st.sampled_from(
                ["0.5", "-1", "1e400", "nan", "true", "[1, 2]", "{a = 1}", "x", "", DEEP]
            )
            | text,
        ).map("=".join),
        max_size=3,
    ),
)
def test_random_set_overrides_apply_or_are_an_input_error(cast, assignments):
    _loads_or_input_error(lambda: load_cast(cast, _overrides(assignments)))


# --- every schema path, every type; nesting; huge values; sweeps of every kind of parameter ----

DYAD_DOC = SHIPPED[ROOT / "agents" / "dyad.toml"]
SCHEMA_PATHS = sorted(
    [
        f"{section}.{name}"
        for section, info in Parameters.model_fields.items()
        for name in info.annotation.model_fields
    ]
    + [f"states.ARG.{name}" for name in StateSpec.model_fields if name != "exposure"]
    + ["states.ARG.exposure.ALY", "leaders.TGT.resolve", "leaders.ALY.name"]
    + [f"constituencies.ARG.public.{k}" for k in ("count", "spread", "weight", "stance")]
)


@st.composite
def nested(draw: st.DrawFn) -> Any:
    """A scalar wrapped in tables and arrays, from one level to thousands deep."""
    value: Any = draw(scalars.filter(lambda v: v is not None))
    for _ in range(draw(st.integers(1, 3000) | st.integers(1, 20))):
        value = {draw(keys): value} if draw(st.booleans()) else [value]
    return value


huge = (
    st.integers(1_000, 200_000).map(lambda n: "x" * n)
    | st.integers(1_000, 100_000).map(lambda n: {f"k{i}": 0.5 for i in range(n)})
    | st.integers(1_000, 100_000).map(lambda n: [0.5] * n)
    | st.integers(2**63, 2**200)
    | st.integers(1, 3_000_000)
)
any_value = scalars | values | nested() | huge


@FUZZ
@given(path=st.sampled_from(SCHEMA_PATHS), value=any_value)
def test_any_value_at_any_schema_path_builds_or_is_an_input_error(path, value):
    def build() -> Any:
        from negsim.cast import apply_overrides

        return build_cast(apply_overrides(DYAD_DOC, {canonical_path(path): value}), "fuzz")

    cast = _loads_or_input_error(build)
    if cast is not None:  # accepted: then of the field's own type, never converted
        kind = schema_field(canonical_path(path)).annotation or float
        if isinstance(value, bool):
            assert kind is bool
        elif isinstance(value, int):
            assert kind in (int, float)
        elif isinstance(value, float):
            assert kind is float
        elif isinstance(value, str):
            assert issubclass(kind, str)


@FUZZ
@given(where=st.lists(st.sampled_from(KEYS) | text, min_size=1, max_size=4), value=nested())
def test_a_deeply_nested_document_is_an_input_error_not_a_recursion_error(tmp_path, where, value):
    doc: Any = json.loads(json.dumps(DYAD_DOC))
    node = doc
    for key in where[:-1]:
        node = node.setdefault(key, {}) if isinstance(node.get(key, {}), dict) else node
    node[where[-1]] = value
    _loads_or_input_error(build_cast, doc, "deep")
    table = "vary" if len(where) % 2 else "fixed"
    spec = {
        "experiment": {"name": "deep", "cast": str(ROOT / "agents" / "dyad.toml")},
        table: {".".join(where): value},
    }
    _loads_or_input_error(parse_spec, spec, "deep", ROOT)


VALID = {  # one parameter of each kind (enum, boolean, integer, number, text), valid values
    "states.ALY.regime": st.sampled_from(["democracy", "autocracy"]),
    "states.TGT.role": st.just("target"),
    "domestic.elections": st.booleans(),
    "bargaining.start_tick": st.integers(0, 50),
    "constituencies.ARG.public.count": st.integers(1, 50),
    "bargaining.face_offer": st.floats(0, 1) | st.integers(0, 1),
    "leaders.ALY.name": text,
    "states.ARG.exposure.ALY": st.floats(0, 1),
}
wrong_values = (
    st.sampled_from(["democracy", "target", "12", "0.5", "true", ""])
    | st.booleans()
    | st.integers(-5, 300)
    | st.floats(-1, 2)
    | st.just(math.nan)
    | text
)


@st.composite
def sweeps(draw: st.DrawFn) -> dict[str, list[Any]]:
    """A [vary] table: parameters of every kind, each with mostly valid values of its own."""
    paths = draw(
        st.lists(st.sampled_from(sorted(VALID)) | st.sampled_from(SCHEMA_PATHS), max_size=3)
    )
    return {
        path: draw(
            st.lists(VALID.get(path, wrong_values) | wrong_values, min_size=1, max_size=3)
            if draw(st.integers(0, 3))
            else st.lists(VALID.get(path, wrong_values), min_size=1, max_size=3)
        )
        for path in paths
    }


@FUZZ
@given(vary=sweeps())
def test_a_valid_sweep_of_any_parameter_fits_its_results_table(vary):
    doc = {
        "experiment": {"name": "fuzz", "cast": str(ROOT / "agents" / "dyad.toml")},
        "vary": vary,
    }
    spec = _loads_or_input_error(parse_spec, doc, "fuzz spec", ROOT)
    if spec is None:
        return
    points, runs = plan(spec)
    rows = [
        {
            "run_id": r.run_id,
            "point": r.point,
            "replication": r.replication,
            "seed": r.seed,
            "status": "ok",
            **points[r.point],
        }
        for r in runs
    ]
    pa.Table.from_pylist(rows, schema=runs_schema(spec))  # what the sweep writes for each run


def test_the_shipped_files_still_load():
    from negsim.calibration.spec import load_calibration

    for path in CASTS:
        load_cast(path)
    for path in SPECS:
        if "calibration" in read_toml(path):
            load_calibration(path)
        else:
            load_spec(path)


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00", b"a = 1\n" * 3, b"", b"[[x]]\n[x]\n", f"a = {DEEP}".encode()],
)
def test_unreadable_or_odd_files_are_input_errors(tmp_path, content):
    path = tmp_path / "odd.toml"
    path.write_bytes(content)
    with pytest.raises(InputError):
        load_cast(path)
    with pytest.raises(InputError):
        read_toml(tmp_path / "missing.toml")
