"""One benchmark column in its own process, driven by ``run.py`` over stdin/stdout.

Usage: python worker.py {gluon,torch} WORKLOAD {eager,hybrid} WARMUP
After building the workload and running WARMUP steps it prints ``@@ {"ready": ...}``; then each
input line ``run K`` answers ``@@ [seconds of each of K steps]`` and ``quit`` answers
``@@ {"peak_rss_mb": ..., "blas": ...}``.  Protocol lines start with ``@@`` so that anything a
framework prints to stdout is skipped.
"""
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def blas_info():
    """Which BLAS library and kernel this process's NumPy runs (threadpoolctl when installed)."""
    try:
        import threadpoolctl
        return [{k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
                for d in threadpoolctl.threadpool_info() if d.get("user_api") == "blas"]
    except ImportError:
        pass
    import ctypes
    found = []
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "openblas" in line.lower() and ".so" in line})
    for path in libs:
        lib = ctypes.CDLL(path)
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                fn = getattr(lib, f"{prefix}_get_corename{suffix}", None)
                if fn is not None:
                    fn.restype = ctypes.c_char_p
                    found.append({"library": os.path.basename(path), "architecture": fn().decode()})
                    break
            else:
                continue
            break
    return found


def say(obj):
    sys.stdout.write("@@ " + json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    framework, workload, mode, warmup = sys.argv[1:5]
    if framework == "torch":
        import torch
        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
        import models_torch as models
    else:
        import models_gluon as models
    base_rss = rss_mb()  # the interpreter with the framework imported, before any model
    step = models.setup(workload, mode == "hybrid")
    for _ in range(int(warmup)):
        step()
    say({"ready": True, "import_rss_mb": base_rss})
    # run.py --cpu: CPU time of this process, which other jobs on the machine barely change
    clock = time.process_time if os.environ.get("MXNEXT_BENCH_CLOCK") == "cpu" else time.perf_counter
    for line in sys.stdin:
        cmd = line.split()
        if cmd[0] == "run":
            ts = []
            for _ in range(int(cmd[1])):
                t = clock()
                step()
                ts.append(clock() - t)
            say(ts)
        elif cmd[0] == "quit":
            say({"peak_rss_mb": rss_mb(), "blas": blas_info()})
            return


if __name__ == "__main__":
    main()
