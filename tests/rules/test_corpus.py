"""Every rule on every corpus article: no crash, fixes converge and are idempotent, and no applied
edit touches table markup, an archive URL's original or a protected region (bench.corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.corpus import measure
from tests.paths import CORPUS


@pytest.mark.corpus
@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_article_lints_and_fixes_cleanly(path: Path) -> None:
    result = measure(path.name, path.read_text(encoding="utf-8"))
    assert result.error is None
    assert result.converged and result.idempotent
    assert {kind: dict(counts) for kind, counts in result.touched.items() if counts} == {}
