"""bot.toml: the documented example loads; every mistake is one line naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from wikilint.bot.runner import config as botconfig
from wikilint.rules.config import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bot.toml"


def load_text(tmp_path: Path, text: str) -> botconfig.BotConfig:
    path = tmp_path / "bot.toml"
    path.write_text(text, encoding="utf-8")
    return botconfig.load(path)


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    message = str(info.value)
    assert "\n" not in message
    assert str(tmp_path / "bot.toml") in message
    return message


def test_example_loads_and_is_runnable() -> None:
    config = botconfig.load(EXAMPLE)
    botconfig.validate_for_run(config)
    assert config.mode == "submit"
    assert config.safety.shutoff_page and config.safety.check_talk
    assert config.fixes.unsafe == "propose"
    assert config.limits.max_edits > 0 and config.limits.time_budget > 0
    assert config.state.journal.is_absolute()


def test_defaults(tmp_path: Path) -> None:
    config = load_text(tmp_path, '[sources]\ntitles = "Main Page"\n')
    assert config.sources.titles == ("Main Page",)  # a single string is a list of one
    assert config.mode == "submit" and config.fixes.unsafe == "propose"
    assert config.limits.maxlag == 5 and config.limits.edit_throttle == 10.0
    assert config.state.journal == tmp_path / "wikilint-journal.sqlite"
    assert config.lock_path == tmp_path / "wikilint-journal.sqlite.lock"
    assert config.lint.select is None


def test_full(tmp_path: Path) -> None:
    (tmp_path / "titles.txt").write_text("# comment\nA\n\n[[B]]\n")
    config = load_text(
        tmp_path,
        """
