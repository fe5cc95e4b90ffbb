"""The blocking client against the local server: scenarios run on a worker thread."""
