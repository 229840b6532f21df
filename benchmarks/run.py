"""mxnext side by side with real MXNet 1.9.1 and PyTorch: the project's benchmark suite.

    python benchmarks/run.py                     # every workload (several minutes)
    python benchmarks/run.py --quick             # fewer repetitions
    python benchmarks/run.py --workloads lenet_train,mlp_train --rounds 20
    python benchmarks/run.py --cpu --baseline /other/checkout --columns baseline_hybrid,mxnext_hybrid

Columns: mxnext eager and hybridized (each also with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset
when the environment sets them), real MXNet 1.9.1 (``.ref/bin/python``) imperative and
hybridized (static_alloc, static_shape) with its default engine and with NaiveEngine, and
PyTorch eager (``.torch/bin/python``; create it with ``python3 -m venv .torch &&
.torch/bin/pip install torch==2.13.0``).  A missing side venv leaves its column "(side venv
missing)".  Every column is its own process with 2 threads (OMP/OpenBLAS/MKL, torch
set_num_threads); after warm-up the columns run in turn, K steps each, round after round
(A B C ... A B C ...), so that machine noise falls on all of them alike.  Reported: median and
min-max milliseconds per step, each mxnext median as a ratio to the best real MXNet column,
peak RSS per process, the FLOP rate of every mxnext step against NumPy's float32 GEMM 1024^3
(the BLAS ceiling), which BLAS kernel ran, and the eager overhead of one small operator
(``bench_eager.py``).  ``--cpu`` runs every column on one thread and times CPU time instead:
steadier for before/after comparisons on a shared machine.  Results: ``benchmarks/results/latest.{json,md}`` and timestamped copies.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench_eager  # noqa: E402

REF_PY = os.path.join(ROOT, ".ref", "bin", "python")
TORCH_PY = os.path.join(ROOT, ".torch", "bin", "python")
BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
THREADS = {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}


def _conv_macs(cout, cin, k, out_hw):
    return cout * cin * k * k * out_hw * out_hw


def _resnet20_macs():
    macs = _conv_macs(16, 3, 3, 32)
    in_ch, hw = 16, 32
    for stage, ch in enumerate((16, 32, 64)):
        for i in range(3):
            if stage and not i:
                hw //= 2
                macs += _conv_macs(ch, in_ch, 1, hw)  # the 1x1 shortcut
            macs += _conv_macs(ch, in_ch, 3, hw) + _conv_macs(ch, ch, 3, hw)
            in_ch = ch
    return macs + 64 * 10


_LENET_MACS = _conv_macs(20, 1, 5, 24) + _conv_macs(50, 20, 5, 8) + 800 * 500 + 500 * 10
# name -> (description, FLOPs of one step (a training step counted as 3x its forward GEMMs),
#          steps per turn, warm-up steps)
WORKLOADS = {
    "lenet_train": ("LeNet train step, batch 128", 3 * 2 * 128 * _LENET_MACS, 3, 3),
    "mlp_train": ("MLP 784-512-512-10 train step, batch 256",
                  3 * 2 * 256 * (784 * 512 + 512 * 512 + 512 * 10), 10, 5),
    "resnet20_train": ("ResNet-20 (CIFAR) train step, batch 32", 3 * 2 * 32 * _resnet20_macs(), 2, 2),
    "lstm_train": ("LSTM LM train step (35x20, 2x200, vocab 10000)",
                   3 * 2 * (35 * 20 * 2 * 4 * 200 * 400 + 35 * 20 * 200 * 10000), 1, 2),
    "lenet_infer": ("LeNet inference, batch 1", 2 * _LENET_MACS, 50, 20),
    # no FLOPs counted; images per second in the report
    "image_augmenters": ("image pipeline, mx.image augmenters: 16 JPEGs 500x375 -> decode, resize_short "
                         "256, random crop 224, flip, normalize", 0, 2, 2),
    "image_transforms": ("image pipeline, Gluon transforms: 16 JPEGs 500x375 -> decode, "
                         "RandomResizedCrop 224, flip, ToTensor, Normalize", 0, 2, 2),
}
IMAGES = {"image_augmenters": 16, "image_transforms": 16}  # images per step
# model-zoo inference (gluon.model_zoo.vision, torchvision in the PyTorch column), multiply-adds
# of one 224x224 image (299x299 for Inception v3), as the papers and torchvision count them
ZOO_MACS = {"resnet18_v1": 1.82e9, "resnet50_v1": 4.1e9, "mobilenet_v2_1_0": 0.30e9,
            "mobilenet1_0": 0.57e9, "densenet121": 2.87e9, "inception_v3": 5.7e9,
            "squeezenet1_1": 0.35e9, "vgg11": 7.6e9}
for _model, _macs in ZOO_MACS.items():
    for _batch, _turn in ((1, 4), (16, 1)):
        WORKLOADS[f"zoo_{_model}_b{_batch}"] = (f"{_model} inference, batch {_batch}", 2 * _macs * _batch,
                                                _turn, 2)
DEFAULT_WORKLOADS = [w for w in WORKLOADS if not w.startswith("zoo_")]  # the zoo: --workloads zoo


def write_jpegs(folder, n=16):
    """n synthetic 500x375 photos (smooth colour fields, edges, noise) as JPEG files, made with
    Pillow here since real MXNet's venv has no encoder."""
    import numpy as np
    from PIL import Image
    rng = np.random.RandomState(0)
    y, x = np.mgrid[0:375, 0:500].astype(np.float32)
    for i in range(n):
        f = rng.uniform(5, 40, size=6)
        img = np.stack([128 + 100 * np.sin(x / f[0]) * np.cos(y / f[1]), 128 + 90 * np.sin((x + y) / f[2]),
                        128 + 80 * np.cos(np.hypot(x - f[3] * 10, y - f[4] * 8) / f[5])], -1)
        img += rng.normal(0, 10, img.shape)
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(os.path.join(folder, f"{i:02d}.jpg"),
                                                                     quality=90)


