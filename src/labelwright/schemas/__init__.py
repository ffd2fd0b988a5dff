"""Pydantic wire models shared by the API, the CLI and the SDK."""
