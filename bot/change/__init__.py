"""The change pipeline: text → findings, edits, new text and summary; diff, proposals, review."""
