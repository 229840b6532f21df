"""``mx.profiler``: operator timing, user ranges and counters, Chrome-trace output.

While the profiler runs, every registered operator's ``forward`` (and
``backward``) is wrapped with a timer; on stop or pause the originals are put
back, so a stopped profiler costs nothing.  Events go to a Chrome trace file
(``dump``, ``chrome://tracing``) and, with ``aggregate_stats=True``, into
per-operator count/total/min/max tables (``dumps``).
"""
import json
import os
import threading
import time
import warnings
import weakref

from .base import MXNetError

__all__ = ["set_config", "set_state", "dump", "dumps", "pause", "resume", "profiler_set_config",
           "profiler_set_state", "dump_profile", "set_kvstore_handle", "Domain", "Task", "Frame",
           "Event", "Counter", "Marker"]

_DEFAULTS = {"profile_all": False, "profile_symbolic": True, "profile_imperative": True,
             "profile_memory": True, "profile_api": True, "filename": "profile.json",
             "continuous_dump": True, "dump_period": 1.0, "aggregate_stats": False,
             "profile_process": "worker"}
_BOOL_KEYS = ("profile_all", "profile_symbolic", "profile_imperative", "profile_memory", "profile_api",
              "continuous_dump", "aggregate_stats")


class _Profiler:
    def __init__(self):
        self.config = dict(_DEFAULTS)
        self.running = False
        self.paused = False
        self.events = []
        self.stats = {}          # category -> name -> [count, total_ms, min_ms, max_ms]
        self.memory = {}         # device -> [bytes in use, count, min_kb, max_kb, sum_kb]
        self.scope = threading.local()   # .custom: the Custom operators running on this thread
        self.wrapped = {}        # OpDef -> (forward, backward) originals
        self.lock = threading.Lock()
        self.kvstore_handle = None


_P = _Profiler()
_PID = os.getpid()


def _now_us():
    return time.perf_counter_ns() // 1000


def _active():
    return _P.running and not _P.paused


def _record(cat, name, start_us, end_us, ph=("B", "E"), extra=None):
    """Add one begin/end pair to the trace and, if enabled, to the aggregate table."""
    tid = threading.get_ident()
    base = {"name": name, "cat": cat, "pid": 0, "tid": tid}
    if extra:
        base.update(extra)
    with _P.lock:
        _P.events.append(dict(base, ph=ph[0], ts=start_us))
        _P.events.append(dict(base, ph=ph[1], ts=end_us))
        if _P.config["aggregate_stats"]:
            ms = (end_us - start_us) / 1000.0
            row = _P.stats.setdefault(cat, {}).get(name)
            if row is None:
                _P.stats[cat][name] = [1, ms, ms, ms]
            else:
                row[0] += 1
                row[1] += ms
                row[2] = min(row[2], ms)
                row[3] = max(row[3], ms)


def _custom_stack():
    stack = getattr(_P.scope, "custom", None)
    if stack is None:
        stack = _P.scope.custom = []
    return stack


def _timed(fn, name):
    def run(*args):
        t0 = _now_us()
        try:
            res = fn(*args)
        finally:
            stack = _custom_stack()
            # operators a Custom operator runs are listed under it, as MXNet does
            if stack:
                _record("Custom Operator", f"{stack[-1]}::{name}", t0, _now_us())
            else:
                _record("operator", name, t0, _now_us())
        if _P.config["profile_memory"]:
            _track_memory(res)
        return res
    return run


def _timed_custom(fn, backward):
    """The timer of the ``Custom`` operator: named ``<op_type>::pure_python`` (with ``_backward_``
    for the gradient) in the 'Custom Operator' domain, which also gets the operators it runs."""
    def run(attrs, *args):
        label = ("_backward_" if backward else "") + attrs["op_type"]
        stack = _custom_stack()
        stack.append(label)
        t0 = _now_us()
        try:
            res = fn(attrs, *args)
        finally:
            stack.pop()
            _record("Custom Operator", f"{label}::pure_python", t0, _now_us())
        return res
    return run


def _device_of(arr):
    dev = getattr(arr, "device", None)
    return f"gpu/{dev.id}" if hasattr(dev, "id") else "cpu/0"


