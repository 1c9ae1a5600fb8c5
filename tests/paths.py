"""Paths of the test data that ships with the repository."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SAMPLE = EXAMPLES / "leon-trotsky-section.wiki"
EDIT_FORM = EXAMPLES / "leon-trotsky-edit-form.txt"
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
CORPUS = sorted(CORPUS_DIR.glob("*.wiki"))
