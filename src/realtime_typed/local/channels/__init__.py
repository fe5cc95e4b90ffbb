"""A joined channel and its features: join, broadcast, presence, Postgres changes, private
channels, replay and stored broadcasts, channel tokens. Below the transport: a channel reaches
its socket through :class:`~realtime_typed.local.channels.channel.ChannelSocket` and the server's
shared state through :class:`~realtime_typed.local.channels.shared.SharedState`."""
