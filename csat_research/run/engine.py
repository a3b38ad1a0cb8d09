"""Warm kernels for batches: papermill executes each report in a real kernel that is reused.

A report kernel spends seconds importing pandas, statsmodels, scipy, seaborn, semopy and
loading jieba's dictionary before the first analysis runs. In a batch every worker thread
therefore keeps one kernel (:class:`WarmKernel`) that imports those once (``PRELOAD``) - or,
given a :class:`~csat_research.run.zygote.Zygote`, is forked from a process that already imported
them, so a batch pays for the imports once rather than once per worker; between
two notebooks the user namespace is reset (IPython ``reset``) and figures are closed, so each
notebook starts from an empty namespace with the modules already imported.

papermill's engine registry carries this: the engine ``csat-warm`` (:class:`WarmEngine`) is
papermill's nbclient engine given a running kernel manager and the kernel's client, which it uses
without shutting either down: a kernel keeps one connected client for all its notebooks (a new
client per notebook waited 0.2 s for silence on IOPub in jupyter_client's ``wait_for_ready``). A
kernel that died is replaced on the next use; each kernel is retired after ``max_uses``
notebooks to bound memory growth.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm
from nbclient.util import ensure_async, run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from csat_research.core import shims
from csat_research.run.zygote import Zygote, kernel_environment

ENGINE = "csat-warm"

#: What an ordinary warm kernel runs first (a forked one gets the zygote's preload instead): the
#: inline backend, then the one preload list of every kernel, csat_research.report.warmup.warm_up.
PRELOAD = """\
get_ipython().run_line_magic("matplotlib", "inline")
from csat_research.report.warmup import warm_up as _warm_up
_warm_up()
del _warm_up
"""

RESET = """\
get_ipython().reset(new_session=False, aggressive=False)
import matplotlib.pyplot as _plt
_plt.close("all")
del _plt
"""


class WarmEngine(NBClientEngine):
    """papermill's nbclient engine on a running kernel manager (``km``) that it does not own.

    Two differences from papermill's own engine, both for batches of short report notebooks:

    * the output notebook is written once, when the notebook ends (papermill's
      ``notebook_complete``, also after a failing cell), not at the start and end of every cell:
      a 1 MB report notebook would otherwise be serialised and validated 30+ times;
    * ``reset_code`` (if given) runs on the same kernel connection right after the last cell,
      whether the notebook succeeded or failed; if it cannot run, the kernel manager is marked
      (``km.csat_reset_failed``) so that its owner replaces the kernel;
    * ``warm`` (a :class:`WarmKernel`, if given) keeps the kernel's client between notebooks:
      its ``kc`` is used when set, and the client is left open and stored there;
    """

    @classmethod
    def execute_managed_notebook(  # noqa: D102 - papermill's engine API
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        km=None,
        kernel_env=None,
        reset_code=None,
        warm=None,
        **kwargs,
    ):
        client = PapermillNotebookClient(
            nb_man, km=km, kernel_name=kernel_name, log_output=log_output, stdout_file=stdout_file,
            stderr_file=stderr_file, startup_timeout=start_timeout, timeout=execution_timeout,
        )
        if warm is not None and warm.kc is not None:
            client.kc = warm.kc
        single_save = shims.enabled("papermill_single_save")
        if single_save:
            nb_man.save = _no_save  # instance attribute: papermill's own save returns for the final write
        try:
            return client.execute(**({"env": kernel_env} if kernel_env is not None else {}))
        finally:
            if single_save:
                del nb_man.save
            if client.kc is not None:
                if reset_code and km is not None:
                    try:
                        run_sync(_run_silently)(client, reset_code)
                    except Exception:  # noqa: BLE001 - a kernel that cannot reset is replaced
                        km.csat_reset_failed = True
                if warm is not None:
                    warm.kc = client.kc
                else:
                    client.kc.stop_channels()


def _no_save(**kwargs: Any) -> None:
    """Stand-in for ``NotebookExecutionManager.save`` while cells run."""


async def _run_silently(client: Any, code: str, timeout: float = 60.0) -> None:
    """Execute ``code`` on the client's kernel (no history, no output) and wait for its reply."""
    msg_id = client.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    reply = await ensure_async(client.kc.get_shell_msg(timeout=timeout))
    while reply.get("parent_header", {}).get("msg_id") != msg_id:
        reply = await ensure_async(client.kc.get_shell_msg(timeout=timeout))
    if reply["content"].get("status") != "ok":
        raise RuntimeError(f"kernel reset failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")


papermill_engines.register(ENGINE, WarmEngine)


