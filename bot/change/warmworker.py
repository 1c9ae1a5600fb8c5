"""Imported by the lint workers' forkserver (``set_forkserver_preload``): lints a small page
once, so that every worker forked from the server starts with the rules' patterns compiled and
their tables built, instead of spending its first ~30 ms on that."""

from __future__ import annotations

from wikilint.rules.config import Config
from wikilint.rules.engine import lint

_PAGE = (
    "'''Warm''' up [http://example.org a link] and ''a date'' of 1 May 2020.<ref name=a>"
    "{{cite web |url=http://example.org/a |title=A |date=2020-05-01 |access-date=1 May 2020}}"
    "</ref>{{efn|a note}}\n== Notes ==\n{{notelist}}\n== References ==\n{{reflist}}\n"
)

lint(_PAGE, Config())