mode = "propose"
[wiki]
site = "wikipedia:en"
user = "ExampleBot"
password_file = "~/secret/passwords"
summary_prefix = "Bot"
docs_page = "User:ExampleBot/Task 2"
[sources]
titles_file = "titles.txt"
categories = ["Category:X"]
category_depth = 2
transcluding = ["Cite web"]
recent_changes = true
search = "insource:/colour/"
namespaces = [0, 118]
[lint]
select = ["cite-missing-access-date"]
[fixes]
unsafe = "skip"
[limits]
max_edits = 10
time_budget = "20m"
edit_throttle = 12.5
[safety]
shutoff_page = "User:ExampleBot/Shutoff"
shutoff_run_value = "yes"
check_talk = false
cosmetic_check = "whitespace"
[state]
journal = "state/journal.sqlite"
""",
    )
    assert config.mode == "propose" and config.wiki.site == "wikipedia:en"
    assert config.wiki.password_file == Path.home() / "secret" / "passwords"
    assert config.sources.titles_file == tmp_path / "titles.txt"
    assert config.sources.namespaces == (0, 118) and config.sources.category_depth == 2
    assert config.lint.select == ("cite-missing-access-date",)
    assert config.limits.time_budget == 1200.0 and config.limits.edit_throttle == 12.5
    assert config.safety.shutoff_run_value == "yes" and not config.safety.check_talk
    assert config.state.journal == tmp_path / "state" / "journal.sqlite"


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("[limits]\nmax_edit = 1\n", ["unknown key 'max_edit' in [limits]", "'max_edits'"]),
        ("[limit]\n", ["unknown key 'limit'", "'limits'"]),
        ("[sources]\ncategory = 'X'\n", ["[sources]", "'categories'"]),
        ("[safety]\nshutof_page = 'X'\n", ["'shutoff_page'"]),
        ("mode = 'sumbit'\n", ["mode must be one of submit, propose", "'submit'"]),
        ("[fixes]\nunsafe = 'yes'\n", ["unsafe must be one of propose, skip"]),
        ("[limits]\nmax_edits = -1\n", ["max_edits must be an integer >= 0"]),
        ("[limits]\nmax_edits = true\n", ["max_edits must be an integer"]),
        ("[limits]\ntime_budget = 'soon'\n", ["time_budget must be seconds or a duration"]),
        ("[safety]\ncheck_talk = 'yes'\n", ["check_talk must be true or false"]),
        ("[sources]\nnamespaces = ['0']\n", ["namespaces must be a list of int"]),
        ("[sources]\ntitles_file = 'nope.txt'\n", ["titles_file", "does not exist"]),
        (
            "[lint]\nselect = ['cite-missing-acess-date']\n",
            ["[lint]", "unknown rule", "'cite-missing-access-date'"],
        ),
        ("[lint]\nrules = 3\n", ["[lint]"]),
        ("wiki = 3\n", ["[wiki] must be a table"]),
        ("[limits\n", ["invalid TOML"]),
        ("[limits]\nmax_retries = 0\n", ["[limits] max_retries must be from 1 to 100"]),
        ("[safety]\nshutoff_run_value = ' '\n", ["shutoff_run_value must not be empty"]),
    ],
)
def test_errors_are_one_line_and_name_the_key(
    tmp_path: Path, text: str, fragments: list[str]
) -> None:
    message = error(tmp_path, text)
    for fragment in fragments:
        assert fragment in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        botconfig.load(tmp_path / "absent.toml")


def test_run_needs_a_source(tmp_path: Path) -> None:
    config = load_text(tmp_path, "[limits]\nmax_edits = 1\n")
    with pytest.raises(ConfigError, match=r"\[sources\] names no pages"):
        botconfig.validate_for_run(config)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("edit_throttle", "inf"),
        ("edit_throttle", "-inf"),
        ("edit_throttle", "nan"),
        ("time_budget", "nan"),
        ("time_budget", "inf"),
        ("time_budget", "'99999999d'"),
        ("maxlag", "1e30"),
        ("maxlag", "0"),
        ("maxlag", "100000000000000000000000000000"),
        ("max_edits", "100000000000000000000"),
        ("max_pages", "-5"),
        ("max_page_size", "1e9"),
        ("retry_wait", "1e300"),
        ("retry_max", "nan"),
        ("max_retries", "1000000"),
        ("page_lint_timeout", "inf"),
        ("page_lint_timeout", "-1"),
        ("page_lint_timeout", "'2d'"),
    ],
)
def test_limits_out_of_range_are_one_line_errors(tmp_path: Path, key: str, value: str) -> None:
    message = error(tmp_path, f"[limits]\n{key} = {value}\n")
    assert f"[limits] {key} must be" in message


@pytest.mark.parametrize(
    ("table", "key", "value"),
    [
        ("sources", "category_depth", "1000"),
        ("sources", "recent_changes_days", "0"),
        ("sources", "namespaces", "[0, -1]"),
        ("sources", "namespaces", "[0, 10000000]"),
    ],
)
def test_source_numbers_out_of_range(tmp_path: Path, table: str, key: str, value: str) -> None:
    assert f"[{table}] {key} must be from" in error(tmp_path, f"[{table}]\n{key} = {value}\n")


def test_every_number_has_a_documented_range() -> None:
    """Each int/float key of bot.toml has a range, and examples/bot.toml states it."""
    import dataclasses

    example = EXAMPLE.read_text(encoding="utf-8")
    tables = {"sources": botconfig.SourceSettings, "limits": botconfig.Limits}
    numeric = {
        (table, f.name)
        for table, cls in tables.items()
        for f in dataclasses.fields(cls)
        if f.type in ("int", "float", "tuple[int, ...]")
    }
    assert numeric == set(botconfig.RANGES)
    for table, key in numeric:
        line = next(
            line for line in example.splitlines() if line.lstrip("# ").startswith(f"{key} =")
        )
        assert botconfig.describe_range(table, key) in line, line


def test_retry_max_below_retry_wait(tmp_path: Path) -> None:
    assert "retry_max (5) must not be below retry_wait (10)" in error(
        tmp_path, "[limits]\nretry_wait = 10\nretry_max = 5\n"
    )


def test_ranges_accept_their_bounds(tmp_path: Path) -> None:
    config = load_text(
        tmp_path,
        "[limits]\nmaxlag = 1\nedit_throttle = 3600\ntime_budget = '7d'\npage_lint_timeout = 0\n",
    )
    assert config.limits.maxlag == 1 and config.limits.time_budget == 7 * 86400
    assert config.limits.page_lint_timeout == 0


@pytest.mark.parametrize("key", ["journal", "proposals"])
def test_a_state_path_that_is_a_directory(tmp_path: Path, key: str) -> None:
    (tmp_path / "state").mkdir()
    message = error(tmp_path, f"[state]\n{key} = 'state'\n")
    assert f"[state] {key}" in message and "is a directory" in message
