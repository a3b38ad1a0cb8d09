"""Kernels forked from a zygote (csat_research.run.zygote) behave like ordinary report kernels.

Real processes throughout: a zygote process, jupyter_client launching the proxy, ipykernel in
the forked child, papermill executing notebooks on it.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
import pytest

from csat_research.run import zygote as zg
from csat_research.run.engine import WarmKernel

pytestmark = pytest.mark.skipif(not zg.available(), reason="needs os.fork and os.pidfd_open (Linux)")

LIGHT_PRELOAD = "import csat_research.core.errors\nimport ipykernel.kernelapp, ipykernel.ipkernel\n"


def _notebook(tmp: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp / "probe.ipynb"
    nbformat.write(nb, path)
    return path


def _stdout(nb_path: Path, cell: int) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    return "".join(o.get("text", "") for o in nb.cells[cell].outputs if o.get("name") == "stdout")


def _gone(pid: int, wait_s: float = 20.0) -> bool:
    """True once process ``pid`` no longer exists (liveness wait, not a speed limit)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def zygote():
    with zg.Zygote(preload=LIGHT_PRELOAD) as z:
        yield z


def test_kernel_is_a_fork_of_the_zygote_with_its_modules(zygote, tmp_path):
    nb = _notebook(
        tmp_path,
        "import json, os, sys\n"
        "print(json.dumps({'ppid': os.getppid(), 'pid': os.getpid(), 'cwd': os.getcwd(),\n"
        "                  'preloaded': 'csat_research.core.errors' in sys.modules,\n"
        "                  'blas': os.environ.get('OPENBLAS_NUM_THREADS')}))",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3]);",
    )
    kernel = WarmKernel(zygote=zygote)  # no kernel-side preload: inline figures come with the spec
    out = tmp_path / "out.ipynb"
    try:
        kernel.execute(nb, out, parameters={}, cwd=tmp_path)
        info = json.loads(_stdout(out, 0))
        assert info["ppid"] == zygote.process.pid  # forked by the zygote, not started afresh
        assert info["preloaded"] is True  # imported once in the zygote, not in the notebook
        assert info["blas"] == "1"
        figures = [o for o in nbformat.read(out, as_version=4).cells[1].outputs if "image/png" in o.get("data", {})]
        assert len(figures) == 1  # the inline backend is active in a forked kernel
        # the kernel is reused for the next notebook, with an empty namespace
        probe = _notebook(tmp_path, "print('json' in dir())")
        kernel.execute(probe, out, parameters={}, cwd=tmp_path)
        assert _stdout(out, 0).strip() == "False"
    finally:
        kernel.shutdown()
    assert _gone(info["pid"]), "the forked kernel outlived its kernel manager's shutdown"


def test_killing_the_proxy_takes_the_kernel_along(zygote, tmp_path):
    nb = _notebook(tmp_path, "import os\nprint(os.getpid())")
    kernel = WarmKernel(zygote=zygote, preload="")
    out = tmp_path / "out.ipynb"
    kernel.execute(nb, out, parameters={}, cwd=tmp_path)
    pid = int(_stdout(out, 0))
    proxy = kernel.km.provisioner.process
    proxy.kill()  # what a kernel manager does to a kernel that will not stop
    proxy.wait()
    assert _gone(pid)
    kernel.shutdown()


def test_a_broken_zygote_fails_the_kernel_start_with_its_error(tmp_path, capfd):
    with zg.Zygote(preload="raise RuntimeError('preload exploded')\n") as broken:
        kernel = WarmKernel(zygote=broken, preload="")
        with pytest.raises(Exception):  # noqa: B017, PT011 - nbclient's dead-kernel error types vary
            kernel.execute(_notebook(tmp_path, "1"), tmp_path / "out.ipynb", parameters={}, cwd=tmp_path)
        kernel.shutdown()
    err = capfd.readouterr().err
    assert "preload exploded" in err  # the zygote's traceback
    assert "did not start a kernel" in err  # the proxy names what went wrong


def test_closing_the_zygote_removes_its_socket_and_process():
    z = zg.Zygote(preload="")
    sock = z.socket_path
    assert sock.exists()
    z.close()
    assert z.process.poll() is not None
    assert not sock.exists()


def test_proxy_usage_error():
    assert zg.main(["nonsense"]) == 2


def test_failing_notebook_is_saved_up_to_the_error_and_the_kernel_is_reset(zygote, tmp_path):
    import papermill as pm

    kernel = WarmKernel(zygote=zygote, preload="")
    out = tmp_path / "out.ipynb"
    failing = _notebook(tmp_path, "leftover = 41\nprint('first cell ran')", "raise ValueError('cell two broke')",
                        "print('never')")
    try:
        with pytest.raises(pm.PapermillExecutionError, match="cell two broke"):
            kernel.execute(failing, out, parameters={}, cwd=tmp_path)
        saved = nbformat.read(out, as_version=4)  # written once, at the end, with the error
        code = [c for c in saved.cells if c.cell_type == "code"]  # papermill adds markdown banners
        assert "first cell ran" in "".join(o.get("text", "") for o in code[0].outputs)
        assert any(o.get("ename") == "ValueError" for o in code[1].outputs)
        assert code[2].outputs == []
        kernel.execute(_notebook(tmp_path, "print('leftover' in dir())"), out, parameters={}, cwd=tmp_path)
        assert _stdout(out, 0).strip() == "False"  # same kernel, namespace reset after the failure
        assert kernel.uses == 2
    finally:
        kernel.shutdown()
