"""``wikilint serve`` latency: the JSON API against an in-process lint of the same text.

    python -m bench.serve            # 50 sequential requests, writes bench/results-serve.md
    python -m bench.serve --requests 200 --no-write

A warm server runs in its own process (``wikilint serve`` on a free 127.0.0.1 port); one client
sends the sample section to ``POST /api/lint``, one request after another, after a few warm-up
requests. The baseline is ``rules.lint`` of the same text in this process, the same number of
times, interleaved with the requests one by one. The target (issue 13): the API's median
latency is at most 1.3× the in-process lint's.

With ``--browser`` (Debian's chromium and chromium-driver), headless Chromium also opens the
review page of a proposal made from the whole 70 KiB sample and times it until its diff is
on screen (target: under 1 s).
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
        [
            sys.executable,
            "-m",
            "wikilint.bot.cli.main",
            "serve",
            "--port",
            str(port),
            "--state",
            str(state),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
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


def seed_sample_proposal(state: Path, text: str) -> int:
    from wikilint.bot.change.core import compute_change
    from wikilint.bot.change.store import Proposal, Store

    change = compute_change(text)
    proposal = Proposal.from_change(
        change,
        site="bench",
        page="Leon Trotsky",
        section=None,
        base_revid=1,
        base_timestamp="2026-01-01T00:00:00Z",
        unsafe=False,
    )
    with Store(state) as store:
        return store.add(proposal)


def render_times(port: int, pid: int, runs: int = 5) -> list[float]:
    """Seconds from asking for the proposal page to its diff rows being on screen."""
    import shutil

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(
        service=Service(shutil.which("chromedriver") or "chromedriver"), options=options
    )
    url = f"http://127.0.0.1:{port}/proposal/{pid}"
    times = []
    try:
        driver.get(url)  # warm-up: the server computes the findings once before
        for _ in range(runs):
            start = time.perf_counter()
            driver.get(url)
            WebDriverWait(driver, 30, poll_frequency=0.005).until(
                lambda d: d.find_elements(By.CSS_SELECTOR, "#wl-diff-body td.diff-addedline")
            )
            times.append(time.perf_counter() - start)
    finally:
        driver.quit()
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="wikilint serve latency")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--browser",
        action="store_true",
        help="also time the 70 KiB proposal page in headless Chromium",
    )
    args = parser.parse_args(argv)
    text = SAMPLE.read_text(encoding="utf-8")
    port = free_port()
    render: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.sqlite"
        pid = seed_sample_proposal(state, text) if args.browser else 0
        server = start_server(port, state)
        try:
            if args.browser:
                render = render_times(port, pid)
            # interleaved one by one (a request, then a lint), so load on the machine hits
            # both sides alike
            api: list[float] = []
            local: list[float] = []
            for _ in range(args.requests):
                api += api_latencies(port, text, 1, warmup=0 if api else 5)
                local += lint_latencies(text, 1, warmup=0 if local else 5)
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
        "requests to a warm server (after 5 warm-up requests), each followed by one in-process "
        "lint of the same text.",
        "",
        "| measure | p50 | p95 | mean |",
        "| --- | --- | --- | --- |",
    ]
    for name, values in rows.items():
        lines.append(
            f"| {name} | {statistics.median(values) * 1000:.1f} ms | "
            f"{percentile(values, 0.95) * 1000:.1f} ms | "
            f"{statistics.fmean(values) * 1000:.1f} ms |"
        )
    verdict = "met" if ratio <= TARGET else "NOT met"
    lines += ["", f"API p50 / in-process p50: **{ratio:.2f}×** (target ≤ {TARGET}×: {verdict})", ""]
    if render:
        lines += [
            f"Review page of a proposal of the whole sample (70 KiB, "
            f"{len(render)} loads in headless Chromium, until the diff is on screen): "
            f"median {statistics.median(render) * 1000:.0f} ms, worst "
            f"{max(render) * 1000:.0f} ms (target < 1 s: "
            f"{'met' if max(render) < 1 else 'NOT met'}).",
            "",
        ]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        RESULTS.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
