"""The in-process key-value store (``local``, ``device`` and their variants)."""
import numpy as np

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from .base import KVStoreBase

__all__ = ["KVStore"]


def _group(key, value, what):
    """Pair keys with per-key lists of arrays; returns (keys, [[arrays] per key], is_str)."""
    if isinstance(key, (list, tuple)):
        keys = list(key)
        if not isinstance(value, (list, tuple)) or len(value) != len(keys):
            # one array for several keys: MXNet requires one value (or list) per key
            raise MXNetError(f"KVStore.{what}: expected {len(keys)} values for {len(keys)} keys")
        vals = [list(v) if isinstance(v, (list, tuple)) else [v] for v in value]
    else:
        keys = [key]
        vals = [list(value) if isinstance(value, (list, tuple)) else [value]]
    if not keys:
        return keys, vals, None
    kinds = {type(k) for k in keys}
    for k in keys:
        assert isinstance(k, (int, str)) and not isinstance(k, bool), f"unexpected type for keys: {type(k)}"
    if len(kinds) > 1:
        raise MXNetError("Mixed key types are not allowed")
    for vs in vals:
        for v in vs:
            if not isinstance(v, NDArray):
                raise MXNetError(f"KVStore.{what}: values must be NDArrays, got {type(v).__name__}")
    return keys, vals, isinstance(keys[0], str)


