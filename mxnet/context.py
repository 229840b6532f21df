"""Devices: ``mx.cpu()``, ``mx.gpu(i)`` and the current default context."""
import threading

from .base import MXNetError, _MXClassPropertyDescriptor, _MXClassPropertyMetaClass


class Context(metaclass=_MXClassPropertyMetaClass):
    """A device (type and id); it also selects the array backend that owns memory there."""

    devtype2str = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
    devstr2type = {"cpu": 1, "gpu": 2, "cpu_pinned": 3, "cpu_shared": 5}
    _local = threading.local()

    __slots__ = ("device_typeid", "device_id", "_old_ctx")

    def __init__(self, device_type, device_id=0):
        if isinstance(device_type, Context):
            self.device_typeid = device_type.device_typeid
            self.device_id = device_type.device_id
        else:
            if device_type not in Context.devstr2type:
                raise MXNetError(f"Context: unknown device_type {device_type!r}, expected one of "
                                 f"{sorted(Context.devstr2type)}")
            if not isinstance(device_id, int) or device_id < 0:
                raise MXNetError(f"Context: device_id must be a non-negative int, got {device_id!r}")
            self.device_typeid = Context.devstr2type[device_type]
            self.device_id = device_id
        self._old_ctx = None

    @property
    def device_type(self):
        return Context.devtype2str[self.device_typeid]

    def __hash__(self):
        return hash((self.device_typeid, self.device_id))

    def __eq__(self, other):
        return (isinstance(other, Context) and self.device_typeid == other.device_typeid
                and self.device_id == other.device_id)

    def __str__(self):
        return f"{self.device_type}({self.device_id})"

    __repr__ = __str__

    def __enter__(self):
        if not hasattr(Context._local, "stack"):
            Context._local.stack = []
        Context._local.stack.append(current_context())
        Context._local.value = self
        return self

    def __exit__(self, *exc):
        Context._local.value = Context._local.stack.pop()

    def __reduce__(self):
        return (Context, (self.device_type, self.device_id))

    def empty_cache(self):
        """Release cached device memory (a no-op on the CPU)."""
        if self.device_typeid == 2:
            from .backend import get_backend
            get_backend(self).empty_cache()

    @classmethod
    def _get_default_ctx(cls):
        return current_context()

    @classmethod
    def _set_default_ctx(cls, ctx):
        Context._local.value = ctx

    # the calling thread's default context; assigning to it sets that thread's default only
    default_ctx = _MXClassPropertyDescriptor(_get_default_ctx, _set_default_ctx)


def cpu(device_id=0):
    """The CPU context."""
    return Context("cpu", device_id)


def cpu_pinned(device_id=0):
    """Page-locked CPU memory; on this backend the same memory as ``cpu``."""
    return Context("cpu_pinned", device_id)


def gpu(device_id=0):
    """The context of GPU ``device_id``; arrays there need the CuPy backend."""
    return Context("gpu", device_id)


def current_context():
    """The context that array creation uses when none is given."""
    v = getattr(Context._local, "value", None)
    if v is None:
        v = Context._local.value = Context("cpu", 0)
    return v


def num_gpus():
    """The number of GPUs CuPy can see (0 without CuPy)."""
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount()
    except Exception:
        return 0


def gpu_memory_info(device_id=0):
    """(free, total) bytes of a GPU."""
    from .backend import get_backend
    return get_backend(gpu(device_id)).memory_info(device_id)
