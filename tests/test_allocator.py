"""jemalloc for the dashboard's own processes (``dashboard/allocator.py``): ``python -m dashboard`` starts again
with it preloaded, keeps its arguments, streams and exit code; ``PROMO_MALLOC=system`` and a missing library leave
the system's malloc; programs that are not ours get an ``LD_PRELOAD`` without it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dashboard import allocator
from dashboard.allocator import jemalloc_path, with_jemalloc, without_jemalloc
from tests.conftest import REPO

# prints whether jemalloc is mapped into this process, once it has (maybe) started again with it
PROBE = ("from dashboard.allocator import reexec_with_jemalloc; reexec_with_jemalloc(); import os, sys; "
         "print('jemalloc' in open('/proc/self/maps').read(), os.getpid(), sys.argv[1:]); sys.exit(3)")


def probe(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", allocator.SWITCH)}
    return subprocess.run([sys.executable, "-c", PROBE, "двое", "🎧"], cwd=REPO, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(jemalloc_path() is None, reason="libjemalloc2 not installed (make jemalloc)")
def test_a_dashboard_process_starts_again_with_jemalloc_and_keeps_its_arguments() -> None:
    done = probe()
    assert done.returncode == 3, done.stderr
    mapped, _pid, args = done.stdout.strip().split(" ", 2)
    assert mapped == "True" and args == "['двое', '🎧']"


def test_promo_malloc_system_keeps_the_system_malloc() -> None:
    done = probe(PROMO_MALLOC="system")
    assert done.returncode == 3, done.stderr
    assert done.stdout.startswith("False ")


def test_a_missing_library_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allocator, "CANDIDATES", ("/nonexistent/libjemalloc.so.2",))
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    assert jemalloc_path() is None
    assert with_jemalloc({"PATH": "/bin"}) == {"PATH": "/bin"}
    allocator.reexec_with_jemalloc()  # returns: nothing to preload


def test_the_preload_is_added_once_and_taken_out_for_other_programs(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: object) -> None:
    lib = os.path.join(str(tmp_path), "libjemalloc.so.2")
    open(lib, "wb").close()
    monkeypatch.setattr(allocator, "CANDIDATES", (lib,))
    monkeypatch.delenv(allocator.SWITCH, raising=False)
    env = with_jemalloc({"LD_PRELOAD": "/opt/other.so"})
    assert env["LD_PRELOAD"] == f"{lib} /opt/other.so"
    assert with_jemalloc(env) == env  # once
    assert without_jemalloc(env) == {"LD_PRELOAD": "/opt/other.so"}
    assert without_jemalloc({"LD_PRELOAD": lib, "HOME": "/root"}) == {"HOME": "/root"}
    monkeypatch.setenv(allocator.SWITCH, "system")
    assert with_jemalloc({}) == {}
