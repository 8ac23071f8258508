"""Shared fixtures: the repository's casts."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DYAD = ROOT / "agents" / "dyad.toml"
UKRAINE = ROOT / "agents" / "ukraine_2022.toml"


@pytest.fixture
def dyad_path() -> Path:
    return DYAD


@pytest.fixture
def ukraine_path() -> Path:
    return UKRAINE
