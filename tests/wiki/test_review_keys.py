"""The terminal review's keys as a reviewer meets them: ``?``, ``e`` (a fake $EDITOR) and
``o`` (a fake browser), through click's runner."""

from __future__ import annotations

import stat
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from wikilint.bot.change.store import Store
from wikilint.bot.cli import wiki_commands
from wikilint.rules.model import apply_edits

from tests.wiki.test_offline import PAGE, cli, stored


def review(state: Path, keys: str, env: dict[str, str] | None = None) -> Any:
    res = CliRunner().invoke(
        cli(),
        ["review", "--state", str(state), "--no-color"],
        input=keys,
        env=env,
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    return res


def fake_editor(tmp_path: Path, new_text: str | None) -> dict[str, str]:
    """$EDITOR: a script that saves ``new_text`` over the file (or quits without saving)
    and keeps what it was given in ``given.txt``."""
    given = tmp_path / "given.txt"
    script = tmp_path / "editor.sh"
    body = f'cp "$1" "{given}"\n'
    if new_text is not None:
        (tmp_path / "new.txt").write_text(new_text, encoding="utf-8")
        body += f'cat "{tmp_path / "new.txt"}" > "$1"\n'
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return {"EDITOR": str(script), "VISUAL": ""}


def test_question_mark_lists_the_keys_and_keeps_the_prompt(tmp_path: Path) -> None:
    state = stored(tmp_path)
    res = review(state, "?\ns\n")
    assert "Error" not in res.output
    for key, what in (("e", "$EDITOR"), ("o", "browser"), ("f", "one by one")):
        assert any(
            line.strip().startswith(key) and what in line for line in res.output.splitlines()
        ), res.output
    assert "skipped 1" in res.output


@pytest.mark.slow  # the fake $EDITOR is a process
def test_edit_a_paragraph_no_worse_becomes_the_proposal(tmp_path: Path) -> None:
    state = stored(tmp_path)
    mine = (
        "== Early life ==\nBorn in Yanovka, [https://www.marxists.org/a A] and "
        "[https://www.marxists.org/b B].\n"
    )
    env = fake_editor(tmp_path, mine)
    # two findings: say which one's paragraph, then accept the hand-edited proposal
    res = review(state, "e\n1\na\n", env)
    given = (tmp_path / "given.txt").read_text(encoding="utf-8")
    assert given.startswith("== Early life ==\nBorn [https://www.marxists.org/a A]")
    assert "Died" not in given and "Lead" not in given  # one paragraph, as proposed
    assert "your paragraph is the proposal's change now" in res.output
    assert "Yanovka" in res.output.split("change now")[1]  # the new diff is shown
    with Store(state) as store:
        p = store.get(1)
    assert p.status == "accepted"
    assert "Born in Yanovka, [https://www.marxists.org/a A]" in p.proposed
    assert p.edits is not None and apply_edits(p.original, p.edits) == p.proposed
    # the rest of the page is the proposal's (here: untouched outside the section)
    assert p.proposed.replace("Born in Yanovka, ", "Born ") == p.original.replace(
        "http://www.marxists.org/a", "https://www.marxists.org/a"
    ).replace("http://www.marxists.org/b", "https://www.marxists.org/b")
    assert p.original == PAGE


@pytest.mark.slow  # the fake $EDITOR is a process
def test_edit_that_lints_worse_is_refused(tmp_path: Path) -> None:
    state = stored(tmp_path)
    with Store(state) as store:
        before = store.get(1).proposed
    worse = (
        "== Early life ==\nBorn [http://www.marxists.org/a A] and [http://www.marxists.org/b B].\n"
    )
    res = review(state, "e\n2\ns\n", fake_editor(tmp_path, worse))
    assert "the proposal stays as it was" in res.output and "insecure-link" in res.output
    with Store(state) as store:
        assert store.get(1).proposed == before and store.get(1).status == "pending"


@pytest.mark.slow  # the fake $EDITOR is a process
def test_edit_quit_without_saving_changes_nothing(tmp_path: Path) -> None:
    state = stored(tmp_path)
    res = review(state, "e\n1\ns\n", fake_editor(tmp_path, None))
    assert "paragraph unchanged" in res.output and "skipped 1" in res.output


@pytest.mark.slow  # the missing $EDITOR is looked for by a shell
def test_edit_with_a_missing_editor_keeps_reviewing(tmp_path: Path) -> None:
    state = stored(tmp_path)
    res = review(state, "e\n1\ns\n", {"EDITOR": str(tmp_path / "no-such-editor"), "VISUAL": ""})
    assert "cannot edit:" in res.output and "skipped 1" in res.output


def test_o_opens_the_base_revision_in_the_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = stored(tmp_path)
    opened: list[str] = []
    site = SimpleNamespace(
        siteinfo={"server": "//wiki.example", "script": "/w/index.php", "articlepath": "/wiki/$1"}
    )
    monkeypatch.setattr(wiki_commands, "open_site", lambda name: site)
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    res = review(state, "o\ns\n")
    assert opened == ["https://wiki.example/w/index.php?title=Sample&oldid=1"]
    assert f"opening {opened[0]}" in res.output and "skipped 1" in res.output


def test_o_without_a_browser_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = stored(tmp_path)
    site = SimpleNamespace(
        siteinfo={
            "server": "http://127.0.0.1",
            "script": "/index.php",
            "articlepath": "/index.php/$1",
        }
    )
    monkeypatch.setattr(wiki_commands, "open_site", lambda name: site)
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: False)
    res = review(state, "o\nq\n")
    assert "open the address above yourself" in res.output


def test_diff_url_uses_the_articlepath() -> None:
    from wikilint.bot.wiki import api as wiki

    site: Any = SimpleNamespace(
        siteinfo={
            "server": "http://127.0.0.1:8089",
            "script": "/index.php",
            "articlepath": "/index.php/$1",
        }
    )
    assert wiki.diff_url(site, 42) == "http://127.0.0.1:8089/index.php/Special:Diff/42"
