"""DataLoader: batches of a Dataset, loaded in the main process, worker processes or threads."""
import atexit
import concurrent.futures
import io
import multiprocessing
import pickle
import queue
import random
import threading
import time
import traceback
import weakref
from multiprocessing.reduction import ForkingPickler

import numpy as np

from ...backend import NUMPY_BACKEND, get_backend
from ...context import Context, cpu_pinned
from ...ndarray import NDArray, array as _nd_array
from ...ndarray.ndarray import _wrap
from . import sampler as _sampler

__all__ = ["DataLoader", "default_batchify_fn", "default_mp_batchify_fn"]

_CPU_SHARED = Context("cpu_shared", 0)
_POLL_S = 0.1   # how often a waiting loader checks that its workers are alive


def _np_mode():
    """Whether ``npx.set_np()`` is active (False until mxnet.util exists)."""
    try:
        from ...util import is_np_array
    except ImportError:
        return False
    return is_np_array()


def _make_array(data, dtype, ctx):
    if _np_mode():
        from ... import numpy as _mx_np
        return _mx_np.array(data, dtype=dtype, ctx=ctx)
    return _nd_array(data, ctx=ctx, dtype=dtype)


def _batchify(data, ctx):
    first = data[0]
    if isinstance(first, NDArray):
        src_ctx = first.context
        xp = get_backend(src_ctx).xp
        stacked = xp.stack([d.as_in_context(src_ctx)._data for d in data])
        out = _wrap(stacked, ctx or src_ctx)
        if type(first) is not NDArray or _np_mode():  # mx.np batches, as MXNet's np.stack
            out = out.as_np_ndarray()
        return out
    if isinstance(first, tuple):
        return [_batchify(list(field), ctx) for field in zip(*data)]
    arr = np.asarray(data)
    return _make_array(arr, arr.dtype, ctx)


def default_batchify_fn(data):
    """Stack a list of samples into a batch: arrays and scalars into one array (NumPy's dtype),
    tuples field by field into a list of arrays."""
    return _batchify(data, None)


def default_mp_batchify_fn(data):
    """``default_batchify_fn`` for worker processes and threads: batches live on cpu_shared(0)."""
    return _batchify(data, _CPU_SHARED)


def _as_in_context(data, ctx):
    if isinstance(data, NDArray):
        return data.as_in_context(ctx)
    if isinstance(data, (list, tuple)):
        return type(data)(_as_in_context(d, ctx) for d in data)
    return data


class _WorkerError:
    """An exception raised in a worker, carried back to the main process as text."""

    def __init__(self, exc, worker_id):
        self.exc_type = type(exc)
        try:
            pickle.dumps(self.exc_type)
        except Exception:  # a class defined where the main process cannot import it
            self.exc_type = RuntimeError
        self.text = (f"Caught {type(exc).__name__} in DataLoader worker {worker_id}.\n"
                     f"Original traceback:\n{traceback.format_exc()}")

    def reraise(self):
        try:
            err = self.exc_type(self.text)
        except Exception:
            err = RuntimeError(self.text)
        raise err


def _reseed(seed):
    np.random.seed(seed)
    random.seed(seed)
    NUMPY_BACKEND.seed(seed)


def _worker_loop(worker_id, dataset, batchify_fn, task_q, result_q, seed):
    """Worker process: batchify the index lists it is sent until it gets None."""
    _reseed(seed)
    while True:
        task = task_q.get()
        if task is None:
            break
        tid, indices = task
        try:
            # pickled here so that an unpicklable batch is an error we can report
            payload = pickle.dumps(batchify_fn([dataset[i] for i in indices]),
                                   protocol=pickle.HIGHEST_PROTOCOL)
            result_q.put((tid, payload, None))
        except Exception as e:
            result_q.put((tid, None, _WorkerError(e, worker_id)))


_live_iters = weakref.WeakSet()


@atexit.register
def _shutdown_all():
    for it in list(_live_iters):
        it.shutdown()


