"""Candidate sampling of ``mx.sym.contrib``: ``rand_zipfian``."""
import math


def rand_zipfian(true_classes, num_sampled, range_max):
    """Symbols of ``num_sampled`` classes drawn from the approximately log-uniform (Zipfian)
    distribution over [0, range_max), and the expected counts of ``true_classes`` and of the
    samples (see ``mx.nd.contrib.rand_zipfian``)."""
    from . import random
    log_range = math.log(range_max + 1)
    rand = random.uniform(0, log_range, shape=(num_sampled,), dtype="float64")
    sampled = (rand.exp() - 1).astype("int64") % range_max
    true_cls = true_classes.astype("float64")
    count_true = ((true_cls + 2.0) / (true_cls + 1.0)).log() / log_range * num_sampled
    sampled64 = sampled.astype("float64")
    count_sampled = ((sampled64 + 2.0) / (sampled64 + 1.0)).log() / log_range * num_sampled
    return sampled, count_true, count_sampled


def install(module):
    """Expose these functions on the generated ``mx.sym.contrib`` module."""
    module.rand_zipfian = rand_zipfian
