"""Fixtures for the whole suite."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# pytest caches each test module with its asserts rewritten, and Python each module, as bytecode
# in __pycache__ (git-ignored). PYTHONDONTWRITEBYTECODE=1, set on some machines, turns that off:
# then every run compiles ~160 test modules again and every CLI subprocess the whole package,
# a third of the fast set's time. The suite keeps its bytecode whatever the shell says.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# Temporary files in memory when the machine has a tmpfs and TMPDIR names no other place: the
# stores and journals under test commit with fsync, which waits for the disk (half the wall time
# of the runner's tests here) and costs nothing on tmpfs. Subprocesses inherit TMPDIR.
_MEMORY = Path("/dev/shm")
if "TMPDIR" not in os.environ and _MEMORY.is_dir() and os.access(_MEMORY, os.W_OK | os.X_OK):
    os.environ["TMPDIR"] = str(_MEMORY)
    tempfile.tempdir = None  # gettempdir() looks again

# Commands under test configure process-wide logging (our "wikilint" logger, the root's
# handlers); a CLI process does that once, a test run many times. pywikibot's own "pywiki"
# logger is left alone: pywikibot sets its handlers up once per process.
_LOGGERS = ("", "wikilint")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    saved = []
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        saved.append(
            (logger, list(logger.handlers), logger.level, logger.propagate, list(logger.filters))
        )
    yield
    for logger, handlers, level, propagate, filters in saved:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate
        logger.filters[:] = filters
