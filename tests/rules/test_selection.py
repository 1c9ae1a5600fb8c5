"""Rule selection the way ruff users expect it: code prefixes, extend-select/extend-ignore,
per-file-ignores and exclude patterns."""

from __future__ import annotations

import pytest
from wikilint import rules
from wikilint.rules.config import Config, ConfigError


def codes(config: Config) -> set[str]:
    return {r.code for r in config.enabled()}


def all_codes(prefix: str) -> set[str]:
    return {r.code for r in rules.all_rules() if r.code.startswith(prefix)}


@pytest.mark.parametrize("prefix", ["DT", "dt", "RF1", "UR30", "RF10"])
def test_a_code_prefix_selects_every_rule_whose_code_starts_so(prefix: str) -> None:
    expected = all_codes(prefix.upper())
    assert expected, "the prefix matches rules"
    assert codes(Config.from_mapping({"select": [prefix]})) == expected
    assert codes(Config().with_selection(select=[prefix])) == expected
    assert codes(Config.from_mapping({"ignore": [prefix]})) == all_codes("") - expected


def test_prefixes_and_names_mix_on_the_command_line() -> None:
    config = Config().with_selection(select=["DT,bare-url"], ignore=["DT204"])
    assert codes(config) == (all_codes("DT") - {"DT204"}) | {rules.get_rule("bare-url").code}


def test_an_unknown_prefix_is_an_error_with_a_suggestion() -> None:
    with pytest.raises(ConfigError, match=r"wikilint.toml: unknown rule 'DX'"):
        Config.from_mapping({"select": ["DX"]}, "wikilint.toml")
    with pytest.raises(ConfigError, match=r"--select: unknown rule 'RF9'"):
        Config().with_selection(select=["RF9"])


def test_extend_select_adds_to_the_selection_and_extend_ignore_to_ignore() -> None:
    config = Config.from_mapping(
        {"select": ["DT"], "extend-select": ["UR304"], "extend-ignore": ["DT201"]}
    )
    assert codes(config) == (all_codes("DT") - {"DT201"}) | {"UR304"}
    # --extend-select adds to the file's selection; --select replaces both
    assert codes(config.with_selection(extend_select=["RF101"])) == codes(config) | {"RF101"}
    assert codes(config.with_selection(select=["RF101"])) == {"RF101"}
    # extend-select on the default selection (every rule) changes nothing
    assert codes(Config.from_mapping({"extend-select": ["DT"]})) == all_codes("")


def test_per_file_ignores_apply_to_matching_paths_only() -> None:
    config = Config.from_mapping(
        {"per-file-ignores": {"archive/*.wiki": ["date-format"], "*.draft.wiki": ["UR3"]}}
    )
    assert "DT201" not in codes(config.for_file("archive/old.wiki"))
    assert "DT201" in codes(config.for_file("current/new.wiki"))
    assert codes(config.for_file("a/b/page.draft.wiki")) == all_codes("") - all_codes("UR3")
    assert config.for_file("page.wiki") is config


@pytest.mark.parametrize(
    "bad",
    [
        {"per-file-ignores": ["x"]},
        {"per-file-ignores": {"*.wiki": "DT"}},
        {"extend-select": "DT"},
        {"exclude": [1]},
    ],
)
def test_malformed_selection_settings_are_one_line_errors(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match=r"^wikilint.toml: "):
        Config.from_mapping(bad, "wikilint.toml")


def test_exclude_patterns_and_defaults() -> None:
    config = Config.from_mapping({"extend-exclude": ["drafts/**", "*.tmp.wiki"]})
    assert config.is_excluded("drafts/a/b.wiki")
    assert config.is_excluded("x/y.tmp.wiki")
    assert config.is_excluded(".git/info.wiki")  # the defaults stay with extend-exclude
    assert not config.is_excluded("pages/a.wiki")
    replaced = Config.from_mapping({"exclude": ["drafts"]})
    assert replaced.is_excluded("drafts/a.wiki")
    assert not replaced.is_excluded(".venv/a.wiki")  # exclude replaces the defaults
