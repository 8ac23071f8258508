"""Spec files for the runner tests: the small dyad cast, few ticks."""

from __future__ import annotations

from pathlib import Path

from negsim.model import run

ROOT = Path(__file__).resolve().parents[2]
DYAD = ROOT / "agents" / "dyad.toml"


def write_spec(
    folder: Path,
    name: str = "t",
    *,
    replications: int = 3,
    max_ticks: int = 20,
    vary: str = '"bargaining.face_offer" = [0.1, 0.2]',
    extra: str = "",
    sampler: str = "grid",
) -> Path:
    """Write a spec on the dyad cast and return its path."""
    path = folder / f"{name}.toml"
    path.write_text(
        f"""
[experiment]
name = "{name}"
cast = "{DYAD}"
sampler = "{sampler}"
replications = {replications}
max_ticks = {max_ticks}
seed = 11
{extra}

[vary]
{vary}
"""
    )
    return path


def failing_at_face_02(cast, seed, max_ticks, overrides=None, collect_series=False):
    """Like `negsim.model.run`, but raises for every run with face_offer = 0.2."""
    if cast.parameters.bargaining.face_offer == 0.2:
        raise RuntimeError("boom")
    return run(cast, seed=seed, max_ticks=max_ticks, collect_series=collect_series)
