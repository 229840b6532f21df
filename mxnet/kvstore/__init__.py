"""``mx.kv``: key-value stores that sum gradients and hold weights for ``Trainer``."""
from ..base import MXNetError
from . import base, kvstore
from .base import KVStoreBase
from .kvstore import KVStore

__all__ = ["KVStore", "KVStoreBase", "KVStoreServer", "create", "base", "kvstore"]

_DIST = ("dist", "horovod", "byteps")


def create(name="local"):
    """Create a store: ``local``, ``device`` (and ``nccl``, the same in one process),
    ``dist_sync``/``dist_device_sync`` over MPI, or a name registered with
    ``KVStoreBase.register``.  Other names give an in-process store, as in MXNet."""
    if not isinstance(name, str):
        raise TypeError("name must be a string")
    lname = name.lower()
    if lname in KVStoreBase.kv_registry:
        return KVStoreBase.kv_registry[lname]()
    if name.startswith(_DIST):
        from .dist import DistKVStore
        return DistKVStore(name)
    return KVStore(name)


class KVStoreServer:
    """MXNet's parameter-server process; mxnext's distributed stores run over MPI instead."""

    def __init__(self, kvstore):
        raise MXNetError("KVStoreServer (parameter-server processes) is not part of mxnext; "
                         "distributed training runs over MPI with kvstore 'dist_sync'")
