"""``wikilint scan``: streaming dumps, same results on every engine, errors that never crash it."""

from __future__ import annotations

import bz2
import gzip
import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from wikilint.bot.scan.engines import STREAM_HINT, dask_client, run_local
from wikilint.bot.scan.readers import DumpError, Page, iter_pages, open_dump
from wikilint.bot.scan.scanner import run_scan, scan
from wikilint.bot.scan.worker import ScanOptions, lint_page
from wikilint.rules import Config

from tests.bot.killer import MARK, KillerConfig

CITE = "{{cite web |url=https://example.org/a |title=A}}"


def page_xml(
    title: str,
    revisions: list[tuple[int, str]],
    ns: int = 0,
    pageid: int = 1,
    model: str = "wikitext",
) -> str:
    revs = "".join(
        f"""    <revision>
      <id>{revid}</id>
      <timestamp>2024-01-0{1 + i % 9}T00:00:00Z</timestamp>
      <contributor><username>U</username><id>1</id></contributor>
      <model>{model}</model>
      <format>text/x-wiki</format>
      <text bytes="{len(text.encode())}" xml:space="preserve">{escape(text)}</text>
      <sha1>x</sha1>
    </revision>
"""
        for i, (revid, text) in enumerate(revisions)
    )
    return f"""  <page>
    <title>{escape(title)}</title>
    <ns>{ns}</ns>
    <id>{pageid}</id>
{revs}  </page>
"""


def dump_xml(pages: list[str], version: str = "0.11") -> str:
    return f"""<mediawiki xmlns="http://www.mediawiki.org/xml/export-{version}/" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="{version}" xml:lang="en">
  <siteinfo>
    <sitename>Test</sitename>
    <namespaces><namespace key="0" case="first-letter" /></namespaces>
  </siteinfo>
{"".join(pages)}</mediawiki>
"""


def write(path: Path, xml: str) -> Path:
    data = xml.encode("utf-8")
    if path.suffix == ".bz2":
        path.write_bytes(bz2.compress(data))
    elif path.suffix == ".gz":
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def sample_pages(n: int = 12) -> list[str]:
    pages = []
    for i in range(n):
        body = f"Para {i}.<ref>{CITE}</ref>\n\n== S ==\nText {i}." if i % 3 else f"Clean {i}."
        pages.append(
            page_xml(f"Page {i}", [(100 + i, "old " + CITE), (1000 + i, body)], pageid=i + 1)
        )
    return pages


