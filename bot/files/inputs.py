"""Reading what the user asks wikilint to lint: wikitext files, stdin and edit-form captures.

Three kinds of input end up as one :class:`SourceText`:

- plain wikitext (a file or ``-`` for stdin);
- a saved MediaWiki edit page (``.html``): the ``wpTextbox1`` textarea, HTML-unescaped, and the
  ``wpSection`` hidden input telling which section the box holds;
- a plain-text capture of an edit form (copied from a browser): the wikitext between the page
  chrome ("Anti-spam check … fill this in!" above it, "Summary:" below it).

Every input keeps the text as read (BOM, line endings, lost newlines); the rules analyse a
view of it (:mod:`bot.files.textview`). Captures often lose their newlines: when the text has
none but has headings inside it, :func:`line_break_edits` says where line breaks go back around
the headings (and list items), so that sections work. That is part of the view, never written;
the caller says so on stderr.
"""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from mwparserfromhell.nodes import Heading, Text
from mwparserfromhell.parser import ParserError
from mwparserfromhell.wikicode import Wikicode
from wikilint.bot.files.errors import InputError
from wikilint.bot.files.textview import TextView
from wikilint.rules import builder
from wikilint.rules.model import Edit, apply_edits
from wikilint.rules.wikitext import merge_ranges

STDIN_ARG = "-"
STDIN_LABEL = "<stdin>"
_BOM = "\ufeff"
_HTML_SUFFIXES = (".html", ".htm")


class InputKind(enum.StrEnum):
    WIKITEXT = "wikitext"
    HTML_EDIT_PAGE = "html-edit-page"
    EDIT_FORM_CAPTURE = "edit-form-capture"


class Restoration(NamedTuple):
    """Line breaks put back into a flattened text (what changed, for the stderr note)."""

    headings: int
    list_items: int

    def describe(self) -> str:
        parts = [_plural(self.headings, "heading")]
        if self.list_items:
            parts.append(_plural(self.list_items, "list item"))
        return f"restored line breaks around {' and '.join(parts)} (the text had lost its newlines)"