def _memory_change(device, delta):
    """Add ``delta`` bytes to the memory in use on ``device`` and to its statistics (kB)."""
    with _P.lock:
        row = _P.memory.setdefault(device, [0, 0, None, None, 0.0])
        row[0] += delta
        kb = row[0] / 1000.0
        row[1] += 1
        row[2] = kb if row[2] is None else min(row[2], kb)
        row[3] = kb if row[3] is None else max(row[3], kb)
        row[4] += kb


def _track_memory(res):
    """Count the arrays an operator allocated (outputs owning their memory) as in use until
    they are freed."""
    if isinstance(res, (tuple, list)):
        for r in res:
            if isinstance(r, (tuple, list)):
                _track_memory(r)
            elif hasattr(r, "nbytes") and getattr(r, "base", 0) is None:
                _track_array(r)
    elif hasattr(res, "nbytes") and getattr(res, "base", 0) is None:
        _track_array(res)


def _track_array(arr):
    device, n = _device_of(arr), int(arr.nbytes)
    try:
        weakref.finalize(arr, _memory_change, device, -n)
    except TypeError:   # not weak-referenceable: its release cannot be seen
        return
    _memory_change(device, n)


def _install():
    """Wrap every registered operator's compute functions with timers."""
    from .ops import registry
    cfg = _P.config
    if not (cfg["profile_all"] or cfg["profile_imperative"] or cfg["profile_symbolic"]):
        return
    for op in set(registry._REGISTRY.values()):
        if op in _P.wrapped:
            continue
        _P.wrapped[op] = (op.forward, op.backward)
        if op.name == "Custom":
            op.forward = _timed_custom(op.forward, False)
            if op.backward is not None:
                op.backward = _timed_custom(op.backward, True)
            continue
        op.forward = _timed(op.forward, op.name)
        if op.backward is not None:
            op.backward = _timed(op.backward, "_backward_" + op.name)


def _uninstall():
    for op, (fwd, bwd) in _P.wrapped.items():
        op.forward, op.backward = fwd, bwd
    _P.wrapped.clear()


def _check_process(profile_process):
    if profile_process != "worker":
        if profile_process == "server":
            raise MXNetError("profile_process='server': mxnext has no parameter-server processes")
        raise MXNetError(f"profile_process must be 'worker' or 'server', got {profile_process!r}")


def set_config(**kwargs):
    """Set profiler options: ``profile_all``, ``profile_symbolic``, ``profile_imperative``,
    ``profile_memory``, ``profile_api``, ``filename``, ``continuous_dump``, ``dump_period``,
    ``aggregate_stats``, ``profile_process``."""
    unknown = sorted(set(kwargs) - set(_DEFAULTS))
    if unknown:
        raise MXNetError(f"profiler.set_config: unknown option(s) {unknown}; valid options are "
                         f"{sorted(_DEFAULTS)}")
    _check_process(kwargs.get("profile_process", "worker"))
    for k, v in kwargs.items():
        if k in _BOOL_KEYS:
            v = v if isinstance(v, bool) else str(v).lower() in ("1", "true")
        elif k == "dump_period":
            v = float(v)
        elif k == "filename":
            v = str(v)
        _P.config[k] = v


def set_state(state="stop", profile_process="worker"):
    """Start (``'run'``) or stop (``'stop'``) collecting."""
    code = {"stop": 0, "run": 1}[state]
    _check_process(profile_process)
    if code == 1:
        _P.running = True
        _P.paused = False
        _install()
    else:
        _P.running = False
        _uninstall()


def pause(profile_process="worker"):
    """Stop collecting until ``resume``; the configuration and data are kept."""
    _check_process(profile_process)
    if _P.running:
        _P.paused = True
        _uninstall()


def resume(profile_process="worker"):
    """Continue collecting after ``pause``."""
    _check_process(profile_process)
    if _P.running and _P.paused:
        _P.paused = False
        _install()


