"""``--pages-from``: pywikibot's page generators on the command line, against the local wiki.

The pages live in categories, templates and search words made for each test alone, so the
generators must give exactly them. Recent changes and new pages are the wiki's latest edits:
each of those tests makes its edits right before it lists them (the live lock keeps other
writers out), with a count that must hold exactly its own edits and leave out an earlier one,
and edits that the generator must skip.

Search needs no job queue: MediaWiki (1.39) updates the search index in the edit request
itself (a post-send deferred SearchUpdate) and ``php -S`` serves one request at a time, so the
next request finds the edit. What once made these pages unfindable was pywikibot's search
without ``srwhat``, which MediaWiki's database search answers from the titles alone
(``sources._generator_factory`` asks for the text)."""

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


def pages_in_order(output: str) -> list[str]:
    """Every page with a finding, in the order lint read them (each test page has one)."""
    return list(dict.fromkeys(re.findall(r"^\[\[([^\]]+)\]\]:\d+:\d+:", output, re.M)))


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


# -- search, recent changes, new pages ----------------------------------------------------------


def test_search_gives_the_pages_holding_the_words(live_wiki: str) -> None:
    human = ApiClient.for_account("human")
    word = f"wlgen{uuid.uuid4().hex[:10]}"
    hits = [unique_title("gen-search-hit") for _ in range(2)]
    for page in hits:
        human.edit(page, with_finding(word) + f"About {word}.", createonly=True)
    help_hit = f"Help:{unique_title('gen-search-help')}"
    human.edit(help_hit, with_finding(word) + f"About {word}.", createonly=True)
    missing = unique_title("gen-search-miss")  # the same text but the word
    human.edit(missing, with_finding("x") + "About something else.", createonly=True)
    # The index follows edits: a page that lost the word is no hit, one that gained it is.
    lost, gained = unique_title("gen-search-lost"), unique_title("gen-search-gained")
    human.edit(lost, with_finding("x") + f"About {word}.", createonly=True)
    human.edit(lost, with_finding("x") + "About something else.")
    human.edit(gained, with_finding("x") + "About something else.", createonly=True)
    human.edit(gained, with_finding("x") + f"About {word}.")
    fresh_site()

    every_namespace = lint("--pages-from", f"-search:{word}")
    assert set(pages_in_order(every_namespace.output)) == {*hits, help_hit, gained}, (
        every_namespace.output
    )
    assert files_linted(every_namespace.output) == 4
    articles = lint("--pages-from", f"-search:{word}", "--pages-from", "-ns:0")  # README's
    assert set(pages_in_order(articles.output)) == {*hits, gained}, articles.output
    assert files_linted(articles.output) == 3


def test_recentchanges_gives_the_latest_changes_newest_first(live_wiki: str) -> None:
    human = ApiClient.for_account("human")
    before, a, b, c = (unique_title(f"gen-rc-{n}") for n in ("before", "a", "b", "c"))
    for page in (before, a, b, c):
        human.edit(page, with_finding("rc"), createonly=True)
    fresh_site()

    latest = lint("--pages-from", "-recentchanges:3")
    assert pages_in_order(latest.output) == [c, b, a], latest.output  # not `before`, the 4th
    assert files_linted(latest.output) == 3
    human.edit(a, with_finding("rc") + "Edited again.")
    fresh_site()
    # The 4 latest changes are a's edit, c, b and a's creation: a is read once.
    again = lint("--pages-from", "-recentchanges:4")
    assert pages_in_order(again.output) == [a, c, b], again.output
    assert files_linted(again.output) == 3


def test_newpages_gives_the_newest_articles_newest_first(live_wiki: str) -> None:
    human = ApiClient.for_account("human")
    older, first, second = (unique_title(f"gen-new-{n}") for n in ("older", "first", "second"))
    help_page = f"Help:{unique_title('gen-new-help')}"
    human.edit(older, with_finding("older"), createonly=True)
    human.edit(first, with_finding("first"), createonly=True)
    human.edit(help_page, with_finding("help"), createonly=True)  # new, but not an article
    human.edit(older, with_finding("older") + "Edited again.")  # a change, not a new page
    human.edit(second, with_finding("second"), createonly=True)
    fresh_site()

    new = lint("--pages-from", "-newpages:2")
    assert pages_in_order(new.output) == [second, first], new.output
    assert files_linted(new.output) == 2
    # The same edits as recent changes: the Help page and the edit of `older` are in.
    changed = lint("--pages-from", "-recentchanges:4")
    assert pages_in_order(changed.output) == [second, older, help_page, first], changed.output
