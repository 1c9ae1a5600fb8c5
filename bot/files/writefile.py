"""Writing a fixed file back (``wikilint fix --write``) without ever losing its text.

- A read-only file (no write permission bit) is refused: the user marked it so.
- A file with one name is replaced atomically: a temp file in the same folder, fsynced, read
  back and compared, then ``os.replace``. On any failure the original is untouched and the
  temp file removed.
- A file with hard links (``st_nlink > 1``) is written in place, so every name keeps seeing the
  new text: first a verified copy of the old text goes to a temp file beside it, then the new
  text is written over the file and fsynced. If that fails, the old text is put back from the
  copy; if even that fails, the error names the copy, which is then kept.
- Through a symlink, the target is written; the link stays a link. The file's mode is kept.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


class WriteError(OSError):
    """The file was not written; the message is one line and says why."""


def write_file(path: Path, data: bytes) -> None:
    """Put ``data`` into the file at ``path`` as described above. Raises :class:`WriteError`
    (nothing written) or :class:`OSError`."""
    target = path.resolve()  # write through a symlink, not over it
    info = target.stat()
    mode = stat.S_IMODE(info.st_mode)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise WriteError("the file is read-only (nothing written; make it writable to fix it)")
    if info.st_nlink > 1:
        _write_in_place(target, data)
    else:
        _replace(target, data, mode)


def write_report(path: Path, data: bytes) -> None:
    """A report file (``lint --output-file``): an existing file as :func:`write_file` writes
    it, a new one created atomically (never half-written), with the umask's mode."""
    if path.exists():
        write_file(path, data)
        return
    umask = os.umask(0)
    os.umask(umask)
    target = path.resolve()
    _replace(target, data, 0o666 & ~umask)


def _temp_copy(folder: Path, name: str, data: bytes, mode: int | None = None) -> str:
    """A temp file in ``folder`` holding ``data``, fsynced and read back to check it."""
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if Path(temp).read_bytes() != data:
            raise WriteError(f"the temporary copy {temp} did not read back as written")
        if mode is not None:
            os.chmod(temp, mode)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return temp


def _replace(target: Path, data: bytes, mode: int) -> None:
    temp = _temp_copy(target.parent, target.name, data, mode)
    try:
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def _write_in_place(target: Path, data: bytes) -> None:
    old = target.read_bytes()
    backup = _temp_copy(target.parent, target.name, old)
    try:
        _overwrite(target, data)
    except BaseException as exc:
        try:
            _overwrite(target, old)
        except OSError:
            raise WriteError(
                f"writing failed ({exc}) and so did restoring the old text: it is in {backup}"
            ) from exc
        os.unlink(backup)
        raise
    os.unlink(backup)


def _overwrite(target: Path, data: bytes) -> None:
    with open(target, "r+b") as handle:
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())
