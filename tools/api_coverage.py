"""How much of MXNet 1.9.1's public API each mxnext module covers.

Usage: ``python tools/api_coverage.py [mx.gluon.nn mx.np ...]`` (default: mx.nd, mx.autograd,
mx.random, mx.test_utils).  Compares ``dir()`` of each module with the names recorded from real
MXNet in /work/shared/reference/mxnet-1.9.1-api.json (dunder names skipped) and prints
covered/total and the missing names.
"""
import argparse
import importlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.environ.get("MXNET_API_REFERENCE", "/work/shared/reference/mxnet-1.9.1-api.json")
DEFAULT = ["mx.nd", "mx.autograd", "mx.random", "mx.test_utils"]


def resolve(name):
    """(object ``mx.a.b`` names, None) or (None, why it could not be imported)."""
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    import mxnet
    obj = mxnet
    for part in name.split(".")[1:]:
        try:   # a module still being written may fail to import: report it, go on
            nxt = getattr(obj, part, None)
            if nxt is None:
                nxt = importlib.import_module(f"{getattr(obj, '__name__', 'mxnet')}.{part}")
        except Exception as e:
            return None, f"{type(e).__name__}: {e}"
        obj = nxt
    return obj, None


def coverage(name, reference):
    """(covered names, missing names, import error) of ``name``; None when not in the reference."""
    if name not in reference:
        return None
    want = {n for n in reference[name] if not (n.startswith("__") and n.endswith("__"))}
    obj, err = resolve(name)
    have = set(dir(obj)) if obj is not None else set()
    return sorted(want & have), sorted(want - have), err


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modules", nargs="*", help="module names such as mx.gluon.nn (default: %(default)s)")
    ap.add_argument("--reference", default=REFERENCE)
    args = ap.parse_args(argv)
    with open(args.reference) as f:
        reference = json.load(f)
    total_have = total_want = 0
    for name in args.modules or DEFAULT:
        res = coverage(name, reference)
        if res is None:
            print(f"{name}: not in the reference list")
            continue
        have, missing, err = res
        n = len(have) + len(missing)
        total_have, total_want = total_have + len(have), total_want + n
        print(f"{name}: {len(have)}/{n} covered" + (f" ({100.0 * len(have) / n:.1f}%)" if n else ""))
        if err:
            print(f"  import failed: {err}")
        if missing:
            print("  missing: " + ", ".join(missing))
    if total_want:
        print(f"total: {total_have}/{total_want} covered ({100.0 * total_have / total_want:.1f}%)")


if __name__ == "__main__":
    main()
