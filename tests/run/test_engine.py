"""Warm kernels (csat_research.run.engine): one ready client per kernel, reused across notebooks.

Real processes: a zygote, its forked ipykernel, papermill executing notebooks on it. The
readiness check itself is also exercised on a scripted client (retry and dead-kernel paths).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from queue import Empty

import nbformat
import pytest

from csat_research.run import engine
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
@pytest.mark.shim("nbclient_ready_client")
def test_a_warm_kernel_keeps_one_ready_client_and_replaces_it_with_the_kernel(tmp_path, monkeypatch):
    from jupyter_client.asynchronous.client import AsyncKernelClient

    def refuse(*args, **kwargs):
        raise AssertionError("jupyter_client's wait_for_ready (0.2 s of IOPub silence) was called")

    monkeypatch.setattr(AsyncKernelClient, "wait_for_ready", refuse)
    monkeypatch.setattr(AsyncKernelClient, "_async_wait_for_ready", refuse)
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


class _Channel:
    def __init__(self, script):
        self.script = script  # list of messages (dicts) or Empty

    async def get_msg(self, timeout=None):
        if not self.script:
            await asyncio.sleep(min(timeout or 0.0, 0.05))  # a real channel waits up to timeout
            raise Empty
        item = self.script.pop(0)
        if item is Empty:
            raise Empty
        return item


class _ScriptedClient:
    """kernel_info replies on shell; IOPub loses the first request's idle status (not yet subscribed)."""

    def __init__(self, alive=True, replies=True):
        self.requests = []
        self.alive = alive
        self.replies = replies
        self.shell_channel = _Channel([])
        self.iopub_channel = _Channel([])

    def kernel_info(self):
        msg_id = f"m{len(self.requests)}"
        self.requests.append(msg_id)
        if self.replies:
            self.shell_channel.script += [{"parent_header": {"msg_id": "old"}, "msg_type": "execute_reply"},
                                          {"parent_header": {"msg_id": msg_id}, "msg_type": "kernel_info_reply"}]
        if len(self.requests) > 1:  # subscribed from the second request on
            self.iopub_channel.script += [
                {"parent_header": {"msg_id": msg_id}, "msg_type": "status", "content": {"execution_state": "busy"}},
                {"parent_header": {"msg_id": msg_id}, "msg_type": "status", "content": {"execution_state": "idle"}},
            ]
        return msg_id

    async def is_alive(self):
        return self.alive


def test_wait_ready_asks_again_until_iopub_delivers_the_idle_status():
    kc = _ScriptedClient()
    asyncio.run(engine._wait_ready(kc, timeout=30))
    assert kc.requests == ["m0", "m1"]


def test_wait_ready_names_a_dead_kernel_and_a_silent_one():
    with pytest.raises(RuntimeError, match="the kernel died before answering kernel_info"):
        asyncio.run(engine._wait_ready(_ScriptedClient(alive=False, replies=False), timeout=30))
    with pytest.raises(RuntimeError, match=r"did not answer kernel_info within 0\.3 s"):
        asyncio.run(engine._wait_ready(_ScriptedClient(replies=False), timeout=0.3))