def columns(env_overrides, baseline=None, numpy_only=False):
    """(key, label, interpreter, framework, mode, extra env, env names to drop, group)."""
    cols = []
    if baseline:  # another mxnext checkout, for before/after comparisons in one interleaved run
        tag = os.path.basename(baseline.rstrip('/'))
        for mode, name in (("eager", "eager"), ("hybrid", "hybridized")):
            cols.append((f"baseline_{mode}", f"baseline {name} ({tag})", sys.executable, "gluon", mode,
                         {"PYTHONPATH": os.path.abspath(baseline)}, (), "baseline"))
    variants = [("", ())]
    if env_overrides:
        variants.append((" (OpenBLAS env unset)", BLAS_OVERRIDES))
    for mode, name in (("eager", "eager"), ("hybrid", "hybridized")):
        for suffix, drop in variants:
            key = f"mxnext_{mode}" + ("_unset" if drop else "")
            cols.append((key, f"mxnext {name}{suffix}", sys.executable, "gluon", mode,
                         {"PYTHONPATH": ROOT}, drop, "mxnext"))
        if numpy_only:  # the optional C kernels switched off
            cols.append((f"mxnext_{mode}_numpy", f"mxnext {name} (NumPy only)", sys.executable, "gluon",
                         mode, {"PYTHONPATH": ROOT, "MXNEXT_JIT": "0"}, (), "mxnext"))
    for mode, name in (("eager", "imperative"), ("hybrid", "hybridized")):
        for engine in ("", "NaiveEngine"):
            key = f"mxnet_{mode}" + ("_naive" if engine else "")
            extra = {"MXNET_ENGINE_TYPE": engine} if engine else {}
            cols.append((key, f"MXNet 1.9.1 {name}" + (" Naive" if engine else ""), REF_PY, "gluon",
                         mode, extra, (), "mxnet"))
    cols.append(("torch_eager", "PyTorch eager", TORCH_PY, "torch", "eager", {}, (), "torch"))
    return cols


