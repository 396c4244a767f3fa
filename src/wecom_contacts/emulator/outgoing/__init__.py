"""Outgoing callbacks: change -> event XML, the envelope crypto, the router and senders."""
