"""Typed HTTP client for the Labelwright REST API (talks HTTP only)."""

from labelwright.sdk.client import Client

__all__ = ["Client"]