def dump(finished=True, profile_process="worker"):
    """Write the events collected so far to the configured file as a Chrome trace.

    ``finished=True`` also clears the collected events."""
    _check_process(profile_process)
    with _P.lock:
        events = list(_P.events)
        if finished:
            _P.events.clear()
    meta = [{"ph": "M", "args": {"name": "cpu/0"}, "pid": 0, "name": "process_name"}]
    out = {"traceEvents": meta + events, "displayTimeUnit": "ms"}
    fname = _P.config["filename"]
    tmp = f"{fname}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(out, f, indent=1)
    os.replace(tmp, fname)


_SORT = {"total": 1, "avg": None, "min": 2, "max": 3, "count": 0}


def dumps(reset=False, format="table", sort_by="total", ascending=False):
    """The aggregate statistics (``aggregate_stats=True``) as a text table or JSON string: time
    per operator and range, and (``profile_memory``) memory in use per device, in kB."""
    if format not in ("table", "json"):
        raise ValueError(f"format must be 'table' or 'json', got {format!r}")
    if sort_by not in _SORT:
        raise ValueError(f"sort_by must be one of {sorted(_SORT)}, got {sort_by!r}")
    with _P.lock:
        stats = {c: {n: list(r) for n, r in rows.items()} for c, rows in _P.stats.items()}
        # memory rows as [count, sum_kb, min_kb, max_kb], the layout of the time rows
        memory = {f"Memory: {d}": [r[1], r[4], r[2], r[3]] for d, r in _P.memory.items() if r[1]}
        if reset:
            _P.stats.clear()
            for r in _P.memory.values():
                r[1:] = [0, None, None, 0.0]
    if not _P.config["aggregate_stats"] and not stats:
        return ""
    idx = _SORT[sort_by]

    def key(item):
        r = item[1]
        return r[1] / r[0] if idx is None else r[idx]
    ordered = {c: sorted(stats[c].items(), key=key, reverse=not ascending) for c in sorted(stats)}
    mem = {"Device Storage": sorted(memory.items(), key=key, reverse=not ascending)} if memory else {}
    if format == "json":
        out = {"Time": {c: {n: {"Count": r[0], "Total": round(r[1], 4), "Min": round(r[2], 4),
                                "Max": round(r[3], 4), "Avg": round(r[1] / r[0], 4)}
                            for n, r in rows} for c, rows in ordered.items()}}
        if mem:
            out["Memory"] = {c: {n: {"Count": r[0], "Min": round(r[2], 4), "Max": round(r[3], 4),
                                     "Avg": round(r[1] / r[0], 4)} for n, r in rows}
                             for c, rows in mem.items()}
        out["Unit"] = {"Time": "ms", "Memory": "kB"} if mem else {"Time": "ms"}
        return json.dumps(out, indent=4)
    lines = ["", "Profile Statistics:", "\tNote the difference in units for different entries."]
    sections = [(c, rows, ("Min Use  (kB)", "Max Use  (kB)", "Avg Use  (kB)"), False) for c, rows in mem.items()]
    sections += [(c, rows, ("Time (ms)", "Min Time (ms)", "Max Time (ms)", "Avg Time (ms)"), True)
                 for c, rows in ordered.items()]
    for cat, rows, heads, with_total in sections:
        lines += [cat, "=================",
                  "Name".ljust(30) + "Total Count".rjust(11) + "".join(h.rjust(17) for h in heads),
                  "----".ljust(30) + "-----------".rjust(11) + "".join(("-" * len(h)).rjust(17) for h in heads)]
        for name, (cnt, tot, mn, mx) in rows:
            vals = (tot, mn, mx, tot / cnt) if with_total else (mn, mx, tot / cnt)
            lines.append(name.ljust(30) + str(cnt).rjust(11) + "".join(f"{v:17.4f}" for v in vals))
        lines.append("")
    return "\n".join(lines) + "\n"


def set_kvstore_handle(handle):
    """Remember the kvstore whose server processes would be profiled (none exist in mxnext)."""
    _P.kvstore_handle = handle


