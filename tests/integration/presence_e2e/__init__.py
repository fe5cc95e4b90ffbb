"""Presence end to end: random track/untrack/reconnect sequences through the local server."""
