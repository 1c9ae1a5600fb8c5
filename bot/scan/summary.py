"""What a scan counts, and the output line written for a page with findings."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

OUTPUT_FORMATS = ("json", "text", "titles")


@dataclass
class Summary:
    pages_scanned: int = 0
    pages_with_findings: int = 0
    pages_with_errors: int = 0
    pages_skipped: int = 0  # other namespaces, non-wikitext content models
    findings: int = 0
    findings_per_rule: Counter[str] = field(default_factory=Counter)
    bytes_scanned: int = 0
    seconds: float = 0.0
    pages_resumed: int = 0  # of pages_scanned, written by an earlier run that --resume continues

    @property
    def pages_per_second(self) -> float:
        """This run's rate (pages an earlier run wrote do not count)."""
        pages = self.pages_scanned - self.pages_resumed
        return pages / self.seconds if self.seconds > 0 else 0.0

    def add(self, record: dict[str, Any], size: int) -> None:
        self.pages_scanned += 1
        self.bytes_scanned += size
        if record.get("error"):
            self.pages_with_errors += 1
        if record["findings"]:
            self.pages_with_findings += 1
            self.findings += len(record["findings"])
            self.findings_per_rule.update(f["rule"] for f in record["findings"])

    def merge(self, other: Summary) -> None:
        """Add the counts of another part of the scan (not its time: the scan's is wall time)."""
        self.pages_scanned += other.pages_scanned
        self.pages_with_findings += other.pages_with_findings
        self.pages_with_errors += other.pages_with_errors
        self.pages_skipped += other.pages_skipped
        self.findings += other.findings
        self.findings_per_rule.update(other.findings_per_rule)
        self.bytes_scanned += other.bytes_scanned

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["findings_per_rule"] = dict(sorted(self.findings_per_rule.items()))
        data["seconds"] = round(self.seconds, 3)
        data["pages_per_second"] = round(self.pages_per_second, 1)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        return cls(
            pages_scanned=data["pages_scanned"],
            pages_with_findings=data["pages_with_findings"],
            pages_with_errors=data["pages_with_errors"],
            pages_skipped=data["pages_skipped"],
            findings=data["findings"],
            findings_per_rule=Counter(data["findings_per_rule"]),
            bytes_scanned=data["bytes_scanned"],
        )

    def text(self) -> str:
        lines = [
            f"pages scanned: {self.pages_scanned} ({self.bytes_scanned / 1e6:.1f} MB of text), "
            f"skipped: {self.pages_skipped}",
            f"pages with findings: {self.pages_with_findings}, findings: {self.findings}, "
            f"pages with errors: {self.pages_with_errors}",
            f"throughput: {self.pages_per_second:.1f} pages/s ({self.seconds:.2f} s)",
        ]
        if self.pages_resumed:
            lines.insert(1, f"resumed: {self.pages_resumed} pages were written by an earlier run")
        lines += [f"  {n:>7}  {rule}" for rule, n in self.findings_per_rule.most_common()]
        return "\n".join(lines)


def format_record(record: dict[str, Any], output_format: str) -> str:
    """The output line(s) of a page with findings: a JSON object, text lines, or its title."""
    if output_format == "titles":
        return str(record["title"])
    if output_format == "text":
        return "\n".join(
            f"{record['title']}:{f['line']}:{f['column']}: {f['code']} {f['rule']} {f['message']}"
            for f in record["findings"]
        )
    return json.dumps(record, ensure_ascii=False)