class _PrefetchIter:
    """Ordered iteration over batches computed ahead by workers; subclasses say how a task is
    submitted and how its result is fetched."""

    def __init__(self, batch_sampler, prefetch, pin_memory, pin_device_id, timeout):
        self._batch_iter = iter(batch_sampler)
        self._num_batches = len(batch_sampler)
        self._pin = cpu_pinned(pin_device_id) if pin_memory else None
        self._timeout = timeout
        self._sent = 0
        self._rcvd = 0
        self._closed = False
        _live_iters.add(self)
        for _ in range(prefetch):
            self._push_next()

    def _push_next(self):
        indices = next(self._batch_iter, None)
        if indices is not None:
            self._submit(self._sent, indices)
            self._sent += 1

    def __iter__(self):
        return self

    def __len__(self):
        return self._num_batches

    def __next__(self):
        if self._closed:
            raise StopIteration
        self._push_next()
        if self._rcvd == self._sent:
            self.shutdown()
            raise StopIteration
        try:
            batch = self._fetch(self._rcvd)
        except BaseException:
            self.shutdown()
            raise
        self._rcvd += 1
        if self._pin is not None:
            batch = _as_in_context(batch, self._pin)
        return batch

    next = __next__

    def __del__(self):
        self.shutdown()

    def _timeout_error(self):
        return multiprocessing.TimeoutError(
            f"DataLoader: no batch arrived within timeout={self._timeout} seconds; a slow "
            "dataset or transform needs a larger timeout")


class _DaemonPool:
    """A minimal thread pool of daemon threads.  ThreadPoolExecutor's threads are joined on
    shutdown and at interpreter exit, so one sample that never returns would hang both; these
    are left behind instead."""

    def __init__(self, num_workers):
        self._tasks = queue.SimpleQueue()
        for _ in range(num_workers):
            threading.Thread(target=self._work, args=(self._tasks,), daemon=True,
                             name="DataLoader-thread").start()
        self._num_workers = num_workers

    @staticmethod
    def _work(tasks):
        while (task := tasks.get()) is not None:
            fut, fn, arg = task
            if fut.set_running_or_notify_cancel():
                try:
                    fut.set_result(fn(arg))
                except BaseException as e:
                    fut.set_exception(e)

    def submit(self, fn, arg):
        fut = concurrent.futures.Future()
        self._tasks.put((fut, fn, arg))
        return fut

    def shutdown(self):
        """Stops the threads once their current task is done, without waiting for them."""
        for _ in range(self._num_workers):
            self._tasks.put(None)


class _ThreadIter(_PrefetchIter):
    def __init__(self, dataset, batchify_fn, num_workers, *args):
        self._dataset = dataset
        self._batchify_fn = batchify_fn
        self._pool = _DaemonPool(num_workers)
        self._futures = {}
        super().__init__(*args)

    def _load(self, indices):
        return self._batchify_fn([self._dataset[i] for i in indices])

    def _submit(self, tid, indices):
        self._futures[tid] = self._pool.submit(self._load, indices)

    def _fetch(self, tid):
        try:
            return self._futures.pop(tid).result(self._timeout)
        except concurrent.futures.TimeoutError:
            raise self._timeout_error() from None

    def shutdown(self):
        if getattr(self, "_closed", True):
            return
        self._closed = True
        for f in self._futures.values():
            f.cancel()
        self._pool.shutdown()


