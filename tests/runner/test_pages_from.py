"""``run --pages-from`` and bot.toml's ``pages_from``: pywikibot's generator arguments as the
run's page sources (offline: the errors; live: a category and a template give their pages), and
``run --category-depth``."""

from __future__ import annotations

import itertools
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from wikilint.bot.runner import loop as runner

from tests.runner.conftest import FakeWiki, base_tables, write_bot_toml
from tests.runner.live import bot_revisions, title, write_config
from tests.runner.test_sources import shutoff  # noqa: F401 (fixture)
from tests.wiki import mwapi


def test_an_unknown_generator_in_bot_toml_is_a_config_error(tmp_path: Path) -> None:
    tables = base_tables(tmp_path, [])
    tables["sources"] = {"pages_from": ["-cat:Foo", "-bogus:x"]}
    cfg = write_bot_toml(tmp_path / "bot.toml", tables)
    res = CliRunner().invoke(runner.run, ["--config", str(cfg)])
    assert res.exit_code == runner.EXIT_CONFIG
    assert (
        "pages_from" in res.output
        and "-bogus:x" in res.output
        and "-cat:Foo" not in res.output.split("generator:")[1]
    )


@pytest.mark.usefixtures("test_rules")
def test_run_pages_from_replaces_the_sources(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    cfg = write_bot_toml(tmp_path / "bot.toml", base_tables(tmp_path, ["A"]))
    res = CliRunner().invoke(runner.run, ["--config", str(cfg), "--pages-from", "-nope:1"])
    assert res.exit_code == runner.EXIT_CONFIG and "not a pywikibot page generator" in res.output
    config = runner.with_pages_from(runner.load(str(cfg)), ("-newpages:5",))
    assert config.sources.pages_from == ("-newpages:5",) and config.sources.titles == ()


@pytest.mark.usefixtures("test_rules")
@pytest.mark.parametrize("depth", ["-1", "21", "two"])
def test_run_a_bad_category_depth_is_one_line_and_exit_2(tmp_path: Path, depth: str) -> None:
    tables = base_tables(tmp_path, [], sources={"titles": [], "categories": ["X"]})
    cfg = write_bot_toml(tmp_path / "bot.toml", tables)
    res = CliRunner().invoke(runner.run, ["--config", str(cfg), "--category-depth", depth])
    assert res.exit_code == runner.EXIT_CONFIG
    assert res.stderr.splitlines() == [
        f"wikilint run: --category-depth must be a whole number from 0 to 20, got {depth!r}"
    ]


@pytest.mark.usefixtures("test_rules")
def test_run_a_category_depth_needs_a_category(tmp_path: Path) -> None:
    cfg = write_bot_toml(tmp_path / "bot.toml", base_tables(tmp_path, ["A"]))
    res = CliRunner().invoke(runner.run, ["--config", str(cfg), "--category-depth", "1"])
    assert res.exit_code == runner.EXIT_CONFIG
    assert res.stderr.splitlines() == [
        "wikilint run: --category-depth: no category to follow: give --pages-from -cat:NAME "
        f"or set [sources] categories in {cfg}"
    ]
    res = CliRunner().invoke(
        runner.run,
        ["--config", str(cfg), "--pages-from", "-catr:X", "--category-depth", "1"],
    )
    assert res.exit_code == runner.EXIT_CONFIG and "no category to follow" in res.stderr


@pytest.mark.usefixtures("test_rules")
def test_run_category_depth_replaces_the_files(tmp_path: Path) -> None:
    tables = base_tables(
        tmp_path, [], sources={"titles": [], "categories": ["X"], "category_depth": 3}
    )
    config = runner.load(str(write_bot_toml(tmp_path / "bot.toml", tables)))
    assert runner.with_category_depth(config, "1").sources.category_depth == 1
    config = runner.with_pages_from(config, ("-cat:Y",))
    # --pages-from replaces the file's sources, its category_depth with them.
    assert config.sources.category_depth == 0 and config.sources.categories == ()
    assert runner.with_category_depth(config, "2").sources.category_depth == 2


@pytest.mark.live
@pytest.mark.usefixtures("test_rules")
def test_run_category_depth_from_the_command_line(
    tmp_path: Path,
    api: str,
    shutoff: str,  # noqa: F811
    human: mwapi.ApiClient,
) -> None:
    """Category:TOP holds page 0 and Category:TOP 1 (page 1), which holds Category:TOP 2
    (page 2), which holds Category:TOP 3 (page 3)."""
    top = f"Runner depth {uuid.uuid4().hex[:8]}"
    levels = [top, *(f"{top} {n}" for n in (1, 2, 3))]
    for parent, child in itertools.pairwise(levels):
        human.edit(f"Category:{child}", f"[[Category:{parent}]]")
    pages = [title(f"depth{n}") for n in range(len(levels))]
    for page, category in zip(pages, levels, strict=True):
        human.edit(page, f"colour [[Category:{category}]]")
    cfg = write_config(
        tmp_path,
        api,
        [],
        shutoff,
        sources={"titles": [], "categories": [f"Category:{top}"], "category_depth": 0},
        safety={"cosmetic_check": "whitespace"},
    )

    def edited() -> list[bool]:
        return [bool(bot_revisions(human, page)) for page in pages]

    # bot.toml's categories, one level deeper than its category_depth says.
    res = CliRunner().invoke(runner.run, ["--config", str(cfg), "--category-depth", "1"])
    assert res.exit_code == runner.EXIT_OK, res.output
    assert edited() == [True, True, False, False]
    # --pages-from -cat: with a depth of 2: page 2 now (pages 0 and 1 are done), never page 3.
    res = CliRunner().invoke(
        runner.run,
        ["--config", str(cfg), "--pages-from", f"-cat:{top}", "--category-depth", "2"],
    )
    assert res.exit_code == runner.EXIT_OK, res.output
    assert edited() == [True, True, True, False]


@pytest.mark.live
@pytest.mark.usefixtures("test_rules")
def test_run_pages_from_a_category_and_a_template(
    tmp_path: Path,
    api: str,
    shutoff: str,  # noqa: F811
    human: mwapi.ApiClient,
) -> None:
    tag = uuid.uuid4().hex[:8]
    cat, tpl = f"Runner gen cat {tag}", f"Runner gen tpl {tag}"
    human.edit(f"Template:{tpl}", "template body")
    in_cat, by_tpl, neither = title("gen-cat"), title("gen-tpl"), title("gen-none")
    human.edit(in_cat, f"colour [[Category:{cat}]]")
    human.edit(by_tpl, f"colour {{{{{tpl}}}}}")
    human.edit(neither, "colour")
    cfg = write_config(tmp_path, api, [neither], shutoff, safety={"cosmetic_check": "whitespace"})
    code = runner.execute(
        str(cfg),
        str(tmp_path / "report.json"),
        False,
        interactive=False,
        pages_from=(f"-cat:{cat}", f"-transcludes:{tpl}"),
    )
    assert code == runner.EXIT_OK
    assert len(bot_revisions(human, in_cat)) == 1 and len(bot_revisions(human, by_tpl)) == 1
    assert bot_revisions(human, neither) == []  # bot.toml's titles were replaced
