"""Warm kernels (csat_research.run.engine): one ready client per kernel, reused across notebooks.

Real processes: a zygote, its forked ipykernel, papermill executing notebooks on it. The
readiness check itself is also exercised on a scripted client (retry and dead-kernel paths).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from csat_research.run import zygote as zg
from csat_research.run.engine import WarmKernel

LIGHT_PRELOAD = "import ipykernel.kernelapp, ipykernel.ipkernel\n"


def _notebook(tmp: Path, name: str, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def _stdout(nb_path: Path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout")


@pytest.mark.skipif(not zg.available(), reason="needs os.fork and os.pidfd_open (Linux)")
def test_a_warm_kernel_keeps_one_client_and_replaces_it_with_the_kernel(tmp_path):
    out = tmp_path / "out.ipynb"
    with zg.Zygote(preload=LIGHT_PRELOAD) as z:
        kernel = WarmKernel(zygote=z, preload="")
        try:
            kernel.execute(_notebook(tmp_path, "a", "import os\nprint('a', os.getpid())"), out, parameters={},
                           cwd=tmp_path)
            first_client, first_pid = kernel.kc, _stdout(out).split()[1]
            assert first_client is not None and first_client.channels_running
            kernel.execute(_notebook(tmp_path, "b", "import os\nprint('b', os.getpid())"), out, parameters={},
                           cwd=tmp_path)
            assert _stdout(out).split() == ["b", first_pid]  # every output arrived, same kernel
            assert kernel.kc is first_client  # the same connected client, not a new one
            kernel.km.provisioner.process.kill()  # the kernel dies: a new kernel, a new client
            kernel.km.provisioner.process.wait()
            kernel.execute(_notebook(tmp_path, "c", "import os\nprint('c', os.getpid())"), out, parameters={},
                           cwd=tmp_path)
            assert _stdout(out).split()[0] == "c" and _stdout(out).split()[1] != first_pid
            assert kernel.kc is not first_client and not first_client.channels_running
        finally:
            kernel.shutdown()
    assert kernel.kc is None




@pytest.mark.parametrize("forked", [True, False], ids=["zygote kernel", "plain kernel"])
def test_kernels_talk_over_private_unix_sockets_not_tcp(tmp_path, forked):
    """IPC transport in a 0700 folder (no "Kernel is running over TCP without encryption"),
    removed with the kernel."""
    import os
    import stat

    if forked and not zg.available():
        pytest.skip("needs os.fork and os.pidfd_open (Linux)")
    z = zg.Zygote(preload=LIGHT_PRELOAD) if forked else None
    kernel = WarmKernel(zygote=z, preload="")
    try:
        kernel.execute(_notebook(tmp_path, "a", "print('ok')"), tmp_path / "out.ipynb", parameters={}, cwd=tmp_path)
        info = kernel.km.get_connection_info()
        assert info["transport"] == "ipc"
        folder = Path(info["ip"]).parent
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
        assert _stdout(tmp_path / "out.ipynb").strip() == "ok"
    finally:
        kernel.shutdown()
        if z is not None:
            z.close()
    assert not folder.exists()


@pytest.mark.parametrize("forked", [True, False], ids=["zygote kernel", "plain kernel"])
def test_report_kernels_hash_strings_the_same_in_every_run(tmp_path, forked, monkeypatch):
    """Two kernels (two batches) give a string the same hash: set iteration order, and with it
    semopy's parameter order and the CFA fit's last digits, repeat from run to run."""
    if forked and not zg.available():
        pytest.skip("needs os.fork and os.pidfd_open (Linux)")
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    seen = []
    for run in range(2):
        z = zg.Zygote(preload=LIGHT_PRELOAD) if forked else None
        kernel = WarmKernel(zygote=z, preload="")
        try:
            out = tmp_path / f"out{run}.ipynb"
            kernel.execute(_notebook(tmp_path, f"h{run}", "print(hash('efficiency'), list({'a', 'b', 'c', 'd'}))"),
                           out, parameters={}, cwd=tmp_path)
            seen.append(_stdout(out).strip())
        finally:
            kernel.shutdown()
            if z is not None:
                z.close()
    assert seen[0] == seen[1] and seen[0]
