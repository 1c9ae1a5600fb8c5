"""Config files, selection and option validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from wikilint import rules
from wikilint.bot.files.configfile import discover_config, find_config_file, load_config
from wikilint.rules.config import Config, ConfigError


def test_defaults_enable_every_rule() -> None:
    assert {r.name for r in Config().enabled()} == {r.name for r in rules.all_rules()}


def test_select_and_ignore_by_name_code_and_all() -> None:
    rule = rules.get_rule("cite-missing-access-date")
    config = Config.from_mapping({"select": [rule.code.lower()]})
    assert [r.name for r in config.enabled()] == [rule.name]
    config = Config.from_mapping({"select": ["ALL"], "ignore": [rule.name]})
    assert rule.name not in {r.name for r in config.enabled()}
    config = Config().with_selection(select=[f"{rule.name},{rule.name}"])
    assert [r.name for r in config.enabled()] == [rule.name]


def test_unknown_rule_names_the_closest() -> None:
    with pytest.raises(ConfigError, match="did you mean 'cite-missing-access-date'"):
        Config.from_mapping({"select": ["cite-missing-acess-date"]}, "wikilint.toml")


def test_unknown_top_level_key_names_the_closest() -> None:
    expected = r"wikilint.toml: unknown key 'selct' \(did you mean 'select'\?\)"
    with pytest.raises(ConfigError, match=expected):
        Config.from_mapping({"selct": []}, "wikilint.toml")


def test_rule_without_options_rejects_option() -> None:
    with pytest.raises(ConfigError, match="has no options"):
        Config.from_mapping({"rules": {"cite-missing-access-date": {"x": 1}}})


def test_option_validation_with_a_rule_that_has_options() -> None:
    with_options = [r for r in rules.all_rules() if r.Options is not rules.registry.NoOptions]
    if not with_options:
        pytest.fail("no rule with options is registered")
    rule = with_options[0]
    name, default, _ = next(rules.registry.iter_options(rule.Options))
    with pytest.raises(ConfigError, match="did you mean"):
        Config.from_mapping({"rules": {rule.name: {name + "x": default}}})
    wrong = "text" if not isinstance(default, str) else 3
    with pytest.raises(ConfigError, match="must be"):
        Config.from_mapping({"rules": {rule.name: {name: wrong}}})
    config = Config.from_mapping({"rules": {rule.name: {name: default}}})
    assert getattr(config.rule_options[rule.name], name) == default


def test_discovery_upward_and_pyproject(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    page = deep / "page.wiki"
    page.write_text("x")
    assert find_config_file(page) is None or tmp_path not in find_config_file(page).parents
    (tmp_path / "pyproject.toml").write_text(
        '[tool.wikilint]\nignore = ["cite-missing-access-date"]\n'
    )
    assert find_config_file(page) == tmp_path / "pyproject.toml"
    assert discover_config(page).ignore == ("cite-missing-access-date",)
    (tmp_path / "a" / "wikilint.toml").write_text('select = ["cite-missing-access-date"]\n')
    assert find_config_file(page) == tmp_path / "a" / "wikilint.toml"


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "wikilint.toml"
    bad.write_text("select = [")
    with pytest.raises(ConfigError, match=r"wikilint.toml: invalid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
