"""Fault scenarios: the client against a local server that fails on purpose."""
