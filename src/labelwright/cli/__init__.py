"""The `labelwright` command line."""

from labelwright.cli.app import main

__all__ = ["main"]
