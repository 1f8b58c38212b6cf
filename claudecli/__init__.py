"""claudecli: a terminal client for Claude."""

__version__ = "0.1.0"
