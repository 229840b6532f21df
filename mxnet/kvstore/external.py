"""``horovod`` and ``byteps`` stores: thin wrappers over those packages' MXNet bindings.

They are used only when the package imports; otherwise ``mx.kv.create`` raises ``MXNetError``
(mxnext never falls back to its own MPI store under these names: the user asked for the package).
Both only reduce and broadcast; the optimizer runs in ``Trainer`` (``update_on_kvstore=False``).
"""
from ..base import MXNetError
from .base import KVStoreBase, _as_list

__all__ = ["Horovod", "BytePS", "create_external"]


class _External(KVStoreBase):
    def __init__(self, lib):
        self._lib = lib

    def _sum_local(self, value):
        vals = _as_list(value)
        total = vals[0].copy()
        for v in vals[1:]:
            total += v.as_in_context(total.context)
        return total

    @staticmethod
    def is_capable(capability):
        if capability.lower() == KVStoreBase.OPTIMIZER:
            return False
        raise ValueError(f"Unknown capability: {capability}")

    def set_optimizer(self, optimizer):
        raise NotImplementedError(f"kvstore '{self.type}' does not run an optimizer; use "
                                  "update_on_kvstore=False")

    def save_optimizer_states(self, fname, dump_optimizer=False):
        raise NotImplementedError(f"kvstore '{self.type}' keeps no optimizer states")

    def load_optimizer_states(self, fname):
        raise NotImplementedError(f"kvstore '{self.type}' keeps no optimizer states")

    @property
    def rank(self):
        return self._lib.rank()

    @property
    def num_workers(self):
        return self._lib.size()


class Horovod(_External):
    """Reduces with ``horovod.mxnet.allreduce_`` and broadcasts from rank 0."""

    @property
    def type(self):
        return "horovod"

    def broadcast(self, key, value, out, priority=0):
        for o in _as_list(out):
            value.copyto(o)
            self._lib.broadcast_(o, root_rank=0, name=str(key), priority=priority)

    def pushpull(self, key, value, out=None, priority=0):
        total = self._sum_local(value)
        self._lib.allreduce_(total, average=False, name=str(key), priority=priority)
        for o in _as_list(out if out is not None else value):
            total.copyto(o)


class BytePS(_External):
    """Reduces with ``byteps.mxnet.byteps_push_pull``; broadcast sends rank 0's value."""

    def __init__(self, lib):
        super().__init__(lib)
        self._declared = set()

    @property
    def type(self):
        return "byteps"

    def _declare(self, key):
        if key not in self._declared:
            self._lib.byteps_declare_tensor(str(key))
            self._declared.add(key)

    def broadcast(self, key, value, out, priority=0):
        self._declare(key)
        total = value.copy()
        if self.rank != 0:
            total[:] = 0  # the sum over the workers is rank 0's value
        self._lib.byteps_push_pull(total, name=str(key), priority=priority, is_average=False)
        for o in _as_list(out):
            total.copyto(o)

    def pushpull(self, key, value, out=None, priority=0):
        self._declare(key)
        total = self._sum_local(value)
        self._lib.byteps_push_pull(total, name=str(key), priority=priority, is_average=False)
        for o in _as_list(out if out is not None else value):
            total.copyto(o)


_PACKAGES = {"horovod": ("horovod.mxnet", Horovod, "pip install horovod"),
             "byteps": ("byteps.mxnet", BytePS, "pip install byteps")}


def create_external(name):
    """The ``horovod``/``byteps`` store, or MXNetError when that package is not usable."""
    import importlib
    module, cls, hint = _PACKAGES[name]
    try:
        lib = importlib.import_module(module)
    except Exception as e:  # a missing package, or one built for a different MXNet
        raise MXNetError(f"kvstore '{name}' needs the {module} package ({hint}), which could not be "
                         f"imported: {type(e).__name__}: {e}. mxnext's own distributed store is "
                         "'dist_sync' (MPI)") from e
    lib.init()
    return cls(lib)
