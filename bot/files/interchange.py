"""Findings for other tools: SARIF 2.1.0 (code-scanning dashboards) and JUnit XML (CI test
reports). Both are built from the same :class:`~wikilint.bot.files.output.Located` records as the
text and JSON output, so every format reports the same findings at the same places.

Imported only for ``--format sarif`` / ``--format junit``: ``json`` and ``xml.etree`` stay off
the plain lint path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from wikilint.bot.files.output import Located
from wikilint.rules.model import Severity
from wikilint.rules.registry import all_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://pypi.org/project/wikilint/"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _artifact_uri(path: str) -> str:
    """A relative URI reference for a path as the user gave it (``-`` and ``[[Page]]`` labels
    included): percent-encoded, ``/``-separated."""
    from urllib.parse import quote

    return quote(path.replace("\\", "/"), safe="/")


def _sarif_rules() -> list[dict[str, Any]]:
    described = []
    for rule in all_rules():
        described.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "helpUri": f"{INFORMATION_URI}#{rule.name}",
                "help": {"text": f"wikilint explain {rule.name}"},
                "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
                "properties": {"fix": str(rule.fixable)},
            }
        )
    return described


def _sarif_fix(loc: Located) -> list[dict[str, Any]]:
    fix = loc.finding.fix
    if fix is None:
        return []
    return [
        {
            "description": {"text": f"{fix.applicability.name.lower()} fix"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": _artifact_uri(loc.path)},
                    "replacements": [
                        {
                            "deletedRegion": {
                                "charOffset": edit.start,
                                "charLength": edit.end - edit.start,
                            },
                            "insertedContent": {"text": edit.replacement},
                        }
                        for edit in fix.edits
                    ],
                }
            ],
        }
    ]


def _sarif_result(loc: Located, rule_index: dict[str, int]) -> dict[str, Any]:
    finding = loc.finding
    result: dict[str, Any] = {
        "ruleId": loc.code or finding.rule,
        "level": _SARIF_LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _artifact_uri(loc.path)},
                    "region": {
                        "startLine": loc.line,
                        "startColumn": loc.column,
                        "endLine": loc.end_line,
                        "endColumn": loc.end_column,
                        "charOffset": finding.start,
                        "charLength": finding.end - finding.start,
                    },
                },
            }
        ],
        "properties": {"rule": finding.rule, "section": loc.section},
    }
    if loc.code in rule_index:
        result["ruleIndex"] = rule_index[loc.code]
    fixes = _sarif_fix(loc)
    if fixes:
        result["fixes"] = fixes
    return result


def format_sarif(located: Iterable[Located], version: str, exit_code: int | None = None) -> str:
    """One SARIF 2.1.0 log with one run. Columns and offsets count Unicode code points, as
    every wikilint position does (``columnKind``)."""
    import json

    rules_described = _sarif_rules()
    rule_index = {rule["id"]: i for i, rule in enumerate(rules_described)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "wikilint",
                "version": version,
                "informationUri": INFORMATION_URI,
                "rules": rules_described,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_sarif_result(loc, rule_index) for loc in located],
    }
    if exit_code is not None:
        run["invocations"] = [{"executionSuccessful": exit_code in (0, 1), "exitCode": exit_code}]
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, ensure_ascii=False, indent=2)


def format_junit(located: Sequence[Located], files: Sequence[str]) -> str:
    """JUnit XML: one ``<testsuite>`` per linted input, one failing ``<testcase>`` per finding
    (``classname`` the file, ``name`` the rule), and one passing case for a clean input."""
    import xml.etree.ElementTree as ET

    by_file: dict[str, list[Located]] = {path: [] for path in files}
    for loc in located:
        by_file.setdefault(loc.path, []).append(loc)
    root = ET.Element("testsuites", name="wikilint", failures=str(len(located)))
    total_cases = 0
    for path, found in by_file.items():
        suite = ET.SubElement(
            root,
            "testsuite",
            name=path,
            tests=str(max(len(found), 1)),
            failures=str(len(found)),
            errors="0",
            skipped="0",
        )
        total_cases += max(len(found), 1)
        if not found:
            ET.SubElement(suite, "testcase", classname=path, name="wikilint")
            continue
        for loc in found:
            label = f"{loc.finding.rule} ({loc.code})" if loc.code else loc.finding.rule
            case = ET.SubElement(
                suite,
                "testcase",
                classname=path,
                name=f"{label} at {loc.line}:{loc.column}",
                file=path,
                line=str(loc.line),
            )
            failure = ET.SubElement(
                case, "failure", type=loc.finding.severity.value, message=loc.finding.message
            )
            failure.text = (
                f"{path}:{loc.line}:{loc.column}: {loc.finding.rule} {loc.finding.message}"
            )
    root.set("tests", str(total_cases))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
