"""Process-level speed settings for the NumPy backend: allocator tuning, applied once on first
heavy use, and the optional C kernels (``_native``).

A training step allocates the same large temporaries (im2col columns, activations, their
gradients) every iteration.  glibc serves blocks above its mmap threshold with fresh ``mmap``
pages and returns them on ``free``, so every step pays the kernel to fault in and zero
megabytes of pages again (measured: LeNet batch 128 spent 15-25 % of its step there).  MXNet and
PyTorch keep such memory in their own pools; here glibc is asked to do the same: serve blocks up
to 32 MiB from its heap and keep freed heap memory instead of trimming it.  Peak RSS is unchanged
(the memory was needed at the peak anyway).  Set ``MXNEXT_MALLOC_TUNE=0`` to leave glibc alone.
"""
import os

_done = False

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def tune_allocator():
    """Idempotent; a no-op off glibc."""
    global _done
    if _done:
        return
    _done = True
    if os.environ.get("MXNEXT_MALLOC_TUNE", "1") == "0":
        return
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 32 << 20)
        libc.mallopt(_M_TRIM_THRESHOLD, 1 << 30)
    except (OSError, AttributeError):
        pass


_jit = None
_jit_tried = False


def jit():
    """The C kernels (``_native``, compiled on first use), or None when ``MXNEXT_JIT=0`` or they
    cannot be built here (no C compiler).  Loaded, they cost well under 1 MB of memory."""
    global _jit, _jit_tried
    if _jit_tried:
        return _jit
    _jit_tried = True
    if os.environ.get("MXNEXT_JIT", "1") == "0":
        return None
    from . import _native
    _jit = _native if _native.AVAILABLE else None
    return _jit


def set_jit(enabled):
    """Turn the C kernels on or off for this process (tests compare both paths); returns the
    previous setting."""
    global _jit, _jit_tried
    before = jit() is not None
    _jit, _jit_tried = None, not enabled
    if enabled:
        jit()
    return before
