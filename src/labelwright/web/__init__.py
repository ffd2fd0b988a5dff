"""Server-rendered pages and the labeling workbench (web UI issues)."""
