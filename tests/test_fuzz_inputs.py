"""Fuzzing the cast and spec loaders: any input loads or raises InputError, never a traceback.

Inputs are random TOML documents built from the schema's own keys, random edits of the
shipped files' documents, random edits of their text, and random ``--set`` overrides.
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negsim.cast import build_cast, load_cast, parse_assignment, read_toml
from negsim.errors import InputError
from negsim.experiment.spec import load_spec, parse_spec

ROOT = Path(__file__).resolve().parents[1]
CASTS = sorted((ROOT / "agents").glob("*.toml"))
SPECS = sorted((ROOT / "experiments").glob("*.toml"))
DEEP = "[" * 5000  # deeper than tomllib can recurse, even under hypothesis's raised limit
PIECES = ["=", "[", "]", '"', ".", "-", "1e9", "nan", "x", DEEP, "{a = " * 3000]
FUZZ = settings(
    max_examples=150,
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


def _loads_or_input_error(load: Any, *args: Any) -> None:
    try:
        load(*args)
    except InputError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)


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
    def load() -> None:
        overrides = dict(parse_assignment(a) for a in assignments)
        load_cast(cast, overrides)

    _loads_or_input_error(load)


def test_the_shipped_files_still_load():
    for path in CASTS:
        load_cast(path)
    for path in SPECS:
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
