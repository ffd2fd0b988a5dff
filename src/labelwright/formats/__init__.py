"""Pure converters between streams and plain records."""
