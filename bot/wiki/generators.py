"""The command line's side of pywikibot's page generators (``--pages-from``, bot.toml's
``pages_from``): argument checks and ``--category-depth``. Light (no pywikibot at import):
``wikilint lint`` imports it at start-up for its options; the generators themselves are read
in :mod:`wikilint.bot.wiki.sources`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class GeneratorArgError(ValueError):
    """A ``--pages-from`` argument pywikibot's GeneratorFactory does not know, or a category
    depth with no ``-cat:`` to apply to."""


GENERATOR_EXAMPLES = (
    "e.g. -cat:NAME, -catr:NAME, -transcludes:TEMPLATE, -search:WORDS, "
    "-file:PATH, -recentchanges:N, -newpages:N"
)
# pywikibot's -cat: gives a category's own pages, -catr: every level below it; a depth between
# the two is ours: --category-depth (bot.toml: category_depth) for every -cat: argument.
CATEGORY_DEPTH_MAX = 20
CATEGORY_DEPTH_HELP = (
    "How many levels of subcategories every --pages-from -cat:NAME follows: 0 (the default, "
    f"as pywikibot's -cat:) only the category's own pages, up to {CATEGORY_DEPTH_MAX}. "
    "-catr:NAME follows every level."
)


def check_generator_args(args: Iterable[str], category_depth: str | int | None = None) -> int:
    """The category depth (0 when not given) after checking it and ``args``: a
    :class:`GeneratorArgError` for a depth that is not a whole number from 0 to
    CATEGORY_DEPTH_MAX or has no ``-cat:`` to apply to, or for an argument GeneratorFactory has no
    handler for (checked before a wiki is opened: a bad bot.toml or command line fails at
    once)."""
    args = list(args)
    depth = 0 if category_depth is None else parse_category_depth(category_depth)
    if category_depth is not None and not has_category_arg(args):
        raise GeneratorArgError(
            "--category-depth goes with --pages-from -cat:NAME (-catr:NAME follows every level)"
        )
    if args:
        _check_known(args)
    return depth


def _check_known(args: list[str]) -> None:
    from pywikibot.pagegenerators import GeneratorFactory

    unknown = [
        a
        for a in args
        if not a.startswith("-")
        or not hasattr(GeneratorFactory, "_handle_" + a[1:].partition(":")[0].removesuffix("not"))
    ]
    if unknown:
        raise GeneratorArgError(
            f"not a pywikibot page generator: {', '.join(unknown)} ({GENERATOR_EXAMPLES})"
        )


def has_category_arg(args: Iterable[str]) -> bool:
    """Whether one of ``args`` is a ``-cat:`` (``-category:``), the arguments a depth applies to."""
    return any(a.partition(":")[0] in ("-cat", "-category") for a in args)


def parse_category_depth(value: str | int) -> int:
    """A category depth from the command line: a whole number from 0 to CATEGORY_DEPTH_MAX."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or int(text) > CATEGORY_DEPTH_MAX:
        raise GeneratorArgError(
            f"--category-depth must be a whole number from 0 to {CATEGORY_DEPTH_MAX}, "
            f"got {str(value)!r}"
        )
    return int(text)


def category_depth_option(
    help: str = CATEGORY_DEPTH_HELP,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--category-depth N``, shared by ``lint``, ``fix``, ``propose`` and ``run``. Its value
    is checked by :func:`parse_category_depth` where each command checks its page sources, so a
    bad one is that command's one-line error (exit 2), before anything is read."""
    import click

    return click.option("--category-depth", "category_depth", metavar="N", help=help)
