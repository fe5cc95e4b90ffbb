"""realtime-gen: an app's SQL schema and channel declarations become a typed Python module."""
