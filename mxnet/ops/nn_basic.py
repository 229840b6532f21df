"""Operator family: nn_basic (being written)."""
