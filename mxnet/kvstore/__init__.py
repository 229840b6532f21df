"""``mx.kv``: key-value stores that sum gradients and hold weights for ``Trainer``."""
from ..base import MXNetError
from . import base, kvstore
from .base import KVStoreBase
from .kvstore import KVStore

__all__ = ["KVStore", "KVStoreBase", "KVStoreServer", "create", "base", "kvstore"]

def create(name="local"):
    """Create a store: ``local``, ``device`` (and ``nccl``, the same in one process),
    ``dist_sync``/``dist_device_sync``/``dist`` and ``dist_async`` over MPI, ``horovod``/``byteps`` through those
    packages, or a name registered with ``KVStoreBase.register``.  Other names give an
    in-process store, as in MXNet."""
    if not isinstance(name, str):
        raise TypeError("name must be a string")
    lname = name.lower()
    if lname in KVStoreBase.kv_registry:
        return KVStoreBase.kv_registry[lname]()
    if lname in ("dist_async", "dist_device_async"):
        from .dist_async import AsyncDistKVStore
        return AsyncDistKVStore(lname)
    if lname.startswith("dist"):
        from .dist import DistKVStore
        return DistKVStore(lname)
    if lname in ("horovod", "byteps"):
        from .external import create_external
        return create_external(lname)
    return KVStore(name)


def _choose_store(kvstore, num_device, largest_param):
    """``(store, update_on_kvstore)`` as MXNet's Trainer and Module choose them: no store for one
    device (unless distributed), else the store, which also runs the optimizer when it can and
    ``MXNET_UPDATE_ON_KVSTORE`` (default 1) allows; a 'local' store leaves parameters of over
    16M values to the devices. ``largest_param``: the size of the largest parameter (0: unknown)."""
    import os
    update_on_kvstore = bool(int(os.getenv("MXNET_UPDATE_ON_KVSTORE", "1")))
    if kvstore is None:
        kv = None
    elif isinstance(kvstore, KVStoreBase):
        kv = kvstore
    elif isinstance(kvstore, str):
        if num_device == 1 and "dist" not in kvstore:
            kv = None
        else:
            kv = create(kvstore)
            if kvstore == "local" and largest_param > 1024 * 1024 * 16:
                update_on_kvstore = False
    else:
        raise TypeError("kvstore must be KVStore, str or None")
    if kv is None:
        return None, False
    return kv, update_on_kvstore and kv.is_capable(KVStoreBase.OPTIMIZER)


class KVStoreServer:
    """MXNet's parameter-server process; mxnext's distributed stores run over MPI instead."""

    def __init__(self, kvstore):
        raise MXNetError("KVStoreServer (parameter-server processes) is not part of mxnext; "
                         "distributed training runs over MPI with kvstore 'dist_sync'")
