"""A local Realtime server faithful to the real one's wire contract, for development and tests.

Needs the ``server`` extra. It is not a production server: production traffic goes to
Supabase Realtime itself.
"""
