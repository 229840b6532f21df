"""Multi-process stores over MPI (``mpi4py``, the ``[dist]`` extra).

Launch with ``python -m mxnet.tools.launch -n N python train.py`` (or ``mpiexec``).
``dist_sync``/``dist_device_sync`` (and plain ``dist``, synchronous in MXNet 1.9.1 too) sum the
pushed values over all workers with ``MPI_Allreduce``; every worker then applies the same optimizer
update, which gives the result MXNet's synchronous parameter servers give.

What the store checks and does for speed:

- agreement: ``init``, ``push`` and ``_barrier`` first compare a digest of the operation, keys,
  shapes and dtypes (one 16-byte allreduce), so workers that disagree (or call different
  operations) all raise ``MXNetError`` naming the keys and each worker's shape and dtype instead
  of hanging;
- fusion: the values of one ``push`` of several keys travel in buffers of up to
  ``fusion_threshold`` bytes (``MXNEXT_FUSION_THRESHOLD``, default 64 MiB, Horovod's default);
- 2-bit compression sends packed codes (2 bits a value, 16x less than float32), gathered from
  every worker and summed on each, with MXNet's error feedback (a residual per key).
"""
import hashlib
import os
import sys

import numpy as np

from ..base import MXNetError
from .kvstore import KVStore, _group

__all__ = ["DistKVStore", "mpi_comm", "DEFAULT_FUSION_THRESHOLD"]

DEFAULT_FUSION_THRESHOLD = 64 * 1024 * 1024

# environment variables that MPI launchers (Open MPI, MPICH/Hydra, PMIx, Slurm) set
_LAUNCH_VARS = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS", "SLURM_NTASKS")
_SYNC_NAMES = ("dist", "dist_sync", "dist_device_sync", "dist_sync_device")
_ASYNC_NAMES = ("dist_async", "dist_device_async")


def mpi_comm(name):
    """``(COMM_WORLD, the MPI module)``, or MXNetError saying what is missing for store ``name``."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise MXNetError(f"kvstore '{name}' runs over MPI and needs mpi4py: install the [dist] extra "
                         f"(pip install mxnext[dist]) and launch with python -m mxnet.tools.launch "
                         f"or mpiexec ({e})") from e
    comm = MPI.COMM_WORLD
    if comm.Get_size() < 2 and not any(v in os.environ for v in _LAUNCH_VARS):
        raise MXNetError(f"kvstore '{name}' needs the workers to be started together, e.g. "
                         "python -m mxnet.tools.launch -n 2 python train.py")
    return comm, MPI


def _install_abort_hook(comm):
    """Make an uncaught exception abort every worker (after printing its traceback): otherwise the
    others wait forever in their next collective call."""
    prev = sys.excepthook
    if getattr(prev, "_mxnext_abort", False):
        return

    def hook(etype, value, tb):
        prev(etype, value, tb)
        sys.stderr.flush()
        comm.Abort(1)

    hook._mxnext_abort = True
    sys.excepthook = hook


def _host(arr):
    """The array's host memory (a view on CPU; a copy from other devices)."""
    data = arr._data
    return data if isinstance(data, np.ndarray) else arr.asnumpy()


def _parts(arr):
    """A sparse array's stored values and index arrays, on the host."""
    from ..backend import get_backend
    be = get_backend(arr.context)
    return [a if isinstance(a, np.ndarray) else be.to_numpy(a) for a in (arr._values,) + tuple(arr._aux)]


def _from_parts(like, parts):
    """A sparse array of ``like``'s kind, shape and context holding ``parts``."""
    from ..backend import get_backend
    be = get_backend(like.context)
    return type(like)._new(be.asarray(parts[0]), [be.asarray(a) for a in parts[1:]], like.shape, like.context)


def _store_back(arr, host):
    """Write ``host`` into ``arr`` unless ``host`` already is its memory."""
    if host is not arr._data:
        arr[:] = host.reshape(arr.shape)


