"""framing: measure how news outlets frame non-state armed actors, sentence by sentence."""

__version__ = "0.1.0"
