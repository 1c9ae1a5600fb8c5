"""wikilint's I/O side: the command line, inputs, output, the wiki layer and the runner.

Everything that touches files, terminals or the network lives here; the rules themselves are
the pure library in ``rules``. Heavy dependencies (pywikibot, requests) are imported lazily,
only by the commands that need them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wikilint")
except PackageNotFoundError:  # running from a source tree that was not pip-installed
    __version__ = "unknown (not installed)"