def _digest(entries):
    """A 62-bit digest of ``entries`` (so that ``-digest`` fits int64 too)."""
    raw = hashlib.blake2b(repr(entries).encode(), digest_size=8).digest()
    return int.from_bytes(raw, "little") >> 2


def _describe(gathered):
    """Text naming where the workers' ``(operation, [(key, shape, dtype, compression)])`` differ."""
    ops = [op for op, _ in gathered]
    if any(op != ops[0] for op in ops):
        return ("KVStore: the workers call different operations (" +
                ", ".join(f"rank {r}: {op}" for r, op in enumerate(ops)) + ")")
    what, lists = ops[0], [ents for _, ents in gathered]
    key_lists = [[e[0] for e in ents] for ents in lists]
    if any(ks != key_lists[0] for ks in key_lists):
        per_rank = "; ".join(f"rank {r}: keys {ks[:8]}{' ...' if len(ks) > 8 else ''}"
                             for r, ks in enumerate(key_lists))
        return f"KVStore.{what}: the workers use different keys ({per_rank})"
    parts = []
    for i, key in enumerate(key_lists[0]):
        seen = [ents[i][1:] for ents in lists]
        if any(s != seen[0] for s in seen):
            ranks = ", ".join(f"rank {r}: shape {s[0]} dtype {s[1]}" + (f" compression {s[2]}" if
                                                                        s[2] != seen[0][2] else "")
                              for r, s in enumerate(seen))
            parts.append(f"key {key!r} ({ranks})")
    return f"KVStore.{what}: the workers disagree on " + "; ".join(parts)


def _pack_2bit(pos, neg):
    """Boolean masks of the values sent as +t and as -t -> one byte string holding 2 bits a
    value (the two bit planes one after the other)."""
    return np.concatenate([np.packbits(pos), np.packbits(neg)])


_BITS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1)  # byte -> its 8 bits


def _unpack_2bit(packed, n, total=None, bits=None):
    """The sum over workers of ``_pack_2bit`` codes (rows of ``packed``), as int16 in [-P, P].
    ``total`` (n int16) and ``bits`` (ceil(n/8)*8 uint8) are optional buffers to reuse."""
    nb = (n + 7) // 8
    total = np.zeros(n, np.int16) if total is None else total
    bits = np.empty((nb, 8), np.uint8) if bits is None else bits.reshape(nb, 8)
    total[...] = 0
    for row in packed:
        np.take(_BITS, row[:nb], axis=0, out=bits, mode="clip")  # raise mode buffers out
        total += bits.reshape(-1)[:n]
        np.take(_BITS, row[nb:], axis=0, out=bits, mode="clip")
        total -= bits.reshape(-1)[:n]
    return total


