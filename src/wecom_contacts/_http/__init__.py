"""The request pipeline, the only place that does I/O for the client: transports, the pure
retry and envelope rules (decide), the token provider and call loop (pipeline), the rate-limit
hook (ratelimit)."""
