"""The conformance ratchet: MXNet 1.9.1's own unit tests that pass must keep passing.

``tests/conformance_passing.txt`` lists the ids of the tests in ``../shared/conformance`` that
pass against mxnext.  ``check`` runs the suite (or reads a finished result folder) and fails when
a listed id no longer passes; a listed test that failed is run once more on its own first, so that
one unlucky timing does not fail CI.  ``update`` adds the ids that passed in a result folder; the
list only grows.

    python tools/conformance_ratchet.py check [--python PY] [--results DIR] [FILE ...]
    python tools/conformance_ratchet.py update --results DIR
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIST = os.path.join(ROOT, "tests", "conformance_passing.txt")
CONF = os.environ.get("MXNEXT_CONFORMANCE", os.path.join(os.path.dirname(ROOT), "shared", "conformance"))


def read_list():
    if not os.path.exists(LIST):
        return set()
    with open(LIST) as fh:
        return {ln.strip() for ln in fh if ln.strip() and not ln.startswith("#")}


def write_list(ids):
    with open(LIST, "w") as fh:
        fh.write("# conformance test ids that pass against mxnext (tools/conformance_ratchet.py);"
                 " this list only grows\n")
        for i in sorted(ids):
            fh.write(i + "\n")


def outcomes(results):
    """``({test id: outcome}, {file run})`` over the per-file jsons of a run.sh result folder
    (a file that failed to import has no test ids, but it was run)."""
    out, files = {}, set()
    for path in glob.glob(os.path.join(results, "test_*.json")):
        with open(path) as fh:
            data = json.load(fh)
        files.add(data.get("file") or os.path.basename(path)[:-5] + ".py")
        for tid, rec in data.get("tests", {}).items():
            out[tid] = rec.get("outcome")
    return out, files


def run_suite(python, files, outdir, kexpr=None):
    cmd = [os.path.join(CONF, "run.sh"), "-o", outdir]
    if kexpr:
        cmd += ["-k", kexpr]
    cmd += [python] + list(files)
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=False)
    return outcomes(outdir)


def check(args):
    recorded = read_list()
    if args.results:
        got, files = outcomes(args.results)
    else:
        got, files = run_suite(args.python, args.files or ["all"], tempfile.mkdtemp(prefix="conf-"))
    lost = sorted(t for t in recorded if t.split("::")[0] in files and got.get(t) != "passed")
    if lost and not args.no_retry:
        # run each lost test once more, alone in its file, before calling it a regression
        by_file = {}
        for tid in lost:
            by_file.setdefault(tid.split("::")[0], set()).add(tid.split("::")[1].split("[")[0])
        retry = {}
        for fname, names in sorted(by_file.items()):
            retry.update(run_suite(args.python, [fname], tempfile.mkdtemp(prefix="conf-retry-"),
                                   " or ".join(sorted(names)))[0])
        lost = [t for t in lost if retry.get(t) != "passed"]
    new = sorted(t for t, o in got.items() if o == "passed" and t not in recorded)
    print(f"conformance ratchet: {len(recorded)} recorded ids, {len(lost)} no longer pass, "
          f"{len(new)} newly passing (not yet recorded)")
    for t in lost:
        print("  LOST", t)
    if new:
        print("  record the newly passing ids with: python tools/conformance_ratchet.py update --results DIR")
    return 1 if lost else 0


def update(args):
    recorded = read_list()
    got, _ = outcomes(args.results)
    passed = {t for t, o in got.items() if o == "passed"}
    write_list(recorded | passed)
    print(f"recorded {len(recorded | passed)} ids ({len(passed - recorded)} new)")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("--python", default=sys.executable)
    c.add_argument("--results", help="a finished run.sh result folder instead of a new run")
    c.add_argument("--no-retry", action="store_true")
    c.add_argument("files", nargs="*")
    u = sub.add_parser("update")
    u.add_argument("--results", required=True)
    args = ap.parse_args(argv)
    return check(args) if args.cmd == "check" else update(args)


if __name__ == "__main__":
    sys.exit(main())