class DistKVStore(KVStore):
    """A ``KVStore`` whose pushed values are summed over the MPI workers."""

    _batch_pushpull = True  # Trainer pushes all keys in one call (see fusion buckets)

    def __init__(self, name="dist_sync", comm=None, mpi=None, fusion_threshold=None, async_ok=False):
        if name not in _SYNC_NAMES and not (async_ok and name in _ASYNC_NAMES):
            raise MXNetError(f"unknown distributed kvstore '{name}'; expected one of "
                             f"{list(_SYNC_NAMES + _ASYNC_NAMES)}")
        super().__init__(name)
        if comm is None:
            comm, mpi = mpi_comm(name)
        self._comm = comm
        self._mpi = mpi
        if fusion_threshold is None:
            fusion_threshold = int(os.environ.get("MXNEXT_FUSION_THRESHOLD", DEFAULT_FUSION_THRESHOLD))
        self.fusion_threshold = fusion_threshold
        self._scratch_bufs = {}
        if comm.Get_size() > 1:
            _install_abort_hook(comm)

    @property
    def rank(self):
        return self._comm.Get_rank()

    @property
    def num_workers(self):
        return self._comm.Get_size()

    # -- agreement ---------------------------------------------------------------------
    def _agree(self, what, entries=()):
        """Raise MXNetError on every worker unless all of them call the same operation with the
        same ``entries``.  Every operation starts with this same 16-byte allreduce of a digest,
        so workers that call different operations are caught here too, not hung."""
        d = _digest((what, entries))
        probe = np.array([d, -d], np.int64)
        self._comm.Allreduce(self._mpi.IN_PLACE, probe, op=self._mpi.MAX)
        if probe[0] == d and probe[1] == -d:
            return
        raise MXNetError(_describe(self._comm.allgather((what, entries))))

    # -- the operations ------------------------------------------------------------------
    def init(self, key, value):
        """Initialise keys with worker 0's values, after checking that every worker passes the
        same keys with the same shapes and dtypes."""
        keys, vals, is_str = _group(key, value, "init")
        entries = [(k, tuple(vs[0].shape), np.dtype(vs[0].dtype).name, None) for k, vs in zip(keys, vals)]
        self._agree("init", entries)
        super().init(key, value)
        for k in keys:
            stored = self._store[k]
            if stored._is_sparse:  # worker 0's stored rows and their indices
                parts = self._comm.bcast(_parts(stored) if self.rank == 0 else None, root=0)
                stored[:] = _from_parts(stored, parts)
                continue
            host = np.ascontiguousarray(_host(stored))
            self._comm.Bcast(host, root=0)
            _store_back(stored, host)

    def push(self, key, value, priority=0):
        """Sum over devices, then over workers (in fusion buffers), then update the stored values."""
        keys, vals, is_str = _group(key, value, "push")
        self._check_key_type(is_str)
        stored = [self._stored(k) for k in keys]
        entries = [(k, tuple(s.shape), np.dtype(s.dtype).name, self._compression) for k, s in zip(keys, stored)]
        self._agree("push", entries)
        merged = [self._local_sum(vs, s, k) for k, vs, s in zip(keys, vals, stored)]
        sparse = [i for i, m in enumerate(merged) if m._is_sparse]
        for i in sparse:
            merged[i] = self._allreduce_sparse(keys[i], merged[i])
        dense = [i for i in range(len(merged)) if i not in set(sparse)]
        if self._compression is not None:
            self._allreduce_2bit([keys[i] for i in dense], [merged[i] for i in dense])
        else:
            self._allreduce([merged[i] for i in dense])
        for k, m, s in zip(keys, merged, stored):
            self._apply(k, m, s, is_str)

    def _allreduce_sparse(self, k, a):
        """A row_sparse value summed over the workers: each sends only the rows it holds
        (allgather), and every worker adds them up in rank order (the same result everywhere)."""
        if a.stype != "row_sparse":
            raise MXNetError(f"KVStore.push: key {k}: a {a.stype} value cannot be pushed to a distributed store "
                             "(MXNet supports row_sparse and dense values)")
        if self._compression is not None:
            raise MXNetError(f"KVStore.push: key {k}: gradient compression is not supported for row_sparse values")
        from ..ndarray.ndarray import invoke
        from ..ops.registry import get_op
        add = get_op("elemwise_add")
        total = None
        for parts in self._comm.allgather(_parts(a)):
            part = _from_parts(a, parts)
            total = part if total is None else invoke(add, [total, part])
        return total

    def _local_sum(self, vs, stored, k):
        """The devices' values summed (uncompressed: the workers compress the sum, as in MXNet)."""
        threshold, self._compression = self._compression, None
        try:
            return self._reduce(k, vs, stored)
        finally:
            self._compression = threshold

    def _buckets(self, arrays):
        """Group array indices into fusion buckets: same dtype, at most ``fusion_threshold`` bytes."""
        buckets, current, size, dtype = [], [], 0, None
        for i, a in enumerate(arrays):
            nbytes = a.size * np.dtype(a.dtype).itemsize
            if current and (a.dtype != dtype or size + nbytes > self.fusion_threshold):
                buckets.append(current)
                current, size = [], 0
            current.append(i)
            size += nbytes
            dtype = a.dtype
        if current:
            buckets.append(current)
        return buckets

    def _allreduce(self, arrays):
        """Sum ``arrays`` over the workers, in place."""
        IN_PLACE, SUM = self._mpi.IN_PLACE, self._mpi.SUM
        for bucket in self._buckets(arrays):
            if len(bucket) == 1:
                a = arrays[bucket[0]]
                host = _host(a)
                if not host.flags.c_contiguous:
                    host = np.ascontiguousarray(host)
                self._comm.Allreduce(IN_PLACE, host, op=SUM)
                _store_back(a, host)
                continue
            parts = [arrays[i] for i in bucket]
            dtype = np.dtype(parts[0].dtype)
            buf = self._scratch(f"fusion-{dtype}", sum(p.size for p in parts), dtype)
            off = 0
            for p in parts:
                buf[off:off + p.size] = _host(p).reshape(-1)
                off += p.size
            self._comm.Allreduce(IN_PLACE, buf, op=SUM)
            off = 0
            for p in parts:
                seg = buf[off:off + p.size].reshape(p.shape)
                host = p._data
                if isinstance(host, np.ndarray):
                    host[...] = seg
                else:
                    p[:] = seg
                off += p.size

    def _scratch(self, name, n, dtype):
        """A buffer of ``n`` values kept between pushes (fresh large arrays cost page faults)."""
        buf = self._scratch_bufs.get(name)
        if buf is None or buf.size < n or buf.dtype != dtype:
            buf = self._scratch_bufs[name] = np.empty(n, dtype)
        return buf[:n]

    def _allreduce_2bit(self, keys, arrays):
        """2-bit compressed sum: each worker adds its residual, sends -t/0/+t as packed codes and
        keeps what it did not send; every worker decodes and sums all codes."""
        t = np.float32(self._compression)
        for bucket in self._buckets(arrays):
            n = sum(arrays[i].size for i in bucket)
            pos, neg = self._scratch("pos", n, np.bool_), self._scratch("neg", n, np.bool_)
            sign, tmp = self._scratch("sign", n, np.int8), self._scratch("tmp", n, np.float32)
            off = 0
            for i in bucket:
                a, k, m = arrays[i], keys[i], arrays[i].size
                acc = self._residuals.get(k)
                if acc is None:
                    acc = self._residuals[k] = np.zeros(m, np.float32)
                acc += _host(a).reshape(-1)
                p, q, sg, tp = pos[off:off + m], neg[off:off + m], sign[off:off + m], tmp[off:off + m]
                np.greater_equal(acc, t, out=p)
                np.less_equal(acc, -t, out=q)
                # what is not sent stays behind as the residual
                np.subtract(p.view(np.int8), q.view(np.int8), out=sg)
                np.multiply(sg, t, out=tp)
                acc -= tp
                off += m
            packed = _pack_2bit(pos, neg)
            gathered = np.empty((self.num_workers, packed.size), np.uint8)
            self._comm.Allgather(packed, gathered)
            total = _unpack_2bit(gathered, n, self._scratch("total", n, np.int16),
                                 self._scratch("bits", (n + 7) // 8 * 8, np.uint8))
            off = 0
            for i in bucket:
                a = arrays[i]
                host = a._data
                if isinstance(host, np.ndarray) and host.dtype == np.float32 and host.flags.c_contiguous:
                    np.multiply(total[off:off + a.size], t, out=host.reshape(-1))
                else:
                    a[:] = (total[off:off + a.size] * t).reshape(a.shape).astype(a.dtype, copy=False)
                off += a.size

    def set_gradient_compression(self, compression_params):
        """2-bit compression of the values pushed to the other workers (see ``KVStore``)."""
        super().set_gradient_compression(compression_params)
        self._residuals = {}
        self._scratch_bufs = {}

    def _barrier(self):
        """Wait for every worker (the agreement allreduce is the barrier)."""
        self._agree("barrier")
