"""The ``wikilint`` command line, end to end through click's CliRunner."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from wikilint import rules
from wikilint.bot.cli.main import main, urls_needing_titles
from wikilint.bot.files.inputs import parse_source
from wikilint.rules.docs import TABLE_BEGIN, TABLE_END, rule_table_markdown

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SECTION_FILE = EXAMPLES / "leon-trotsky-section.wiki"
FORM_FILE = EXAMPLES / "leon-trotsky-edit-form.txt"

# One cite-missing-access-date finding (a stable rule with no fix) in section "Early life".
MISSING_ACCESS_DATE = (
    "Lead.\n== Early life ==\nBorn.<ref>{{cite web |url=https://example.org/a |title=A}}</ref>\n"
)
# One safe fix (insecure-link: http → https for a host known to serve HTTPS).
INSECURE = "Text.<ref>[http://www.marxists.org/archive/x.htm Title]</ref>\n"
CLEAN = "Nothing to see here.\n"
JSON_KEYS = {
    "rule",
    "code",
    "severity",
    "message",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "start",
    "end",
    "section",
    "fixable",
}


def run(*args: str, stdin: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


@pytest.fixture
def page(tmp_path: Path):
    def write(text: str, name: str = "page.wiki") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


# -- basics ---------------------------------------------------------------------------------


def test_version_and_help() -> None:
    assert run("--version").output.startswith("wikilint, version")
    help_text = run("--help").output
    for command in ("lint", "fix", "rules", "explain"):
        assert command in help_text


def test_every_option_has_help() -> None:
    for command in (main, *(main.commands[name] for name in ("lint", "fix", "rules", "explain"))):
        for param in command.params:
            if param.param_type_name == "option" and param.name not in ("help", "version"):
                assert getattr(param, "help", None), f"{command.name} {param.name} has no help"


# -- lint -----------------------------------------------------------------------------------


def test_lint_clean_file_exits_0(page) -> None:
    result = run("lint", str(page(CLEAN)))
    assert result.exit_code == 0
    assert "0 findings (0 fixable) in 1 file" in result.stdout


def test_lint_reports_location_rule_message_and_excerpt(page) -> None:
    path = page(MISSING_ACCESS_DATE)
    result = run("lint", str(path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"{path}:3:11: cite-missing-access-date {{{{cite web}}}} has a url= but no access-date="
    )
    assert "{{cite web |url=https://example.org/a" in lines[1]
    assert lines[2].strip().startswith("^^^")
    assert lines[-1] == "1 finding (0 fixable) in 1 file"


def test_excerpt_of_a_huge_line_is_short(page) -> None:
    filler = "word " * 4000
    path = page(filler + MISSING_ACCESS_DATE.replace("\n", " ") + filler)
    result = run("lint", "--select", "cite-missing-access-date", str(path))
    assert result.exit_code == 1
    assert max(len(line) for line in result.stdout.splitlines()) < 200


def test_lint_json_schema(page) -> None:
    path = page(MISSING_ACCESS_DATE)
    result = run("lint", "--format", "json", str(path))
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert len(findings) == 1
    item = findings[0]
    assert set(item) >= JSON_KEYS
    assert item["rule"] == "cite-missing-access-date" and item["code"] == "UR305"
    assert item["severity"] == "info" and item["fixable"] is False
    assert item["section"] == "Early life"
    assert (item["line"], item["column"]) == (3, 11)
    assert item["path"] == str(path)
    text = MISSING_ACCESS_DATE
    assert text[item["start"] : item["end"]].startswith("{{cite web")
    assert text[item["start"] : item["end"]].endswith("}}")
    assert (item["end_line"], item["end_column"]) == (3, 11 + item["end"] - item["start"])


def test_lint_json_with_no_findings_is_an_empty_list(page) -> None:
    result = run("lint", "--format", "json", str(page(CLEAN)))
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_lint_github_annotations(page) -> None:
    path = page(MISSING_ACCESS_DATE)
    result = run("lint", "--format", "github", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"::notice file={path},line=3,col=11,")
    assert result.stdout.rstrip().endswith("::{{cite web}} has a url= but no access-date=")


def test_lint_stdin(page) -> None:
    result = run("lint", "-", stdin=MISSING_ACCESS_DATE)
    assert result.exit_code == 1
    assert result.stdout.startswith("<stdin>:3:11: cite-missing-access-date")


@pytest.mark.parametrize("option", ["--ignore", "--select"])
def test_select_and_ignore_take_names_and_codes(page, option: str) -> None:
    path = str(page(MISSING_ACCESS_DATE))
    expected = 0 if option == "--ignore" else 1
    assert run("lint", option, "UR305", path).exit_code == expected
    assert run("lint", option, "cite-missing-access-date,UR305", path).exit_code == expected


def test_unknown_rule_is_a_usage_error_with_a_suggestion(page) -> None:
    result = run("lint", "--select", "cite-missing-acess-date", str(page(CLEAN)))
    assert result.exit_code == 2
    assert error_lines(result) == [
        "error: --select: unknown rule 'cite-missing-acess-date' "
        "(did you mean 'cite-missing-access-date'?)"
    ]


def test_section_filter(page) -> None:
    path = str(page("Intro <ref>{{cite web |url=https://e.org/b}}</ref>\n" + MISSING_ACCESS_DATE))
    assert len(json.loads(run("lint", "--format", "json", path).stdout)) == 2
    for key in ("Early life", "1", "early LIFE"):
        found = json.loads(run("lint", "--format", "json", "--section", key, path).stdout)
        assert [f["section"] for f in found] == ["Early life"]
    missing = run("lint", "--section", "Death", path)
    assert missing.exit_code == 2
    assert error_lines(missing)[0].startswith(f"error: {path}: no section 'Death'")


def test_section_by_number_and_name_counts_headings_as_mediawiki_does(page) -> None:
    # A heading with <code> or a comment is a section; one in a template argument takes a
    # number too (MediaWiki counts it), so "Early life" is section 4 here.
    path = str(
        page(
            "== A <code>x</code> ==\na\n== B <!-- c --> ==\n{{quote|\n== Q ==\n}}\n"
            + MISSING_ACCESS_DATE.replace("Lead.\n", "")
        )
    )
    for key in ("Early life", "4", "A x", "1", "B"):
        found = json.loads(run("lint", "--format", "json", "--section", key, path).stdout)
        assert [f["section"] for f in found] == (
            ["Early life"] if key in ("Early life", "4") else []
        ), key
    assert run("lint", "--section", "3", path).exit_code == 2  # taken by the nested heading


def test_config_is_discovered_upward(tmp_path: Path) -> None:
    (tmp_path / "wikilint.toml").write_text('ignore = ["cite-missing-access-date"]\n')
    sub = tmp_path / "pages"
    sub.mkdir()
    path = sub / "p.wiki"
    path.write_text(MISSING_ACCESS_DATE, encoding="utf-8")
    assert run("lint", str(path)).exit_code == 0
    assert run("lint", "--config", str(ROOT / "pyproject.toml"), str(path)).exit_code == 1


def test_bad_config_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "wikilint.toml"
    config.write_text('selct = ["ALL"]\n')
    path = tmp_path / "p.wiki"
    path.write_text(CLEAN, encoding="utf-8")
    result = run("lint", str(path))
    assert result.exit_code == 2
    assert error_lines(result) == [f"error: {config}: unknown key 'selct' (did you mean 'select'?)"]
    explicit = run("lint", "--config", str(config), str(path))
    assert explicit.exit_code == 2 and str(config) in explicit.stderr


def test_input_errors_name_the_file_and_the_rest_is_linted(tmp_path: Path, page) -> None:
    good = page(MISSING_ACCESS_DATE)
    latin = tmp_path / "latin.wiki"
    latin.write_bytes("Caf\xe9".encode("latin-1"))
    missing = tmp_path / "missing.wiki"
    result = run("lint", str(missing), str(latin), str(good))
    assert result.exit_code == 2
    errors = error_lines(result)
    assert len(errors) == 2
    assert errors[0] == f"error: {missing}: no such file"
    assert errors[1].startswith(f"error: {latin}: not valid UTF-8")
    assert f"{good}:3:11: cite-missing-access-date" in result.stdout


def test_parse_error_is_reported_and_exits_2(page, monkeypatch: pytest.MonkeyPatch) -> None:
    real_parse = rules.Document.parse.__func__

    def parse(cls, text: str, *args, **kwargs):
        if "DEEP" in text:
            raise rules.ParseError("nesting too deep to parse")
        return real_parse(cls, text, *args, **kwargs)

    monkeypatch.setattr(rules.Document, "parse", classmethod(parse))
    deep, good = page("DEEP {{{{", "deep.wiki"), page(MISSING_ACCESS_DATE)
    result = run("lint", str(deep), str(good))
    assert result.exit_code == 2
    assert f"{deep}:1:1: parse-error cannot parse the text: nesting too deep" in result.stdout
    assert f"{good}:3:11: cite-missing-access-date" in result.stdout


# -- the samples ----------------------------------------------------------------------------


def _findings_without_place(path: Path) -> tuple[list[str], str]:
    """Finding lines and excerpts, without ``path:line:col`` (the capture's edit box starts on
    line 60 of its file: positions are in the file as read) and without the closing hint (a
    capture is fixed with --stdout, a file with --write)."""
    result = run("lint", str(path))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()[:-1]
    return [re.sub(r"^.*?:\d+:\d+: ", "", line) for line in lines], result.stderr


@pytest.mark.corpus
def test_edit_form_capture_gives_the_same_findings_as_the_section() -> None:
    from_section, notes = _findings_without_place(SECTION_FILE)
    from_form, form_notes = _findings_without_place(FORM_FILE)
    assert from_section == from_form
    assert len(from_section) > 40
    assert "restored line breaks around 20 headings" in notes
    assert "restored line breaks around 20 headings" in form_notes


@pytest.mark.corpus
def test_sample_positions_are_in_the_files_as_read() -> None:
    # Issue 10 bug 9: the one-line sample got findings on "line 5" and beyond.
    for path in (SECTION_FILE, FORM_FILE):
        raw = path.read_text(encoding="utf-8")
        lines = raw.splitlines(keepends=True)
        found = json.loads(run("lint", "--format", "json", str(path)).stdout)
        assert found
        for f in found:
            assert 1 <= f["line"] <= len(lines) and 1 <= f["end_line"] <= len(lines)
            start_of_line = sum(len(line) for line in lines[: f["line"] - 1])
            assert start_of_line + f["column"] - 1 == f["start"]
            for edit in (f["fix"] or {}).get("edits", []):
                assert "\n" not in edit["replacement"]
        if path == SECTION_FILE:
            assert {f["line"] for f in found} == {1}
        bare = next(f for f in found if f["rule"] == "bare-url")
        assert raw[bare["start"] : bare["end"]].startswith("http")
        assert bare["section"] == "Kronstadt rebellion"  # sections come from the restored view


def test_sample_acceptance_findings() -> None:
    result = run("lint", "--format", "json", str(FORM_FILE))
    findings = json.loads(result.stdout)
    bare = [f for f in findings if f["rule"] == "bare-url"]
    assert any(f["section"] == "Kronstadt rebellion" for f in bare)
    prose = [f for f in findings if f["rule"] == "prose-date-format"]
    assert any("2019 February 20" in f["message"] for f in prose)
    assert not [f for f in findings if f["rule"] == "date-format"]


# -- saved edit pages -----------------------------------------------------------------------

EDIT_PAGE = (
    "<!DOCTYPE html><html><head><title>Editing Page (section) - Wiki</title></head><body>"
    '<input type="hidden" value="2" name="wpSection">'
    '<textarea name="wpTextbox1" id="wpTextbox1">\n== Early life ==\n'
    "Born.&lt;ref&gt;{{cite web |url=https://example.org/a |title=A}}&lt;/ref&gt;\n"
    "</textarea></body></html>"
)


def test_html_edit_page_is_linted_and_never_written(page) -> None:
    path = page(EDIT_PAGE, "edit.html")
    result = run("lint", "--format", "json", str(path))
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)
    assert finding["rule"] == "cite-missing-access-date" and finding["section"] == "Early life"
    refused = run("fix", "--write", str(path))
    assert refused.exit_code == 2
    assert "--stdout" in error_lines(refused)[0] and str(path) in error_lines(refused)[0]
    assert path.read_text(encoding="utf-8") == EDIT_PAGE


# -- fix ------------------------------------------------------------------------------------


def test_fix_default_is_a_dry_run_word_diff(page) -> None:
    path = page(INSECURE)
    result = run("fix", str(path))
    assert result.exit_code == 1  # fixes proposed
    assert "[-http-]{+https+}" in result.stdout
    assert "@@ 1:12 @@" in result.stdout
    assert "insecure-link ×1" in result.stdout and "converge" not in result.stdout
    assert "dry run" in result.stdout
    assert path.read_text(encoding="utf-8") == INSECURE
    assert run("fix", "--diff", str(path)).stdout == result.stdout


def test_fix_with_nothing_to_fix_exits_0(page) -> None:
    result = run("fix", str(page(MISSING_ACCESS_DATE)))
    assert result.exit_code == 0
    assert "nothing to fix; 1 finding remains" in result.stdout


def test_fix_stdout_prints_the_text_and_the_summary_on_stderr(page) -> None:
    result = run("fix", "--stdout", str(page(INSECURE)))
    assert result.exit_code == 0
    assert result.stdout == INSECURE.replace("http://", "https://")
    assert "1 fix in 1 pass" in result.stderr


def test_fix_stdout_takes_one_input(page) -> None:
    result = run("fix", "--stdout", str(page(INSECURE)), str(page(CLEAN, "b.wiki")))
    assert result.exit_code == 2


@pytest.mark.corpus
def test_fix_is_idempotent_on_the_sample(tmp_path: Path) -> None:
    first = run("fix", "--stdout", str(SECTION_FILE))
    assert first.exit_code == 0 and first.stdout
    fixed = tmp_path / "fixed.wiki"
    fixed.write_text(first.stdout, encoding="utf-8")
    second = run("fix", "--stdout", str(fixed))
    assert second.stdout == first.stdout
    assert run("fix", str(fixed)).exit_code == 0


def test_fix_write_rewrites_in_place_keeping_mode_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "page.wiki"
    path.write_bytes(("\ufeff" + INSECURE.replace("\n", "\r\nMore.\r\n")).encode())
    os.chmod(path, 0o640)
    result = run("fix", "--write", str(path))
    assert result.exit_code == 0
    assert "Applied 1 fix to 1 file." in result.stdout
    expected = "\ufeff" + INSECURE.replace("http://", "https://").replace("\n", "\r\nMore.\r\n")
    assert path.read_bytes() == expected.encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.wiki"]


def test_fix_write_failure_leaves_the_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "page.wiki"
    path.write_text(INSECURE, encoding="utf-8")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    result = run("fix", "--write", str(path))
    assert result.exit_code == 2
    assert error_lines(result) == [f"error: {path}: cannot write: No space left on device"]
    assert path.read_text(encoding="utf-8") == INSECURE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.wiki"]


def test_fix_write_on_a_flattened_file_writes_only_the_fixes(tmp_path: Path) -> None:
    # Issue 11 #5: restoring lost line breaks is a way of reading; it is never written.
    flat = "== A == Text.<ref>[http://www.marxists.org/x.htm T]</ref> == B == More text here."
    path = tmp_path / "flat.wiki"
    path.write_text(flat, encoding="utf-8")
    result = run("fix", "--write", str(path))
    assert result.exit_code == 0
    assert "restored line breaks around 2 headings" in result.stderr
    assert path.read_text(encoding="utf-8") == flat.replace("http://", "https://")
    printed = run("fix", "--stdout", str(tmp_path / "flat.wiki"))
    assert printed.stdout == path.read_text(encoding="utf-8")


def test_json_lists_the_findings_of_every_file(page) -> None:
    first, second = page(MISSING_ACCESS_DATE, "a.wiki"), page(MISSING_ACCESS_DATE, "b.wiki")
    found = json.loads(run("lint", "--format", "json", str(first), str(second)).stdout)
    assert [f["path"] for f in found] == [str(first), str(second)]


def test_fix_write_refuses_stdin_and_edit_forms() -> None:
    result = run("fix", "--write", "-", stdin=INSECURE)
    assert result.exit_code == 2
    assert "<stdin>: --write cannot" in result.stderr and "--stdout" in result.stderr
    form = run("fix", "--write", str(FORM_FILE))
    assert form.exit_code == 2 and "edit-form capture" in form.stderr


def test_unsafe_fixes_use_fetched_titles(page, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://example.org/report"
    calls: list[list[str]] = []

    def fetch_titles(urls, contact, **limits):
        assert contact == "ops@example.org"
        calls.append(list(urls))
        return {u: "Annual report 2018" for u in urls}

    fake = types.ModuleType("wikilint.bot.web.fetch")
    fake.fetch_titles = fetch_titles  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "wikilint.bot.web.fetch", fake)
    path = page(f"Text.<ref>{url}</ref>\n")
    safe_only = run("fix", "--stdout", str(path))
    assert safe_only.stdout == path.read_text(encoding="utf-8") and not calls
    no_fetch = run("fix", "--stdout", "--unsafe-fixes", "--no-fetch", str(path))
    assert "cite web" not in no_fetch.stdout and not calls
    no_contact = run("fix", "--stdout", "--unsafe-fixes", str(path))
    assert "--contact" in no_contact.stderr and not calls
    assert "cite web" not in no_contact.stdout
    fixed = run("fix", "--stdout", "--unsafe-fixes", "--contact", "ops@example.org", str(path))
    assert calls == [[url]]
    assert "{{cite web |url=https://example.org/report |title=Annual report 2018" in fixed.stdout


def test_urls_needing_titles_finds_bare_and_placeholder_urls() -> None:
    text = (
        "A.<ref>https://example.org/a</ref> B.<ref>{{cite web |url=https://example.org/b "
        "|title=Archived copy |archive-url=https://web.archive.org/web/2019/https://example.org/b"
        " |access-date=1 May 2020}}</ref>\n"
    )
    result = rules.lint(text, rules.Config(select=("bare-url", "placeholder-title")))
    assert urls_needing_titles(result) == [
        "https://example.org/a",
        "https://web.archive.org/web/2019/https://example.org/b",
    ]


# -- rules and explain ----------------------------------------------------------------------


def test_rules_table_and_markdown() -> None:
    table = run("rules").stdout.splitlines()
    assert table[0].split() == ["RULE", "CODE", "SEVERITY", "FIX", "SUMMARY"]
    assert any(line.startswith("cite-missing-access-date") and "UR305" in line for line in table)
    assert run("rules", "--markdown").stdout == rule_table_markdown() + "\n"


def test_explain_by_name_and_code() -> None:
    by_name = run("explain", "cite-missing-access-date")
    assert by_name.exit_code == 0 and "## What it does" in by_name.stdout
    assert run("explain", "ur305").stdout == by_name.stdout


def test_explain_unknown_rule_suggests() -> None:
    result = run("explain", "cite-mising-access-date")
    assert result.exit_code == 2
    assert "did you mean 'cite-missing-access-date'" in result.stderr


def test_readme_rule_table_is_fresh() -> None:
    """README.md embeds `wikilint rules --markdown` between the markers; regenerate when stale."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert TABLE_BEGIN in readme and TABLE_END in readme, "README.md lacks the rule table markers"
    start = readme.index(TABLE_BEGIN)
    end = readme.index(TABLE_END) + len(TABLE_END)
    assert readme[start:end] == rule_table_markdown(), "run `wikilint rules --markdown`"


