"""``--pages-from``: pywikibot's page generators on the command line, against the local wiki.

The pages live in categories and templates made for each test alone, so the generators must
give exactly them."""

from __future__ import annotations

import itertools
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

pytestmark = pytest.mark.live


def wikilint(*args: str) -> Any:
    from wikilint.bot.cli.main import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def lint(*args: str) -> Any:
    return wikilint("lint", "--select", "insecure-link", "--no-color", *args)


def propose(state: Path, *args: str) -> list[str]:
    """The pages ``wikilint propose ARGS`` stored proposals for."""
    res = wikilint(
        "propose", *args, "--select", "insecure-link", "--state", str(state), "--no-color"
    )
    assert res.exit_code == 0, res.output
    with Store(state) as store:
        return [p.page for p in store.list("pending")]


def linted_pages(output: str) -> set[str]:
    return set(re.findall(r"\[\[(Wikilint test/gen[^\]]*)\]\]", output))


def files_linted(output: str) -> int:
    found = re.search(r"in (\d+) files?$", output, re.M)
    assert found, output
    return int(found[1])


def with_finding(n: object) -> str:
    """A page text with one insecure-link finding."""
    return f"Text [http://www.marxists.org/{n} {n}].\n"


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
    proposed = propose(tmp_path / "state.sqlite", "--pages-from", f"-cat:{pages['category']}")
    assert proposed == [pages["cat"]]


def test_unknown_generator_is_a_usage_error(pages: dict[str, str]) -> None:
    res = lint("--pages-from", "-nosuchgenerator:x")
    assert res.exit_code == 2 and "not a pywikibot page generator" in res.output


# -- categories with depth ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tree(live_wiki: str) -> dict[str, Any]:
    """Category:TOP holds page 0 and Category:TOP 1, which holds page 1 and Category:TOP 2,
    which holds page 2 and Category:TOP 3, which holds page 3."""
    human = ApiClient.for_account("human")
    top = f"Wikilint depth {uuid.uuid4().hex[:8]}"
    levels = [top, *(f"{top} {n}" for n in (1, 2, 3))]
    for parent, child in itertools.pairwise(levels):
        human.edit(f"Category:{child}", f"[[Category:{parent}]]", createonly=True)
    pages = [unique_title(f"gen-depth{n}") for n in range(len(levels))]
    for n, (page, category) in enumerate(zip(pages, levels, strict=True)):
        human.edit(page, with_finding(n) + f"[[Category:{category}]]", createonly=True)
    fresh_site()
    return {"category": top, "pages": pages}


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_category_depth_gives_the_levels_down_to_it(tree: dict[str, Any], depth: int) -> None:
    res = lint("--pages-from", f"-cat:{tree['category']}", "--category-depth", str(depth))
    assert res.exit_code == 1, res.output  # findings
    assert linted_pages(res.output) == set(tree["pages"][: depth + 1]), res.output
    assert files_linted(res.output) == depth + 1


def test_without_a_depth_cat_and_catr_stay_pywikibots(tree: dict[str, Any]) -> None:
    only_own = lint("--pages-from", f"-cat:{tree['category']}")
    assert linted_pages(only_own.output) == {tree["pages"][0]}, only_own.output
    every_level = lint("--pages-from", f"-catr:{tree['category']}")
    assert linted_pages(every_level.output) == set(tree["pages"]), every_level.output


def test_fix_takes_a_category_depth(tree: dict[str, Any]) -> None:
    res = wikilint(
        "fix",
        "--pages-from",
        f"-cat:{tree['category']}",
        "--category-depth",
        "1",
        "--select",
        "insecure-link",
        "--no-color",
    )
    assert res.exit_code == 1, res.output  # fixes proposed, nothing saved
    assert linted_pages(res.output) == set(tree["pages"][:2]), res.output


def test_propose_takes_a_category_depth(tree: dict[str, Any], tmp_path: Path) -> None:
    proposed = propose(
        tmp_path / "state.sqlite",
        "--pages-from",
        f"-cat:{tree['category']}",
        "--category-depth",
        "2",
    )
    assert sorted(proposed) == sorted(tree["pages"][:3])
