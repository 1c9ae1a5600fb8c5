"""``wikilint serve`` latency: the JSON API against an in-process lint of the same text.

    python -m bench.serve            # 50 sequential requests, writes bench/results-serve.md
    python -m bench.serve --requests 200 --no-write

A warm server runs in its own process (``wikilint serve`` on a free 127.0.0.1 port); one client
sends the sample section to ``POST /api/lint`` over one keep-alive connection, one request after
another, after a few warm-up requests. The baseline is ``rules.lint`` of the same text in this
process, the same number of times. The target (issue 13): the API's median latency is at most
1.3× the in-process lint's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wikilint import rules

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "leon-trotsky-section.wiki"
RESULTS = Path(__file__).with_name("results-serve.md")
TARGET = 1.3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(port: int, state: Path) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "wikilint.bot.cli.main", "serve", "--port", str(port),
         "--state", str(state)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("wikilint serve did not start")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def api_latencies(port: int, text: str, count: int, warmup: int = 5) -> list[float]:
    body = json.dumps({"text": text, "path": "sample.wiki"}).encode()
    headers = {"Content-Type": "application/json", "Host": f"127.0.0.1:{port}"}
    times = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for i in range(warmup + count):
            start = time.perf_counter()
            connection.request("POST", "/api/lint", body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            elapsed = time.perf_counter() - start
            if response.status != 200:
                raise SystemExit(f"/api/lint answered {response.status}: {payload[:200]!r}")
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            if i >= warmup:
                times.append(elapsed)
    finally:
        connection.close()
    return times


def lint_latencies(text: str, count: int, warmup: int = 5) -> list[float]:
    times = []
    for i in range(warmup + count):
        start = time.perf_counter()
        rules.lint(text)
        elapsed = time.perf_counter() - start
        if i >= warmup:
            times.append(elapsed)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="wikilint serve latency")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    text = SAMPLE.read_text(encoding="utf-8")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(port, Path(tmp) / "state.sqlite")
        try:
            # interleave: a block of requests, a block of in-process lints, twice
            api: list[float] = []
            local: list[float] = []
            half = max(1, args.requests // 2)
            for _ in range(2):
                api += api_latencies(port, text, half)
                local += lint_latencies(text, half)
        finally:
            server.terminate()
            server.wait(timeout=10)
    rows = {
        "POST /api/lint (sample, 70 KiB)": api,
        "rules.lint in process (same text)": local,
    }
    ratio = statistics.median(api) / statistics.median(local)
    lines = [
        "# wikilint serve: API latency",
        "",
        f"`python -m bench.serve` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; {len(api)} sequential "
        "requests to a warm server (one keep-alive connection, after 5 warm-up requests).",
        "",
        "| measure | p50 | p95 | mean |",
        "| --- | --- | --- | --- |",
    ]
    for name, values in rows.items():
        lines.append(f"| {name} | {statistics.median(values) * 1000:.1f} ms | "
                     f"{percentile(values, 0.95) * 1000:.1f} ms | "
                     f"{statistics.fmean(values) * 1000:.1f} ms |")
    verdict = "met" if ratio <= TARGET else "NOT met"
    lines += ["", f"API p50 / in-process p50: **{ratio:.2f}×** (target ≤ {TARGET}×: {verdict})",
              ""]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        RESULTS.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