# -- the lint path stays light --------------------------------------------------------------


@pytest.mark.slow
def test_lint_and_fix_never_import_pywikibot_or_requests(tmp_path: Path) -> None:
    path = tmp_path / "p.wiki"
    path.write_text(INSECURE, encoding="utf-8")
    script = (
        "import sys\nfrom click.testing import CliRunner\nfrom wikilint.bot.cli.main import main\n"
        f"for args in (['lint', {str(path)!r}], ['fix', {str(path)!r}]):\n"
        "    CliRunner().invoke(main, args, catch_exceptions=False)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pywikibot', 'requests')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_lint_page_reads_through_the_wiki_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    from wikilint.bot.cli import wiki_commands as wiki_cli

    def fetch_page(title: str, site: str | None = None) -> types.SimpleNamespace:
        assert site == "test:en"
        return types.SimpleNamespace(title=title, text=MISSING_ACCESS_DATE)

    monkeypatch.setattr(wiki_cli, "fetch_page", fetch_page)
    result = run("lint", "--page", "Some page", "--site", "test:en")
    assert result.exit_code == 1
    assert result.stdout.startswith("[[Some page]]:3:11: cite-missing-access-date")


# -- one Report for lint and fix (issue 10), files (issue 11 Low) ---------------------------


def _fake_wiki_page(monkeypatch: pytest.MonkeyPatch, text: str, account: str = "Bot") -> None:
    from wikilint.bot.change.policy import PagePolicy
    from wikilint.bot.cli import wiki_commands as wiki_cli

    def fetch_page(title: str, site: str | None = None) -> types.SimpleNamespace:
        return types.SimpleNamespace(title=title, text=text)

    monkeypatch.setattr(wiki_cli, "fetch_page", fetch_page)
    monkeypatch.setattr(wiki_cli, "page_policy_for", lambda site: PagePolicy(username=account))


@pytest.mark.parametrize("mode", [[], ["--stdout"]])
def test_fix_page_behaves_exactly_like_fix_file(
    page, monkeypatch: pytest.MonkeyPatch, mode: list[str]
) -> None:
    # Issue 10 bug 3: `fix --page P --section 3` exited 0 while proposing fixes, in its own format.
    text = "Lead.\n== Early life ==\n" + INSECURE + "== Later ==\n" + INSECURE
    _fake_wiki_page(monkeypatch, text)
    path = page(text)
    from_file = run("fix", *mode, "--section", "1", str(path))
    from_page = run("fix", *mode, "--section", "1", "--page", "P")
    assert from_file.exit_code == from_page.exit_code == (0 if mode else 1)
    assert from_page.stdout == from_file.stdout.replace(str(path), "[[P]]")
    assert from_page.stderr == from_file.stderr.replace(str(path), "[[P]]")
    if mode:
        assert from_page.stdout == text.replace("http://", "https://", 1)
    else:
        assert "[-http-]{+https+}" in from_page.stdout and "insecure-link ×1" in from_page.stdout


@pytest.mark.slow
def test_no_color_is_honoured_by_lint_and_fix_on_a_terminal(page) -> None:
    import pty

    path = page(INSECURE)

    def on_a_terminal(*args: str, no_color: str | None) -> str:
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        if no_color is not None:
            env["NO_COLOR"] = no_color
        leader, follower = pty.openpty()
        code = "from wikilint.bot.cli.main import main; main()"
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            stdout=follower,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        assert done.returncode == 1
        return b"".join(chunks).decode()

    for command in ("lint", "fix"):
        assert "\x1b[" in on_a_terminal(command, str(path), no_color=None)
        assert "\x1b[" in on_a_terminal(command, str(path), no_color="")  # empty: not set
        plain = on_a_terminal(command, str(path), no_color="1")
        assert "\x1b[" not in plain and "insecure-link" in plain
        assert "\x1b[" in on_a_terminal(command, "--color", str(path), no_color="1")


@pytest.mark.parametrize(
    ("tag", "account", "skipped"),
    [
        ("{{nobots}}", "Bot", "excluded by {{bots}}/{{nobots}}"),
        ("{{bots|deny=Bot}}", "Bot", "excluded by {{bots}}/{{nobots}}"),
        ("{{bots|deny=Bot}}", "Other", None),  # the account the wiki is used with counts
        ("{{Template:In use}}", "Bot", "tagged {{in use}}/{{under construction}}"),
    ],
)
def test_fix_page_applies_the_page_policy_of_propose_and_submit(
    page, monkeypatch: pytest.MonkeyPatch, tag: str, account: str, skipped: str | None
) -> None:
    # `fix --page` computes its change with the change core, under the page policy propose
    # and submit apply: it does not show fixes on a page the bot leaves alone. (It called
    # rules.fix directly, and showed them.) A file has no page policy.
    text = f"{tag}\n{INSECURE}"
    _fake_wiki_page(monkeypatch, text, account)
    from_file = run("fix", str(page(text)))
    assert from_file.exit_code == 1 and "[-http-]{+https+}" in from_file.stdout
    from_page = run("fix", "--page", "P")
    printed = run("fix", "--stdout", "--page", "P")
    if skipped is None:
        assert from_page.exit_code == 1 and "[-http-]{+https+}" in from_page.stdout
        return
    assert (from_page.exit_code, printed.exit_code) == (0, 0)
    assert "[-" not in from_page.stdout and "+++" not in from_page.stdout
    assert f"[[P]]: skipped: {skipped} (propose and submit skip it too" in from_page.stdout
    assert printed.stdout == text  # the text as read, nothing fixed


def test_fix_page_and_fix_file_compute_through_the_change_core(
    page, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wikilint.bot.change import core

    calls: list[tuple[str | int | None, object]] = []
    real = core.compute_change

    def spy(text: str, **kwargs: object) -> core.Change:
        calls.append((kwargs.get("section"), kwargs.get("policy")))
        return real(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(core, "compute_change", spy)
    text = "Lead.\n== Early life ==\n" + INSECURE
    _fake_wiki_page(monkeypatch, text, "Bot")
    assert run("fix", "--section", "1", str(page(text))).exit_code == 1
    assert run("fix", "--section", "1", "--page", "P").exit_code == 1
    (file_section, file_policy), (page_section, page_policy) = calls
    assert file_section == page_section == "1"
    assert file_policy is None and getattr(page_policy, "username", None) == "Bot"


def test_wiki_commands_honour_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from wikilint.bot.cli import wiki_commands as wiki_cli

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert wiki_cli._color(None) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert wiki_cli._color(None) is False
    assert wiki_cli._color(True) is True


def test_explain_prints_each_section_once() -> None:
    # Issue 10 bug 10: bare-url and insecure-link printed "## Options" twice.
    for rule in rules.all_rules():
        text = run("explain", rule.name).stdout
        headings = [line for line in text.splitlines() if line.startswith("## ")]
        assert len(headings) == len(set(headings)), (rule.name, headings)
        assert "## Options" in headings
    bare = run("explain", "bare-url").stdout
    assert "`tag_unfetched` (default: `False`)" in bare
    assert "tag URL-only refs that have no fetched title" in bare  # the docstring's words kept


def test_unknown_section_is_one_short_line() -> None:
    # Issue 10 bug 11: every section name on one line, about 20 KB on a flattened page.
    result = run("lint", "--no-restore-newlines", "--section", "nope", str(SECTION_FILE))
    [line] = error_lines(result)
    # Flattened, the page has no heading on a line of its own: no section, as in MediaWiki.
    assert result.exit_code == 2 and len(line) < 300 and "the page has no sections" in line
    result = run("lint", "--section", "nope", str(SECTION_FILE))
    [line] = error_lines(result)
    assert len(line) < 600 and "20 sections" in line and "14 more" in line


def test_failed_write_reports_no_applied_fixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 11 Low: a folder that can't be written gave the error and "Applied 6 fixes to 1 file."
    path = tmp_path / "page.wiki"
    path.write_text(INSECURE, encoding="utf-8")

    def no_temp_file(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", no_temp_file)
    result = run("fix", "--write", str(path))
    assert result.exit_code == 2
    assert error_lines(result) == [f"error: {path}: cannot write: Permission denied"]
    assert "Applied" not in result.output and "fix in 1 pass" not in result.output
    assert path.read_text(encoding="utf-8") == INSECURE


def test_write_refuses_a_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "page.wiki"
    path.write_text(INSECURE, encoding="utf-8")
    os.chmod(path, 0o444)
    result = run("fix", "--write", str(path))
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert str(path) in line and "read-only" in line
    assert path.read_text(encoding="utf-8") == INSECURE
    assert "Applied" not in result.output


def test_write_keeps_hard_links_and_symlinks(tmp_path: Path) -> None:
    path = tmp_path / "page.wiki"
    path.write_text(INSECURE, encoding="utf-8")
    other = tmp_path / "other-name.wiki"
    os.link(path, other)
    link = tmp_path / "link.wiki"
    link.symlink_to(path)
    result = run("fix", "--write", str(link))
    assert result.exit_code == 0, result.output
    fixed = INSECURE.replace("http://", "https://")
    assert other.read_text(encoding="utf-8") == fixed  # the other name sees the new text
    assert os.path.samefile(path, other) and link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "link.wiki",
        "other-name.wiki",
        "page.wiki",
    ]


def test_in_place_write_failure_puts_the_old_text_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wikilint.bot.files import writefile

    path = tmp_path / "page.wiki"
    path.write_text(INSECURE * 50, encoding="utf-8")
    os.link(path, tmp_path / "other.wiki")
    real = writefile._overwrite
    calls = []

    def fail_once(target: Path, data: bytes) -> None:
        calls.append(data)
        if len(calls) == 1:
            with open(target, "r+b") as handle:
                handle.write(data[:10])  # half-way, then the disk fills up
            raise OSError(28, "No space left on device")
        real(target, data)

    monkeypatch.setattr(writefile, "_overwrite", fail_once)
    result = run("fix", "--write", str(path))
    assert result.exit_code == 2
    assert error_lines(result) == [f"error: {path}: cannot write: No space left on device"]
    assert path.read_text(encoding="utf-8") == INSECURE * 50
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.wiki", "page.wiki"]


def test_a_file_name_with_a_newline_stays_on_one_error_line(tmp_path: Path) -> None:
    missing = tmp_path / "two\nlines.wiki"
    result = run("lint", str(missing))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "two\\nlines.wiki" in result.stderr


@pytest.mark.parametrize(
    "pyproject, expected",
    [
        ('[tool.wikilint]\nselect = ["bare-url"\n', "invalid TOML"),
        ("[tool]\nwikilint = 5\n", "[tool.wikilint] must be a table, not an integer"),
        ("tool = 5\n# wikilint\n", "[tool] must be a table"),
    ],
)
def test_a_broken_pyproject_table_is_a_config_error(
    tmp_path: Path, pyproject: str, expected: str
) -> None:
    # Issue 11 Low: a syntax error was ignored silently; `[tool] wikilint = 5` was a TypeError.
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    path = tmp_path / "page.wiki"
    path.write_text(INSECURE, encoding="utf-8")
    result = run("lint", str(path))
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert expected in line and "pyproject.toml" in line
    assert "internal error" not in result.output


def test_a_pyproject_without_a_wikilint_table_is_still_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'x' # wikilint\n", "utf-8")
    path = tmp_path / "page.wiki"
    path.write_text(CLEAN, encoding="utf-8")
    assert run("lint", str(path)).exit_code == 0


# -- the text as read: restored line breaks, line endings, BOM (issue 11 #5/#7, 12 #4) ------

LINK = "<ref>[http://www.marxists.org/archive/x.htm Title]</ref>"


@pytest.mark.parametrize(
    "prose",
    [
        "a == b == c",
        "1 + 1 == 2 == 2",
        "x = y",
        "* not a list",
        "Then. * not a list",
        "so a == b == c holds, and 1 + 1 == 2 == 2 too",
    ],
)
def test_fix_write_on_one_line_prose_changes_only_the_fix(tmp_path: Path, prose: str) -> None:
    # Issue 11 #5: `a == b == c` became a heading `== b ==` and was written.
    text = f"Some words first, {prose} and then more words to be long enough.{LINK} The end."
    path = tmp_path / "prose.wiki"
    path.write_text(text, encoding="utf-8")
    result = run("fix", "--write", str(path))
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == text.replace("http://", "https://")
    assert "restored line breaks" not in result.stderr


@pytest.mark.corpus
def test_fix_stdout_of_the_flattened_sample_writes_no_restored_line_break() -> None:
    raw = SECTION_FILE.read_text(encoding="utf-8")
    printed = run("fix", "--stdout", str(SECTION_FILE))
    assert printed.exit_code == 0 and "restored line breaks" in printed.stderr
    assert "\n" not in printed.stdout and printed.stdout != raw
    # Read again, the printed text is exactly what the fix made of the restored view.
    source = parse_source(raw.encode(), "s", None)
    again = parse_source(printed.stdout.encode(), "s", None)
    assert again.text == rules.fix(source.text).text
    # The edit form capture prints the same fixed wikitext (its edit box only).
    assert run("fix", "--stdout", str(FORM_FILE)).stdout == printed.stdout


CRLF_PAGE = "\ufeffLead line.\r\n== A ==\r\nText." + LINK + "\r\nMore.\r\n"


def _apply_json_edits(raw: str, findings: list[dict]) -> str:
    edits = [e for f in findings if f["fix"] for e in f["fix"]["edits"]]
    for edit in sorted(edits, key=lambda e: e["start"], reverse=True):
        raw = raw[: edit["start"]] + edit["replacement"] + raw[edit["end"] :]
    return raw


@pytest.mark.parametrize("from_stdin", [False, True])
def test_crlf_and_bom_are_kept_and_offsets_index_the_file_as_read(
    tmp_path: Path, from_stdin: bool
) -> None:
    # Issue 12 #4: `fix --stdout` printed LF, JSON offsets counted on the LF-normalised text.
    path = tmp_path / "crlf.wiki"
    path.write_bytes(CRLF_PAGE.encode())
    arg, stdin = ("-", CRLF_PAGE.encode()) if from_stdin else (str(path), None)
    expected = CRLF_PAGE.replace("http://", "https://")
    printed = CliRunner().invoke(main, ["fix", "--stdout", arg], input=stdin)
    assert printed.stdout_bytes == expected.encode()
    found = json.loads(
        CliRunner().invoke(main, ["lint", "--format", "json", arg], input=stdin).stdout
    )
    [link] = [f for f in found if f["rule"] == "insecure-link"]
    assert CRLF_PAGE[link["start"] : link["end"]] == "http://www.marxists.org/archive/x.htm"
    assert (link["line"], link["column"]) == (3, 12)
    assert link["section"] == "A"
    assert _apply_json_edits(CRLF_PAGE, found) == expected
    text = CliRunner().invoke(main, ["lint", arg], input=stdin).stdout
    assert ":3:12: insecure-link" in text and "\r" not in text


def test_mixed_line_endings_are_kept_exactly(tmp_path: Path) -> None:
    # Issue 11 #7: a file with CRLF, LF and a lone CR came back all CRLF.
    mixed = (
        "Lead.\r\n== A ==\nText."
        + LINK
        + "\rMore."
        + LINK.replace("x.htm", "y.htm")
        + ("\r\nEnd.\n")
    )
    path = tmp_path / "mixed.wiki"
    path.write_bytes(mixed.encode())
    result = run("fix", "--write", str(path))
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == mixed.replace("http://", "https://").encode()
    path.write_bytes(mixed.encode())
    found = json.loads(run("lint", "--format", "json", str(path)).stdout)
    assert [(f["line"], f["column"]) for f in found if f["rule"] == "insecure-link"] == [
        (3, 12),
        (4, 12),
    ]
    assert _apply_json_edits(mixed, found) == mixed.replace("http://", "https://")


@pytest.mark.corpus
def test_fix_diff_shows_positions_in_the_file_as_read() -> None:
    result = run("fix", str(FORM_FILE))
    assert result.exit_code == 1
    hunks = [line for line in result.stdout.splitlines() if line.startswith("@@ ")]
    assert hunks and all(line.startswith("@@ 58:") for line in hunks), hunks[:3]


def test_fix_diff_of_mixed_line_endings_shows_lines_as_read(tmp_path: Path) -> None:
    filler = "Words that keep the two fixes apart in the diff, one line after another."
    mixed = (
        f"Lead.\r{filler}\r\nText."
        + LINK
        + f"\r{filler}\r{filler}\nMore."
        + LINK.replace("x.htm", "y.htm")
        + "\r\n"
    )
    path = tmp_path / "mixed.wiki"
    path.write_bytes(mixed.encode())
    found = json.loads(run("lint", "--format", "json", str(path)).stdout)
    places = [f"@@ {f['line']}:{f['column']} @@" for f in found if f["rule"] == "insecure-link"]
    assert places == ["@@ 3:12 @@", "@@ 6:12 @@"]
    diff = run("fix", str(path)).stdout
    assert [
        line.split(" @@")[0] + " @@" for line in diff.splitlines() if line.startswith("@@")
    ] == places
    assert "\r" not in diff


def test_a_fix_that_cannot_be_mapped_back_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wikilint.bot.change import core

    # Edits that do not give the fixed text: the change core refuses them.
    monkeypatch.setattr(core, "compose", lambda applied: [])
    path = tmp_path / "page.wiki"
    path.write_text(INSECURE, encoding="utf-8")
    result = run("fix", "--write", str(path))
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert str(path) in line and "internal error" in line
    assert path.read_text(encoding="utf-8") == INSECURE and "Applied" not in result.output
