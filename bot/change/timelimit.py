"""A per-page lint time limit that holds whatever the page does to the parser.

A page can be built to make mwparserfromhell's tokenizer quadratic (``{{a|`` 4,000 times takes
~7 s; 5,000 takes 37 s to lint). The tokenizer is C code that keeps the GIL, so no check between
steps, thread or Python signal handler can stop it: only killing the process does. Two ways:

- :class:`LintWorker`: a child process (forked from the forkserver that has imported the
  rules) runs one call at a time; the caller waits at most ``timeout`` seconds, then kills it
  and raises :class:`PageTimeout`. The next call starts a fresh child. ``run`` and
  ``propose`` lint through one, so their own process (the journal, the wiki session) is never
  the one killed.
- :func:`killed_at_deadline`: for code that already runs in a disposable worker process (the
  scan's pool): the kernel delivers ``SIGALRM`` with its default action, which ends the
  process, at the deadline.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_PAGE_LINT_TIMEOUT = 30.0  # seconds: a 2 MB page lints in a few seconds
TIMEOUT_OPTION_HELP = (
    "Seconds one page's lint and fixes may take; a page over the limit is "
    "skipped with the reason (0: no limit)."
)


def timeout_reason(limit: float) -> str:
    """What a page over the limit is skipped with (journal, warnings, scan records)."""
    return f"lint time limit: linting took more than {limit:g}s (a page can make the parser slow)"


class PageTimeout(Exception):
    """The call took longer than the limit; its process was killed."""

    def __init__(self, limit: float) -> None:
        super().__init__(timeout_reason(limit))
        self.limit = limit


class WorkerDied(Exception):
    """The worker process ended while running the call (a crash in C code, or killed)."""


def worker_context(preload: str = "wikilint.rules") -> multiprocessing.context.BaseContext:
    """forkserver: workers fork from a clean single-threaded server (safe when the caller runs
    threads, as Dask and the tests do) that has imported ``preload`` (the rules) once, so a
    worker starts in milliseconds instead of importing everything again as under spawn. spawn
    where there is no fork (Windows, and macOS where fork is unsafe). The server is shared by
    the process: the first user's ``preload`` is the one imported. The server also lints a
    small page once (:mod:`~wikilint.bot.change.warmworker`), so workers start warm."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([preload, "wikilint.bot.change.warmworker"])
    return context


# The caller's answerer of ask() during a call: in the child, the pipe to the caller; in this
# process (no limit), the host function itself.
_ASK: Callable[[Any], Any] | None = None


def ask(question: Any) -> Any:
    """From inside a call: ask the caller's ``host`` (e.g. to fetch page titles over the
    network, which must not count against the lint's time limit) and wait for its answer."""
    if _ASK is None:
        raise RuntimeError("ask() outside a LintWorker call with a host")
    return _ASK(question)


class LintWorker:
    """Runs picklable calls in a child process, each within ``timeout`` seconds of its own
    work (time the caller's ``host`` spends answering :func:`ask` is not counted).

    ``timeout`` 0 runs them in this process, with no limit. Use as a context manager (or call
    :meth:`close`) so that the child ends with the caller."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def call(
        self, func: Callable[..., T], *args: Any, host: Callable[[Any], Any] | None = None
    ) -> T:
        global _ASK
        if not self.timeout:
            _ASK = host
            try:
                return func(*args)
            finally:
                _ASK = None
        conn = self._connection()
        conn.send((func, args))
        left = self.timeout
        while True:
            started = time.monotonic()
            if not conn.poll(left):
                self._kill()
                raise PageTimeout(self.timeout)
            left -= time.monotonic() - started
            try:
                kind, value = conn.recv()
            except (EOFError, OSError):
                code = self._kill()
                raise WorkerDied(f"the lint worker process died (exit code {code})") from None
            if kind == "ask":
                if host is None:
                    self._kill()
                    raise RuntimeError("the call asked a question and there is no host")
                conn.send(host(value))
                continue
            if kind == "error":
                raise value
            return value  # type: ignore[no-any-return]

    def _connection(self) -> Connection:
        if self._conn is None or self._process is None or not self._process.is_alive():
            self._kill()
            context = worker_context()
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_serve, args=(theirs,), daemon=True, name="wikilint-lint-worker"
            )
            process.start()
            theirs.close()
            self._process, self._conn = process, ours
        return self._conn

    def _kill(self) -> int | None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return None
        if process.is_alive():
            process.kill()
        process.join(5)
        return process.exitcode

    def close(self) -> None:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            try:
                self._conn.send(None)  # ask it to end
                self._process.join(1)
            except OSError:
                pass
        self._kill()

    def __enter__(self) -> LintWorker:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _serve(conn: Connection) -> None:
    """The child: run each call received; answer ("ok", result) or ("error", exception), and
    pass its questions (``ask``) to the caller as ("ask", question)."""
    global _ASK
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    exit_with_parent()

    def relay(question: Any) -> Any:
        conn.send(("ask", question))
        return conn.recv()

    _ASK = relay
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        func, args = job
        try:
            answer: tuple[str, Any] = ("ok", func(*args))
        except Exception as exc:  # the caller's own except clauses decide
            answer = ("error", _portable(exc))
        try:
            conn.send(answer)
        except Exception as exc:  # an answer that does not pickle
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


def _portable(exc: Exception) -> Exception:
    """``exc`` if it unpickles as itself on the other side, else a RuntimeError saying it."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


@contextmanager
def killed_at_deadline(seconds: float) -> Iterator[None]:
    """The kernel ends this process if the block runs longer than ``seconds`` (0: no limit).

    Only for disposable worker processes whose parent notices the death (the scan's pool):
    ``SIGALRM`` gets its default action, terminating the process even inside C code."""
    if not seconds:
        yield
        return
    previous = signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def exit_with_parent() -> None:
    """End this worker when the process that started it is gone, even killed with SIGKILL.

    A scan's pool worker would otherwise wait forever on its task queue (it holds the queue's
    writing end itself); a lint worker would finish the page it is on, which may take minutes.
    """
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="wikilint-parent-watch", daemon=True).start()