def profiler_set_config(mode="symbolic", filename="profile.json"):
    """Deprecated form of ``set_config``: ``mode`` is ``'symbolic'`` or ``'all'``."""
    warnings.warn("profiler.profiler_set_config() is deprecated. Please use profiler.set_config() instead")
    if mode not in ("symbolic", "all"):
        raise MXNetError(f"profiler_set_config: mode must be 'symbolic' or 'all', got {mode!r}")
    set_config(profile_symbolic=True, profile_all=(mode == "all"), filename=filename)


def profiler_set_state(state="stop"):
    """Deprecated form of ``set_state``."""
    warnings.warn("profiler.profiler_set_state() is deprecated. Please use profiler.set_state() instead")
    set_state(state)


def dump_profile():
    """Deprecated form of ``dump``."""
    warnings.warn("profiler.dump_profile() is deprecated. Please use profiler.dump() instead")
    dump(True)


# -- user-defined ranges, counters and markers --------------------------------
class Domain:
    """A named group (trace category) for tasks, frames, counters and markers."""

    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name

    def new_task(self, name):
        return Task(self, name)

    def new_frame(self, name):
        return Frame(self, name)

    def new_counter(self, name, value=None):
        return Counter(self, name, value)

    def new_marker(self, name):
        return Marker(self, name)


class _Range:
    """A named duration recorded between ``start`` and ``stop`` while the profiler runs."""

    _phases = ("B", "E")

    def __init__(self, cat, name):
        self.name = name
        self._cat = cat
        self._t0 = None

    def start(self):
        self._t0 = _now_us()

    def stop(self):
        if self._t0 is None:
            raise MXNetError(f"{type(self).__name__} '{self.name}': stop() called before start()")
        if _active():
            _record(self._cat, self.name, self._t0, _now_us(), self._phases, self._extra())
        self._t0 = None

    def _extra(self):
        return None

    def __str__(self):
        return self.name


class Task(_Range):
    """A range in a domain (an asynchronous begin/end pair in the trace)."""

    _phases = ("b", "e")

    def __init__(self, domain, name):
        super().__init__(domain.name, name)
        self.domain = domain

    def _extra(self):
        return {"id": id(self)}


class Frame(_Range):
    """A frame range in a domain (e.g. one training iteration)."""

    _phases = ("(", ")")

    def __init__(self, domain, name):
        super().__init__(domain.name + ",frame", name)
        self.domain = domain

    def _extra(self):
        return {"id": id(self)}


class Event(_Range):
    """A range outside any domain (category ``event``)."""

    def __init__(self, name):
        super().__init__("event", name)


class Counter:
    """An integer value whose changes are traced (``+=``/``-=`` work too)."""

    def __init__(self, domain, name, value=None):
        self.domain = domain
        self.name = name
        self.value = 0
        if value is not None:
            self.set_value(value)

    def _emit(self):
        if _active():
            with _P.lock:
                _P.events.append({"name": self.name, "cat": self.domain.name, "ph": "C", "ts": _now_us(),
                                  "args": {self.name: self.value}, "pid": 0, "tid": threading.get_ident()})

    def set_value(self, value):
        self.value = int(value)
        self._emit()

    def increment(self, delta=1):
        self.set_value(self.value + delta)

    def decrement(self, delta=1):
        self.set_value(self.value - delta)

    def __iadd__(self, delta):
        self.increment(delta)
        return self

    def __isub__(self, delta):
        self.decrement(delta)
        return self

    def __str__(self):
        return self.name


class Marker:
    """An instant event in a domain."""

    _SCOPES = {"global": "g", "process": "p", "thread": "t", "task": "t", "marker": "t"}

    def __init__(self, domain, name):
        self.domain = domain
        self.name = name

    def mark(self, scope="process"):
        """Record the instant; ``scope`` is ``global``, ``process``, ``thread``, ``task`` or ``marker``."""
        if scope not in self._SCOPES:
            raise MXNetError(f"Marker.mark: unknown scope {scope!r}; expected one of {sorted(self._SCOPES)}")
        if _active():
            with _P.lock:
                _P.events.append({"name": self.name, "cat": self.domain.name + ",instant_marker", "ph": "i",
                                  "ts": _now_us(), "s": self._SCOPES[scope], "pid": 0,
                                  "tid": threading.get_ident()})
