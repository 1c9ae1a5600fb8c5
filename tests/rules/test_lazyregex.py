"""wikilint.rules.lazyregex: a pattern compiled on first use behaves as the compiled pattern."""

from __future__ import annotations

import re

from wikilint.rules.lazyregex import LazyPattern


def test_compiles_once_on_first_use_and_answers_like_re() -> None:
    lazy = LazyPattern(r"(?P<m>may|june) (\d+)", re.I)
    eager = re.compile(lazy.pattern, lazy.flags)
    assert lazy._compiled is None
    text = "x May 5, June 7 and MAY 12"
    assert lazy.search(text).group("m") == eager.search(text).group("m")  # type: ignore[union-attr]
    first = lazy.compiled
    assert lazy.compiled is first
    assert lazy.match(text) is None and lazy.match(text, 2) is not None
    assert lazy.fullmatch("june 3") is not None and lazy.fullmatch("june 3 ") is None
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert lazy.search(text, 0, 5) is None
    assert lazy.sub("D", text) == eager.sub("D", text)
    assert lazy.sub(lambda m: m.group(2), text, 1) == eager.sub(lambda m: m.group(2), text, 1)
    assert "may|june" in repr(lazy)
