"""page-param: single-page vs page-range parameters, and the dash in numeric page ranges."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from mwparserfromhell.nodes import Template
from mwparserfromhell.nodes.extras import Parameter
from wikilint.rules.context import Context
from wikilint.rules.document import Document
from wikilint.rules.model import Edit, Finding, Fix, Fixability, Severity
from wikilint.rules.registry import Rule, register
from wikilint.rules.wikitext import is_citation_template, is_short_cite_template

# sfnm numbers its citations: 1p=, 2pp=, …
_SHORT_NAME = re.compile(r"^(\d*)(pp?)$")
_ITEM = re.compile(r"[^,;]+")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_RANGE = re.compile(
    r"^(?P<a>[^\s\-–—−]+?)(?P<sep>\s*(?:-|–|—|−|&ndash;|&mdash;)\s*)(?P<b>[^\s\-–—−]+)$"
)
# What a page looks like: 12, 12a, xii, S12, A-12, 4.5; anything else ("121, n. 13",
# "62(3):183–8", "194ff", "passim") is free text that this rule leaves alone.
_PAGE = re.compile(
    r"^(?:\d+[a-z]?|[ivxlcdm]+|[IVXLCDM]+|[A-Za-z]{1,4}(?:[-.]?\d+[a-z]?)?|\d+\.\d+)$"
)
_EN_DASHES = ("–", "&ndash;")
_HYPHENS = ("-", "−")
_SKIP = ("{{", "[", "<", "\n", "''")
MAX_SPAN = 1000
MIN_START = 10


class _Item(NamedTuple):
    kind: str  # "single", "range" (already right), "fixable" (dash to fix), "unsure"
    numeric: bool = False
    sep_start: int = 0  # offsets of the separator inside the value, for "fixable"
    sep_end: int = 0


def _classify(item: str, offset: int) -> _Item | None:
    """The kind of one list item, or ``None`` when it does not look like pages."""
    stripped = item.strip()
    lead = len(item) - len(item.lstrip())
    m = _RANGE.match(stripped)
    if not m:
        return _Item("single") if _PAGE.match(stripped) else None
    a, b, sep = m.group("a"), m.group("b"), m.group("sep")
    if not (_PAGE.match(a) and _PAGE.match(b)):
        return None
    numeric = a.isdigit() and b.isdigit() and a.isascii() and b.isascii()
    core = sep.strip()
    s_start, s_end = offset + lead + m.start("sep"), offset + lead + m.end("sep")
    if core in _EN_DASHES and sep == core:
        return _Item("range", numeric)
    if core in _HYPHENS:
        if _is_label(a, b, numeric):
            return _Item("label")
        if numeric and MIN_START <= int(a) < int(b) < int(a) + MAX_SPAN:
            return _Item("fixable", True, s_start, s_end)
        return _Item("unsure", numeric)
    # an em dash or a spaced en dash: a range for sure; its dash is fixed when numeric
    if numeric:
        return _Item("fixable", True, s_start, s_end)
    return _Item("range")


_LETTERS = re.compile(r"^[A-Za-z]{1,4}$")
_ROMAN = re.compile(r"^(?:[ivxlcdm]+|[IVXLCDM]+)$")
_NUMBER = re.compile(r"^\d+[a-z]?$")


def _is_label(a: str, b: str, numeric: bool) -> bool:
    """A hyphenated page label, not a range: a section letter and a number (``A-14``, the
    page numbering of newspapers and manuals), or a number that goes down (``3-2``: chapter 3,
    page 2)."""
    if numeric:
        return int(b) <= int(a)
    return bool(_LETTERS.match(a)) and not _ROMAN.match(a) and bool(_NUMBER.match(b))


@register
class PageParam(Rule):
    """## What it does
    Checks page parameters:
    - in short-cite templates (`{{sfn}}`, `{{sfnp}}`, `{{sfnm}}`, `{{harv}}`, `{{harvnb}}`,
      `{{harvp}}`, `{{rp}}`): `pp=` holding a single page should be `p=`, and `p=` holding a
      range or a list should be `pp=`;
    - in citation templates (and `{{rp}}`): `page=` holding a range or a list should be
      `pages=`;
    - in all of these, a numeric range written with a hyphen, an em dash or a spaced en dash
      should use an unspaced en dash (`107–110`).

    One finding per parameter. `at=` is never touched; values in `((…))` are accepted as
    written; values holding templates, links or tags are skipped.

    ## Why is this bad?
    `p=389` renders "p. 389", `pp=389` renders "pp. 389" (wrong); a range in `page=` renders
    "p. 107-110". MOS:DASH asks for an unspaced en dash in page ranges.

    ## Example
    ```wikitext
    {{sfn|Service|2009|pp=389}} {{cite book |title=Trotsky |page=107-110}}
    ```

    ## Use instead
    ```wikitext
    {{sfn|Service|2009|p=389}} {{cite book |title=Trotsky |pages=107–110}}
    ```

    ## Fix safety
    Safe where confident: the parameter is renamed (its spacing kept) and the dash replaced.
    A hyphenated range `N-M` is fixed only when both ends are integers, `N ≥ 10` and
    `N < M < N + 1000`; otherwise (`1-2`, `A-12`, `3-12`: often page identifiers) it is
    reported without a fix. Hyphenated page labels are not ranges and are never reported: a
    section letter and a number (`page=A-14`) or numbers that go down (`page=3-2`, chapter 3
    page 2). Ranges written with an en or em dash are ranges for sure (the
    dash is only normalized when both ends are numbers). No rename when the template already
    has a parameter of the target name.
    """

    name = "page-param"
    code = "RF106"
    summary = "Single page in pp=/pages range in p=/page=, or a bad dash in a page range"
    severity = Severity.WARNING
    fixable = Fixability.SOMETIMES
    fix_summary = ("{n} page parameter", "{n} page parameters")

    def check(self, ctx: Context) -> Iterator[Finding]:
        doc = ctx.doc
        for use in doc.templates:
            short = is_short_cite_template(use.key)
            citation = is_citation_template(use.key) or use.key == "rp"
            if not short and not citation:
                continue
            named = doc.named_params(use.node)
            names = {n for n, p in named if p.showkey}
            for name, param in named:
                if not param.showkey:
                    continue
                if short and (m := _SHORT_NAME.match(name)):
                    prefix, _kind = m.groups()
                    single, multi = prefix + "p", prefix + "pp"
                elif citation and name in ("page", "pages"):
                    single, multi = "page", "pages"
                else:
                    continue
                finding = self._check_param(doc, use.node, param, name, single, multi, names, short)
                if finding is not None:
                    yield finding

    def _check_param(
        self,
        doc: Document,
        template: Template,
        param: Parameter,
        name: str,
        single: str,
        multi: str,
        names: set[str],
        short: bool,
    ) -> Finding | None:
        v_start, v_end = doc.code_span(param.value)
        raw = doc.text[v_start:v_end]
        value = raw.strip()
        if not value or (value.startswith("((") and value.endswith("))")):
            return None
        if any(s in value for s in _SKIP):
            return None
        lead = len(raw) - len(raw.lstrip())
        if _THOUSANDS.match(value):
            items = [_Item("single")]
        else:
            classified = [_classify(m.group(), m.start()) for m in _ITEM.finditer(value)]
            if any(i is None for i in classified):
                return None
            items = [i for i in classified if i is not None]
        if any(i.kind == "label" for i in items):
            return None  # "A-14", "3-2": one page's label, in p=/page= or pp=/pages= alike
        is_list = len(items) > 1
        has_range = any(i.kind != "single" for i in items)
        unsure_numeric = any(i.kind == "unsure" and i.numeric for i in items)
        sure_multi = is_list or any(i.kind in ("range", "fixable") for i in items)

        rename: str | None = None
        problems: list[str] = []
        confident = True
        if name == single and (is_list or has_range):
            rename = multi
            if not sure_multi or unsure_numeric:
                confident = False
                problems.append(f"{name}={value}: if this is a page range, use {multi}=")
            else:
                what = "list" if is_list else "range"
                problems.append(f"{name}= holds a {what}: use {multi}=")
        elif name == multi and short and not is_list and not has_range:
            rename = single
            problems.append(f"{name}= holds a single page: use {single}=")
        dash_edits = [
            Edit(v_start + lead + i.sep_start, v_start + lead + i.sep_end, "–")
            for i in items
            if i.kind == "fixable"
        ]
        if dash_edits:
            problems.append("write the page range with an unspaced en dash (–)")
        elif name == multi and unsure_numeric:
            problems.append("page range with a hyphen: an en dash (–) if it is a range")
            confident = False
        if not problems:
            return None
        n_start, n_end = doc.code_span(param.name)
        raw_name = doc.text[n_start:n_end]
        name_start = n_start + len(raw_name) - len(raw_name.lstrip())
        fix = None
        if confident and not (rename is not None and rename in names):
            edits = list(dash_edits)
            if rename is not None:
                edits.append(Edit(name_start, name_start + len(name), rename))
            fix = Fix.safe(*edits)
        return self.finding("; ".join(problems), name_start, v_start + lead + len(value), fix)
