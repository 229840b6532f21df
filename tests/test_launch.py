"""``python -m mxnet.tools.launch``: the mpiexec command it builds (no MPI needed)."""
import os
import subprocess
import sys


def test_launcher_options(tmp_path):
    from mxnet.tools.launch import build_command, parse_args
    hostfile = tmp_path / "hosts"
    hostfile.write_text("node-a\nnode-b slots=4\n# a comment\n")
    args = parse_args(["-n", "3", "-s", "2", "-H", str(hostfile), "--launcher", "ssh",
                       "--env-worker", "FOO:1", "python", "train.py", "--lr", "0.1"])
    notes = []
    cmd, tmp = build_command(args, "openmpi", "mpiexec", notes)
    try:
        # MXNet's placement: round-robin over the hosts, so node-a runs two workers
        assert open(tmp).read() == "node-a slots=2\nnode-b slots=1\n"
    finally:
        os.unlink(tmp)
    assert cmd[:3] == ["mpiexec", "-n", "3"]
    assert ["--mca", "mpi_yield_when_idle", "1"] == cmd[cmd.index("mpi_yield_when_idle") - 1:][:3]
    assert ["-x", "FOO=1"] == cmd[cmd.index("FOO=1") - 1:][:2]
    # each worker: the thread prelude, then Python with -m mpi4py (an exception aborts the job)
    assert cmd[-6:] == ["python", "-m", "mpi4py", "train.py", "--lr", "0.1"]
    assert cmd[cmd.index("-c") + 1].startswith("n=${OMPI_COMM_WORLD_LOCAL_SIZE")
    assert any("-s" in note for note in notes)
    local = parse_args(["-n", "2", "--launcher", "local", "python", "t.py"])
    cmd, tmp = build_command(local, "mpich", "mpiexec", [])
    assert tmp is None and "--hostfile" not in cmd and "-f" not in cmd
    assert ["-genv", "MXNEXT_LOCAL_WORKERS", "2"] == cmd[cmd.index("MXNEXT_LOCAL_WORKERS") - 1:][:3]


def test_threads_per_worker_prelude(tmp_path):
    # the shell prelude shares the cores among the workers of a host and keeps values already set
    from mxnet.tools.launch import _RANK_PRELUDE
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MXNEXT_THREADS")}
    env.update(OMPI_COMM_WORLD_LOCAL_SIZE="1000000", OPENBLAS_NUM_THREADS="3")
    out = subprocess.run(["sh", "-c", _RANK_PRELUDE, "sh", sys.executable, "-c",
                          "import os; print(os.environ['OMP_NUM_THREADS'], os.environ['MXNEXT_THREADS'], "
                          "os.environ['OPENBLAS_NUM_THREADS'])"],
                         env=env, capture_output=True, text=True, timeout=60).stdout.split()
    assert out == ["1", "1", "3"]
