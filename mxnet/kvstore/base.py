"""``KVStoreBase``: the interface every key-value store implements, and its registry."""
from ..base import MXNetError

__all__ = ["KVStoreBase", "TestStore"]


class KVStoreBase:
    """Abstract key-value store used by ``Trainer`` to reduce and broadcast arrays.

    Subclasses registered with ``KVStoreBase.register`` can be created by
    (lower-cased) class name through ``mx.kv.create``.
    """

    OPTIMIZER = "optimizer"
    kv_registry = {}

    def broadcast(self, key, value, out, priority=0):
        """Initialise ``key`` with ``value`` and copy it into every array of ``out``."""
        raise NotImplementedError()

    def pushpull(self, key, value, out=None, priority=0):
        """Sum the arrays of ``value`` (and across workers) into ``out``."""
        raise NotImplementedError()

    def set_optimizer(self, optimizer):
        """Run ``optimizer`` inside the store on every push."""
        raise NotImplementedError()

    def is_capable(self, capability):
        """Whether the store supports ``capability`` (only ``OPTIMIZER`` is defined)."""
        raise NotImplementedError()

    def save_optimizer_states(self, fname, dump_optimizer=False):
        raise NotImplementedError()

    def load_optimizer_states(self, fname):
        raise NotImplementedError()

    @property
    def type(self):
        raise NotImplementedError()

    @property
    def rank(self):
        raise NotImplementedError()

    @property
    def num_workers(self):
        raise NotImplementedError()

    @staticmethod
    def register(klass):
        """Class decorator adding ``klass`` to the registry under its lower-cased name."""
        if not isinstance(klass, type) or not issubclass(klass, KVStoreBase):
            raise MXNetError(f"cannot register {klass!r}: not a subclass of KVStoreBase")
        name = klass.__name__.lower()
        if name in KVStoreBase.kv_registry:
            import warnings
            warnings.warn(f"KVStore {name} is already registered; replacing it")
        KVStoreBase.kv_registry[name] = klass
        return klass


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


@KVStoreBase.register
class TestStore(KVStoreBase):
    """A single-process store that only reduces and broadcasts (no optimizer)."""

    def broadcast(self, key, value, out, priority=0):
        for o in _as_list(out):
            value.copyto(o)

    def pushpull(self, key, value, out=None, priority=0):
        vals = _as_list(value)
        total = vals[0].copy()
        for v in vals[1:]:
            total += v.as_in_context(total.context)
        for o in _as_list(out if out is not None else value):
            total.copyto(o)

    @staticmethod
    def is_capable(capability):
        """False for 'optimizer' (this store keeps no optimizer); callable on the class too."""
        if capability.lower() == KVStoreBase.OPTIMIZER:
            return False
        raise ValueError(f"Unknown capability: {capability}")

    @property
    def type(self):
        return "teststore"

    @property
    def rank(self):
        return 0

    @property
    def num_workers(self):
        return 1

    def set_optimizer(self, optimizer):
        raise NotImplementedError()

    def save_optimizer_states(self, fname, dump_optimizer=False):
        raise NotImplementedError()

    def load_optimizer_states(self, fname):
        raise NotImplementedError()