class Worker:
    """One column's process for one workload."""

    def __init__(self, col, workload, warmup):
        key, _, python, framework, mode, extra, drop, _ = col
        self.error = None
        self.proc = None
        if not os.path.exists(python):
            self.error = "(side venv missing)"
            return
        env = {k: v for k, v in os.environ.items() if k not in drop}
        env.update(THREADS)
        env.update(extra)
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([python, os.path.join(HERE, "worker.py"), framework, workload, mode,
                                      str(warmup)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, text=True, env=env, cwd=tempfile.gettempdir())

    def ask(self, line=None):
        if self.error:
            return None
        if line is not None:
            try:
                self.proc.stdin.write(line + "\n")
                self.proc.stdin.flush()
            except BrokenPipeError:
                pass
        for out in self.proc.stdout:
            if out.startswith("@@ "):
                return json.loads(out[3:])
        self.proc.wait()
        self.stderr.seek(0)
        tail = [s for s in self.stderr.read().strip().splitlines() if s.strip()][-1:] or ["no output"]
        self.error = f"(failed: {tail[0][:160]})"
        return None

    def hold(self, stop):
        """Freeze (SIGSTOP) a column between its turns: idle OpenMP/OpenBLAS threads spin for up to
        ~0.2 s after each call and would otherwise steal the CPU from the column being timed."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGSTOP if stop else signal.SIGCONT)

    def close(self):
        self.hold(False)
        info = self.ask("quit")
        if self.proc is not None:
            self.proc.stdin.close()
            self.proc.wait()
        return info


def bench_workload(name, cols, rounds, quick):
    _, _, per_turn, warmup = WORKLOADS[name]
    workers = [Worker(c, name, warmup) for c in cols]
    for w in workers:
        w.ask()  # wait for "ready": every column is built and warm before timing starts
        w.hold(True)
    times = {c[0]: [] for c in cols}
    for _ in range(rounds):
        for c, w in zip(cols, workers):
            w.hold(False)
            ts = w.ask(f"run {max(1, per_turn // 2) if quick else per_turn}")
            w.hold(True)
            if ts:
                times[c[0]].extend(ts)
    res = {}
    for c, w in zip(cols, workers):
        info = w.close()
        ts = times[c[0]]
        if w.error or not ts:
            res[c[0]] = {"error": w.error or "(no result)"}
            continue
        ms = [1e3 * t for t in ts]
        res[c[0]] = {"median_ms": statistics.median(ms), "min_ms": min(ms), "max_ms": max(ms), "n": len(ms),
                     "peak_rss_mb": info["peak_rss_mb"], "blas": info["blas"]}
    return res


GEMM = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from worker import blas_info
a = np.random.rand(1024, 1024).astype(np.float32); b = np.random.rand(1024, 1024).astype(np.float32)
a @ b
ts = []
for _ in range(20):
    t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)
flop = 2 * 1024 ** 3
print(json.dumps({"gflops": flop / min(ts) / 1e9, "median_gflops": flop / sorted(ts)[10] / 1e9,
                  "blas": blas_info()}))
"""


def bench_gemm(drop):
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(THREADS)
    out = subprocess.run([sys.executable, "-c", GEMM, HERE], capture_output=True, text=True, env=env)
    return json.loads(out.stdout) if out.returncode == 0 else {"error": out.stderr.strip()[-200:]}


def bench_small_op():
    res = {}
    for name, (setup, stmt) in bench_eager.SNIPPETS.items():
        res[name] = bench_eager.run(sys.executable, setup, stmt, ROOT)
    for name, (py, setup, stmt) in bench_eager.SIDE.items():
        res[name] = bench_eager.run(py, setup, stmt, "/tmp") if os.path.exists(py) else None
    return res


def _cell(r, best=None):
    if "error" in r:
        return r["error"]
    s = f"{r['median_ms']:.3g} ({r['min_ms']:.3g}–{r['max_ms']:.3g})"
    if best:
        s += f" **{r['median_ms'] / best:.2f}×**"
    return s


def markdown(report):
    cols = report["columns"]
    lines = [f"# mxnext benchmark, {report['date']}", "",
             f"Machine: {report['machine']}; every column {report['threads']} thread(s), "
             f"{'CPU' if report['cpu_clock'] else 'wall'} time.  Environment's OpenBLAS override: "
             f"{report['env_overrides'] or 'none set'}.  Milliseconds per step: median (min–max) over "
             f"interleaved rounds; **ratio** = mxnext median / best real MXNet median.", ""]
    head = ["workload"] + [c[1] for c in cols] + ["real MXNet best"]
    lines += ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, res in report["workloads"].items():
        best = res.get("_mxnet_best")
        row = [WORKLOADS[name][0]]
        for c in cols:
            row.append(_cell(res[c[0]], best[1] if best and c[7] == "mxnext" else None))
        row.append(f"{best[1]:.3g} ({best[0]})" if best else "-")
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "Peak RSS (MB) of each column's process:", "",
              "| workload | " + " | ".join(c[1] for c in cols) + " |", "|" + " --- |" * (len(cols) + 1)]
    for name, res in report["workloads"].items():
        lines.append(f"| {name} | " + " | ".join(
            f"{res[c[0]]['peak_rss_mb']:.0f}" if "peak_rss_mb" in res[c[0]] else "-" for c in cols) + " |")
    lines += ["", "NumPy float32 GEMM 1024³ (the BLAS ceiling) and the GFLOP/s each mxnext step achieves:", ""]
    for label, g in report["gemm"].items():
        lines.append(f"- GEMM, OpenBLAS env {label}: " + (f"{g['gflops']:.0f} GFLOP/s best, "
                     f"{g['median_gflops']:.0f} median; BLAS {g['blas']}" if "gflops" in g else g["error"]))
    mx_cols = [c for c in cols if c[7] == "mxnext"]
    lines += ["", "| workload | GFLOP per step | " + " | ".join(c[1] for c in mx_cols) + " |",
              "|" + " --- |" * (len(mx_cols) + 2)]
    for name, res in report["workloads"].items():
        fl = WORKLOADS[name][1]
        if not fl:
            continue
        lines.append(f"| {name} | {fl / 1e9:.3f} | " + " | ".join(
            f"{fl / res[c[0]]['median_ms'] / 1e6:.0f}" if "median_ms" in res[c[0]] else "-" for c in mx_cols)
            + " |")
    for name, res in report["workloads"].items():
        if name in IMAGES:
            lines += ["", f"{name}, images per second (median): " + ", ".join(
                f"{c[1]} {IMAGES[name] * 1e3 / res[c[0]]['median_ms']:.0f}" for c in cols
                if "median_ms" in res[c[0]])]
    blas = {c[1]: res[c[0]].get("blas") for res in report["workloads"].values() for c in mx_cols}
    lines += ["", f"BLAS kernel in the mxnext processes: {blas}", "",
              "One small eager operator (add of two 10-element float32 arrays), µs per call:", ""]
    for name, us in report["small_op"].items():
        lines.append(f"- {name}: " + ("(side venv missing)" if us is None else f"{us:.2f}"))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workloads", default=",".join(DEFAULT_WORKLOADS), help="comma-separated "
                    "subset of " + ", ".join(WORKLOADS) + "; 'zoo' for all the zoo_* ones")
    ap.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 12, --quick 4)")
    ap.add_argument("--quick", action="store_true", help="fewer rounds and steps")
    ap.add_argument("--columns", default=None, help="comma-separated column keys (default all)")
    ap.add_argument("--baseline", default=None, help="path of another mxnext checkout to time as "
                    "extra eager and hybridized columns (before/after comparisons)")
    ap.add_argument("--cpu", action="store_true", help="one thread per column and CPU time "
                    "(time.process_time) instead of wall time: steadier on a shared machine")
    ap.add_argument("--numpy-only", action="store_true", help="add mxnext columns with the optional "
                    "C kernels switched off (MXNEXT_JIT=0)")
    ap.add_argument("--no-small-op", action="store_true", help="skip the small-operator overhead")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    args = ap.parse_args()
    rounds = args.rounds or (4 if args.quick else 12)
    if args.cpu:
        THREADS.update({k: "1" for k in THREADS}, MXNEXT_BENCH_CLOCK="cpu")
    overrides = {k: os.environ[k] for k in BLAS_OVERRIDES if k in os.environ}
    cols = columns(overrides, args.baseline, args.numpy_only)
    if args.columns:
        keep = args.columns.split(",")
        cols = [c for c in cols if c[0] in keep]
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    report = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": f"{os.cpu_count()} CPUs, {model}",
              "env_overrides": overrides, "columns": cols,
              "threads": THREADS["OMP_NUM_THREADS"], "cpu_clock": args.cpu, "rounds": rounds, "workloads": {}}
    names = [n for w in args.workloads.split(",")
             for n in ([z for z in WORKLOADS if z.startswith("zoo_")] if w == "zoo" else [w])]
    if any(name in IMAGES for name in names):
        os.environ["MXNEXT_BENCH_IMAGES"] = tempfile.mkdtemp(prefix="mxnext-bench-images-")
        write_jpegs(os.environ["MXNEXT_BENCH_IMAGES"])
    for name in names:
        print(f"== {WORKLOADS[name][0]}", flush=True)
        res = bench_workload(name, cols, rounds, args.quick)
        mx = [(c[1], res[c[0]]["median_ms"]) for c in cols if c[7] == "mxnet" and "median_ms" in res[c[0]]]
        res["_mxnet_best"] = min(mx, key=lambda t: t[1]) if mx else None
        for c in cols:
            print(f"   {c[1]:<44} {_cell(res[c[0]])}", flush=True)
        report["workloads"][name] = res
    report["gemm"] = {"as set": bench_gemm(())}
    if overrides:
        report["gemm"]["unset"] = bench_gemm(BLAS_OVERRIDES)
    report["small_op"] = {} if args.no_small_op else bench_small_op()
    os.makedirs(args.out, exist_ok=True)
    md = markdown(report)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for base in ("latest", stamp):
        with open(os.path.join(args.out, base + ".json"), "w") as f:
            json.dump(report, f, indent=1)
        with open(os.path.join(args.out, base + ".md"), "w") as f:
            f.write(md)
    print()
    print(md)


if __name__ == "__main__":
    main()
