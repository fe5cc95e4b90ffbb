"""The sans-I/O Phoenix core: serializers, refs, state machines, deadlines. No asyncio, no clock."""
