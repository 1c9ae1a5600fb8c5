"""``run --pages-from`` and bot.toml's ``pages_from``: pywikibot's generator arguments as the
run's page sources (offline: the errors; live: a category and a template give their pages)."""

from __future__ import annotations

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
