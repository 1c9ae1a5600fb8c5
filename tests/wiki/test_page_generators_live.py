"""``--pages-from``: pywikibot's page generators on the command line, against the local wiki.

The pages live in a category, a subcategory and a template made for this test alone, so the
generators must give exactly them."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from wikilint.bot.change.store import Store

from tests.wiki.conftest import fresh_site
from tests.wiki.helpers import unique_title
from tests.wiki.mwapi import ApiClient
from tests.wiki.test_cli_live import run

pytestmark = pytest.mark.live


def lint(*args: str) -> Any:
    from wikilint.bot.cli.main import main

    return CliRunner().invoke(
        main, ["lint", "--select", "insecure-link", "--no-color", *args], catch_exceptions=False
    )


def linted_pages(output: str) -> set[str]:
    return set(re.findall(r"\[\[(Wikilint test/gen[^\]]*)\]\]", output))


@pytest.fixture(scope="module")
def pages(live_wiki: str) -> dict[str, str]:
    human = ApiClient.for_account("human")
    tag = uuid.uuid4().hex[:8]
    cat, sub, tpl = f"Wikilint gen {tag}", f"Wikilint gen {tag} sub", f"Wikilint gen {tag}"
    named = {k: unique_title(f"gen-{k}") for k in ("cat", "sub", "tpl", "other")}
    human.edit(f"Template:{tpl}", "a template", createonly=True)
    human.edit(f"Category:{sub}", f"[[Category:{cat}]]", createonly=True)
    text = "Text [http://www.marxists.org/{0} {0}].\n"
    human.edit(named["cat"], text.format("a") + f"[[Category:{cat}]]", createonly=True)
    human.edit(named["sub"], text.format("b") + f"[[Category:{sub}]]", createonly=True)
    human.edit(named["tpl"], f"{{{{{tpl}}}}}\n" + text.format("c"), createonly=True)
    human.edit(named["other"], text.format("d"), createonly=True)
    fresh_site()
    return {"category": cat, "template": tpl, **named}


def test_cat_lints_exactly_the_category(pages: dict[str, str]) -> None:
    res = lint("--pages-from", f"-cat:{pages['category']}")
    assert res.exit_code == 1, res.output  # findings
    assert linted_pages(res.output) == {pages["cat"]}


def test_catr_includes_subcategories(pages: dict[str, str]) -> None:
    res = lint("--pages-from", f"-catr:{pages['category']}")
    assert linted_pages(res.output) == {pages["cat"], pages["sub"]}, res.output


def test_transcludes_and_a_titles_file_combine(pages: dict[str, str], tmp_path: Path) -> None:
    titles = tmp_path / "titles.txt"
    titles.write_text(f"{pages['other']}\n", encoding="utf-8")
    res = lint(
        "--pages-from", f"-transcludes:{pages['template']}", "--pages-from", f"-file:{titles}"
    )
    assert linted_pages(res.output) == {pages["tpl"], pages["other"]}, res.output


def test_propose_takes_a_generator(pages: dict[str, str], tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    res = run(
        [
            "propose",
            "--pages-from",
            f"-cat:{pages['category']}",
            "--select",
            "insecure-link",
            "--state",
            str(state),
            "--no-color",
        ]
    )
    assert res.exit_code == 0, res.output
    with Store(state) as store:
        assert [p.page for p in store.list("pending")] == [pages["cat"]]


def test_unknown_generator_is_a_usage_error(pages: dict[str, str]) -> None:
    res = lint("--pages-from", "-nosuchgenerator:x")
    assert res.exit_code == 2 and "not a pywikibot page generator" in res.output
