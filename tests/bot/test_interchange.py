"""SARIF 2.1.0 and JUnit XML output: valid against the official SARIF schema, and the same
findings at the same places as the JSON output."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from wikilint import rules
from wikilint.bot.files import output
from wikilint.bot.files.interchange import format_junit, format_sarif

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "sarif-schema-2.1.0.json"
TEXT = (
    "{{Use dmy dates}}\nÉtude.<ref>http://example.org/a</ref> Text<ref>{{cite web "
    "|url=https://e.org |title=T |date=March 3, 2020}}</ref>.\n"
)


@pytest.fixture(scope="module")
def located() -> list[output.Located]:
    result = rules.lint(TEXT)
    found = output.locate("pages/a b.wiki", result)
    assert len(found) >= 2
    return found


def test_sarif_is_valid_against_the_official_schema(located: list[output.Located]) -> None:
    log = json.loads(format_sarif(located, "1.2.3", exit_code=1))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    # and an empty run too
    jsonschema.Draft4Validator(schema).validate(json.loads(format_sarif([], "1.2.3")))


def test_sarif_results_match_the_json_output(located: list[output.Located]) -> None:
    log = json.loads(format_sarif(located, "1.2.3"))
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "wikilint"
    assert run["columnKind"] == "unicodeCodePoints"
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    as_json = json.loads(output.format_json(located))
    assert len(run["results"]) == len(as_json)
    for result, expected in zip(run["results"], as_json, strict=True):
        assert result["ruleId"] == expected["code"]
        assert rule_ids[result["ruleIndex"]] == expected["code"]
        assert result["message"]["text"] == expected["message"]
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "pages/a%20b.wiki"
        region = location["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (
            expected["line"],
            expected["column"],
        )
        assert region["charOffset"] == expected["start"]
        assert region["charLength"] == expected["end"] - expected["start"]
        if expected["fix"]:
            replacements = result["fixes"][0]["artifactChanges"][0]["replacements"]
            assert [
                (r["deletedRegion"]["charOffset"], r["insertedContent"]["text"])
                for r in replacements
            ] == [(e["start"], e["replacement"]) for e in expected["fix"]["edits"]]
        else:
            assert "fixes" not in result


def test_junit_has_a_failing_case_per_finding_and_a_passing_case_per_clean_file(
    located: list[output.Located],
) -> None:
    root = ET.fromstring(format_junit(located, ["pages/a b.wiki", "clean.wiki"]))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"pages/a b.wiki", "clean.wiki"}
    failing = suites["pages/a b.wiki"].findall("testcase")
    assert len(failing) == len(located) == int(suites["pages/a b.wiki"].get("failures") or 0)
    for case, loc in zip(failing, located, strict=True):
        failure = case.find("failure")
        assert failure is not None and failure.get("message") == loc.finding.message
        assert case.get("line") == str(loc.line)
    (passing,) = suites["clean.wiki"].findall("testcase")
    assert passing.find("failure") is None
    assert root.get("tests") == str(len(located) + 1)
