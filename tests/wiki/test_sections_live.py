"""Section numbers against the local MediaWiki: for every heading form of
tests/rules/heading_forms.py, a page is created and each of wikilint's sections is compared
with what MediaWiki returns for ``section=N``, and with ``action=parse&prop=sections``."""

from __future__ import annotations

from typing import Any

import pytest
from wikilint.rules.document import Document
from wikilint.rules.sections import EXTENSION_TAGS, headings

from tests.rules.heading_forms import FORMS, Form
from tests.wiki.helpers import unique_title
from tests.wiki.mwapi import ApiClient


@pytest.fixture(scope="module")
def extension_tags(human: ApiClient) -> frozenset[str]:
    info = human.get(action="query", meta="siteinfo", siprop="extensiontags")
    return frozenset(tag.strip("<>").lower() for tag in info["query"]["extensiontags"])


def _section_text(client: ApiClient, title: str, number: int) -> str | None:
    data = client.get(
        action="query",
        prop="revisions",
        titles=title,
        rvprop="content",
        rvslots="main",
        rvsection=number,
    )
    if "error" in data:
        return None
    revisions: list[dict[str, Any]] = data["query"]["pages"][0].get("revisions", [])
    return revisions[0]["slots"]["main"].get("content") if revisions else None  # nosuchsection


@pytest.mark.parametrize("form", FORMS, ids=[f.name for f in FORMS])
def test_section_numbers_match_mediawiki(
    form: Form, human: ApiClient, extension_tags: frozenset[str]
) -> None:
    title = unique_title("sections")
    human.edit(title, form.text)
    stored = human.latest(title).text
    found = headings(stored, extension_tags)
    # Forms with Wikipedia's extension tags (not installed here) are checked through the
    # scanner with this wiki's tags; the others through Document, titles and spans included.
    same_tags = all(f"<{tag}" not in stored.lower() for tag in EXTENSION_TAGS - extension_tags)
    if same_tags:
        doc = Document.parse(stored)
        assert [(s.number, s.level) for s in doc.sections] == [(h.index, h.level) for h in found]
    for heading in found:
        end = next(
            (h.start for h in found if h.index > heading.index and h.level <= heading.level),
            len(stored),
        )
        ours = stored[heading.start : end]
        theirs = _section_text(human, title, heading.index)
        assert theirs is not None and theirs.rstrip() == ours.rstrip(), (
            f"section {heading.index}: MediaWiki {theirs!r}, wikilint {ours!r}"
        )
    assert _section_text(human, title, max((h.index for h in found), default=0) + 1) is None
    parsed = human.get(action="parse", page=title, prop="sections")["parse"]["sections"]
    numbered = {
        (int(s["index"]), int(s["level"]))
        for s in parsed
        if s["index"] and not s["index"].startswith("T-")
    }
    assert numbered <= {(h.index, h.level) for h in found}, parsed
