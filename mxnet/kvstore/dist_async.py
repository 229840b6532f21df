"""``dist_async``: asynchronous SGD over MPI, with the weights and the optimizer on rank 0.

Rank 0 runs a server thread beside its training (MPI_THREAD_MULTIPLE, on a communicator of its
own). ``push`` sends a worker's gradient and returns; the server applies the optimizer to each
push as it arrives (one at a time, in arrival order, as MXNet's servers do in async mode).
``pull`` asks the server for the current weights. A worker's pushes and pulls reach the server in
the order it made them (MPI keeps the order between two processes), so a pull sees that worker's
earlier pushes. ``init`` checks that the workers agree on keys, shapes and dtypes (as
``dist_sync`` does); each worker checks its pushes against them.
"""
import atexit
import threading

import numpy as np

from ..base import MXNetError
from .dist import DistKVStore, _host
from .kvstore import _group

__all__ = ["AsyncDistKVStore"]

_REQ, _REP = 17, 18  # message tags: requests to the server, its replies


class AsyncDistKVStore(DistKVStore):
    """``dist_async``: every worker updates rank 0's weights without waiting for the others."""

    _batch_pushpull = True

    def __init__(self, name="dist_async", comm=None, mpi=None):
        super().__init__(name, comm, mpi, async_ok=True)
        if self._mpi.Query_thread() < self._mpi.THREAD_MULTIPLE:
            raise MXNetError("kvstore 'dist_async' needs an MPI library with MPI_THREAD_MULTIPLE")
        self._chan = self._comm.Dup()  # server traffic apart from the collectives
        self._server = None
        self._closed = False
        if self.rank == 0:
            self._server = threading.Thread(target=self._serve, name="mxnext-kvstore-server", daemon=True)
            self._server.start()
        # runs before mpi4py finalizes MPI (atexit is last-in first-out)
        atexit.register(self.close)

    # -- the server (rank 0) --------------------------------------------------------------
    def _serve(self):
        try:
            self._serve_requests()
        except BaseException:  # a dead server would leave every worker waiting: abort the job
            import sys
            import traceback
            traceback.print_exc()
            sys.stderr.flush()
            self._comm.Abort(1)

    def _serve_requests(self):
        from ..ndarray import array
        weights, left = {}, self.num_workers
        status = self._mpi.Status()
        while left:
            msg = self._chan.recv(source=self._mpi.ANY_SOURCE, tag=_REQ, status=status)
            src, op = status.Get_source(), msg[0]
            if op == "init":
                for k, v in zip(msg[1], msg[2]):
                    weights[k] = array(v, dtype=v.dtype)
                self._chan.send(None, dest=src, tag=_REP)
            elif op == "push":  # shapes and dtypes were checked by the worker against init's
                for k, g in zip(msg[1], msg[2]):
                    self._apply(k, array(g, dtype=g.dtype), weights[k], isinstance(k, str))
            elif op == "pull":
                self._chan.send([weights[k].asnumpy() for k in msg[1]], dest=src, tag=_REP)
            elif op == "bye":
                left -= 1

    # -- the workers ----------------------------------------------------------------------
    def _request(self, msg, reply=True):
        self._chan.send(msg, dest=0, tag=_REQ)
        return self._chan.recv(source=0, tag=_REP) if reply else None

    def init(self, key, value):
        """Rank 0's values become the weights; every worker waits until they are stored."""
        keys, vals, is_str = _group(key, value, "init")
        entries = [(k, tuple(vs[0].shape), np.dtype(vs[0].dtype).name, None) for k, vs in zip(keys, vals)]
        self._agree("init", entries)
        super(DistKVStore, self).init(key, value)  # local copies: shapes for push/pull checks
        if self.rank == 0:
            self._request(("init", keys, [np.ascontiguousarray(_host(vs[0])) for vs in vals]))
        self._agree("init done")

    def push(self, key, value, priority=0):
        """Send the sum over this worker's devices to the server and return."""
        keys, vals, is_str = _group(key, value, "push")
        self._check_key_type(is_str)
        grads = []
        for k, vs in zip(keys, vals):
            stored = self._stored(k)
            merged = self._local_sum(vs, stored, k)
            grads.append(np.ascontiguousarray(_host(merged)))
        self._request(("push", keys, grads), reply=False)

    def pull(self, key, out=None, priority=0, ignore_sparse=True):
        """Copy the server's current weights into ``out``."""
        assert out is not None
        keys, outs, is_str = _group(key, out, "pull")
        self._check_key_type(is_str)
        for k in keys:
            self._stored(k)
        for k, os_, w in zip(keys, outs, self._request(("pull", keys))):
            for o in os_:
                if tuple(o.shape) != w.shape:
                    raise MXNetError(f"KVStore.pull: key {k}: out shape {tuple(o.shape)} does not match "
                                     f"the stored shape {w.shape}")
                o[:] = w

    def set_gradient_compression(self, compression_params):
        raise MXNetError("kvstore 'dist_async' does not compress gradients; use 'dist_sync'")

    def close(self):
        """Tell the server this worker is done (at exit); rank 0 waits for all workers."""
        if self._closed:
            return
        self._closed = True
        self._request(("bye",), reply=False)
        if self._server is not None:
            self._server.join()
