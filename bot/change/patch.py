"""A real unified diff of a fixed file, for ``wikilint fix --unified``: ``a/``/``b/`` path
prefixes, exact line endings and the "no newline at end of file" marker, so that ``patch -p1``
and ``git apply`` take it as it is.

The word diff (:mod:`wikilint.bot.change.diff`) stays the one for people; this one is for tools.
"""

from __future__ import annotations

NO_NEWLINE = "\\ No newline at end of file\n"
CONTEXT_LINES = 3


def _lines(text: str) -> list[str]:
    """Lines as patch and git see them: ended by ``\\n`` (a ``\\r`` before it, or a lone
    ``\\r``, is part of the line), each with its ending kept."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def _emit(prefix: str, line: str) -> str:
    if line.endswith("\n"):
        return prefix + line
    return prefix + line + "\n" + NO_NEWLINE


def _header(side: str, path: str) -> str:
    """``--- a/path`` the way git writes it: a name with quotes, backslashes or control
    characters is C-quoted; a name with a space gets a tab after it, so that ``patch`` reads
    the whole name."""
    name = side + "/" + path.replace("\\", "/").removeprefix("./").lstrip("/")
    if any(ch in '"\\' or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
        quoted = "".join(
            escapes.get(ch) or (f"\\{ord(ch):03o}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
            for ch in name
        )
        return f'"{quoted}"'
    return name + "\t" if " " in name else name


def unified_diff(path: str, old: str, new: str, context: int = CONTEXT_LINES) -> str:
    """The unified diff turning ``old`` into ``new`` for the file at ``path`` (relative to the
    folder where ``patch -p1`` / ``git apply`` runs); empty when nothing changed."""
    import difflib

    if old == new:
        return ""
    a, b = _lines(old), _lines(new)
    # Lines are compared with their endings: a changed ending is a changed line.
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out = [f"--- {_header('a', path)}\n", f"+++ {_header('b', path)}\n"]
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        a_start, a_end, b_start, b_end = first[1], last[2], first[3], last[4]
        out.append(f"@@ -{_range(a_start, a_end)} +{_range(b_start, b_end)} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(_emit(" ", line) for line in a[i1:i2])
                continue
            out.extend(_emit("-", line) for line in a[i1:i2])
            out.extend(_emit("+", line) for line in b[j1:j2])
    return "".join(out)


def _range(start: int, end: int) -> str:
    """``start,length`` of a hunk side, 1-based; an empty side names the line before it."""
    length = end - start
    if length == 0:
        return f"{start},0"
    if length == 1:
        return f"{start + 1}"
    return f"{start + 1},{length}"
