"""Durable message flow: the inbox (inbound, deduplicated), the turn runner and the outbox."""
