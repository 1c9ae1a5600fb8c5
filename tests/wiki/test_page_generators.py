"""``--category-depth`` and ``--pages-from`` mistakes, offline: one line, exit 2, and the wiki is
never opened (the live tests in test_page_generators_live.py read real categories)."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from wikilint.bot.cli import wiki_commands
from wikilint.bot.cli.main import main
from wikilint.bot.wiki.generators import (
    CATEGORY_DEPTH_MAX,
    GeneratorArgError,
    check_generator_args,
    parse_category_depth,
)


@pytest.fixture
def no_wiki(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(site: str | None) -> Any:
        raise AssertionError("the wiki was opened for a command line that is wrong")

    monkeypatch.setattr(wiki_commands, "open_site", refuse)


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", ["lint", "fix", "propose"])
@pytest.mark.parametrize("depth", ["-1", "21", "x", "1.5", "", "²"])
@pytest.mark.usefixtures("no_wiki")
def test_a_bad_depth_is_one_line_and_exit_2(command: str, depth: str) -> None:
    res = invoke(command, "--pages-from", "-cat:Physics", "--category-depth", depth)
    assert res.exit_code == 2
    assert res.stderr.splitlines() == [
        f"error: --category-depth must be a whole number from 0 to {CATEGORY_DEPTH_MAX}, "
        f"got {depth!r}"
    ]


@pytest.mark.parametrize("command", ["lint", "fix", "propose"])
@pytest.mark.parametrize(
    "sources",
    [
        [],  # nothing to follow
        ["--page", "Physics"],
        ["--pages-from", "-catr:Physics"],  # follows every level already
        ["--pages-from", "-transcludes:Cite web"],
    ],
)
@pytest.mark.usefixtures("no_wiki")
def test_a_depth_without_a_cat_argument_is_one_line_and_exit_2(
    command: str, sources: list[str]
) -> None:
    res = invoke(command, *sources, "--category-depth", "1")
    assert res.exit_code == 2
    assert res.stderr.splitlines() == [
        "error: --category-depth goes with --pages-from -cat:NAME (-catr:NAME follows every level)"
    ]


@pytest.mark.usefixtures("no_wiki")
def test_an_unknown_generator_is_one_line_before_the_wiki_is_opened() -> None:
    res = invoke("lint", "--pages-from", "-cat:Physics", "--pages-from", "-nosuch:x")
    assert res.exit_code == 2
    [line] = res.stderr.splitlines()
    assert line.startswith("error: not a pywikibot page generator: -nosuch:x (")


def test_depth_values() -> None:
    assert [parse_category_depth(v) for v in ("0", " 7 ", str(CATEGORY_DEPTH_MAX), 3)] == [
        0,
        7,
        CATEGORY_DEPTH_MAX,
        3,
    ]
    with pytest.raises(GeneratorArgError, match="got '21'"):
        parse_category_depth(CATEGORY_DEPTH_MAX + 1)


def test_check_generator_args_gives_the_depth() -> None:
    assert check_generator_args(["-cat:A"]) == 0
    assert check_generator_args(["-ns:0", "-category:A", "-newpages:5"], "2") == 2
    with pytest.raises(GeneratorArgError, match="goes with --pages-from -cat:NAME"):
        check_generator_args(["-catr:A"], "2")


@pytest.mark.parametrize("arg", ["-cat:", "-category:", "-search:"])
def test_an_empty_cat_or_search_is_an_error_not_a_prompt(arg: str) -> None:
    from wikilint.bot.wiki.sources import pages_from_args

    # pywikibot's own handlers would ask on the terminal (a cron job would wait or crash).
    with pytest.raises(GeneratorArgError, match=r"give the (category|words)"):
        list(pages_from_args(None, [arg]))  # type: ignore[arg-type]


@pytest.mark.parametrize("arg", ["-catr:", "-transcludes:", "-file:", "-weblink:"])
def test_any_generator_missing_its_value_is_an_error_not_a_prompt(arg: str) -> None:
    import pywikibot
    from wikilint.bot.wiki.sources import pages_from_args

    asking = pywikibot.input
    with pytest.raises(GeneratorArgError, match=f"^{arg[:-1]}: give it a value: {arg}VALUE$"):
        list(pages_from_args(None, [arg]))  # type: ignore[arg-type]
    assert pywikibot.input is asking  # the terminal prompt is back for everything else
