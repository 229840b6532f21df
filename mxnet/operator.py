"""Operators written in Python: ``CustomOp``, ``CustomOpProp`` and ``register``.

A registered ``CustomOpProp`` subclass describes an operator (inputs, outputs, auxiliary states,
shape/type inference) and creates its ``CustomOp``, which computes on NDArrays.  The operator is
then called as ``mx.nd.Custom(*inputs, op_type=name, **kwargs)`` or ``mx.sym.Custom(...)``; the
keyword arguments reach the Prop's ``__init__`` as strings.  The ``Custom`` operator itself lives in
``mxnet/ops/custom_op.py``.
"""
import ctypes
import itertools
import warnings
from collections import namedtuple
from ctypes import CFUNCTYPE, POINTER, Structure, c_bool, c_char, c_char_p, c_int, c_void_p, cast, pointer

from .base import (MXNetError, NDArrayHandle, OpHandle, c_array, c_array_buf, c_str, check_call,
                   ctypes2numpy_shared, mx_float, mx_int, mx_uint, py_str)
from .ndarray.ndarray import NDArray
from .ops import custom_op as _custom_op
from .ops.registry import all_names, get_op

__all__ = ["CustomOp", "CustomOpProp", "register", "get_all_registered_operators",
           "PythonOp", "NumpyOp", "NDArrayOp",
           "get_operator_arguments", "OperatorArguments",
           # what MXNet's module imports, and so gives to ``from mxnet.operator import *``
           "ctypes", "CFUNCTYPE", "POINTER", "Structure", "c_bool", "c_char", "c_char_p", "c_int",
           "c_void_p", "cast", "pointer", "NDArray", "NDArrayHandle", "OpHandle", "c_array",
           "c_array_buf", "c_str", "check_call", "ctypes2numpy_shared", "mx_float", "mx_int",
           "mx_uint", "py_str"]


class CustomOp:
    """Base class of the compute half of a custom operator."""

    def __init__(self):
        pass

    def forward(self, is_train, req, in_data, out_data, aux):
        """Compute ``out_data`` from ``in_data``; write results with ``self.assign``."""
        raise NotImplementedError("CustomOp.forward must be overridden")

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        """Compute ``in_grad`` from ``out_grad``; write results with ``self.assign``."""
        raise NotImplementedError("CustomOp.backward must be overridden")

    def assign(self, dst, req, src):
        """Store ``src`` into ``dst`` as ``req`` asks: 'write'/'inplace', 'add' or 'null'."""
        if req == "null":
            return
        if req in ("write", "inplace"):
            dst[:] = src
        elif req == "add":
            dst[:] = dst + src
        else:
            raise MXNetError(f"CustomOp.assign: unknown req {req!r}; expected 'write', 'inplace', "
                             f"'add' or 'null'")


class CustomOpProp:
    """Base class of the description half of a custom operator.

    ``need_top_grad=False`` marks a loss-like operator whose backward ignores ``out_grad``.
    """

    def __init__(self, need_top_grad=True):
        self.need_top_grad_ = need_top_grad

    def infer_shape(self, in_shape):
        """``(in_shapes, out_shapes, aux_shapes)``; by default every output has the first input's
        shape."""
        return in_shape, (in_shape[0],) * len(self.list_outputs()), ()

    def infer_type(self, in_type):
        """``(in_types, out_types, aux_types)``; by default everything has the first input's type."""
        return (in_type, [in_type[0]] * len(self.list_outputs()),
                [in_type[0]] * len(self.list_auxiliary_states()))

    def infer_storage_type(self, in_stype):
        """Only dense ('default') storage is supported."""
        for s in in_stype:
            if s != "default":
                raise NotImplementedError("CustomOpProp: only default (dense) storage is supported")
        return (in_stype, ["default"] * len(self.list_outputs()),
                ["default"] * len(self.list_auxiliary_states()))

    def list_outputs(self):
        return ["output"]

    def list_arguments(self):
        return ["data"]

    def list_auxiliary_states(self):
        return []

    def declare_backward_dependency(self, out_grad, in_data, out_data):
        """Which of the forward's arrays the backward reads (MXNet uses it to free memory early)."""
        deps = list(out_grad) if self.need_top_grad_ else []
        return deps + list(in_data) + list(out_data)

    def create_operator(self, ctx, in_shapes, in_dtypes):
        """Return the ``CustomOp`` that computes this operator."""
        raise NotImplementedError("CustomOpProp.create_operator must be overridden")