class SourceText(NamedTuple):
    """One input: the text as read and the view of it the rules analyse (:mod:`textview`)."""

    label: str  # the path as given (quoted if it holds control characters), or "<stdin>"
    path: Path | None  # None for stdin and wiki pages
    view: TextView  # source: the file as read (HTML: the edit box's text); text: what is linted
    kind: InputKind = InputKind.WIKITEXT
    section: str | None = None  # the section an edit page / capture holds, when known
    page_title: str | None = None
    restoration: Restoration | None = None
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The wikitext the rules analyse."""
        return self.view.text

    @property
    def writable(self) -> bool:
        """Only a plain wikitext file can take the fixed text back."""
        return self.path is not None and self.kind is InputKind.WIKITEXT

    def fixed(self, edits: list[Edit]) -> str:
        """The input as read with the fixes' ``edits`` (on :attr:`text`) applied and nothing
        else changed: its BOM, its line endings and its unrestored lines stay."""
        return self.view.apply(edits)

    def edit_box(self, fixed: str) -> str:
        """What ``--stdout`` prints of a :meth:`fixed` input: the whole text, or for an edit
        form capture only the wikitext of its edit box (to paste back into the form)."""
        if self.kind is not InputKind.EDIT_FORM_CAPTURE:
            return fixed
        start, end = self.view.source_span(0, len(self.view.text))
        return fixed[start : end + len(fixed) - len(self.view.source)]


# -- reading --------------------------------------------------------------------------------


def display_name(name: str) -> str:
    """A file name as messages show it: as given, or quoted when it holds a line break or
    another control character (an error about it stays one line)."""
    return name if name.isprintable() else repr(name)


def read_input(arg: str, stdin: BinaryIO | None = None, restore: bool = True) -> SourceText:
    """Read one command-line input (a path, or ``-`` for ``stdin``). Raises :class:`InputError`."""
    if arg == STDIN_ARG:
        if stdin is None:
            raise InputError(f"{STDIN_LABEL}: no standard input available")
        return parse_source(stdin.read(), STDIN_LABEL, None, restore)
    path = Path(arg)
    label = display_name(arg)
    if path.is_dir():
        raise InputError(f"{label}: is a directory (give wikitext files, or - for stdin)")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{label}: no such file") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot read: {exc.strerror or exc}") from None
    return parse_source(data, label, path, restore)


def wikitext_view(raw: str) -> TextView:
    """The view the rules read of a wikitext as given (an API request's text): line endings as
    ``\\n`` and no BOM; positions and fixes map back to ``raw``."""
    return TextView(raw, _normalising_edits(raw))


def parse_source(data: bytes, label: str, path: Path | None, restore: bool = True) -> SourceText:
    """Decode, recognise the kind of input, and build the view the rules analyse: line endings
    as ``\\n``, no BOM, the edit box of an edit form, and restored line breaks."""
    raw = decode(data, label)
    view = wikitext_view(raw)
    kind, section, title = InputKind.WIKITEXT, None, None
    if _looks_like_html(view.text, path):
        from wikilint.bot.files.editpage import (
            extract_html_edit_page,  # html.parser: only for .html input
        )

        kind = InputKind.HTML_EDIT_PAGE
        text, section, title = extract_html_edit_page(view.text, label)
        view = TextView(text)  # positions are in the edit box's text
    elif looks_like_edit_form(view.text):
        kind = InputKind.EDIT_FORM_CAPTURE
        (start, end), section, title = extract_edit_form(view.text, label)
        view = view.then([Edit(0, start, ""), Edit(end, len(view.text), "")])

    restoration = None
    notes: list[str] = []
    if restore and is_flattened(view.text):
        breaks, restoration = line_break_edits(view.text)
        if restoration is not None:
            view = view.then(breaks)
            notes.append(restoration.describe())
    return SourceText(
        label=label,
        path=path,
        view=view,
        kind=kind,
        section=section,
        page_title=title,
        restoration=restoration,
        notes=tuple(notes),
    )


_NOT_LF_ENDING = re.compile(r"\r\n?")


def _normalising_edits(raw: str) -> list[Edit]:
    """The BOM dropped, and CRLF and lone CR line endings read as LF."""
    edits = [Edit(0, 1, "")] if raw.startswith(_BOM) else []
    if "\r" in raw:
        edits.extend(Edit(m.start(), m.end(), "\n") for m in _NOT_LF_ENDING.finditer(raw))
    return edits


def decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise InputError(
            f"{label}: not valid UTF-8 (byte 0x{bad:02x} at offset {exc.start}); "
            "wikilint reads UTF-8 only"
        ) from None


# -- saved edit pages (.html) ---------------------------------------------------------------


def _looks_like_html(text: str, path: Path | None) -> bool:
    if path is not None and path.suffix.lower() in _HTML_SUFFIXES:
        return True
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


# -- text captures of an edit form ----------------------------------------------------------

_SUMMARY_LINE = re.compile(r"^\s*Summary:\s*$")
_ANTISPAM_START = re.compile(r"^\s*Anti-spam check\b")
_ANTISPAM_END = re.compile(r"fill this in!\s*$")
_EDITING_LINE = re.compile(r"^\s*Editing(?:\s+(?P<rest>.*\S))?\s*$")
_SECTION_MARK = re.compile(r"^\((?:new )?section\)$")
# Lines of the page chrome above the edit box, used when the anti-spam label is missing.
_CHROME_ABOVE = frozenset(
    {
        "hide",
        "Appearance",
        "Page information",
        "Related changes",
        "What links here",
        "General",
        "Tools",
        "View history",
        ", your edits will be attributed to your username, along with other benefits.",
    }
)


def looks_like_edit_form(text: str) -> bool:
    """A text capture of an edit form: a "Summary:" label and the form's header chrome."""
    lines = text.split("\n")
    if not any(_SUMMARY_LINE.match(line) for line in lines):
        return False
    return any(_ANTISPAM_START.match(line) or _EDITING_LINE.match(line) for line in lines)


def extract_edit_form(text: str, label: str) -> tuple[tuple[int, int], str | None, str | None]:
    """(span of the wikitext in ``text``, section hint, page title) from a text capture of an
    edit form."""
    lines = text.split("\n")
    start = _edit_box_start(lines)
    end = next((i for i in range(start, len(lines)) if _SUMMARY_LINE.match(lines[i])), len(lines))
    box_start = sum(len(line) + 1 for line in lines[:start])
    box = "\n".join(lines[start:end])
    wikitext = box.strip("\n")
    if not wikitext.strip():
        raise InputError(f"{label}: the edit form capture holds no wikitext (empty edit box?)")
    span_start = box_start + len(box) - len(box.lstrip("\n"))
    title, is_section = _form_title(lines[:start])
    section = None
    if is_section:
        first = _first_heading_title(wikitext)
        section = first or "section"
    return (span_start, span_start + len(wikitext)), section, title


def _edit_box_start(lines: list[str]) -> int:
    """Index of the first line of the edit box: after the anti-spam field's label."""
    for i, line in enumerate(lines):
        if _ANTISPAM_START.match(line):
            for j in range(i, min(i + 4, len(lines))):
                if _ANTISPAM_END.search(lines[j]):
                    return j + 1
            return i + 1
    summary = next((i for i, line in enumerate(lines) if _SUMMARY_LINE.match(line)), len(lines))
    chrome = [i for i in range(summary) if lines[i].strip() in _CHROME_ABOVE]
    return chrome[-1] + 1 if chrome else 0


def _form_title(header: list[str]) -> tuple[str | None, bool]:
    """The page title after "Editing", and whether the form edits one section."""
    for i, line in enumerate(header):
        match = _EDITING_LINE.match(line)
        if not match:
            continue
        rest = match.group("rest")
        if rest:  # "Editing Leon Trotsky (section)" on one line
            is_section = rest.endswith("section)")
            return re.sub(r"\s*\((?:new )?section\)$", "", rest) or None, is_section
        title = header[i + 1].strip() if i + 1 < len(header) else ""
        after = header[i + 2].strip() if i + 2 < len(header) else ""
        return title or None, bool(_SECTION_MARK.match(after))
    return None, False


_LEADING_HEADING = re.compile(r"^(={1,6})\s*([^=\n]+?)\s*\1(?:\s|$)")


def _first_heading_title(wikitext: str) -> str | None:
    match = _LEADING_HEADING.match(wikitext)
    return match.group(2) if match else None


# -- restoring flattened line breaks --------------------------------------------------------

# A run of 2–6 "=" standing alone between whitespace (or the text's ends).
_EQUALS_RUN = re.compile(r"(?<!\S)={2,6}(?!\S)")
# A list marker standing alone after whitespace: "* item", "## item", "#* item".
_LIST_MARKER = re.compile(r"(?<=\S)(?P<space>\s+)(?P<marker>[*#]{1,3}) (?=\S)")
_MAX_TITLE = 200
# What may end the text before a flattened list item: the end of a sentence or of an item.
_SENTENCE_END = ".:!?;"
_ITEM_END = _SENTENCE_END + ">}]'\")"
# What may end the text before a flattened heading: a sentence, a ref, a template, a link.
_BLOCK_END = ".!?>}]"


def is_flattened(text: str) -> bool:
    """No line breaks at all in a text long enough to have had some."""
    return "\n" not in text.strip() and len(text) > 80


def restore_line_breaks(text: str) -> tuple[str, Restoration | None]:
    """``text`` with the line breaks of :func:`line_break_edits` put back; ``(text, None)``
    when nothing looked like a heading."""
    breaks, restoration = line_break_edits(text)
    return (apply_edits(text, breaks), restoration) if restoration else (text, None)


def line_break_edits(text: str) -> tuple[list[Edit], Restoration | None]:
    """Where line breaks go back into a text that lost its newlines: around headings and
    list items. A view of the text (:mod:`textview`): it is read this way, never written.

    Only markup at the top level is touched (never inside templates, links, tags, comments or
    ``<math>``): a flattened heading is not parsed as one, so the "=" runs are searched in the
    top-level text, and a whitespace run around each is replaced by one newline. A heading
    counts only where one can start: at the start of the text, right after another heading,
    or after the end of a sentence or of a piece of markup, so prose such as ``a == b == c``
    or ``1 + 1 == 2 == 2`` keeps its "=" runs. ``([], None)`` when nothing looked like a
    heading.
    """
    eligible = _top_level_text_ranges(text)
    if eligible is None:
        return [], None
    breaks: dict[tuple[int, int], str] = {}  # whitespace span -> "\n"
    headings = 0
    for opening, closing in _heading_pairs(text, eligible):
        headings += 1
        _break_before(text, opening[0], breaks)
        _break_after(text, closing[1], breaks)
    if not headings:
        return [], None
    items = _list_item_breaks(text, eligible, breaks)
    return _break_edits(breaks), Restoration(headings, items)


class _Ranges:
    """Sorted, merged ``[start, end)`` ranges with a containment test."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self.ranges = merge_ranges(ranges)
        self._starts = [s for s, _ in self.ranges]

    def index_of(self, start: int, end: int) -> int | None:
        """Which range holds all of ``[start, end)``, if one does."""
        i = bisect.bisect_right(self._starts, start) - 1
        if i >= 0 and end <= self.ranges[i][1]:
            return i
        return None


def _top_level_text_ranges(text: str) -> _Ranges | None:
    """Spans of text at the top level (headings are looked through: a flattened page often
    parses as one long "heading" from the first "==" to the last)."""
    source = text.replace("\0", "\ufffd")  # the tokenizer stops at NUL; same length
    try:
        code = builder.parse(source)
    except (RecursionError, ParserError):
        return None
    ranges: list[tuple[int, int]] = []
    _collect_text(code, 0, ranges)
    return _Ranges(ranges)


def _collect_text(code: Wikicode, pos: int, ranges: list[tuple[int, int]]) -> int:
    for node in code.nodes:
        if isinstance(node, Text):
            ranges.append((pos, pos + len(node.value)))
            pos += len(node.value)
        elif isinstance(node, Heading):
            ranges.append((pos, pos + node.level))  # the "=" markup counts as text here
            pos = _collect_text(node.title, pos + node.level, ranges)
            ranges.append((pos, pos + node.level))
            pos += node.level
        else:
            pos += len(str(node))
    return pos


def _heading_pairs(
    text: str, eligible: _Ranges
) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """Balanced ``== Title ==`` pairs of "=" runs in top-level text, left to right, each where
    a heading can start (:func:`_can_start_heading`)."""
    runs = [
        (m.start(), m.end())
        for m in _EQUALS_RUN.finditer(text)
        if eligible.index_of(m.start(), m.end()) is not None
    ]
    i = 0
    last_heading_end = -1
    while i + 1 < len(runs):
        opening, closing = runs[i], runs[i + 1]
        title = text[opening[1] : closing[0]]
        if (
            opening[1] - opening[0] == closing[1] - closing[0]
            and title.strip()
            and len(title) <= _MAX_TITLE
            and "=" not in title
            and _can_start_heading(text, opening[0], last_heading_end)
        ):
            yield opening, closing
            last_heading_end = closing[1]
            i += 2
        else:
            i += 1


def _can_start_heading(text: str, at: int, last_heading_end: int) -> bool:
    """A flattened heading follows the start of the text, another heading, or the end of a
    paragraph (a sentence, a ref, a template, a link); "a == b == c" is prose."""
    before = at
    while before > 0 and text[before - 1].isspace():
        before -= 1
    return before == 0 or before == last_heading_end or text[before - 1] in _BLOCK_END


def _break_before(text: str, at: int, breaks: dict[tuple[int, int], str]) -> None:
    start = at
    while start > 0 and text[start - 1].isspace():
        start -= 1
    if start > 0 and start < at:
        breaks[(start, at)] = "\n"


def _break_after(text: str, at: int, breaks: dict[tuple[int, int], str]) -> None:
    end = at
    while end < len(text) and text[end].isspace():
        end += 1
    if end < len(text) and end > at:
        breaks[(at, end)] = "\n"


def _list_item_breaks(text: str, eligible: _Ranges, breaks: dict[tuple[int, int], str]) -> int:
    """Break before flattened ``* item`` / ``# item`` markers; returns how many.

    A marker counts after the end of a sentence (``focused on: * Trotsky's …``) or, once a list
    has started on the current line, after the end of the previous item (``]]``, ``</ref>``).
    """
    count = 0
    list_open = False
    last_break = 0
    for match in _LIST_MARKER.finditer(text):
        space_start, marker_end = match.start("space"), match.end("marker")
        if eligible.index_of(space_start, marker_end) is None:
            continue
        # A heading break since the last item closes any list.
        if any(start >= last_break and start < space_start for start, _ in breaks):
            list_open = False
        before = text[space_start - 1]
        if text[marker_end + 1 : marker_end + 2].islower():
            continue  # "… end. * not a list": items of a flattened list start with a capital
        if before in _SENTENCE_END or (list_open and before in _ITEM_END):
            breaks.setdefault((space_start, match.end("space")), "\n")
            count += 1
            list_open = True
            last_break = match.end("space")
    return count


def _break_edits(breaks: dict[tuple[int, int], str]) -> list[Edit]:
    edits: list[Edit] = []
    pos = 0
    for (start, end), replacement in sorted(breaks.items()):
        if start < pos:
            continue  # the same whitespace run, claimed from both sides
        edits.append(Edit(start, end, replacement))
        pos = end
    return edits


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