class _ProcessIter(_PrefetchIter):
    def __init__(self, dataset, batchify_fn, num_workers, seed, *args):
        methods = multiprocessing.get_all_start_methods()
        mp = multiprocessing.get_context("fork" if "fork" in methods else None)
        self._result_q = mp.Queue()
        self._task_qs = [mp.Queue() for _ in range(num_workers)]
        self._workers = []
        self._closed = False
        for wid, task_q in enumerate(self._task_qs):
            wseed = int(np.random.SeedSequence(seed + [wid]).generate_state(1)[0])
            w = mp.Process(target=_worker_loop, daemon=True,
                           args=(wid, dataset, batchify_fn, task_q, self._result_q, wseed))
            w.start()
            self._workers.append(w)
        self._buffer = {}
        super().__init__(*args)

    def _submit(self, tid, indices):
        self._task_qs[tid % len(self._task_qs)].put((tid, indices))

    def _check_workers(self):
        for wid, w in enumerate(self._workers):
            if w.exitcode is not None:
                raise RuntimeError(f"DataLoader worker {wid} (pid {w.pid}) exited unexpectedly "
                                   f"with exit code {w.exitcode}")

    def _fetch(self, tid):
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        while tid not in self._buffer:
            try:
                got, payload, err = self._result_q.get(timeout=_POLL_S)
            except queue.Empty:
                self._check_workers()
                if deadline is not None and time.monotonic() > deadline:
                    raise self._timeout_error() from None
                continue
            self._buffer[got] = (payload, err)
        payload, err = self._buffer.pop(tid)
        if err is not None:
            err.reraise()
        return pickle.loads(payload)

    def shutdown(self):
        if getattr(self, "_closed", True):
            return
        self._closed = True
        for q in self._task_qs:
            try:
                q.put(None)
            except (ValueError, OSError):
                pass
        end = time.monotonic() + 1.0
        for w in self._workers:
            w.join(max(0.0, end - time.monotonic()))
        for w in self._workers:
            if w.is_alive():
                w.terminate()
                w.join()
        for q in self._task_qs + [self._result_q]:
            q.cancel_join_thread()
            q.close()


class DataLoader:
    """Iterates over mini-batches of ``dataset``.

    Batches are chosen by ``batch_sampler`` or by ``sampler``/``shuffle`` plus ``batch_size``
    and ``last_batch`` ('keep', 'discard', 'rollover'), then combined by ``batchify_fn``.
    ``num_workers > 0`` loads batches in that many worker processes (threads when
    ``thread_pool``), ``prefetch`` batches ahead (default ``2 * num_workers``); a batch that takes
    longer than ``timeout`` seconds raises. ``pin_memory`` copies batches to
    ``cpu_pinned(pin_device_id)``. ``auto_reload`` only affects when MXNet starts prefetching
    the next epoch and is accepted for compatibility.
    """

    def __init__(self, dataset, batch_size=None, shuffle=False, sampler=None, last_batch=None,
                 batch_sampler=None, batchify_fn=None, num_workers=0, pin_memory=False,
                 pin_device_id=0, prefetch=None, thread_pool=False, timeout=120,
                 auto_reload=False):
        self._dataset = dataset
        self._pin_memory = pin_memory
        self._pin_device_id = pin_device_id
        self._thread_pool = thread_pool
        self._timeout = timeout
        self._auto_reload = auto_reload
        if batch_sampler is None:
            if batch_size is None:
                raise ValueError("batch_size must be specified unless batch_sampler is specified")
            if sampler is None:
                sampler = (_sampler.RandomSampler(len(dataset)) if shuffle
                           else _sampler.SequentialSampler(len(dataset)))
            elif shuffle:
                raise ValueError("shuffle must not be specified if sampler is specified")
            batch_sampler = _sampler.BatchSampler(sampler, batch_size, last_batch or "keep")
        elif batch_size is not None or shuffle or sampler is not None or last_batch is not None:
            raise ValueError("batch_size, shuffle, sampler and last_batch must not be specified "
                             "if batch_sampler is specified.")
        self._batch_sampler = batch_sampler
        self._num_workers = max(0, num_workers)
        self._prefetch = max(0, int(prefetch) if prefetch is not None else 2 * self._num_workers)
        if batchify_fn is None:
            batchify_fn = default_mp_batchify_fn if self._num_workers > 0 else default_batchify_fn
        self._batchify_fn = batchify_fn
        self._epoch = 0
        self._iters = weakref.WeakSet()

    def __iter__(self):
        if self._num_workers == 0:
            return self._same_process_iter()
        common = (self._batch_sampler, self._prefetch, self._pin_memory, self._pin_device_id,
                  self._timeout)
        if self._thread_pool:
            it = _ThreadIter(self._dataset, self._batchify_fn, self._num_workers, *common)
        else:
            # worker seeds follow NumPy's global state without consuming it, so that a seeded
            # program is reproducible and each worker and epoch draws different numbers
            seed = [int(np.random.get_state()[1][0]), self._epoch]
            it = _ProcessIter(self._dataset, self._batchify_fn, self._num_workers, seed, *common)
        # the iterator keeps its loader alive: a loader collected mid-epoch would shut it down
        it._data_loader = self
        self._epoch += 1
        self._iters.add(it)
        return it

    def _same_process_iter(self):
        pin = cpu_pinned(self._pin_device_id) if self._pin_memory else None
        for batch in self._batch_sampler:
            ret = self._batchify_fn([self._dataset[idx] for idx in batch])
            if pin is not None:
                ret = _as_in_context(ret, pin)
            yield ret

    def __len__(self):
        return len(self._batch_sampler)

    def __del__(self):
        for it in list(getattr(self, "_iters", ())):
            it.shutdown()



