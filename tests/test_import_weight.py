"""The lint path stays light: it never imports pywikibot or requests (DESIGN: performance).

Each check runs in a fresh interpreter, since this test process may have imported anything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a fresh interpreter per check

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pywikibot", "requests", "urllib3", "dask", "distributed")
SAMPLE = "Text.<ref>{{cite web |url=https://example.org |title=T}}</ref>\n\n== H ==\nMore.\n"

LINT_IN_PROCESS = """
from wikilint import rules
rules.lint(open(PATH, encoding="utf-8").read())
rules.fix(open(PATH, encoding="utf-8").read())
"""

LINT_CLI = """
from wikilint.bot.cli.main import main
try:
    main(["lint", PATH], standalone_mode=False)
except SystemExit:
    pass
"""

SCAN = """
import io
from wikilint.bot.scan.scanner import run_scan
run_scan(DUMP, io.StringIO(), jobs=1)
"""

DUMP_XML = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/">
<page><title>A</title><ns>0</ns><id>1</id>
<revision><id>1</id><model>wikitext</model><text xml:space="preserve">{text}</text></revision>
</page></mediawiki>"""


def heavy_modules_after(code: str, tmp_path: Path, watched: tuple[str, ...] = HEAVY) -> list[str]:
    page = tmp_path / "page.wiki"
    page.write_text(SAMPLE, encoding="utf-8")
    dump = tmp_path / "dump.xml"
    dump.write_text(DUMP_XML.format(text=SAMPLE.replace("<", "&lt;")), encoding="utf-8")
    script = (
        f"PATH = {str(page)!r}\nDUMP = {str(dump)!r}\n{code}\n"
        "import sys\n"
        "loaded = {m.split('.')[0] for m in sys.modules} | set(sys.modules)\n"
        "import json\n"
        f"print(json.dumps(sorted(loaded & set({watched!r}))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_rules_lint_and_fix_import_no_network_stack(tmp_path: Path) -> None:
    assert heavy_modules_after(LINT_IN_PROCESS, tmp_path) == []


def test_scan_imports_no_network_stack(tmp_path: Path) -> None:
    assert heavy_modules_after(SCAN, tmp_path) == []


def test_wikilint_lint_command_imports_no_network_stack(tmp_path: Path) -> None:
    assert heavy_modules_after(LINT_CLI, tmp_path) == []


# Start-up time of `wikilint lint FILE` (bench/): what only other inputs or formats need waits.
ONLY_WHEN_NEEDED = ("html.parser", "json", "difflib", "tomllib")


def test_linting_a_plain_wikitext_file_skips_what_only_other_inputs_need(tmp_path: Path) -> None:
    assert heavy_modules_after(LINT_CLI, tmp_path, ONLY_WHEN_NEEDED) == []
