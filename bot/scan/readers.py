"""Reading pages out of MediaWiki XML dumps: a whole file, or a byte range of a multistream dump.

A multistream dump (``…-multistream.xml.bz2``) is many bz2 streams one after another: the first
holds ``<mediawiki>`` and ``<siteinfo>``, each following one holds up to 100 ``<page>`` elements,
and the last one closes ``</mediawiki>``. A byte range that starts and ends on stream boundaries
(offsets from the index) therefore decompresses to a run of whole pages, which
:func:`open_byte_range` wraps into a small XML document of its own.
"""

from __future__ import annotations

import bz2
import gzip
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

_WIKITEXT_MODELS = {None, "", "wikitext"}
_ROOT_CLOSE = b"</mediawiki>"
_HELD_BACK = 256  # bytes kept back at the end of a range, to find a trailing </mediawiki>
_READ_SIZE = 1 << 16


class DumpError(Exception):
    """The dump cannot be read (not XML, truncated, bad compression): a usage error, exit 2."""


class Page(NamedTuple):
    """The latest revision of one page, as read from the dump."""

    title: str
    ns: int
    pageid: int | None
    revid: int | None
    text: str


class Position:
    """How many compressed bytes of a file have been read so far (for progress and ETA)."""

    def __init__(self, raw: IO[bytes], start: int = 0) -> None:
        self.raw = raw
        self.start = start

    def __call__(self) -> int:
        try:
            return self.raw.tell() - self.start
        except (OSError, ValueError):  # closed
            return 0


def open_dump(path: str | Path) -> IO[bytes]:
    """A binary stream of the XML, decompressing by magic bytes (the suffix can lie)."""
    return open_dump_at(path)[0]


def open_dump_at(path: str | Path) -> tuple[IO[bytes], Position]:
    """:func:`open_dump`, with the position in the compressed file."""
    path = Path(path)
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise DumpError(f"{path}: cannot open: {exc.strerror or exc}") from None
    magic = raw.read(3)
    raw.seek(0)
    stream: IO[bytes]
    if magic.startswith(b"BZh"):
        stream = bz2.BZ2File(raw)
    elif magic.startswith(b"\x1f\x8b"):
        stream = gzip.GzipFile(fileobj=raw)
    else:
        stream = raw
    if stream is not raw:
        stream = _Owning(stream, raw)
    return stream, Position(raw)


class _Owning(io.BufferedIOBase):
    """A decompressing stream that also closes the file under it."""

    def __init__(self, stream: IO[bytes], raw: IO[bytes]) -> None:
        self.stream = stream
        self.raw_file = raw

    def read(self, size: int | None = -1) -> bytes:
        return self.stream.read(size)

    def read1(self, size: int = -1) -> bytes:
        return self.stream.read(size)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        try:
            self.stream.close()
        finally:
            self.raw_file.close()
            super().close()


class _Window(io.RawIOBase):
    """The bytes ``[start, end)`` of a file (``end`` None: to its end)."""

    def __init__(self, raw: IO[bytes], start: int, end: int | None) -> None:
        raw.seek(start)
        self.raw_file = raw
        self.left = None if end is None else end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if self.left is not None:
            view = view[: self.left]
        n = self.raw_file.readinto(view) or 0
        if self.left is not None:
            self.left -= n
        return n


def open_byte_range(path: str | Path, start: int, end: int | None) -> tuple[IO[bytes], Position]:
    """The pages in bytes ``[start, end)`` of a multistream bz2 dump, as one XML document.

    ``start`` and ``end`` must be stream boundaries (index offsets). The range gets a
    ``<mediawiki>`` root when it does not start with the dump's own, and its closing tag at the
    end whether or not the range held the dump's last stream.
    """
    try:
        raw = Path(path).open("rb")  # noqa: SIM115 (closed with the stream returned)
    except OSError as exc:
        raise DumpError(f"{path}: cannot open: {exc.strerror or exc}") from None
    window = _Window(raw, start, end)
    data = bz2.BZ2File(window)  # reads stream after stream, as a multistream file needs
    return _Chunks(_as_document(data), (data, raw)), Position(raw, start)