class WarmKernel:
    """One reusable report kernel. Use it from one thread only (its manager is asyncio-based).

    ``preload`` is code run in a new kernel before its first notebook; by default
    :data:`PRELOAD` for an ordinary kernel and nothing for a kernel forked from ``zygote``
    (the zygote imported the modules, and its kernels start with inline figures on).
    """

    def __init__(
        self,
        kernel_name: str | None = None,
        *,
        max_uses: int = 50,
        preload: str | None = None,
        blas_threads: int | None = 1,
        zygote: Zygote | None = None,
    ) -> None:
        self.kernel_name = kernel_name or "python3"
        self.zygote = zygote
        # Parallel kernels on a small machine: one BLAS thread each, or small model fits (CFA,
        # omega) slow down by orders of magnitude from oversubscription.
        self.env = kernel_environment(blas_threads)  # also a fixed string hash seed: reproducible fits
        self.max_uses = max_uses
        self.preload = preload
        self.km: Any = None
        self.kc: Any = None
        self.uses = 0
        self._ipc_dir: str | None = None

    def _inline(self, source: str, workdir: Path) -> None:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        nb.metadata["kernelspec"] = {"name": self.kernel_name, "display_name": "Python 3", "language": "python"}
        src = workdir / ".csat-kernel-step.ipynb"
        nbformat.write(nb, src)
        try:
            pm.execute_notebook(str(src), str(src), engine_name=ENGINE, km=self.km, warm=self,
                                kernel_name=self.kernel_name, progress_bar=False, log_output=False,
                                kernel_env=self.env)
        finally:
            src.unlink(missing_ok=True)

    def _alive(self) -> bool:
        if self.km is None or not self.km.has_kernel:
            return False
        try:
            return bool(self.km.provisioner.process.poll() is None)
        except AttributeError:
            return True

    def _start(self, workdir: Path) -> None:
        from jupyter_client.manager import AsyncKernelManager

        self.shutdown()
        # Local kernels talk over Unix domain sockets in a private folder (0700), not TCP on
        # localhost: nothing else on the machine can connect, and no "Kernel is running over TCP
        # without encryption" warning on every run.
        self._ipc_dir = tempfile.mkdtemp(prefix="csat-kernel-")
        ipc = {"transport": "ipc", "ip": os.path.join(self._ipc_dir, "k")}
        if self.zygote is not None and self.zygote.alive:
            # forked from the zygote, which imported everything; the kernel starts (inline
            # figures on) with the first notebook
            self.km = AsyncKernelManager(kernel_name=self.kernel_name, kernel_spec_manager=self.zygote.spec_manager(),
                                         **ipc)
            preload = self.preload if self.preload is not None else ""
        else:
            self.km = AsyncKernelManager(kernel_name=self.kernel_name, **ipc)
            preload = self.preload if self.preload is not None else PRELOAD
        if preload:
            self._inline(preload, workdir)
        self.uses = 0

    def execute(self, notebook: Path, output: Path, *, parameters: dict[str, Any], cwd: Path) -> Any:
        """Execute ``notebook`` into ``output`` with papermill on this kernel; reset afterwards."""
        if not self._alive() or self.uses >= self.max_uses:
            self._start(output.parent)
        self.uses += 1
        try:
            return pm.execute_notebook(
                str(notebook), str(output), parameters=parameters, engine_name=ENGINE, km=self.km,
                warm=self, kernel_name=self.kernel_name, cwd=str(cwd), progress_bar=False, log_output=False, kernel_env=self.env,
                reset_code=RESET,
            )
        finally:
            if self.km is not None and (getattr(self.km, "csat_reset_failed", False) or not self._alive()):
                self.shutdown()  # the next notebook starts a new kernel

    def shutdown(self) -> None:
        """Stop the kernel process (if any)."""
        if self.kc is not None:
            kc, self.kc = self.kc, None
            kc.stop_channels()
        try:
            if self.km is not None and self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        finally:
            self.km = None
            if self._ipc_dir is not None:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)
                self._ipc_dir = None


class KernelPool:
    """One :class:`WarmKernel` per worker thread, all shut down by :meth:`close`."""

    def __init__(self, kernel_name: str | None = None, *, max_uses: int = 50, zygote: Zygote | None = None) -> None:
        self.kernel_name = kernel_name
        self.max_uses = max_uses
        self.zygote = zygote
        self._local = threading.local()
        self._all: list[WarmKernel] = []
        self._lock = threading.Lock()

    def kernel(self) -> WarmKernel:
        """This thread's kernel (created on first use)."""
        k = getattr(self._local, "kernel", None)
        if k is None:
            k = WarmKernel(self.kernel_name, max_uses=self.max_uses, zygote=self.zygote)
            self._local.kernel = k
            with self._lock:
                self._all.append(k)
        return k

    def close(self) -> None:
        with self._lock:
            kernels, self._all = self._all, []
        for k in kernels:
            k.shutdown()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
