"""Splitting a scan into tasks that workers read by themselves.

Three input forms:

- a multistream dump with its index: tasks are byte ranges of a few bz2 streams each, cut at the
  stream offsets the index lists (``offset:pageid:title`` lines);
- several files (part files, or a glob): one task per file, or per byte range of a multistream
  part whose index is found by name;
- one plain ``.xml``/``.bz2``/``.gz`` file: no tasks (:func:`plan` returns None), it is streamed.

Tasks are numbered in dump order (files in natural order, so part 2 before part 10; byte ranges
in file order), and the scan writes their results in that order.
"""

from __future__ import annotations

import bz2
import glob
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, NamedTuple

from wikilint.bot.scan.readers import DumpError

MAX_STREAMS_PER_TASK = 10  # 1,000 pages a task at Wikimedia's 100 pages per stream
MIN_TASKS_PER_FILE = 64  # smaller dumps get smaller tasks, so that every worker has work
# X-multistream.xml.bz2 -> X-multistream-index.txt.bz2;
# X-multistream3.xml-p151574p311329.bz2 -> X-multistream-index3.txt-p151574p311329.bz2
_MULTISTREAM = re.compile(r"^(?P<stem>.*-multistream)(?P<part>\d*)\.xml(?P<range>.*)\.bz2$")
_INDEX_NAME = re.compile(r"-multistream-index\d*\.txt")
_GLOB_CHARS = re.compile(r"[*?\[]")
_INDEX_HEAD = re.compile(rb"^(\d+):", re.MULTILINE)


class Partition(NamedTuple):
    """One task: bytes ``[start, end)`` of ``path`` (``end`` None: to the end of the file).

    ``pages`` is the number of ``<page>`` elements the index lists in the range (None when
    there is no index): the worker checks it, so a range cut in the wrong place is an error,
    never pages silently lost or read twice.
    """

    ordinal: int
    path: str
    start: int
    end: int | None
    pages: int | None
    multistream: bool

    @property
    def key(self) -> str:
        """Names the task in the resume state (whose header pins the inputs and the plan)."""
        return f"{self.ordinal}@{self.start}-{'' if self.end is None else self.end}"

    def size(self) -> int:
        """Compressed bytes in the range."""
        end = self.end if self.end is not None else Path(self.path).stat().st_size
        return end - self.start


def index_name(dump: str | Path) -> Path | None:
    """Where Wikimedia puts the index of a multistream dump (None: not a multistream name)."""
    dump = Path(dump)
    match = _MULTISTREAM.match(dump.name)
    if not match:
        return None
    return dump.with_name(f"{match['stem']}-index{match['part']}.txt{match['range']}.bz2")


def index_for(dump: str | Path) -> Path | None:
    """The index Wikimedia publishes next to a multistream dump, if it is there."""
    index = index_name(dump)
    return index if index is not None and index.is_file() else None


def read_index(index: str | Path) -> list[tuple[int, int]]:
    """(stream offset, pages in the stream) in file order, from ``offset:pageid:title`` lines.

    English Wikipedia's index has some 24 million lines: blocks of lines are matched by one
    regex, and runs of the same offset counted together (Python works per stream, not per line).
    """
    streams: list[tuple[int, int]] = []
    number = 0
    try:
        with _open_index(index) as data:
            for block in _line_blocks(data):
                heads = _INDEX_HEAD.findall(block)
                lines = block.count(b"\n")
                if len(heads) == lines:
                    for head, run in itertools.groupby(heads):
                        count = len(list(run))
                        _add_stream(streams, int(head), count, index, number + 1)
                        number += count
                else:  # a blank or bad line somewhere: line by line, to name it
                    for line in block.split(b"\n")[:lines]:
                        number += 1
                        head, sep, _ = line.partition(b":")
                        if not line.strip():
                            continue
                        if not sep or not head.isdigit():
                            raise DumpError(f"{index}:{number}: not an 'offset:pageid:title' line")
                        _add_stream(streams, int(head), 1, index, number)
    except OSError as exc:
        raise DumpError(f"{index}: cannot read the index: {exc}") from None
    if not streams:
        raise DumpError(f"{index}: the index lists no pages")
    return streams


