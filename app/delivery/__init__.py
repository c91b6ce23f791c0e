"""Delivery: the outbox, who is told and when, and the push worker."""
