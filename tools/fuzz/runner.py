"""Runs fuzz cases in batches, each batch in a child process, a few children at a time.

A child reports each case's start and outcome.  When it dies or a case runs past the time limit,
the case that started and never reported is recorded (``signal``, ``exit`` or ``hang``), run once
more alone in a fresh child to confirm it, and the rest of the batch goes on in another child.
"""
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque

from .outcome import BAD, GOOD

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(HERE)
REPO = os.path.dirname(TOOLS)
STARTUP_S = 300.0          # importing mxnet (the C kernels are built by the parent first)


class Result:
    __slots__ = ("suite", "seed", "index", "kind", "detail", "desc", "alone")

    def __init__(self, suite, seed, index, kind, detail, desc="", alone=None):
        self.suite, self.seed, self.index = suite, seed, index
        self.kind, self.detail, self.desc, self.alone = kind, detail, desc, alone

    @property
    def bad(self):
        return self.kind in BAD

    def __str__(self):
        alone = "" if self.alone is None else (" (again alone)" if self.alone else
                                              " (not when run alone)")
        return (f"{self.kind}{alone}: {self.suite}:{self.seed}:{self.index} {self.desc}\n"
                f"    {self.detail}")


class _Child:
    def __init__(self, suite, seed, cases, env, timeout, mem_gb):
        self.suite, self.seed, self.cases = suite, seed, list(cases)
        self.timeout = timeout
        self.err = tempfile.TemporaryFile()
        job = json.dumps({"suite": suite, "seed": seed, "cases": self.cases, "mem_gb": mem_gb})
        code = (f"import sys; sys.path.insert(0, {TOOLS!r}); from fuzz.child import main; main()")
        self.proc = subprocess.Popen([sys.executable, "-c", code, job], stdout=subprocess.PIPE,
                                     stderr=self.err, stdin=subprocess.DEVNULL, env=env, cwd=REPO,
                                     start_new_session=True)
        self.buf = b""
        self.current = None        # index of the case started and not yet reported
        self.started = False       # READY seen
        self.done = set()
        self.deadline = time.monotonic() + STARTUP_S

    def stderr_tail(self, n=600):
        self.err.seek(0)
        text = self.err.read().decode("utf-8", "replace")
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("Extension modules")]
        return " | ".join(lines[-8:])[-n:]

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


def _describe(suite, seed, index):
    """A case's description, built here: its child died before reporting it."""
    from .child import suite_module
    try:
        mod = suite_module(suite)
        if hasattr(mod, "prepare"):
            mod.prepare()
        return mod.make_case(seed, index).desc
    except Exception as e:
        return f"(no description: {type(e).__name__}: {e})"


def child_env():
    """Single-threaded BLAS (children run side by side), but two threads for the C kernels so
    that their work splitting is exercised too."""
    env = dict(os.environ)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("MXNEXT_THREADS", "2")
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def run(plan, seed=0, jobs=2, batch=400, timeout=10.0, mem_gb=2.0, confirm=True, progress=None):
    """Run ``plan`` (a list of ``(suite, indices)``); returns the list of ``Result``s."""
    from mxnet.ops import _accel
    _accel.jit()       # build the C kernels once, here, rather than in every child at once
    with tempfile.TemporaryDirectory(prefix="mxnext-fuzz-") as tmp:
        env = child_env()
        env["MXNEXT_FUZZ_TMP"] = tmp
        return _run(plan, env, seed, jobs, batch, timeout, mem_gb, confirm, progress)


def _run(plan, env, seed, jobs, batch, timeout, mem_gb, confirm, progress):
    queue = deque()
    for suite, indices in plan:
        indices = list(indices)
        for k in range(0, len(indices), batch):
            queue.append((suite, indices[k:k + batch], False, False))
    sel = selectors.DefaultSelector()
    results = []
    running = []

    def _previous(idx, suite):
        return next(r for r in reversed(results) if r.suite == suite and r.index == idx)

    def finish(child, kind, detail):
        """A child that died or hung: record its current case, requeue the rest."""
        idx = child.current
        rest = [i for i in child.cases if i not in child.done and i != idx]
        if idx is None:            # died between cases (at exit): blame the next one
            idx, rest = (rest[0], rest[1:]) if rest else (None, [])
        if idx is not None:
            if child.alone:        # the confirmation run failed the same way
                prev = _previous(idx, child.suite)
                prev.alone = True
            else:
                results.append(Result(child.suite, child.seed, idx, kind, detail,
                                      _describe(child.suite, child.seed, idx)))
                if progress is not None:
                    progress(results[-1])
                if confirm:
                    queue.appendleft((child.suite, [idx], True, False))
        if rest:
            queue.append((child.suite, rest, False, False))

    try:
        _loop(queue, running, sel, results, finish, seed, env, timeout, mem_gb, jobs, progress)
    finally:
        for c in running:
            c.kill()
            c.err.close()
    return results


