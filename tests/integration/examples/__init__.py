"""The example apps, run as their users run them, against the local server."""