def _add_stream(
    streams: list[tuple[int, int]], offset: int, pages: int, index: str | Path, number: int
) -> None:
    if streams and offset == streams[-1][0]:
        streams[-1] = (offset, streams[-1][1] + pages)
    elif streams and offset < streams[-1][0]:
        raise DumpError(f"{index}:{number}: offset {offset} goes backwards")
    else:
        streams.append((offset, pages))


def _line_blocks(data: IO[bytes], size: int = 1 << 22) -> Iterator[bytes]:
    """Whole lines, a few MB at a time, each ending with a newline."""
    rest = b""
    while block := data.read(size):
        block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut:
            yield block[:cut]
        rest = block[cut:]
    if rest:
        yield rest + b"\n"


def _open_index(path: str | Path) -> IO[bytes]:
    with Path(path).open("rb") as probe:
        packed = probe.read(3) == b"BZh"
    return bz2.open(path, "rb") if packed else Path(path).open("rb")


def auto_streams_per_task(streams: int) -> int:
    """Up to 10 streams a task; fewer when the file would give fewer than 64 tasks. It depends
    on the file alone (not on the workers), so a resumed scan cuts the same tasks."""
    return max(1, min(MAX_STREAMS_PER_TASK, -(-streams // MIN_TASKS_PER_FILE)))


def byte_ranges(
    path: str,
    streams: Sequence[tuple[int, int]],
    streams_per_task: int | None = None,
    first_ordinal: int = 0,
) -> list[Partition]:
    """Tasks of ``streams_per_task`` consecutive streams (None: :func:`auto_streams_per_task`);
    each ends where the next begins."""
    if streams_per_task is None:
        streams_per_task = auto_streams_per_task(len(streams))
    size = Path(path).stat().st_size
    if streams[-1][0] >= size:
        raise DumpError(
            f"{path}: the index lists offset {streams[-1][0]}, past the end of the "
            f"file ({size} bytes): is it the index of another dump?"
        )
    tasks = []
    for i in range(0, len(streams), streams_per_task):
        group = streams[i : i + streams_per_task]
        following = i + streams_per_task
        end = streams[following][0] if following < len(streams) else None
        tasks.append(
            Partition(
                first_ordinal + len(tasks), path, group[0][0], end, sum(n for _, n in group), True
            )
        )
    return tasks


def natural_key(path: str) -> list[object]:
    """part2 before part10."""
    return [int(piece) if piece.isdigit() else piece for piece in re.split(r"(\d+)", path)]


def expand_inputs(arguments: Iterable[str]) -> list[str]:
    """Files named on the command line, glob patterns expanded; index files left out."""
    found: list[str] = []
    for argument in arguments:
        if _GLOB_CHARS.search(argument) and not Path(argument).exists():
            matches = [m for m in glob.glob(argument) if Path(m).is_file()]
            if not matches:
                raise DumpError(f"{argument}: no file matches")
            found += matches
        elif Path(argument).is_file():
            found.append(argument)
        else:
            raise DumpError(f"{argument}: no such file")
    unique = {str(Path(p)): None for p in found if not _INDEX_NAME.search(Path(p).name)}
    if not unique:
        raise DumpError("no dump among the inputs (only index files)")
    return sorted(unique, key=natural_key)


def plan(
    inputs: Sequence[str],
    index: str | Path | None = None,
    streams_per_task: int | None = None,
) -> list[Partition] | None:
    """The tasks of a scan, in dump order; None for one plain file (the streaming path)."""
    if index is not None and len(inputs) != 1:
        raise DumpError(
            "--index names the index of one multistream dump; with several files "
            "each index is found by its name next to its dump"
        )
    if len(inputs) == 1:
        index = index if index is not None else index_for(inputs[0])
        if index is None:
            return None
        return byte_ranges(inputs[0], read_index(index), streams_per_task)
    tasks: list[Partition] = []
    for path in inputs:
        part_index = index_for(path)
        if part_index is not None:
            tasks += byte_ranges(path, read_index(part_index), streams_per_task, len(tasks))
        else:
            tasks.append(Partition(len(tasks), path, 0, None, None, False))
    return tasks
