"""tools/conformance_ratchet.py: a recorded conformance test that stops passing fails the check."""
import importlib.util
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load(tmp_path):
    spec = importlib.util.spec_from_file_location("ratchet", os.path.join(ROOT, "tools", "conformance_ratchet.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.LIST = str(tmp_path / "passing.txt")
    return mod


def _results(tmp_path, name, outcomes):
    d = tmp_path / name
    d.mkdir()
    (d / "test_a.json").write_text(json.dumps(
        {"file": "test_a.py", "tests": {k: {"outcome": v} for k, v in outcomes.items()}}))
    return str(d)


def test_update_grows_and_check_finds_lost(tmp_path, capsys):
    r = _load(tmp_path)
    first = _results(tmp_path, "r1", {"test_a.py::t1": "passed", "test_a.py::t2": "failed"})
    assert r.main(["update", "--results", first]) == 0
    assert r.read_list() == {"test_a.py::t1"}
    second = _results(tmp_path, "r2", {"test_a.py::t1": "failed", "test_a.py::t2": "passed"})
    assert r.main(["check", "--results", second, "--no-retry"]) == 1
    assert "LOST test_a.py::t1" in capsys.readouterr().out
    # update only adds: t1 stays recorded although it failed in the second run
    r.main(["update", "--results", second])
    assert r.read_list() == {"test_a.py::t1", "test_a.py::t2"}
    third = _results(tmp_path, "r3", {"test_a.py::t1": "passed", "test_a.py::t2": "passed"})
    assert r.main(["check", "--results", third, "--no-retry"]) == 0
    # a file that no longer imports has no test ids at all: its recorded tests are lost
    broken = tmp_path / "r4"
    broken.mkdir()
    (broken / "test_a.json").write_text(json.dumps({"file": "test_a.py", "collection_error": "E", "tests": {}}))
    assert r.main(["check", "--results", str(broken), "--no-retry"]) == 1
