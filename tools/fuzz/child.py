"""The child process of the fuzz runner: runs a batch of cases and reports each on a private pipe.

Protocol (one line each, on a copy of the stdout descriptor; the real stdout goes to /dev/null so
that nothing the package prints can garble it): ``READY`` once set up, ``S <index>`` before a
case, ``R <json [index, kind, detail, description]>`` after it.  A case that starts and never
reports is the one that killed or hung the child.
"""
import json
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))


def workdir():
    """A folder for the case files: the runner's (removed after the run, even when a child is
    killed), else one of this process's own removed at exit."""
    d = os.environ.get("MXNEXT_FUZZ_TMP")
    if d:
        return d
    global _OWN_TMP
    if _OWN_TMP is None:
        import atexit
        import shutil
        import tempfile
        _OWN_TMP = tempfile.mkdtemp(prefix="mxnext-fuzz-")
        atexit.register(shutil.rmtree, _OWN_TMP, True)
    return _OWN_TMP


_OWN_TMP = None


def suite_module(name):
    import importlib
    return importlib.import_module(f"fuzz.gen_{name}")


def run_case(mod, seed, i):
    """``(kind, detail, description)`` of case ``i``, in this process."""
    import numpy as np
    from fuzz.outcome import classify
    desc = f"{mod.__name__}:{seed}:{i}"
    try:
        case = mod.make_case(seed, i)
        desc = case.desc
        with np.errstate(all="ignore"):
            kind, detail = case.run()
    except RecursionError as e:
        kind, detail = "exc-type", f"RecursionError: {e}"
    except Exception as e:  # the generators classify what they expect; this is a fuzz bug
        kind, detail = classify(e)
        detail = "(outside the case's checks) " + detail
    finally:
        reset = getattr(mod, "reset", None)
        if reset is not None:
            reset()
    return kind, detail, desc


def _limit_memory(extra_gb):
    import resource
    with open("/proc/self/status") as f:
        size_kb = int(next(line for line in f if line.startswith("VmSize:")).split()[1])
    limit = size_kb * 1024 + int(extra_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main():
    job = json.loads(sys.argv[1])
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    import faulthandler
    faulthandler.enable()      # a crash leaves its Python stack on stderr for the runner
    warnings.simplefilter("ignore")
    import mxnet  # noqa: F401
    from mxnet.ops import _accel
    _accel.jit()               # compile/load the C kernels before the memory limit
    mod = suite_module(job["suite"])
    prepare = getattr(mod, "prepare", None)
    if prepare is not None:
        prepare()
    if job.get("mem_gb"):
        _limit_memory(job["mem_gb"])
    proto.write("READY\n")
    for i in job["cases"]:
        proto.write(f"S {i}\n")
        kind, detail, desc = run_case(mod, job["seed"], i)
        proto.write("R " + json.dumps([i, kind, detail, desc]) + "\n")
    proto.close()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(HERE))
    main()
