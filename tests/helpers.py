"""Small worlds for unit tests: a cast from the dyad with overrides, built without a model."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from negsim.cast import apply_overrides, build_cast, canonical_path, read_toml
from negsim.mechanisms import cohesion, outlook, sanctions
from negsim.world import World, build_world

ROOT = Path(__file__).resolve().parents[1]
DYAD = ROOT / "agents" / "dyad.toml"


def dyad_cast(**overrides: Any):
    """The dyad cast with dotted-path overrides (``"leaders.ARG.resolve": 0.9``)."""
    doc = read_toml(DYAD)
    paths = {canonical_path(k): v for k, v in overrides.items()}
    return build_cast(apply_overrides(doc, paths) if paths else doc, "dyad")


def dyad_world(seed: int = 0, **overrides: Any) -> World:
    """A ready world of the dyad: sanctions, cohesion and prospects computed."""
    world = build_world(dyad_cast(**overrides), random.Random(seed))
    sanctions.refresh(world)
    cohesion.refresh(world)
    sanctions.refresh(world)
    outlook.refresh(world)
    return world