class PythonOp:
    """Deprecated base of MXNet's first Python operators (use ``CustomOp``): ``forward(in_data,
    out_data)`` and ``backward(out_grad, in_data, out_data, in_grad)`` write into the arrays they
    are given; ``get_symbol(*inputs, name=...)`` (or calling the object) makes a symbol of it."""

    def __init__(self, need_top_grad=True):
        warnings.warn(f"{type(self).__name__} has been deprecated. Please use CustomOp")
        self.info_ = None
        self.need_top_grad_ = need_top_grad

    def __call__(self, *args, **kwargs):
        return self.get_symbol(*args, **kwargs)

    def get_symbol(self, *args, **kwargs):
        raise NotImplementedError("Must override this")

    def forward(self, in_data, out_data):
        """The identity: copies the first input to the first output."""
        out_data[0][:] = in_data[0]

    def backward(self, out_grad, in_data, out_data, in_grad):
        """The identity's gradient: copies the output gradient."""
        in_grad[0][:] = out_grad[0]

    def infer_shape(self, in_shape):
        """``(in_shapes, out_shapes)``: by default one output shaped as the first input."""
        return in_shape, [in_shape[0]]

    def list_outputs(self):
        return ["output"]

    def list_arguments(self):
        return ["data"]

    def need_top_grad(self):
        return self.need_top_grad_


_LEGACY_IDS = itertools.count()


def _legacy_symbol(pyop, hint, on_host, args, kwargs):
    """A ``Custom`` symbol running the legacy operator ``pyop`` (its Prop registered under a name
    of its own); ``on_host``: the operator computes on NumPy arrays (NumpyOp)."""
    from . import symbol
    from .name import NameManager

    class _Compute(CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            _call_on(on_host, pyop.forward, in_data=in_data, out_data=out_data)

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            _call_on(on_host, pyop.backward, out_grad=out_grad, in_data=in_data, out_data=out_data,
                     in_grad=in_grad)

    class _Prop(CustomOpProp):
        def __init__(self, **_):
            super().__init__(need_top_grad=pyop.need_top_grad())

        def list_arguments(self):
            return pyop.list_arguments()

        def list_outputs(self):
            return pyop.list_outputs()

        def infer_shape(self, in_shape):
            ins, outs = pyop.infer_shape(in_shape)
            return ins, outs, []

        def declare_backward_dependency(self, out_grad, in_data, out_data):
            fn = getattr(pyop, "declare_backward_dependency", None)
            return fn(out_grad, in_data, out_data) if fn else super().declare_backward_dependency(
                out_grad, in_data, out_data)

        def create_operator(self, ctx, in_shapes, in_dtypes):
            return _Compute()

    op_type = f"_legacy_{hint}_{next(_LEGACY_IDS)}"
    _custom_op.register_prop(op_type, _Prop)
    name = NameManager.current.get(kwargs.pop("name", None), hint)
    return symbol.Custom(*args, op_type=op_type, name=name, **kwargs)


def _call_on(on_host, fn, **arrays):
    """Call ``fn`` with the NDArray lists in ``arrays``, as NumPy arrays when ``on_host`` (views of
    CPU data; copies of device data, copied back afterwards)."""
    if not on_host:
        fn(**arrays)
        return
    import numpy as np
    host = {k: [a._data if isinstance(a._data, np.ndarray) else a.asnumpy() for a in v]
            for k, v in arrays.items()}
    fn(**host)
    for k, v in arrays.items():
        for a, h in zip(v, host[k]):
            if h is not a._data:
                a[:] = h


class NumpyOp(PythonOp):
    """Deprecated (use ``CustomOp``): a ``PythonOp`` computing on NumPy arrays."""

    def get_symbol(self, *args, **kwargs):
        return _legacy_symbol(self, "_native", True, args, kwargs)


class NDArrayOp(PythonOp):
    """Deprecated (use ``CustomOp``): a ``PythonOp`` computing on NDArrays, which may say which
    arrays its backward reads (``declare_backward_dependency``)."""

    def get_symbol(self, *args, **kwargs):
        return _legacy_symbol(self, "_ndarray", False, args, kwargs)

    def declare_backward_dependency(self, out_grad, in_data, out_data):
        deps = list(out_grad) if self.need_top_grad() else []
        return deps + list(in_data) + list(out_data)


def register(reg_name):
    """Class decorator: register a ``CustomOpProp`` subclass under ``reg_name`` (the op_type)."""
    def do_register(prop_cls):
        _custom_op.register_prop(reg_name, prop_cls)
        return prop_cls
    return do_register


def get_all_registered_operators():
    """The names (and aliases) of every operator in the backend registry."""
    return sorted(all_names())


OperatorArguments = namedtuple("OperatorArguments", ["narg", "names", "types"])


def get_operator_arguments(op_name):
    """The array inputs and parameters of backend operator ``op_name`` with their type strings."""
    op = get_op(op_name)
    if op.variadic or callable(op.inputs):
        names, types = [op.inputs[0] if op.variadic and op.inputs else "data"], ["NDArray-or-Symbol[]"]
    else:
        names = list(op.inputs)
        types = ["NDArray-or-Symbol"] * len(names)
    for p in op.params:
        if p.name == op.variadic:
            continue
        names.append(p.name)
        types.append(p.type_doc())
    return OperatorArguments(len(names), names, types)
