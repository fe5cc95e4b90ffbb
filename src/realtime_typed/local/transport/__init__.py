"""The local server's transport: the HTTP app, REST broadcast, one session per socket, and the
state every socket of a server shares. Imports the channel features, auth and options below."""
