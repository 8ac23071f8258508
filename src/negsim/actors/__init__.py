"""The Mesa agents of a crisis: states, their leaders and their constituencies.

They are views of rows of the world's arrays (`negsim.world`): the data collector, the
browser view and users' code read them as agents, while the mechanisms update the arrays.
Leaders decide and carry out their own actions through the mechanisms.
"""

from negsim.actors.constituency import Constituency
from negsim.actors.leader import Leader, NeutralLeader, PartnerLeader, PrincipalLeader
from negsim.actors.state import State

__all__ = [
    "Constituency",
    "Leader",
    "NeutralLeader",
    "PartnerLeader",
    "PrincipalLeader",
    "State",
]
