"""Imperative control flow and float checks of ``mx.nd.contrib`` (foreach, while_loop, cond, isnan, ...).

These run eagerly as Python loops over NDArray operators, so autograd records every step like any
other imperative code.
"""
import numpy as _np

from .._nested import flatten, regroup as _regroup
from .ndarray import NDArray


def _flatten(args, what):
    """``(flat list of NDArrays, format)``: format 0 for one NDArray, a list of formats for a
    (nested) list."""
    def leaf(a):
        if isinstance(a, NDArray):
            return [a], 0
        raise ValueError(f"{what} must be an NDArray or a nested list of NDArrays, "
                         f"got {type(a).__name__}")
    return flatten(args, leaf)


def _scalar(x, type_, what):
    try:
        return type_(x.asscalar() if isinstance(x, NDArray) else x)
    except (TypeError, ValueError):
        raise ValueError(f"Cannot convert {what} to python {type_.__name__}") from None


def foreach(body, data, init_states):
    """Run ``body(slice, states) -> (outputs, states)`` over axis 0 of ``data``; outputs are
    stacked over the steps (in the format ``body`` gives them), states are the last ones."""
    from . import stack
    flat_data, _ = _flatten(data, "foreach input")
    _flatten(init_states, "foreach states")
    if not flat_data:
        raise ValueError("foreach: data must not be empty")
    states = init_states
    steps, out_fmt = [], 0
    for i in range(flat_data[0].shape[0]):
        sl = data[i] if isinstance(data, NDArray) else [d[i] for d in data]
        outs, states = body(sl, states)
        outs, out_fmt = _flatten(outs, "foreach output")
        steps.append(outs)
    outputs = [stack(*col, axis=0) for col in zip(*steps)]
    if not steps:   # no steps: nothing to stack
        return [], states
    return _regroup(outputs, out_fmt)[0], states


def while_loop(cond, func, loop_vars, max_iterations=None):
    """Repeat ``func(*loop_vars) -> (step_output, new_loop_vars)`` while ``cond(*loop_vars)`` holds.

    Step outputs are stacked along axis 0 and padded with zeros to ``max_iterations`` rows; when
    the body never runs there are none (``[]``).
    """
    from . import concat, zeros
    if max_iterations is None:
        raise ValueError("max_iterations should be specified")
    max_iterations = _scalar(max_iterations, int, "max_iteration")
    single_var = isinstance(loop_vars, NDArray)
    vars_ = [loop_vars] if single_var else list(loop_vars)
    if not vars_:
        raise ValueError("loop_vars should contain at least one element")
    steps, out_fmt = [], None
    while len(steps) < max_iterations and _scalar(cond(*vars_), bool, "Return value of cond"):
        outs, new_vars = func(*vars_)
        outs = [] if outs is None else list(outs) if isinstance(outs, tuple) else outs
        new_vars = [] if new_vars is None else new_vars
        new_vars = [new_vars] if isinstance(new_vars, NDArray) else list(new_vars)
        if len(new_vars) != len(vars_):
            raise ValueError("The length of loop_vars should be consistent during the loop")
        outs, out_fmt = _flatten(outs, "while output")
        if steps and len(outs) != len(steps[0]):
            raise ValueError("Number of elements in step_output should be the same in each step")
        steps.append(outs)
        vars_ = new_vars
    outputs = []
    for col in zip(*steps):
        out = concat(*[x.expand_dims(0) for x in col], dim=0)
        if len(steps) < max_iterations:
            pad = zeros((max_iterations - len(steps),) + out.shape[1:], ctx=out.context, dtype=out.dtype)
            out = concat(out, pad, dim=0)
        outputs.append(out)
    if out_fmt is not None:
        outputs = _regroup(outputs, out_fmt)[0]
    return outputs, (vars_[0] if single_var else vars_)


def cond(pred, then_func, else_func):
    """``then_func()`` if the one-element ``pred`` is non-zero, else ``else_func()``."""
    return then_func() if _scalar(pred, bool, "pred") else else_func()


def isnan(data):
    """1 where ``data`` is NaN, 0 elsewhere (same dtype as ``data``)."""
    return data != data


def isinf(data):
    """1 where ``data`` is +/-inf, 0 elsewhere (same dtype as ``data``)."""
    if _np.dtype(data.dtype).kind != "f":
        return data.zeros_like()
    return data.abs() == _np.inf


def isfinite(data):
    """1 where ``data`` is neither NaN nor infinite, 0 elsewhere."""
    if _np.dtype(data.dtype).kind != "f":
        return data.ones_like()
    return (data.abs() != _np.inf) * (data == data)


def install(module):
    """Expose these functions on the generated ``mx.nd.contrib`` module."""
    for fn in (foreach, while_loop, cond, isnan, isinf, isfinite):
        setattr(module, fn.__name__, fn)