class KVStore(KVStoreBase):
    """A single-process store: ``push`` sums a value per device (and applies the
    optimizer or updater if one is set), ``pull`` copies the stored value out."""

    def __init__(self, name="local"):
        self._type = name
        self._store = {}
        self._key_is_str = None
        self._updater = None
        self._updater_func = None
        self._compression = None
        self._residuals = {}

    # -- properties -----------------------------------------------------------
    @property
    def type(self):
        return self._type

    @property
    def rank(self):
        return 0

    @property
    def num_workers(self):
        return 1

    def is_capable(self, capability):
        if capability.lower() == KVStoreBase.OPTIMIZER:
            return True
        raise ValueError(f"Unknown capability: {capability}")

    # -- key handling ---------------------------------------------------------
    def _check_key_type(self, is_str):
        if is_str is None:
            return
        if self._key_is_str is None:
            self._key_is_str = is_str
        elif self._key_is_str != is_str:
            raise MXNetError(f"Mixed key types are not allowed (store uses "
                             f"{'str' if self._key_is_str else 'int'} keys)")

    def _stored(self, k):
        try:
            return self._store[k]
        except KeyError:
            raise MXNetError(f"key {k} has not been inited; call kv.init first") from None

    # -- the operations ---------------------------------------------------------
    def init(self, key, value):
        """Initialise each key once with its value (the first array of a per-device list)."""
        keys, vals, is_str = _group(key, value, "init")
        self._check_key_type(is_str)
        for k, vs in zip(keys, vals):
            if k in self._store:
                raise MXNetError(f"duplicate init of key {k}. Please double check if you called "
                                 "kv.init or kv.broadcast with this key multiple times")
            self._store[k] = vs[0].copy()

    def _reduce(self, k, vs, stored):
        """Sum the per-device arrays into a new array on the stored array's context."""
        for v in vs:
            if tuple(v.shape) != tuple(stored.shape):
                raise MXNetError(f"KVStore.push: key {k}: value shape {tuple(v.shape)} does not match "
                                 f"the initialised shape {tuple(stored.shape)}")
        if self._compression is not None:
            vs = [self._compress(k, i, v) for i, v in enumerate(vs)]
        total = vs[0].as_in_context(stored.context).astype(stored.dtype, copy=True)
        for v in vs[1:]:
            total += v.as_in_context(stored.context).astype(stored.dtype, copy=False)
        return total

    def _apply(self, k, merged, stored, is_str):
        if self._updater is not None:
            self._updater(k.encode() if is_str else k, merged, stored)
        else:
            stored[:] = merged

    def push(self, key, value, priority=0):
        """Sum the value(s) of each key into the store (through the updater if one is set)."""
        keys, vals, is_str = _group(key, value, "push")
        self._check_key_type(is_str)
        for k, vs in zip(keys, vals):
            stored = self._stored(k)
            self._apply(k, self._reduce(k, vs, stored), stored, is_str)

    def pull(self, key, out=None, priority=0, ignore_sparse=True):
        """Copy the stored value of each key into ``out`` (an array or a list per device)."""
        assert out is not None
        keys, outs, is_str = _group(key, out, "pull")
        self._check_key_type(is_str)
        for k, os_ in zip(keys, outs):
            stored = self._stored(k)
            for o in os_:
                if tuple(o.shape) != tuple(stored.shape):
                    raise MXNetError(f"KVStore.pull: key {k}: out shape {tuple(o.shape)} does not match "
                                     f"the stored shape {tuple(stored.shape)}")
                if ignore_sparse and o._is_sparse:
                    continue  # as MXNet: sparse outputs are left alone unless asked for
                stored.copyto(o)

    def pushpull(self, key, value, out=None, priority=0):
        """``push`` then ``pull``; ``out=None`` writes the result back into ``value``."""
        self.push(key, value, priority)
        self.pull(key, out if out is not None else value, priority)

    def broadcast(self, key, value, out, priority=0):
        """``init`` the key(s) with ``value`` then ``pull`` into ``out``."""
        self.init(key, value)
        self.pull(key, out, priority)

    def row_sparse_pull(self, key, out=None, priority=0, row_ids=None):
        """Copy the rows ``row_ids`` of each key's row_sparse value into ``out`` (row_sparse
        arrays: one, or a list per device, each with its own row ids or sharing one array)."""
        assert out is not None
        assert row_ids is not None
        keys, outs, is_str = _group(key, out, "row_sparse_pull")
        self._check_key_type(is_str)
        if isinstance(key, (list, tuple)):
            if not isinstance(row_ids, (list, tuple)) or len(row_ids) != len(keys):
                raise MXNetError(f"KVStore.row_sparse_pull: expected {len(keys)} row_ids for {len(keys)} keys")
            ids = list(row_ids)
        else:
            ids = [row_ids]
        from ..ndarray.sparse import retain
        for k, os_, rid in zip(keys, outs, ids):
            rids = list(rid) if isinstance(rid, (list, tuple)) else [rid] * len(os_)
            if len(rids) != len(os_):
                raise MXNetError(f"KVStore.row_sparse_pull: key {k}: {len(rids)} row_ids for {len(os_)} outputs")
            stored = self._stored(k)
            if stored.stype != "row_sparse":
                raise MXNetError(f"KVStore.row_sparse_pull: key {k}: expected a row_sparse stored value, "
                                 f"got {stored.stype} (PullRowSparse expects row_sparse src NDArray)")
            for o, r in zip(os_, rids):
                if o.stype != "row_sparse":
                    raise MXNetError(f"KVStore.row_sparse_pull: key {k}: expected row_sparse storage type for "
                                     f"the output, but detected storage type {o.stype}")
                if not isinstance(r, NDArray):
                    raise MXNetError(f"KVStore.row_sparse_pull: row_ids must be NDArrays, got {type(r).__name__}")
                if tuple(o.shape) != tuple(stored.shape):
                    raise MXNetError(f"KVStore.row_sparse_pull: key {k}: out shape {tuple(o.shape)} does not "
                                     f"match the stored shape {tuple(stored.shape)}")
                # the distinct requested rows, in order
                uniq = np.unique(r.asnumpy().reshape(-1).astype(np.int64))
                from ..ndarray import array as nd_array
                retain(stored, nd_array(uniq, ctx=stored.context, dtype=np.int64), out=o)

    # -- gradient compression ---------------------------------------------------
    def set_gradient_compression(self, compression_params):
        """Enable ``2bit`` compression of pushed values (device and dist stores only)."""
        if "device" not in self._type and "dist" not in self._type and "nccl" not in self._type:
            raise Exception("Gradient compression is not supported for this type of kvstore")
        if not isinstance(compression_params, dict):
            raise TypeError("compression_params must be a dictionary")
        params = dict(compression_params)
        if "type" not in params:
            raise ValueError("compression_params requires `type` to be set")
        ctype = str(params.pop("type"))
        if ctype == "none":
            self._compression = None
            return
        if ctype != "2bit":
            raise MXNetError(f"Unknown type for gradient compression {ctype}")
        threshold = float(params.pop("threshold", 0.5))
        if params:
            raise MXNetError(f"unknown gradient compression parameters {sorted(params)}")
        if threshold <= 0:
            raise MXNetError("threshold must be greater than 0 for 2bit compression")
        self._compression = threshold
        self._residuals = {}

    def _compress(self, k, i, v):
        """2-bit quantisation with error feedback: each element becomes -t, 0 or +t."""
        t = self._compression
        res = self._residuals.get((k, i))
        res = v.copy() if res is None else res + v
        q = (res >= t) * t - (res <= -t) * t
        q = q.astype(v.dtype, copy=False)
        self._residuals[(k, i)] = res - q
        return q

    # -- optimizer --------------------------------------------------------------
    def set_optimizer(self, optimizer):
        """Update stored weights with ``optimizer`` on every push."""
        from .. import optimizer as opt
        self._set_updater(opt.get_updater(optimizer))

    def _set_updater(self, updater):
        """Use ``updater(key, merged_value, stored_value)`` on push (str keys arrive as bytes)."""
        self._updater = updater
        self._updater_func = updater

    def save_optimizer_states(self, fname, dump_optimizer=False):
        """Write the updater's states (momentum etc.) to ``fname``."""
        assert self._updater is not None, "Cannot save states for distributed training"
        with open(fname, "wb") as f:
            f.write(self._updater.get_states(dump_optimizer))

    def load_optimizer_states(self, fname):
        """Read states written by ``save_optimizer_states``."""
        assert self._updater is not None, "Cannot load states for distributed training"
        with open(fname, "rb") as f:
            self._updater.set_states(f.read())

    def _barrier(self):
        """All workers wait here; a single process has nothing to wait for."""