# ---- MXNet's pool-based worker protocol ----------------------------------------------------
# Libraries built on MXNet (GluonCV's RandomTransformDataLoader, GluonNLP's samplers) subclass
# _MultiWorkerIter and hand it a multiprocessing.Pool of their own together with these worker
# functions, so they keep MXNet's contract: the pool's initializer stores the dataset in the
# worker, a worker function returns the batch pickled, and the iterator unpickles in order.
_worker_dataset = None


def _worker_initializer(dataset, active_shape=None, active_array=None):
    """Pool initializer: keep ``dataset`` for this worker process, in the parent's np mode."""
    global _worker_dataset
    _worker_dataset = dataset
    if active_shape is not None or active_array is not None:
        from ...util import set_np
        set_np(shape=bool(active_shape), array=bool(active_array))


def _worker_fn(samples, batchify_fn, dataset=None):
    """Pool task: the batch of ``samples`` from the worker's dataset, pickled."""
    data = _worker_dataset if dataset is None else dataset
    batch = batchify_fn([data[i] for i in samples])
    buf = io.BytesIO()
    ForkingPickler(buf, pickle.HIGHEST_PROTOCOL).dump(batch)
    return buf.getvalue()


def _thread_worker_initializer(active_shape, active_array):
    from ...util import set_np
    set_np(shape=bool(active_shape), array=bool(active_array))


def _thread_worker_fn(samples, batchify_fn, dataset):
    """Thread-pool task: the batch itself (threads share memory, nothing to pickle)."""
    return batchify_fn([dataset[i] for i in samples])


class _MultiWorkerIter:
    """Batches computed by ``worker_fn`` on ``worker_pool`` (``apply_async``), returned in order;
    ``prefetch`` tasks are sent ahead. Without ``dataset`` results arrive pickled."""

    def __init__(self, worker_pool, batchify_fn, batch_sampler, pin_memory=False, pin_device_id=0,
                 worker_fn=_worker_fn, prefetch=0, dataset=None, data_loader=None, timeout=120):
        self._worker_pool = worker_pool
        self._batchify_fn = batchify_fn
        self._batch_sampler = batch_sampler
        self._data_buffer = {}
        self._rcvd_idx = 0
        self._sent_idx = 0
        self._iter = iter(self._batch_sampler)
        self._worker_fn = worker_fn
        self._pin_memory = pin_memory
        self._pin_device_id = pin_device_id
        self._dataset = dataset
        self._data_loader = data_loader
        self._timeout = timeout
        for _ in range(prefetch):
            self._push_next()

    def __len__(self):
        return len(self._batch_sampler)

    def _push_next(self):
        indices = next(self._iter, None)
        if indices is None:
            return
        self._data_buffer[self._sent_idx] = self._worker_pool.apply_async(
            self._worker_fn, (indices, self._batchify_fn, self._dataset))
        self._sent_idx += 1

    def __next__(self):
        self._push_next()
        if self._rcvd_idx == self._sent_idx:
            raise StopIteration
        ret = self._data_buffer.pop(self._rcvd_idx)
        try:
            batch = ret.get(self._timeout)
        except multiprocessing.TimeoutError:
            raise RuntimeError(f"DataLoader worker timed out after {self._timeout} s fetching batch "
                               f"{self._rcvd_idx}; raise `timeout` if loading is slow") from None
        if self._dataset is None:
            batch = pickle.loads(batch)
        if self._pin_memory:
            batch = _as_in_context(batch, cpu_pinned(self._pin_device_id))
        self._rcvd_idx += 1
        return batch

    next = __next__

    def __iter__(self):
        return self
