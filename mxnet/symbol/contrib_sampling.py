"""Candidate sampling of ``mx.sym.contrib``: ``rand_zipfian``."""
import math


def rand_zipfian(true_classes, num_sampled, range_max):
    """Symbols of ``num_sampled`` classes drawn from the approximately log-uniform (Zipfian)
    distribution over [0, range_max), and the expected counts of ``true_classes`` and of the
    samples (see ``mx.nd.contrib.rand_zipfian``)."""
    from . import random
    from ..ndarray.contrib_sampling import zipfian_from_uniform
    rand = random.uniform(0, math.log(range_max + 1), shape=(num_sampled,), dtype="float64")
    return zipfian_from_uniform(rand, true_classes, num_sampled, range_max)

def install(module):
    """Expose these functions on the generated ``mx.sym.contrib`` module."""
    module.rand_zipfian = rand_zipfian
