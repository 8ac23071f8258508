"""negsim: agent-based simulation of coercive, multi-party crisis negotiation, built on Mesa."""

from importlib.metadata import version

__version__ = version("negsim")
