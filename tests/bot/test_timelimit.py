"""The per-page lint time limit: a worker process killed at the deadline, whatever it runs."""

from __future__ import annotations

import os
import signal
import time

import pytest
from wikilint.bot.change.timelimit import (
    LintWorker,
    PageTimeout,
    WorkerDied,
    killed_at_deadline,
    timeout_reason,
)

from tests.bot import slowwork

pytestmark = pytest.mark.slow  # worker processes killed at a time limit


def test_calls_run_in_one_reused_child_process() -> None:
    with LintWorker(5) as worker:
        first = worker.call(slowwork.pid)
        assert first != os.getpid()
        assert worker.call(slowwork.pid) == first
        assert worker.call(slowwork.echo, {"a": [1, 2]}) == {"a": [1, 2]}


def test_a_call_over_the_limit_is_killed_and_the_next_call_gets_a_fresh_worker() -> None:
    with LintWorker(3) as worker:
        before = worker.call(slowwork.pid)
        started = time.monotonic()
        with pytest.raises(PageTimeout, match=r"lint time limit: .* more than 3s"):
            worker.call(slowwork.sleep, 60)
        assert time.monotonic() - started < 15  # the call alone: 60 s
        with pytest.raises(ProcessLookupError):
            os.kill(before, 0)  # the old worker is gone (killed and reaped)
        assert worker.call(slowwork.pid) != before
        assert worker.call(slowwork.echo, "still works") == "still works"


def test_the_limit_stops_the_parser_inside_c_code() -> None:
    """The tokenizer keeps the GIL for seconds: only a process kill stops it in time."""
    with LintWorker(1) as worker:
        started = time.monotonic()
        with pytest.raises(PageTimeout):
            worker.call(slowwork.parse_unclosed_templates, 8000)
        assert time.monotonic() - started < 10  # the parse alone: 20 s or more


def test_exceptions_come_back_as_they_were_raised() -> None:
    with LintWorker(5) as worker:
        with pytest.raises(ValueError, match="a page-specific error"):
            worker.call(slowwork.fail)
        assert worker.call(slowwork.echo, 1) == 1  # the worker survived


def test_a_worker_that_dies_is_reported_and_replaced() -> None:
    with LintWorker(5) as worker:
        with pytest.raises(WorkerDied, match="exit code 3"):
            worker.call(slowwork.die)
        assert worker.call(slowwork.echo, 2) == 2


def test_no_limit_runs_in_this_process() -> None:
    assert LintWorker(0).call(slowwork.pid) == os.getpid()


def test_close_ends_the_worker() -> None:
    worker = LintWorker(5)
    child = worker.call(slowwork.pid)
    worker.close()
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def test_killed_at_deadline_ends_the_process_in_c_code() -> None:
    """For the scan's pool workers: SIGALRM's default action ends the process."""
    pid = os.fork()
    if pid == 0:  # the child: would parse for many seconds
        try:
            with killed_at_deadline(0.5):
                slowwork.parse_unclosed_templates(8000)
        finally:
            os._exit(0)
    started = time.monotonic()
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM
    assert time.monotonic() - started < 10


def test_killed_at_deadline_clears_the_timer_and_restores_the_handler() -> None:
    def handler(signum: int, frame: object) -> None:
        raise AssertionError("no alarm expected")

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        with killed_at_deadline(5):
            assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGALRM) is handler
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_the_reason_names_the_limit() -> None:
    assert timeout_reason(2.5).startswith("lint time limit") and "2.5s" in timeout_reason(2.5)


@pytest.mark.parametrize("limit", [0, 1])
def test_a_call_asks_its_host_and_the_host_time_is_not_counted(limit: float) -> None:
    asked: list[str] = []

    def host(question: str) -> str:
        asked.append(question)
        time.sleep(0.6)  # two answers: 1.2 s, more than the limit
        return question.upper()

    with LintWorker(limit) as worker:
        assert worker.call(slowwork.ask_twice, "title", host=host) == ["TITLE", "TITLE?"]
    assert asked == ["title", "title?"]


def test_exceptions_that_do_not_unpickle_come_back_as_runtime_errors() -> None:
    from wikilint.rules import SectionNotFound

    with LintWorker(5) as worker:
        with pytest.raises(RuntimeError, match="Unrebuildable: 1 and 2"):
            worker.call(slowwork.fail_oddly)
        with pytest.raises(SectionNotFound, match="no section 'B'"):  # rebuilt as itself
            worker.call(slowwork.no_such_section)
        assert worker.call(slowwork.echo, 3) == 3


def test_the_lint_worker_ends_with_its_parent_even_mid_call() -> None:
    """Its parent killed with SIGKILL (no clean-up), the worker stops the page it is on."""
    import subprocess
    import sys

    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, time; from wikilint.bot.change.timelimit import LintWorker\n"
            "worker = LintWorker(120)\n"
            "print(worker.call(os.getpid), flush=True)\n"
            "worker.call(time.sleep, 60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    time.sleep(0.5)  # the parent is waiting for its 60-second call
    parent.kill()
    parent.wait(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(child, signal.SIGKILL)  # clean up before failing
    raise AssertionError("the lint worker outlived its parent")


def test_a_worker_starts_with_the_rules_warm() -> None:
    """Forked from a server that linted a page once, a worker starts with every rule's module
    imported (the registry imports them at the first lint) and their patterns compiled."""
    with LintWorker(30) as worker:
        assert worker.call(slowwork.imported, "wikilint.rules.checks.bare_url")
        assert worker.call(slowwork.imported, "wikilint.rules.checks.date_format")
