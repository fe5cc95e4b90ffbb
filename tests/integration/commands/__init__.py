"""The commands as users run them: every docs sample through ``realtime-local``, and
``realtime-doctor`` on a real database."""
