"""The local linter behaves as ruff users expect: folders, exclusion and .gitignore, rule-code
prefixes, extend-select and per-file-ignores, SARIF/JUnit/statistics output, --exit-zero,
-q, --output-file, the hint that ends a lint, and `fix --unified` through patch and git."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from wikilint.bot.cli.main import main

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "sarif-schema-2.1.0.json"
BAD = (
    "Claim.<ref>{{cite web |url=http://www.bbc.co.uk/news |title=News "
    "|access-date=1 May 2020}}</ref>\n"
)
BAD2 = BAD.replace("/news", "/sport").replace("Claim", "Other")
DATED = (
    "{{Use dmy dates}}\nX.<ref>{{cite web |url=https://e.org |title=T |date=March 3, 2020 "
    "|access-date=1 May 2020}}</ref>\n"
)


def run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, args, catch_exceptions=False)


def tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def listed(result: Result) -> list[str]:
    return [line.split(":")[0] for line in result.stdout.splitlines() if ": insecure-link " in line]


def test_a_folder_lints_its_wiki_files_sorted_minus_excluded_and_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(
        tmp_path,
        {
            "b.wiki": BAD,
            "a/c.wikitext": BAD,
            "a/b.mediawiki": BAD,
            "notes.txt": BAD,
            ".venv/x.wiki": BAD,
            "drafts/d.wiki": BAD,
            "ignored/e.wiki": BAD,
            "wikilint.toml": 'extend-exclude = ["drafts"]\n',
            ".gitignore": "ignored/\n",
        },
    )
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = run(["lint", "--select", "UR304", "."], tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert listed(result) == ["a/b.mediawiki", "a/c.wikitext", "b.wiki"]
    everything = run(
        ["lint", "--select", "UR304", "--no-respect-gitignore", "."], tmp_path, monkeypatch
    )
    assert listed(everything) == ["a/b.mediawiki", "a/c.wikitext", "b.wiki", "ignored/e.wiki"]
    named = run(["lint", "--select", "UR304", "drafts/d.wiki"], tmp_path, monkeypatch)
    assert listed(named) == ["drafts/d.wiki"]  # a file named on the command line is linted


def test_an_empty_folder_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "empty").mkdir()
    result = run(["lint", "empty"], tmp_path, monkeypatch)
    assert result.exit_code == 0
    assert "empty: note: no *.wiki, *.wikitext, *.mediawiki files to lint" in result.stderr


def test_code_prefixes_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree(tmp_path, {"p.wiki": BAD + DATED})
    result = run(["lint", "--select", "DT", "p.wiki"], tmp_path, monkeypatch)
    assert "unknown rule" not in result.output
    found = {line.split()[1] for line in result.stdout.splitlines() if line.startswith("p.wiki")}
    assert found == {"date-format"}
    ur = run(["lint", "--select", "UR30", "--ignore", "UR305", "p.wiki"], tmp_path, monkeypatch)
    assert {line.split()[1] for line in ur.stdout.splitlines() if line.startswith("p.wiki")} == {
        "insecure-link"
    }


def test_extend_select_and_per_file_ignores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(
        tmp_path,
        {
            "wikilint.toml": 'select = ["DT"]\n[per-file-ignores]\n"old/*" = ["DT"]\n',
            "new.wiki": BAD + DATED,
            "old/page.wiki": BAD + DATED,
        },
    )
    plain = run(["lint", "new.wiki", "old/page.wiki"], tmp_path, monkeypatch)
    assert [line.split(":")[0] for line in plain.stdout.splitlines() if "date-format" in line] == [
        "new.wiki"
    ]
    wider = run(
        ["lint", "--extend-select", "UR304", "new.wiki", "old/page.wiki"], tmp_path, monkeypatch
    )
    assert listed(wider) == ["new.wiki", "old/page.wiki"]


def test_sarif_from_the_cli_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree(tmp_path, {"p.wiki": BAD + DATED})
    result = run(["lint", "--format", "sarif", "p.wiki"], tmp_path, monkeypatch)
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(log)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"UR304", "DT201"}
    assert log["runs"][0]["invocations"][0]["exitCode"] == 0  # no error (findings are 1)


def test_junit_from_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree(tmp_path, {"p.wiki": BAD, "clean.wiki": "Nothing here.\n"})
    result = run(
        ["lint", "--format", "junit", "--select", "UR304", "p.wiki", "clean.wiki"],
        tmp_path,
        monkeypatch,
    )
    root = ET.fromstring(result.stdout)
    assert [s.get("name") for s in root.iter("testsuite")] == ["p.wiki", "clean.wiki"]
    assert root.get("failures") == "1"


def test_statistics_exit_zero_quiet_and_output_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(tmp_path, {"p.wiki": BAD + BAD2 + DATED})
    stats = run(["lint", "--statistics", "p.wiki"], tmp_path, monkeypatch)
    assert stats.stdout.splitlines() == ["2\tUR304\t[*] insecure-link", "1\tDT201\t[*] date-format"]
    as_json = json.loads(
        run(["lint", "--statistics", "--format", "json", "p.wiki"], tmp_path, monkeypatch).stdout
    )
    assert as_json[0] == {"code": "UR304", "name": "insecure-link", "count": 2, "fixable": 2}
    zero = run(["lint", "--exit-zero", "p.wiki"], tmp_path, monkeypatch)
    assert zero.exit_code == 0 and "insecure-link" in zero.stdout
    quiet = run(["lint", "-q", "p.wiki"], tmp_path, monkeypatch)
    assert "findings" not in quiet.stdout and "Apply" not in quiet.stdout
    assert quiet.stdout.count("insecure-link") == 2
    (tmp_path / "out").mkdir()
    written = run(
        ["lint", "--format", "json", "--output-file", "out/report.json", "p.wiki"],
        tmp_path,
        monkeypatch,
    )
    assert written.exit_code == 1 and written.stdout == ""
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert len(report) == 3
    bad_place = run(["lint", "--output-file", "missing/dir/r.txt", "p.wiki"], tmp_path, monkeypatch)
    assert bad_place.exit_code == 2 and "cannot write the report" in bad_place.stderr


def test_the_lint_summary_ends_with_how_to_apply_the_fixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(tmp_path, {"my page.wiki": BAD})
    result = run(["lint", "my page.wiki"], tmp_path, monkeypatch)
    assert result.stdout.splitlines()[-1] == (
        "Apply the 1 safe fix with `wikilint fix --write 'my page.wiki'` "
        "(`wikilint fix 'my page.wiki'` shows the diff first)."
    )
    stdin = CliRunner().invoke(main, ["lint", "-"], input=BAD)
    assert stdin.stdout.splitlines()[-1] == (
        "`wikilint fix --stdout` prints the text with the 1 safe fix applied."
    )


@pytest.mark.parametrize(
    "tool", [["patch", "-p1", "--binary", "-i"], ["git", "apply"]], ids=["patch", "git-apply"]
)
def test_fix_unified_applies_with_patch_and_git(
    tool: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which(tool[0]) is None:
        pytest.fail(f"{tool[0]} is not installed")
    crlf = (BAD + DATED).replace("\n", "\r\n")
    files = {
        "pages/a.wiki": BAD + "More text.\n" + BAD2,
        "pages/b c.wiki": crlf,
        "pages/clean.wiki": "Nothing to fix.\n",
    }
    work = tmp_path / "work"
    work.mkdir()
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_bytes(text.encode())
    result = run(["fix", "--unified", "pages"], work, monkeypatch)
    assert result.exit_code == 1, result.stderr
    assert result.stdout.startswith("--- a/pages/a.wiki\n+++ b/pages/a.wiki\n")
    assert "Would apply" in result.stderr and "Would apply" not in result.stdout
    expected = {
        name: run(["fix", "--stdout", name], work, monkeypatch).stdout_bytes for name in files
    }
    patch = tmp_path / "fix.patch"
    patch.write_bytes(result.stdout_bytes)
    if tool[0] == "git":
        subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    subprocess.run([*tool, str(patch)], cwd=work, check=True, capture_output=True)
    for name in files:
        assert (work / name).read_bytes() == expected[name], name
    assert (work / "pages/b c.wiki").read_bytes().count(b"\r\n") == crlf.count("\r\n")
    again = run(["fix", "--unified", "pages"], work, monkeypatch)
    assert again.exit_code == 0 and again.stdout == ""  # nothing left to fix


def test_the_fix_summary_says_in_plain_words_when_fixes_did_not_settle() -> None:
    from dataclasses import replace

    from wikilint import rules
    from wikilint.bot.change.core import compute_change
    from wikilint.bot.cli.main import fix_summary

    text = "Claim.<ref>{{cite web |url=http://www.bbc.co.uk/a |title=A}}</ref>\n"
    settled = compute_change(text, config=rules.Config(select=("insecure-link",)))
    assert settled.converged and settled.proposed == text.replace("http:", "https:")
    assert fix_summary("p.wiki", settled) == (
        "p.wiki: 1 fix in 1 pass (insecure-link ×1); 0 findings remain"
    )
    stopped = replace(settled, converged=False)
    assert "the fixes had not settled when wikilint stopped" in fix_summary("p.wiki", stopped)
