"""Consistent inputs for the operators with C kernels, so that their cases reach the kernels."""


def template(name, rng):
    return None
