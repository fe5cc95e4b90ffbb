"""supabase-py against the local server, with a local stand-in for the Auth endpoints it calls."""