def scan_output(dump: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(scan, [str(dump), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def records(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    return write(tmp_path / "dump.xml", dump_xml(sample_pages()))


def test_reads_the_latest_revision_of_each_page_in_namespace_0(tmp_path: Path) -> None:
    xml = dump_xml(
        [
            page_xml("A", [(1, "old"), (5, "new")]),
            page_xml("Talk:A", [(2, "talk")], ns=1, pageid=2),
            page_xml("M", [(3, "return {}")], pageid=3, model="Scribunto"),
            page_xml("B & C", [(4, "<b>")], pageid=4),
        ],
        version="0.10",
    )
    skipped = []
    with open_dump(write(tmp_path / "d.xml", xml)) as stream:
        pages = list(iter_pages(stream, {0}, lambda: skipped.append(1)))
    assert pages == [Page("A", 0, 1, 5, "new"), Page("B & C", 0, 4, 4, "<b>")]
    assert len(skipped) == 2  # the talk page and the module


def test_all_namespaces(tmp_path: Path) -> None:
    xml = dump_xml([page_xml("A", [(1, "a")]), page_xml("Talk:A", [(2, "t")], ns=1, pageid=2)])
    with open_dump(write(tmp_path / "d.xml", xml)) as stream:
        assert [p.title for p in iter_pages(stream, None)] == ["A", "Talk:A"]


def test_json_lines_have_the_page_and_finding_fields(dump: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    code, out, err = scan_output(
        dump, "--select", "cite-missing-access-date", "--report", str(report)
    )
    assert code == 0, err
    got = records(out)
    assert [r["title"] for r in got] == [f"Page {i}" for i in range(12) if i % 3]
    first = got[0]
    assert (first["ns"], first["pageid"], first["revid"]) == (0, 2, 1001)
    [finding] = first["findings"]
    assert finding["rule"] == "cite-missing-access-date"
    assert finding["code"] == "UR305"
    assert set(finding) >= {"severity", "message", "line", "column", "start", "end"}
    assert (finding["line"], finding["column"]) == (1, 13)
    summary = json.loads(report.read_text())
    assert summary["pages_scanned"] == 12
    assert summary["pages_with_findings"] == 8
    assert summary["findings_per_rule"] == {"cite-missing-access-date": 8}
    assert "pages scanned: 12" in err


@pytest.mark.parametrize("suffix", [".xml.bz2", ".xml.gz"])
def test_compressed_dumps_give_the_same_output(dump: Path, tmp_path: Path, suffix: str) -> None:
    packed = write(tmp_path / f"dump{suffix}", dump.read_text(encoding="utf-8"))
    assert scan_output(packed)[:2] == scan_output(dump)[:2]


@pytest.mark.slow
def test_jobs_1_and_2_and_dask_give_the_same_results(dump: Path) -> None:
    serial = scan_output(dump, "--jobs", "1")
    assert serial[0] == 0 and serial[1]
    assert scan_output(dump, "--jobs", "2", "--chunk-size", "2")[:2] == serial[:2]
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        dask_run = scan_output(
            dump, "--engine", "dask", "--scheduler", cluster.scheduler_address, "--chunk-size", "3"
        )
    assert dask_run[:2] == serial[:2]
    assert STREAM_HINT in dask_run[2]  # a plain file's pages, sent to Dask: no time limit


@pytest.mark.slow  # starts a Dask cluster
def test_the_local_cluster_of_a_scan_runs_no_profiler_and_may_start_processes() -> None:
    pytest.importorskip("distributed")

    def profiling_or_daemonic() -> tuple[bool, bool]:
        import multiprocessing

        import dask

        return (
            bool(dask.config.get("distributed.worker.profile.enabled")),
            multiprocessing.current_process().daemon,
        )

    with dask_client(None, 1) as client:  # worker processes, as `--engine dask` starts them
        answers = client.run(profiling_or_daemonic)
    assert list(answers.values()) == [(False, False)]  # and may start lint processes


def test_titles_only_is_a_titles_file(dump: Path) -> None:
    code, out, _ = scan_output(dump, "--titles-only", "--select", "UR305")
    assert code == 0
    assert out.splitlines() == [f"Page {i}" for i in range(12) if i % 3]


def test_text_format_and_output_file(dump: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    code, out, _ = scan_output(
        dump, "--format", "text", "--select", "UR305", "--output", str(target)
    )
    assert code == 0 and out == ""
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Page 1:1:13: UR305 cite-missing-access-date ")


@pytest.mark.parametrize(
    "content",
    [
        b"<mediawiki><page><title>A</title>",  # truncated
        b"<mediawiki><page></mediawiki>",  # mismatched tag
        b"not xml at all",
    ],
)
def test_malformed_xml_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    code, _, err = scan_output(path)
    assert code == 2
    assert "malformed XML" in err


def test_truncated_bz2_is_a_clear_error(dump: Path, tmp_path: Path) -> None:
    packed = write(tmp_path / "d.xml.bz2", dump.read_text(encoding="utf-8"))
    packed.write_bytes(packed.read_bytes()[:-40])
    code, _, err = scan_output(packed)
    assert code == 2
    assert "wikilint scan" in err


@pytest.mark.parametrize("jobs", ["1", pytest.param("2", marks=pytest.mark.slow)])
def test_findings_before_a_malformed_tail_are_still_written(tmp_path: Path, jobs: str) -> None:
    xml = dump_xml(sample_pages(4)).replace("</mediawiki>", "<page><title>x</mediawiki>")
    code, out, _ = scan_output(
        write(tmp_path / "d.xml", xml), "--select", "UR305", "--jobs", jobs, "--chunk-size", "1"
    )
    assert code == 2
    assert [r["title"] for r in records(out)] == ["Page 1", "Page 2"]


def test_a_long_page_history_is_not_kept(tmp_path: Path) -> None:
    xml = dump_xml([page_xml("A", [(i, f"rev {i}") for i in range(1, 300)])])
    with open_dump(write(tmp_path / "d.xml", xml)) as stream:
        assert list(iter_pages(stream, {0})) == [Page("A", 0, 1, 299, "rev 299")]


def test_unknown_rule_is_a_usage_error(dump: Path) -> None:
    code, _, err = scan_output(dump, "--select", "no-such-rule")
    assert code == 2
    assert "no-such-rule" in err


DEEP = [
    "{{a|" * 3000 + "}}" * 3000,
    "[[a|" * 3000 + "]]" * 3000,
    "<div>" * 3000 + "</div>" * 3000,
    "<ref>" * 2000 + CITE + "</ref>" * 2000,
    "{{{" * 2000 + "}}}" * 2000,
    "'''''" * 3000,
]


@pytest.mark.parametrize("text", DEEP, ids=["templates", "links", "tags", "refs", "args", "style"])
def test_deeply_nested_markup_is_reported_not_fatal(text: str) -> None:
    record = lint_page(Page("Deep", 0, 1, 1, text), Config())
    assert record["title"] == "Deep"  # a record, whatever the parser made of it


def test_a_crashing_page_does_not_stop_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wikilint.bot.scan import worker

    real_lint = worker.lint

    def flaky(text: str, config: Config | None = None):  # type: ignore[no-untyped-def]
        if "BOOM" in text:
            raise RecursionError("maximum recursion depth exceeded")
        return real_lint(text, config)

    monkeypatch.setattr(worker, "lint", flaky)
    pages = [
        page_xml("Bad", [(1, "BOOM")], pageid=1),
        page_xml("Good", [(2, CITE)], pageid=2),
        page_xml("Deep", [(3, DEEP[4])], pageid=3),
        page_xml("Also good", [(4, CITE)], pageid=4),
    ]
    path = write(tmp_path / "d.xml", dump_xml(pages))
    out: list[str] = []

    class Sink:
        def write(self, s: str) -> None:
            out.append(s)

    summary = run_scan(path, Sink(), Config(select=("cite-missing-access-date",)))  # type: ignore[arg-type]
    got = records("".join(out))
    assert got[0]["title"] == "Bad"
    assert got[0]["findings"][0]["rule"] == "internal-error"
    assert "RecursionError" in got[0]["error"]
    assert [r["title"] for r in got] == ["Bad", "Good", "Deep", "Also good"]
    assert got[2]["findings"][0]["rule"] == "parse-error"
    assert summary.pages_scanned == 4
    assert summary.pages_with_errors == 2


def test_unreadable_dump_raises_dump_error(tmp_path: Path) -> None:
    with pytest.raises(DumpError):
        open_dump(tmp_path / "missing.xml")


def test_titles_only_feeds_wikilint_run(dump: Path, tmp_path: Path) -> None:
    from wikilint.bot.wiki.sources import read_titles_file

    target = tmp_path / "titles.txt"
    code, _, _ = scan_output(dump, "--titles-only", "--select", "UR305", "--output", str(target))
    assert code == 0
    assert read_titles_file(target) == [f"Page {i}" for i in range(12) if i % 3]


@pytest.mark.slow  # worker processes
def test_a_page_that_kills_its_worker_is_reported_and_the_scan_goes_on() -> None:
    pages = [Page(f"P{i}", 0, i, i, MARK if i == 3 else f"fine {i}") for i in range(8)]
    got = list(run_local(pages, ScanOptions(KillerConfig()), jobs=2, chunk=2))
    assert [page.title for page, _ in got] == [p.title for p in pages]
    errors = {page.title: record.get("error") for page, record in got if record.get("error")}
    assert list(errors) == ["P3"]
    assert "worker process died" in errors["P3"]
