"""Benchmarks: realtime-typed beside the official ``realtime`` client and a raw websockets loop.

``python -m bench`` (``nox -s bench``) runs every script here as a subprocess and writes
``bench/RESULTS.md``. Each script prints one JSON line and can be run alone.
"""
