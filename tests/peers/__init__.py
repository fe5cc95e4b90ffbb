"""Peer tests: the official clients and realtime-typed talking through the local server."""
