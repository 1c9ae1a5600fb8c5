"""Resumable output: a scan to ``--output FILE`` keeps ``FILE.scan-state`` next to it.

The state's first line describes the scan (inputs, index, partition size, namespaces, format,
rules); each further line names a partition whose output lines are all in FILE, with FILE's
length after them and the partition's counts. Partitions are written in order, output first
(flushed to disk), then their state line. So after any interruption, even a kill, FILE's
first ``offset`` bytes hold exactly the finished partitions: ``--resume`` cuts FILE there, skips
those partitions and appends the rest. No page is missing or written twice.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

from wikilint.bot.scan.readers import DumpError
from wikilint.bot.scan.summary import Summary

STATE_SUFFIX = ".scan-state"


def state_path(output: str | Path) -> Path:
    output = Path(output)
    return output.with_name(output.name + STATE_SUFFIX)


class Checkpoint:
    """The output file of a partitioned scan, with its state file."""

    def __init__(self, output: str | Path, description: dict[str, Any], resume: bool) -> None:
        self.output = Path(output)
        self.state_file = state_path(output)
        self.done: dict[str, Summary] = {}
        self.offset = 0
        header = json.dumps(description, sort_keys=True)
        if resume and self.state_file.exists():
            self._load(header)
            try:
                self.out: IO[bytes] = self.output.open("r+b")
            except OSError as exc:
                raise DumpError(f"{self.output}: cannot resume: {exc.strerror or exc}") from None
            if os.fstat(self.out.fileno()).st_size < self.offset:
                self.out.close()
                raise DumpError(
                    f"{self.output}: shorter than {self.state_file} says it should "
                    "be; run without --resume to start again"
                )
            self.out.truncate(self.offset)  # lines of a partition whose state line is missing
            self.out.seek(self.offset)
            with self.state_file.open("r+b") as state:
                state.truncate(self._state_length)  # a state line cut by the interruption
            self.state: IO[str] = self.state_file.open("a", encoding="utf-8")
        else:
            self.out = self.output.open("wb")
            self.state = self.state_file.open("w", encoding="utf-8")
            self.state.write(header + "\n")
            self.state.flush()

    def _load(self, header: str) -> None:
        with self.state_file.open("rb") as lines:
            first = lines.readline()
            if first.decode("utf-8", "replace").rstrip("\n") != header:
                raise DumpError(
                    f"{self.state_file}: written by a scan of other inputs or settings; "
                    "run without --resume to start again"
                )
            self._state_length = len(first)
            for line in lines:
                try:
                    entry = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    break  # the last line, cut by the interruption: that partition is redone
                if not line.endswith(b"\n"):
                    break  # whole JSON, but its newline was not written: redone too
                self.done[entry["partition"]] = Summary.from_dict(entry["summary"])
                self.offset = entry["offset"]
                self._state_length += len(line)

    def previous(self) -> Summary:
        """The counts of the partitions already written."""
        total = Summary()
        for summary in self.done.values():
            total.merge(summary)
        return total

    def write(self, key: str, lines: list[str], summary: Summary) -> None:
        data = "".join(line + "\n" for line in lines).encode("utf-8")
        self.out.write(data)
        self.out.flush()
        os.fsync(self.out.fileno())
        self.offset += len(data)
        entry = {"partition": key, "offset": self.offset, "summary": summary.as_dict()}
        self.state.write(json.dumps(entry) + "\n")
        self.state.flush()
        self.done[key] = summary

    def close(self) -> None:
        self.out.close()
        self.state.close()
