"""scograph: the open knowledge graph of people-to-people diplomacy in the SCO."""

__version__ = "0.1.0"
