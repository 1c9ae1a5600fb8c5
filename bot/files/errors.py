"""The error every input reader raises (its own module: :mod:`bot.files.inputs` and the edit-page
reader it loads lazily both raise it, without importing each other)."""

from __future__ import annotations


class InputError(Exception):
    """An input that cannot be linted; the message is one line and names the input."""
