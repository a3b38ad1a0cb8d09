"""A fork server for report kernels: import the report's modules once, fork every kernel from it.

A report kernel spends seconds importing pandas, statsmodels, scipy, seaborn, semopy and
loading jieba's dictionary before its first analysis. A batch therefore starts one *zygote*
process (:class:`Zygote`) that does those imports once and then waits; each report kernel is a
``fork()`` of it, so it starts with every module already in memory (shared copy-on-write) and
costs only ipykernel's own start-up.

jupyter_client still manages every kernel as usual: the kernel spec of :meth:`Zygote.kernel_spec`
launches a tiny *proxy* (``python -m csat_research.run.zygote kernel SOCKET -f CONNECTION_FILE``)
that asks the zygote for a kernel over a Unix socket and then stands in for it:

* it exits when the forked kernel exits;
* SIGINT and SIGTERM sent to it are forwarded to the kernel;
* when the proxy dies (``SIGKILL`` from the kernel manager), the kernel exits too;
* when the proxy's parent (the batch) dies, the proxy kills the kernel and exits.

The zygote binds its socket before importing anything, so kernels can be requested at once;
they start as soon as the imports are done. Linux only (``os.pidfd_open``); callers fall back to
ordinary kernels elsewhere (:func:`available`).

This module imports only the standard library at the top: the proxy must start in milliseconds.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

#: What the zygote imports before forking kernels (the report notebook's modules).
PRELOAD = (
    "import matplotlib\n"
    "matplotlib.use('agg')\n"
    "import matplotlib.pyplot\n"
    "from csat_research.report.warmup import warm_up\n"
    "warm_up()  # the one preload list of every report kernel\n"
    "import ipykernel.kernelapp, ipykernel.ipkernel\n"
)

_BLAS_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
#: Report kernels hash strings with a fixed seed (unless the caller set one): some libraries
#: iterate over sets of names (semopy orders a model's parameters so), and with Python's random
#: hash seed the CFA fit then differs in its 10th digit from run to run - a re-run would not
#: reproduce the report exactly, nor leave the study store unchanged.
REPRODUCIBLE_ENV = {"PYTHONHASHSEED": "0"}


def kernel_environment(blas_threads: int | None) -> dict[str, str]:
    """The environment of a report kernel: this process's, :data:`REPRODUCIBLE_ENV` where not set,
    and ``blas_threads`` BLAS threads (none set when ``None``)."""
    env = {**REPRODUCIBLE_ENV, **os.environ}
    if blas_threads is not None:
        env.update({v: str(blas_threads) for v in _BLAS_VARS})
    return env
_POLL_S = 0.5
# Unconfigured in the zygote and proxy processes: warnings and errors reach stderr (logging.lastResort).
_log = logging.getLogger(__name__)
_STOP_WAIT_S = 5.0


def available() -> bool:
    """True where kernels can be forked from a zygote (POSIX with ``os.pidfd_open``)."""
    return hasattr(os, "fork") and hasattr(os, "pidfd_open")


class Zygote:
    """A running fork server; :meth:`kernel_spec` launches kernels forked from it.

    Parameters
    ----------
    preload : str, default :data:`PRELOAD`
        Python source the zygote runs once before forking kernels.
    blas_threads : int or None, default 1
        BLAS/OpenMP threads of every kernel (None: inherit). Parallel kernels on a small
        machine need 1, or small model fits slow down by orders of magnitude; the zygote must
        also stay single-threaded to fork safely.
    python : str, optional
        Interpreter of the zygote and the proxies (default: this one).

    The zygote is stopped by :meth:`close` (also a context manager). Shut the kernels down
    first: the zygote waits up to 5 s for running kernels, and a kernel left without it ends
    (ipykernel's parent poller). The zygote waits for every kernel it forked, so their CPU time
    and peak memory appear in its resource usage (``getrusage(RUSAGE_CHILDREN)``).
    """

    def __init__(self, *, preload: str = PRELOAD, blas_threads: int | None = 1, python: str | None = None) -> None:
        if not available():
            raise OSError("csat_research.run.zygote needs os.fork and os.pidfd_open (Linux)")
        self.python = python or sys.executable
        self._dir = Path(tempfile.mkdtemp(prefix="csat-zygote-"))
        self.socket_path = self._dir / "zygote.sock"
        env = kernel_environment(blas_threads)
        preload_file = self._dir / "preload.py"
        preload_file.write_text(preload, encoding="utf-8")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(self.socket_path))
            listener.listen(64)
            self.process = subprocess.Popen(
                [self.python, "-m", "csat_research.run.zygote", "serve", str(listener.fileno()), str(preload_file)],
                env=env, pass_fds=(listener.fileno(),), start_new_session=True, stdin=subprocess.DEVNULL,
            )
        except BaseException:
            shutil.rmtree(self._dir, ignore_errors=True)
            raise
        finally:
            listener.close()

    def kernel_spec(self, display_name: str = "Python 3 (csat zygote)") -> Any:
        """A jupyter_client ``KernelSpec`` whose kernels are forked from this zygote."""
        from jupyter_client.kernelspec import KernelSpec

        return KernelSpec(
            argv=[self.python, "-m", "csat_research.run.zygote", "kernel", str(self.socket_path), "-f",
                  "{connection_file}", "--matplotlib=inline"],
            display_name=display_name, language="python", metadata={},
        )

    def spec_manager(self) -> Any:
        """A ``KernelSpecManager`` that answers every kernel name with :meth:`kernel_spec`."""
        from jupyter_client.kernelspec import KernelSpecManager

        spec = self.kernel_spec()

        class _ZygoteSpecs(KernelSpecManager):
            def get_kernel_spec(self, kernel_name: str) -> Any:  # noqa: ARG002 - one spec for all
                return spec

        return _ZygoteSpecs()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        """Stop the zygote (after its kernels have exited, up to 5 s) and remove its socket."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(_STOP_WAIT_S + 5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# the zygote process


def _serve(fd: int, preload_file: str) -> None:
    """Zygote main loop: preload, then fork one kernel per request until the parent goes."""
    parent = os.getppid()
    listener = socket.socket(fileno=fd)
    code = Path(preload_file).read_text(encoding="utf-8")
    exec(compile(code, preload_file, "exec"), {"__name__": "__csat_zygote__"})  # noqa: S102 - our own preload
    # Everything imported so far lives as long as the kernels: keep it out of their garbage
    # collections (IPython's namespace reset runs a full one) and its pages shared. No collection
    # first: it found nothing to free after the report preload and cost 0.15 s on the path every
    # kernel waits for.
    gc.freeze()
    if threading.active_count() != 1:
        # a forked child would inherit locks held by threads that do not exist in it
        _log.warning("csat zygote: %d threads after preload; forking anyway", threading.active_count())
    stopping: list[int] = []
    # SIGTERM (Zygote.close) wakes the loop at once through the wake-up pipe, not at the next poll
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    children: set[int] = set()
    while os.getppid() == parent and not stopping:
        _reap(children)  # waited for, so their CPU time and memory count in this process's rusage
        ready, _, _ = select.select([listener, wake_r], [], [], _POLL_S)
        if listener not in ready:
            if wake_r in ready:
                os.read(wake_r, 512)
            continue
        try:
            conn, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            continue
        with conn:
            conn.settimeout(10)
            try:
                request = json.loads(_read_line(conn))
            except (OSError, ValueError) as exc:
                _log.warning("csat zygote: bad kernel request: %s", exc)
                continue
            pid = os.fork()
            if pid == 0:
                signal.set_wakeup_fd(-1)
                for fd in (wake_r, wake_w):
                    os.close(fd)
                listener.close()
                conn.close()
                _kernel_child(request)  # never returns
            children.add(pid)
            try:
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            except OSError:
                os.kill(pid, signal.SIGKILL)
    listener.close()
    deadline = time.monotonic() + _STOP_WAIT_S  # kernels being shut down: let them finish
    while children and time.monotonic() < deadline:
        _reap(children)
        time.sleep(0.05)


def _reap(children: set[int]) -> None:
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


def _read_line(conn: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("connection closed before the request ended")
        data += chunk
    return data.decode("utf-8")


def _kernel_child(request: dict[str, Any]) -> None:
    """In the forked child: become an ipykernel for ``request['argv']``; exit with it."""
    code = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        _exit_with(int(request["proxy"]))
        from ipykernel import kernelapp

        argv = list(request["argv"])
        if os.environ.get("JPY_PARENT_PID"):
            # the trait's default was read from the zygote's environment when it was imported
            argv.append(f"--IPKernelApp.parent_handle={int(os.environ['JPY_PARENT_PID'])}")
        sys.argv = [sys.executable, *argv]
        kernelapp.launch_new_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - a child must never return into the zygote loop
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _exit_with(pid: int) -> None:
    """Exit this process as soon as process ``pid`` (the proxy) has ended."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)

    def watch() -> None:
        select.select([pidfd], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="csat-proxy-watch", daemon=True).start()


# ---------------------------------------------------------------------------------------------
# the proxy process (what jupyter_client launches)


def _proxy(socket_path: str, argv: list[str], *, timeout: float = 120.0) -> int:
    """Ask the zygote for a kernel, then wait for it, forwarding signals; its exit code is 0."""
    parent = os.getppid()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(timeout)
    try:
        conn.connect(socket_path)
        conn.sendall(json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                                 "proxy": os.getpid()}).encode() + b"\n")
        pid = int(json.loads(_read_line(conn))["pid"])
    except (OSError, ValueError, KeyError) as exc:
        _log.error("csat kernel proxy: the kernel zygote at %s did not start a kernel (%s); "
                   "see the zygote's error above", socket_path, exc)
        return 1
    finally:
        conn.close()

    def forward(signum: int, _frame: object) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, forward)
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return 0
    while True:
        try:
            ready, _, _ = select.select([pidfd], [], [], _POLL_S)
        except InterruptedError:
            continue
        if ready:
            return 0
        if os.getppid() != parent:  # the kernel manager's process is gone: take the kernel along
            forward(signal.SIGKILL, None)
            return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) >= 3 and args[0] == "serve":
        _serve(int(args[1]), args[2])
        # Its kernels are gone: skip the interpreter's teardown of everything preloaded (~0.2 s
        # the batch would wait for).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    if len(args) >= 2 and args[0] == "kernel":
        return _proxy(args[1], args[2:])
    _log.error("usage: python -m csat_research.run.zygote serve FD PRELOAD.py | kernel SOCKET -f CONNECTION_FILE")
    return 2


if __name__ == "__main__":
    sys.exit(main())
