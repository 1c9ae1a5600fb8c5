"""wikilint's I/O side: the command line, inputs, output, the wiki layer and the runner.

Everything that touches files, terminals or the network lives here; the rules themselves are
the pure library in ``rules``. Heavy dependencies (pywikibot, requests) are imported lazily,
only by the commands that need them.
"""


def __getattr__(name: str) -> str:
    # ``bot.__version__`` on first use: importlib.metadata costs ~25 ms of every start-up.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("wikilint")
    except PackageNotFoundError:  # running from a source tree that was not pip-installed
        found = "unknown (not installed)"
    globals()["__version__"] = found
    return found
