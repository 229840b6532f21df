"""Imperative control flow and float checks of ``mx.nd.contrib`` (foreach, while_loop, cond, isnan, ...).

These run eagerly as Python loops over NDArray operators, so autograd records every step like any
other imperative code.
"""
import numpy as _np

from .ndarray import NDArray


def _as_list(x, what):
    """``(list of NDArrays, was_single)`` for an NDArray or a (possibly empty) sequence of them."""
    if x is None:
        return [], False
    if isinstance(x, NDArray):
        return [x], True
    if isinstance(x, (list, tuple)):
        for v in x:
            if not isinstance(v, NDArray):
                raise ValueError(f"{what} must be an NDArray or a list of NDArrays, got {type(v).__name__}")
        return list(x), False
    raise ValueError(f"{what} must be an NDArray or a list of NDArrays, got {type(x).__name__}")


def _stack_steps(steps):
    """Stack per-step output lists along a new axis 0 (one stacked array per output)."""
    from . import stack
    return [stack(*col, axis=0) for col in zip(*steps)]


def foreach(body, data, init_states):
    """Run ``body(slice, states) -> (outputs, states)`` over axis 0 of ``data``; outputs are stacked."""
    items, single_data = _as_list(data, "data")
    if not items:
        raise ValueError("foreach: data must not be empty")
    states = init_states
    steps, single_out = [], True
    for i in range(items[0].shape[0]):
        sl = items[0][i] if single_data else [d[i] for d in items]
        outs, states = body(sl, states)
        outs, single_out = _as_list(outs, "foreach output")
        steps.append(outs)
    outputs = _stack_steps(steps)
    return (outputs[0] if single_out and len(outputs) == 1 else outputs), states


def while_loop(cond, func, loop_vars, max_iterations=None):
    """Repeat ``func(*loop_vars) -> (step_output, new_loop_vars)`` while ``cond(*loop_vars)`` holds.

    Step outputs are stacked along axis 0 and padded with zeros to ``max_iterations`` rows.
    """
    from . import concat, zeros
    if max_iterations is None:
        raise ValueError("max_iterations should be specified")
    max_iterations = int(max_iterations)
    vars_, single_vars = _as_list(loop_vars, "loop_vars")
    steps, single_out = [], False
    n = 0
    while n < max_iterations:
        pred = cond(*vars_)
        if not (pred.asscalar() if isinstance(pred, NDArray) else pred):
            break
        outs, new_vars = func(*vars_)
        outs, single_out = _as_list(outs, "step output")
        new_vars, _ = _as_list(new_vars, "loop_vars")
        if len(new_vars) != len(vars_):
            raise ValueError(f"while_loop: func returned {len(new_vars)} loop variables, expected {len(vars_)}")
        steps.append(outs)
        vars_ = new_vars
        n += 1
    outputs = []
    if steps and steps[0]:
        for out in _stack_steps(steps):
            if n < max_iterations:
                pad = zeros((max_iterations - n,) + out.shape[1:], ctx=out.context, dtype=out.dtype)
                out = concat(out, pad, dim=0)
            outputs.append(out)
    if single_out and len(outputs) == 1:
        outputs = outputs[0]
    return outputs, (vars_[0] if single_vars else vars_)


def cond(pred, then_func, else_func):
    """``then_func()`` if the one-element ``pred`` is non-zero, else ``else_func()``."""
    branch = pred.asscalar() if isinstance(pred, NDArray) else pred
    return then_func() if branch else else_func()


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
