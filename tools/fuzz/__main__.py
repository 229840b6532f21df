"""Command line of the fuzzing suite.

    python tools/fuzz                          # the short run: every suite at its default count
    python tools/fuzz ops params -n 5000       # chosen suites, 5000 cases each
    python tools/fuzz --long                   # ten times the default counts
    python tools/fuzz --case ops:0:123         # one case in this process, with its traceback

Prints the counts per suite and outcome and every bad outcome; the exit status is 1 when there
is one.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fuzz import runner  # noqa: E402
from fuzz.child import suite_module  # noqa: E402

SUITES = ("params", "json", "recordio", "ops", "kernels")


def default_counts(suites, scale=1):
    return {s: suite_module(s).default_count() * scale for s in suites}


def one_case(spec):
    import traceback
    import warnings
    warnings.simplefilter("ignore")
    suite, seed, i = spec.split(":")
    from fuzz import outcome
    plain = outcome.classify

    def classify(e, names=()):
        traceback.print_exception(e)
        return plain(e, names)
    outcome.classify = classify          # every exception a case sees, with its traceback
    mod = suite_module(suite)
    if hasattr(mod, "prepare"):
        mod.prepare()
    case = mod.make_case(int(seed), int(i))
    print(case.desc)
    try:
        print(case.run())
    except Exception:
        traceback.print_exc()


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python tools/fuzz", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("suites", nargs="*", help=f"suites to run, of {', '.join(SUITES)} (all)")
    ap.add_argument("-n", "--cases", type=int, help="cases per suite (the suite's default)")
    ap.add_argument("--start", type=int, default=0, help="first case index")
    ap.add_argument("--long", action="store_true", help="ten times the default counts")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-j", "--jobs", type=int, default=2, help="children at a time")
    ap.add_argument("--batch", type=int, default=400, help="cases per child")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per case")
    ap.add_argument("--mem-gb", type=float, default=2.0, help="address space per child beyond "
                    "its size after import")
    ap.add_argument("--case", help="run one case SUITE:SEED:INDEX here, with a traceback")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every bad case as found")
    ap.add_argument("--errors", metavar="REGEX", help="also print the MXNetErrors whose message "
                    "matches, e.g. 'TypeError|AttributeError|IndexError' for internal failures that "
                    "invoke turned into MXNetErrors")
    args = ap.parse_args(argv)
    if args.case:
        one_case(args.case)
        return 0
    suites = args.suites or list(SUITES)
    for s in suites:
        if s not in SUITES:
            ap.error(f"unknown suite {s!r}; the suites are {', '.join(SUITES)}")
    counts = default_counts(suites, 10 if args.long else 1)
    plan = [(s, range(args.start, args.start + (args.cases or counts[s]))) for s in suites]
    t0 = time.time()
    progress = (lambda r: print(r, flush=True) if r.bad else None) if args.verbose else None
    results = runner.run(plan, seed=args.seed, jobs=args.jobs, batch=args.batch,
                         timeout=args.timeout, mem_gb=args.mem_gb, progress=progress)
    bad = [r for r in results if r.bad]
    if args.errors:
        import re
        pattern = re.compile(args.errors)
        for r in results:
            if r.kind == "error" and pattern.search(r.detail):
                print(r)
    if not args.verbose:
        for r in results:
            if r.bad or r.kind == "slow":
                print(r)
    for line in runner.summary(results):
        print(line)
    print(f"{len(results)} cases, {len(bad)} bad, {time.time() - t0:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