def _loop(queue, running, sel, results, finish, seed, env, timeout, mem_gb, jobs, progress):
    def _previous(idx, suite):
        return next(r for r in reversed(results) if r.suite == suite and r.index == idx)

    while queue or running:
        while queue and len(running) < jobs:
            suite, cases, alone, retried = queue.popleft()
            c = _Child(suite, seed, cases, env, timeout, mem_gb)
            c.alone, c.retried = alone, retried
            running.append(c)
            sel.register(c.proc.stdout, selectors.EVENT_READ, c)
        now = time.monotonic()
        wait = max(0.0, min(c.deadline for c in running) - now)
        for key, _ in sel.select(timeout=wait):
            c = key.data
            data = os.read(c.proc.stdout.fileno(), 65536)
            if not data:
                sel.unregister(c.proc.stdout)
                running.remove(c)
                rc = c.proc.wait()
                if not c.started:
                    raise RuntimeError(f"a fuzz child failed to start (exit status {rc}): "
                                       f"{c.stderr_tail()}")
                if c.current is not None or (len(c.done) < len(c.cases)):
                    if rc < 0:
                        kind, detail = "signal", f"{signal.Signals(-rc).name}; {c.stderr_tail()}"
                    else:
                        kind, detail = "exit", f"exit status {rc}; {c.stderr_tail()}"
                    finish(c, kind, detail)
                c.err.close()
                continue
            c.buf += data
            *lines, c.buf = c.buf.split(b"\n")
            for line in lines:
                line = line.decode()
                if line == "READY":
                    c.started = True
                    c.deadline = time.monotonic() + c.timeout
                elif line.startswith("S "):
                    c.current = int(line[2:])
                    c.deadline = time.monotonic() + c.timeout
                elif line.startswith("R "):
                    i, kind, detail, desc = json.loads(line[2:])
                    if c.alone:
                        # the confirmation run of a case that killed or hung a batch
                        prev = _previous(i, c.suite)
                        prev.desc = desc
                        prev.alone = False
                        prev.detail += f"; alone: {kind}: {detail}"
                        if prev.kind == "hang":
                            # in time when run alone: a loaded machine, not a hang
                            prev.kind = "slow"
                    else:
                        results.append(Result(c.suite, c.seed, i, kind, detail, desc))
                        if progress is not None:
                            progress(results[-1])
                    c.done.add(i)
                    c.current = None
                    c.deadline = time.monotonic() + c.timeout
        now = time.monotonic()
        for c in list(running):
            if now > c.deadline:
                sel.unregister(c.proc.stdout)
                running.remove(c)
                c.kill()
                if not c.started:    # no case's fault: try the batch once more, then give up
                    if c.retried:
                        raise RuntimeError(f"fuzz children do not start within {STARTUP_S:.0f} s: "
                                           f"{c.stderr_tail()}")
                    queue.appendleft((c.suite, c.cases, c.alone, True))
                else:
                    finish(c, "hang", f"no answer in {c.timeout:.0f} s; {c.stderr_tail()}")
                c.err.close()


def summary(results):
    """Counts per suite and outcome, as text lines."""
    by = Counter((r.suite, r.kind) for r in results)
    suites = sorted({r.suite for r in results})
    lines = []
    for s in suites:
        n = sum(v for (su, _), v in by.items() if su == s)
        parts = ", ".join(f"{k} {by[(s, k)]}" for k in GOOD + BAD if by[(s, k)])
        lines.append(f"{s}: {n} cases: {parts}")
    return lines