def _as_document(data: IO[bytes]) -> Iterator[bytes]:
    first = data.read(_READ_SIZE)
    if not first.lstrip().startswith((b"<?xml", b"<mediawiki")):
        yield b"<mediawiki>"
    held = first
    while chunk := data.read(_READ_SIZE):
        held += chunk
        yield held[:-_HELD_BACK]
        held = held[-_HELD_BACK:]
    tail = held.rstrip()
    if tail.endswith(_ROOT_CLOSE):
        tail = tail[: -len(_ROOT_CLOSE)]
    yield tail
    yield _ROOT_CLOSE


class _Chunks(io.RawIOBase):
    """A file-like object over an iterator of byte chunks (what ``iterparse`` reads)."""

    def __init__(self, chunks: Iterator[bytes], closes: tuple[IO[bytes], ...]) -> None:
        self.chunks = chunks
        self.closes = closes

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        for chunk in self.chunks:
            if chunk:
                return chunk
        return b""

    def close(self) -> None:
        for stream in self.closes:
            stream.close()
        super().close()


# -- pages out of XML ---------------------------------------------------------------------------


def _local(tag: str) -> str:
    # "{http://www.mediawiki.org/xml/export-0.11/}page" -> "page": works for every schema version.
    return tag.rpartition("}")[2]


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def iter_pages(
    stream: IO[bytes],
    namespaces: set[int] | frozenset[int] | None = None,
    skipped: Callable[[], None] | None = None,
) -> Iterator[Page]:
    """The latest revision of each page (wikitext only) in ``namespaces`` (None: all).

    Every other ``<page>`` (another namespace, another content model, no revision) calls
    ``skipped``. Elements are cleared as soon as they are read: a full-history dump of any size
    holds at most one page's latest revision text in memory.
    """
    root: ET.Element | None = None
    page_elem: ET.Element | None = None
    title: str | None = None
    ns = 0
    pageid: int | None = None
    best: tuple[int, int | None, str | None] | None = None  # (order, revid, text)
    order = 0
    in_revision = False
    try:
        for event, elem in ET.iterparse(stream, events=("start", "end")):
            name = _local(elem.tag)
            if event == "start":
                if root is None:
                    root = elem
                elif name == "page":
                    page_elem = elem
                    title, ns, pageid, best, order = None, 0, None, None, 0
                elif name == "revision":
                    in_revision = True
                continue
            if name == "revision":
                in_revision = False
                revid = _int(elem.findtext("{*}id"))
                model = elem.findtext("{*}model")
                text_elem = elem.find("{*}text")
                text = (text_elem.text or "") if text_elem is not None else ""
                order += 1
                # Dumps list revisions oldest first; the highest id is the latest when ids exist.
                key = revid if revid is not None else order
                if best is None or key >= best[0]:
                    best = (key, revid, text if model in _WIKITEXT_MODELS else None)
                elem.clear()
                if page_elem is not None:
                    page_elem.remove(elem)  # a page's history can be long: keep none of it
            elif in_revision:
                continue  # children of a revision are read at its end
            elif name == "title":
                title = elem.text or ""
            elif name == "ns":
                ns = _int(elem.text) or 0
            elif name == "id":
                pageid = _int(elem.text)
            elif name == "page":
                if root is not None:
                    root.clear()  # drop the page (and siteinfo) from the tree: constant memory
                if (
                    best is None
                    or title is None
                    or best[2] is None
                    or (namespaces is not None and ns not in namespaces)
                ):
                    if skipped:
                        skipped()
                    continue
                yield Page(title, ns, pageid, best[1], best[2])
    except ET.ParseError as exc:
        raise DumpError(f"malformed XML: {exc}") from None
    except (OSError, EOFError) as exc:  # bad or truncated bz2/gzip stream
        raise DumpError(f"cannot read the dump: {exc}") from None
