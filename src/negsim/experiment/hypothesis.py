"""The `[hypothesis]` table of an experiment spec: what question a sweep answers, and how.

An experiment spec may carry one, which turns it into a test of a claim of the sources:

    [hypothesis]
    id = "H8"
    title = "Back channel"
    question = "Does a discreet back channel lower the chance of catastrophe?"
    source = "Kogan: discreet high-level contacts, as in 1962"

    [[hypothesis.effects]]
    label = "back channel open vs closed"
    metric = "share:catastrophe"          # share:<outcome or boolean column> | mean:<column>
    high = { "bargaining.back_channel" = 1.0 }
    low = { "bargaining.back_channel" = 0.0 }
    source_expects = "lower"              # the direction the source suggests: higher | lower
    version_1 = "+2.5 pp [-0.3, +5.4], inconclusive"   # optional: an earlier model's answer

    [hypothesis.robustness]
    cast = "../agents/dyad.toml"          # the second cast the answer is checked on
    rename = {}                           # vary/fixed paths that differ on that cast
    temperature_scale = 3.0               # and a noisier decision rule
    replications = 200

The effect of each entry is the metric over the runs matching ``high`` minus the metric over
those matching ``low``, with a 95% interval (`negsim.analysis.findings`).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from negsim.cast import Section


class Effect(Section):
    label: str
    metric: str = Field(pattern=r"^(share|mean):[a-z_]+$")
    high: dict[str, Any]
    low: dict[str, Any]
    source_expects: Literal["higher", "lower"]
    version_1: str = Field("", description="model version 1's answer, for what changed")


class Robustness(Section):
    cast: str = Field(description="the second cast, relative to the spec")
    rename: dict[str, str] = Field(default_factory=dict)
    temperature_scale: float = Field(3.0, gt=0, allow_inf_nan=False)
    replications: int = Field(200, ge=1)


class Hypothesis(Section):
    id: str = Field(pattern=r"^H\d+$")
    title: str
    question: str
    source: str
    effects: list[Effect] = Field(min_length=1)
    robustness: Robustness
    mechanism: str = ""


def variant_documents(doc: dict[str, Any], hyp: Hypothesis) -> dict[str, dict[str, Any]]:
    """The spec documents of a hypothesis's robustness sweeps: "second cast" and "hot".

    Each is the spec's document without its ``[hypothesis]`` table, with the robustness
    replications; "second cast" runs on the robustness cast (paths renamed), "hot" multiplies
    every leader's choice temperature by ``temperature_scale``.
    """
    rob = hyp.robustness
    base = copy.deepcopy(doc)
    base.pop("hypothesis", None)
    base["experiment"]["replications"] = rob.replications

    second = copy.deepcopy(base)
    second["experiment"]["name"] += f"_{Path(rob.cast).stem}"
    second["experiment"]["cast"] = rob.cast
    for table in ("fixed", "vary"):
        if table in second:
            second[table] = {rob.rename.get(k, k): v for k, v in second[table].items()}

    hot = copy.deepcopy(base)
    hot["experiment"]["name"] += "_hot"
    hot.setdefault("fixed", {})["decisions.temperature_scale"] = rob.temperature_scale
    return {"second cast": second, "hot": hot}
