"""Readable, unique names for references and notes that a fix has to name.

RULES.md: derived from the citation (author last name + year, e.g. ``Deutscher2015``), else
from the website/host (``marxists-lenin-ch4``), else from the first words of the note
(``post-created-1919``); never ``:0``-style or bare numbers; unique in the page (all groups).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from mwparserfromhell.nodes import ExternalLink, Template
from mwparserfromhell.wikicode import Wikicode
from wikilint.rules.wikitext import is_citation_template, is_short_cite_template, template_key

MAX_LENGTH = 40
FALLBACK = "note"

AUTHOR_PARAMS = (
    "last",
    "last1",
    "surname",
    "surname1",
    "author-last",
    "author-last1",
    "author",
    "author1",
    "authors",
    "vauthors",
    "editor-last",
    "editor-last1",
    "editor",
    "editor1",
)
YEAR_PARAMS = ("year", "date", "publication-date", "orig-date")
TITLE_PARAMS = ("title", "chapter", "script-title", "trans-title", "work", "website")
URL_PARAMS = ("url", "chapter-url", "section-url", "conference-url")

STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "was",
        "is",
        "were",
        "are",
        "be",
        "been",
        "and",
        "or",
        "nor",
        "but",
        "for",
        "by",
        "with",
        "as",
        "from",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "his",
        "her",
        "their",
        "our",
        "your",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "see",
        "also",
        "cf",
        "about",
        "into",
        "than",
        "then",
        "there",
        "here",
        "which",
        "who",
        "whom",
        "what",
        "when",
        "where",
        "how",
        "p",
        "pp",
        "page",
        "pages",
        "le",
        "la",
        "les",
        "de",
        "des",
        "du",
        "un",
        "une",
        "el",
        "los",
        "las",
        "der",
        "die",
        "das",
        "und",
        "von",
    }
)
PATH_STOPWORDS = frozenset(
    {
        "archive",
        "archives",
        "works",
        "work",
        "index",
        "en",
        "wiki",
        "html",
        "htm",
        "www",
        "article",
        "articles",
        "news",
        "story",
        "stories",
        "content",
        "contents",
        "pages",
        "page",
        "default",
        "main",
        "home",
        "web",
        "cgi-bin",
        "details",
        "detail",
        "view",
        "doc",
        "docs",
        "document",
        "documents",
        "files",
        "file",
        "item",
        "items",
        "static",
        "assets",
        "uploads",
        "upload",
        "media",
        "pdf",
        "php",
        "aspx",
        "asp",
        "jsp",
        "shtml",
        "id",
        "p",
    }
)
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "or", "ne", "go"})
_AUTHOR_YEAR = re.compile(r"[^\W\d_][0-9]{4}$")
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_NON_SLUG = re.compile(r"[^\w]+")
_LEADING_ZEROS = re.compile(r"(?<=[^\W\d_])0+(?=\d)")
_EXTENSION = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|pdf|cfm|txt|xml)$", re.I)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)


def base_name(code: Wikicode | None, content: str = "") -> str:
    """The readable name a reference or note would get, before making it unique."""
    templates = list(code.filter_templates(recursive=True)) if code is not None else []
    citations = [t for t in templates if is_citation_template(template_key(t))]
    for template in citations:
        name = _author_year(template)
        if name:
            return name
    for template in templates:
        key = template_key(template)
        if is_short_cite_template(key) and key != "rp":
            name = _short_cite_name(template)
            if name:
                return name
    for url in _urls(code, citations):
        name = url_name(url)
        if name:
            return name
    for template in citations:
        for param in TITLE_PARAMS:
            name = words_name(_param(template, param))
            if name:
                return name
    text = code.strip_code() if code is not None else content
    return words_name(text) or FALLBACK


def unique_name(base: str, taken: Iterable[str]) -> str:
    """``base``, or ``base`` with a suffix (``Deutscher2015a``, ``marxists-lenin-2``) that
    no name in ``taken`` has."""
    taken = set(taken)
    base = _safe(base)
    if base not in taken:
        return base
    if _AUTHOR_YEAR.search(base):
        for letter in "abcdefghijklmnopqrstuvwxyz":
            if base + letter not in taken:
                return base + letter
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# -- sources of names ------------------------------------------------------------------------


def _param(template: Template, name: str) -> str:
    for param in reversed(template.params):
        if str(param.name).strip() == name:
            return _COMMENT.sub("", param.value.strip_code()).strip()
    return ""


def _author_year(template: Template) -> str:
    author = ""
    for param in AUTHOR_PARAMS:
        value = _param(template, param)
        if value:
            author = _last_name(value, param)
            if author:
                break
    if not author:
        return ""
    year = ""
    for param in YEAR_PARAMS:
        match = _YEAR.search(_param(template, param))
        if match:
            year = match.group(1)
            break
    return _clip(author + year)


def _last_name(value: str, param: str) -> str:
    value = re.split(r"[;&]| and |\bet al\b", value)[0]
    if param == "vauthors":
        value = value.split(",")[0]
        value = value.split()[0] if value.split() else ""
    elif "," in value:
        value = value.split(",")[0]  # "Deutscher, Isaac"
    elif "last" not in param and not param.startswith("surname"):
        words = value.split()
        value = words[-1] if words else ""  # "Isaac Deutscher"
    words = [w.replace("'", "").replace("’", "") for w in _WORD.findall(value)]
    return "".join(w[:1].upper() + w[1:] for w in words if w)[:24]


def _short_cite_name(template: Template) -> str:
    positional = [str(p.value).strip() for p in template.params if not p.showkey]
    author = next((p for p in positional if p and not _YEAR.fullmatch(p)), "")
    year = next((p for p in positional if _YEAR.fullmatch(p)), "")
    words = _WORD.findall(author)
    if not words:
        return ""
    return _clip(words[-1].replace("'", "") + year)


def _urls(code: Wikicode | None, citations: list[Template]) -> list[str]:
    urls = [v for t in citations for p in URL_PARAMS if (v := _param(t, p))]
    if code is not None:
        urls.extend(str(link.url).strip() for link in code.filter(forcetype=ExternalLink))
    return [u for u in urls if "archive.org/" not in u and "archive.today" not in u]


def url_name(url: str) -> str:
    """``http://www.marxists.org/archive/lenin/works/1917/staterev/ch04.htm`` →
    ``marxists-lenin-ch4``."""
    try:
        parts = urlsplit(url if "//" in url else "//" + url)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    if "." not in host or not re.fullmatch(r"[\w.-]+", host):
        return ""
    labels = [x for x in host.split(".") if x and x not in {"www", "m", "en", "web"}]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        labels = labels[:-2]
    elif len(labels) >= 2:
        labels = labels[:-1]
    if not labels:
        return ""
    site = _slug(labels[-1])
    tokens = []
    for segment in parts.path.split("/"):
        segment = _EXTENSION.sub("", segment)
        slug = _slug(segment).lower()
        if not slug or slug in PATH_STOPWORDS or slug.replace("-", "").isdigit():
            continue
        if len(slug) > 24 or sum(c.isdigit() for c in slug) > 6:
            continue  # an identifier, not a word
        tokens.append(_LEADING_ZEROS.sub("", slug))
    picked = tokens[:1] + tokens[-1:] if len(tokens) > 1 else tokens
    return _clip("-".join([site, *picked]))


def words_name(text: str) -> str:
    """The first three meaningful words, e.g. ``post-created-1919``."""
    text = _COMMENT.sub("", text)
    text = re.sub(r"<[^>]*>", " ", text)
    words = [w.lower() for w in _WORD.findall(text)]
    kept = [w.replace("'", "").replace("’", "") for w in words if w not in STOPWORDS]
    kept = [w for w in kept if w]
    if not kept or all(w.isdigit() for w in kept[:3]):
        return ""
    return _clip("-".join(kept[:3]))


# -- shaping ----------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return _NON_SLUG.sub("-", text).strip("-_")


def _clip(name: str) -> str:
    name = _slug(name)
    if len(name) > MAX_LENGTH:
        name = (
            name[:MAX_LENGTH].rsplit("-", 1)[0] if "-" in name[:MAX_LENGTH] else name[:MAX_LENGTH]
        )
    return name.strip("-")


def _safe(name: str) -> str:
    """Never empty, never a bare number, never ``:0``-style."""
    name = _slug(name).strip("-_")
    if not name or name.isdigit():
        return f"{FALLBACK}-{name}" if name else FALLBACK
    return name
