"""``realtime-doctor``: why Postgres changes do not arrive, or arrive partially.

It reads a database's catalog and reports, one finding per line with the SQL that fixes it,
every setting that makes Supabase Realtime silently deliver nothing or less than expected.
Needs psycopg (the ``gen`` extra).
"""

from realtime_typed.doctor.findings import Finding, Level

__all__ = ["Finding", "Level"]
