"""``mx.monitor.Monitor``: periodic statistics of intermediate outputs and weights.

Installs on symbolic executors (through ``set_monitor_callback``) and on Gluon
blocks (through forward hooks on every sub-block; outputs are named
``<block name>_output``, inputs ``<block name>_input<i>``, weights by their
parameter names).
"""
import logging
import re
from math import sqrt

from . import ndarray
from .ndarray.ndarray import NDArray

__all__ = ["Monitor"]


def _default_stat(x):
    """RMS value: ``norm(x) / sqrt(x.size)``."""
    return ndarray.norm(x) / sqrt(x.size)


class Monitor:
    """Collects ``stat_func`` of arrays whose names match ``pattern`` every ``interval`` batches.

    Call ``tic()`` before a forward pass and ``toc()``/``toc_print()`` after it."""

    def __init__(self, interval, stat_func=None, pattern=".*", sort=False, monitor_all=False):
        self.interval = interval
        self.stat_func = _default_stat if stat_func is None else stat_func
        self.activated = False
        self.queue = []
        self.step = 0
        self.exes = []
        self.blocks = []
        self.re_prog = re.compile(pattern)
        self.sort = sort
        self.monitor_all = monitor_all

    def stat_helper(self, name, array):
        """Record the statistic of one named array (the executor callback)."""
        if not self.activated:
            return
        if isinstance(name, bytes):
            name = name.decode()
        if not self.re_prog.match(name):
            return
        self.queue.append((self.step, name, self.stat_func(array)))

    def install(self, exe):
        """Watch an executor (``Executor``) or a Gluon ``Block`` and all its children."""
        from .gluon.block import Block
        if isinstance(exe, Block):
            exe.apply(self._hook_block)
            self.blocks.append(exe)
            return
        exe.set_monitor_callback(self.stat_helper, self.monitor_all)
        self.exes.append(exe)

    def _hook_block(self, block):
        def hook(blk, inputs, outputs):
            if not self.activated:
                return
            if self.monitor_all:
                for i, x in enumerate(_arrays(inputs)):
                    self.stat_helper(f"{blk.name}_input{i}", x)
            outs = _arrays(outputs)
            for i, x in enumerate(outs):
                self.stat_helper(f"{blk.name}_output" if len(outs) == 1 else f"{blk.name}_output{i}", x)
        block.register_forward_hook(hook)

    def tic(self):
        """Start collecting for this batch if it is one of every ``interval``."""
        if self.step % self.interval == 0:
            self.queue = []
            self.activated = True
        self.step += 1

    def toc(self):
        """Stop collecting; returns ``[(step, name, stat_string)]`` including the weights."""
        if not self.activated:
            return []
        for exe in self.exes:
            for name, array in exe.arg_dict.items():
                if self.re_prog.match(name):
                    self.queue.append((self.step, name, self.stat_func(array)))
        for block in self.blocks:
            for name, param in block.collect_params().items():
                if param._data is not None and self.re_prog.match(name):
                    self.queue.append((self.step, name, [self.stat_func(d) for d in param.list_data()]))
        self.activated = False
        if self.sort:
            self.queue.sort(key=lambda x: x[1])
        res = []
        for n, k, v_list in self.queue:
            s = ""
            for v in (v_list if isinstance(v_list, (list, tuple)) else [v_list]):
                if not isinstance(v, NDArray):
                    raise TypeError(f"Monitor: stat_func must return NDArrays, got {type(v).__name__}")
                s += (str(v.asscalar()) if v.shape in ((), (1,)) else str(v.asnumpy())) + "\t"
            res.append((n, k, s))
        self.queue = []
        return res

    def toc_print(self):
        """``toc`` and log each statistic."""
        for n, k, v in self.toc():
            logging.info("Batch: {:7d} {:30s} {:s}".format(n, k, v))


def _arrays(x):
    """The NDArrays in a (possibly nested) block input/output structure, in order."""
    if isinstance(x, NDArray):
        return [x]
    if isinstance(x, (list, tuple)):
        return [a for item in x for a in _arrays(item)]
    return []
