"""pytest fixtures that run the local Realtime server (registered as the ``realtime_local`` plugin)."""
