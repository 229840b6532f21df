"""Operator family: nn_conv (being written)."""
