"""NumPy-semantics switches (``npx.set_np``), their scopes and decorators, and env helpers."""
import functools
import inspect
import os
import threading


class _Flags(threading.local):
    np_shape = False
    np_array = False


_flags = _Flags()
# set_np_shape(2) turns shape semantics on for every thread, as MXNet's global mode does
_np_shape_global = False


def is_np_shape():
    """Whether NumPy shape semantics (0-d arrays, zero-size dims) are active."""
    return _np_shape_global or _flags.np_shape


def is_np_array():
    """Whether ``mx.np`` arrays are the default array type (``npx.set_np()``)."""
    return _flags.np_array


def set_np_shape(active):
    """Switch NumPy shape semantics on or off; returns the previous state.

    ``active=2`` switches them on in every thread (MXNet's global mode); switching them off
    also ends the global mode.
    """
    global _np_shape_global
    if not active and _flags.np_array:
        raise ValueError("NumPy shape semantics cannot be switched off while np array "
                         "semantics are on; call npx.reset_np() instead.")
    prev = is_np_shape()
    _flags.np_shape = bool(active)
    if active == 2 or not active:
        _np_shape_global = bool(active)
    return prev


def _set_np_array(active):
    prev, _flags.np_array = _flags.np_array, bool(active)
    return prev


def set_np(shape=True, array=True, dtype=False):
    """Turn on NumPy semantics: ``mx.np`` arrays everywhere and NumPy shapes."""
    if not shape and array:
        raise ValueError("NumPy array semantics need NumPy shape semantics (shape=True).")
    if dtype:
        raise NotImplementedError("set_np(dtype=True) (float64 default dtype) is not supported")
    _flags.np_array = bool(array)
    set_np_shape(shape)


def reset_np():
    """Return to the legacy ``mx.nd`` semantics."""
    _flags.np_array = False
    set_np_shape(False)


class _Scope:
    """A ``with`` scope (also usable as a decorator) that sets the flags and restores them."""

    def __init__(self, shape=None, array=None):
        self._shape, self._array = shape, array
        self._saved = []

    def __enter__(self):
        self._saved.append((_flags.np_shape, _flags.np_array))
        if self._shape is not None:
            _flags.np_shape = self._shape
        if self._array is not None:
            _flags.np_array = self._array
        return self

    def __exit__(self, *exc):
        _flags.np_shape, _flags.np_array = self._saved.pop()


class _NumpyShapeScope(_Scope):
    """The scope ``np_shape`` returns: NumPy shape semantics on or off inside it."""

    def __init__(self, is_np_shape):
        super().__init__(shape=bool(is_np_shape))
        self._is_np_shape = bool(is_np_shape)


class _NumpyArrayScope(_Scope):
    """The scope ``np_array`` returns: ``mx.np`` array semantics on or off inside it."""

    def __init__(self, is_np_array):
        super().__init__(array=bool(is_np_array))
        self._is_np_array = bool(is_np_array)


def np_shape(active=True):
    """A scope with NumPy shape semantics on (or off)."""
    return _NumpyShapeScope(active)


def np_array(active=True):
    """A scope with ``mx.np`` array semantics on (or off)."""
    return _NumpyArrayScope(active)


def _wrap_with(scope_factory, func):
    if inspect.isclass(func):
        # a Block class: every method, inherited ones included (__call__, initialize, forward,
        # hybrid_forward, __init__...), runs in the scope, as in MXNet
        for name, meth in inspect.getmembers(func, inspect.isfunction):
            if not name.startswith("__") or name in ("__init__", "__call__"):
                wrapped = _wrap_with(scope_factory, meth)
                if isinstance(inspect.getattr_static(func, name), staticmethod):
                    wrapped = staticmethod(wrapped)
                setattr(func, name, wrapped)
        return func
    if not callable(func):
        raise TypeError(f"use_np expects a function or a class, got {type(func).__name__}")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with scope_factory():
            return func(*args, **kwargs)
    return wrapper


def use_np_shape(func):
    """Decorator: run a function (or every method of a class) with NumPy shape semantics."""
    return _wrap_with(lambda: _Scope(shape=True), func)


def use_np_array(func):
    """Decorator: run a function (or every method of a class) with ``mx.np`` array semantics."""
    return _wrap_with(lambda: _Scope(array=True), func)


def use_np(func):
    """Decorator: NumPy shape and array semantics for a function or a Block class."""
    return _wrap_with(lambda: _Scope(shape=True, array=True), func)


def getenv(name):
    """The value of environment variable ``name`` (None when unset)."""
    return os.environ.get(name)


def setenv(name, value):
    """Set (or, with None, unset) environment variable ``name``."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = str(value)


_NP_UFUNC_DEFAULTS = {"where": True, "casting": "same_kind", "order": "K", "dtype": None, "subok": True}
_NP_UFUNC_DTYPES = ("int8", "uint8", "int32", "int64", "float16", "float32", "float64")


def np_ufunc_legal_option(key, value):
    """Whether ``key=value`` is a value MXNet's np ufuncs understand (though may not implement)."""
    if key == "where":
        return True
    if key == "casting":
        return value in ("no", "equiv", "safe", "same_kind", "unsafe")
    if key == "order":
        return isinstance(value, str)
    if key == "dtype":
        import numpy as _onp
        try:
            return _onp.dtype(value).name in _NP_UFUNC_DTYPES and not isinstance(value, bool)
        except TypeError:
            return False
    if key == "subok":
        return isinstance(value, bool)
    return False


def check_np_ufunc_kwargs(name, kwargs):
    """MXNet's errors for NumPy ufunc keywords: TypeError for an unknown keyword or a value not
    understood, NotImplementedError for an understood value other than the default."""
    for key, value in kwargs.items():
        if key not in _NP_UFUNC_DEFAULTS:
            raise TypeError(f"{key} is an invalid keyword to function '{name}'")
        default = _NP_UFUNC_DEFAULTS[key]
        if value is default or (not hasattr(value, "shape") and value == default):
            continue
        if np_ufunc_legal_option(key, value):
            raise NotImplementedError(f"{key}={value} is not implemented yet for operator {name}")
        raise TypeError(f"{key}={value} not understood for operator {name}")
