"""Multi-process stores over MPI (``mpi4py``, the ``[dist]`` extra).

Launch with ``mpirun -n N python train.py``.  ``dist_sync``/``dist_device_sync``
sum pushed values over all workers with ``MPI_Allreduce``; every worker then
applies the same optimizer update, which gives the result the parameter
servers of MXNet's synchronous mode give.  ``horovod``/``byteps`` expose only
``pushpull`` and ``broadcast`` (no optimizer in the store), as in MXNet.
"""
import os

import numpy as np

from ..base import MXNetError
from .kvstore import KVStore, _group

__all__ = ["DistKVStore", "mpi_comm"]

# environment variables that MPI launchers (Open MPI, MPICH/Hydra, PMIx, Slurm) set
_LAUNCH_VARS = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS", "SLURM_NTASKS")


def mpi_comm(name):
    """``(COMM_WORLD, MPI.SUM)``, or MXNetError saying what is missing for store ``name``."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise MXNetError(f"kvstore '{name}' runs over MPI and needs mpi4py: install the [dist] extra "
                         f"(pip install mxnext[dist]) and launch with mpirun ({e})") from e
    comm = MPI.COMM_WORLD
    if comm.Get_size() < 2 and not any(v in os.environ for v in _LAUNCH_VARS):
        raise MXNetError(f"kvstore '{name}' needs the process to be started by mpirun "
                         "(e.g. mpirun -n 2 python train.py)")
    return comm, MPI.SUM


class DistKVStore(KVStore):
    """A ``KVStore`` whose values are summed over the MPI workers."""

    def __init__(self, name="dist_sync", comm=None, sum_op=None):
        if name == "dist_async" or name.startswith("dist_async"):
            raise MXNetError("kvstore 'dist_async' needs parameter servers, which mxnext does not have; "
                             "use 'dist_sync' (MPI allreduce)")
        super().__init__(name)
        if comm is None:
            comm, sum_op = mpi_comm(name)
        self._comm = comm
        self._sum_op = sum_op
        self._has_optimizer = name.startswith("dist")

    @property
    def rank(self):
        return self._comm.Get_rank()

    @property
    def num_workers(self):
        return self._comm.Get_size()

    def is_capable(self, capability):
        if capability.lower() == "optimizer":
            return self._has_optimizer
        raise ValueError(f"Unknown capability: {capability}")

    def _allreduce(self, arr):
        """Sum ``arr`` over all workers, in place (through host memory)."""
        host = np.ascontiguousarray(arr.asnumpy())
        total = np.empty_like(host)
        self._comm.Allreduce(host, total, op=self._sum_op)
        arr[:] = total

    def init(self, key, value):
        """Initialise keys with worker 0's values (so all workers start equal)."""
        super().init(key, value)
        keys, _, _ = _group(key, value, "init")
        for k in keys:
            host = np.ascontiguousarray(self._store[k].asnumpy())
            self._comm.Bcast(host, root=0)
            self._store[k][:] = host

    def push(self, key, value, priority=0):
        """Sum over devices, then over workers, then update the stored value."""
        keys, vals, is_str = _group(key, value, "push")
        self._check_key_type(is_str)
        for k, vs in zip(keys, vals):
            stored = self._stored(k)
            merged = self._reduce(k, vs, stored)
            self._allreduce(merged)
            self._apply(k, merged, stored, is_str)

    def set_optimizer(self, optimizer):
        if not self._has_optimizer:
            raise NotImplementedError(f"kvstore '{self._type}' does not run an optimizer; "
                                      "use update_on_kvstore=False")
        super().set_optimizer(optimizer)

    def _barrier(self):
        self._comm.Barrier()
