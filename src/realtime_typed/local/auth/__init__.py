"""The local server's auth: JWT verification, JWKS keys, RLS checks on ``realtime.messages``
and the policies they grant. Imports only the ``postgres`` layer below it."""
