"""Labelwright: a self-hosted data labeling platform."""

__version__ = "0.1.0"
