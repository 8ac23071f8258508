"""The Mesa agents of a crisis: states, their leaders and their constituencies."""

from negsim.actors.constituency import Constituency, Publics
from negsim.actors.leader import (
    AggressorLeader,
    CoalitionLeader,
    Leader,
    NeutralLeader,
    TargetLeader,
)
from negsim.actors.state import State

__all__ = [
    "AggressorLeader",
    "CoalitionLeader",
    "Constituency",
    "Leader",
    "NeutralLeader",
    "Publics",
    "State",
    "TargetLeader",
]
