"""Candidate sampling of ``mx.nd.contrib``: ``rand_zipfian``."""
import math

from ..context import current_context


def rand_zipfian(true_classes, num_sampled, range_max, ctx=None):
    """``num_sampled`` classes drawn with replacement from the approximately log-uniform (Zipfian)
    distribution P(c) = log((c + 2) / (c + 1)) / log(range_max + 1) over [0, range_max).

    Returns (sampled classes (int64), expected counts of ``true_classes``, expected counts of
    the sampled classes), the expected counts being ``num_sampled`` times the probabilities
    (float64)."""
    from .random import uniform
    if ctx is None:
        ctx = current_context()
    rand = uniform(0, math.log(range_max + 1), shape=(num_sampled,), dtype="float64", ctx=ctx)
    return zipfian_from_uniform(rand, true_classes.as_in_context(ctx), num_sampled, range_max)


def zipfian_from_uniform(rand, true_classes, num_sampled, range_max):
    """The samples and expected counts of ``rand_zipfian`` from uniform draws on
    [0, log(range_max + 1)); written with array methods, so NDArrays and Symbols both work."""
    log_range = math.log(range_max + 1)
    sampled = (rand.exp() - 1).astype("int64") % range_max
    true_cls = true_classes.astype("float64")
    count_true = ((true_cls + 2.0) / (true_cls + 1.0)).log() / log_range * num_sampled
    sampled64 = sampled.astype("float64")
    count_sampled = ((sampled64 + 2.0) / (sampled64 + 1.0)).log() / log_range * num_sampled
    return sampled, count_true, count_sampled


def install(module):
    """Expose these functions on the generated ``mx.nd.contrib`` module."""
    module.rand_zipfian = rand_zipfian
