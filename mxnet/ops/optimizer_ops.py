"""Operator family: optimizer_ops (being written)."""
