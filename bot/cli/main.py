"""The ``wikilint`` command line.

``lint`` and ``fix`` work on files, stdin and edit-form captures; ``rules`` and ``explain``
document the rules. Other commands join lazily: the wiki commands (``propose``, ``review``,
``submit``) from :mod:`bot.wiki_cli` and ``scan`` from :mod:`bot.scan`, so that ``wikilint lint``
never imports pywikibot or requests.

Exit codes and colour are owned by :class:`bot.cli.report.Report` (one per command).
"""

from __future__ import annotations

import dataclasses
import importlib
import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from wikilint import rules
from wikilint.bot.cli.report import EXIT_ERROR, CommandError, Report
from wikilint.bot.files import output
from wikilint.bot.files.configfile import find_config_file, load_config
from wikilint.bot.files.inputs import STDIN_ARG, InputError, InputKind, SourceText, read_input
from wikilint.bot.files.textview import TextView, located_in_source
from wikilint.bot.web.titles import (
    allow_private_fetch_option,
    fetch_titles,
    notes_on_stderr,
    urls_needing_titles,
)
from wikilint.bot.wiki.generators import category_depth_option
from wikilint.rules.config import closest

if TYPE_CHECKING:
    from wikilint.bot.change.core import Change
    from wikilint.bot.change.policy import PagePolicy
from wikilint.rules.engine import LintResult

# Commands defined elsewhere, loaded only when asked for (or when listing commands).
PLUGIN_MODULES = (
    "wikilint.bot.cli.wiki_commands",
    "wikilint.bot.cli.account",
    "wikilint.bot.cli.serve",
    "wikilint.bot.scan.scanner",
    "wikilint.bot.runner.loop",
)
DEBUG_ENV = "WIKILINT_DEBUG"
LINT_FORMATS = (*output.FORMATS, "sarif", "junit")


# -- the group and its lazily loaded commands -----------------------------------------------


class LazyPluginGroup(click.Group):
    """A click group that imports plugin modules only for commands it does not know."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plugins_loaded = False
        self._plugin_errors: dict[str, str] = {}

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for name in PLUGIN_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:  # the module exists but a dependency is missing
                    self._plugin_errors[name] = str(exc)
                continue
            except Exception as exc:  # a broken plugin must not break `wikilint lint`
                self._plugin_errors[name] = f"{type(exc).__name__}: {exc}"
                continue
            _register_plugin(self, module)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            self._load_plugins()
            command = super().get_command(ctx, cmd_name)
            if command is None and self._plugin_errors:
                for name, error in self._plugin_errors.items():
                    click.echo(f"note: commands from {name} are unavailable: {error}", err=True)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugins()
        return super().list_commands(ctx)


def _register_plugin(group: click.Group, module: Any) -> None:
    """A plugin offers ``register(group)``, or click commands as module attributes."""
    register = getattr(module, "register", None)
    if callable(register):
        register(group)
        return
    for attr in ("command", "scan_command", "scan"):
        command = getattr(module, attr, None)
        if isinstance(command, click.Command):
            group.add_command(command)
            return


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from wikilint.bot import __version__  # importlib.metadata: only when asked

    click.echo(f"wikilint, version {__version__}", color=ctx.color)
    ctx.exit()


@click.group(cls=LazyPluginGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    "-V",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
def main() -> None:
    """Lint and fix MediaWiki wikitext: references, footnotes, dates and URLs.

    \b
    wikilint lint page.wiki              findings, with excerpts
    wikilint fix page.wiki               the proposed fixes as a word diff (writes nothing)
    wikilint fix --write page.wiki       apply the safe fixes in place
    wikilint rules / wikilint explain R  the rules and their documentation
    """


# -- shared options -------------------------------------------------------------------------


def _selection_options(func: Callable[..., Any]) -> Callable[..., Any]:
    decorators = [
        click.option(
            "--select",
            multiple=True,
            metavar="RULES",
            help="Only these rules: names, codes or code prefixes (DT, RF1, UR30), "
            "comma-separated or repeated; ALL for every rule. Replaces the config file's select.",
        ),
        click.option(
            "--extend-select",
            multiple=True,
            metavar="RULES",
            help="Add these rules (names, codes or prefixes) to the config file's selection.",
        ),
        click.option(
            "--ignore",
            multiple=True,
            metavar="RULES",
            help="Skip these rules (names, codes or prefixes, comma-separated or repeated), on "
            "top of the config file's ignore (and extend-ignore, per-file-ignores).",
        ),
        click.option(
            "--section",
            metavar="TITLE|N",
            help="Report only inside this section (heading title, or 1-based number); the "
            "whole page stays the context.",
        ),
        click.option(
            "--config",
            "config_path",
            metavar="FILE",
            type=click.Path(dir_okay=False),
            help="Config file (wikilint.toml or pyproject.toml). Default: found upward from "
            "each linted file (from the current folder for stdin).",
        ),
        click.option(
            "--color/--no-color",
            default=None,
            help="Colour the output. Default: when writing to a terminal and NO_COLOR is unset.",
        ),
        click.option(
            "--restore-newlines/--no-restore-newlines",
            default=True,
            show_default=True,
            help="When a text lost its newlines (a flattened capture), put line breaks back "
            "around headings and list items before linting.",
        ),
        click.option(
            "--page",
            "pages",
            multiple=True,
            metavar="TITLE",
            help="Read this page from the wiki instead of a file (repeatable; needs pywikibot "
            "and user-config.py).",
        ),
        click.option(
            "--pages-from",
            "pages_from",
            multiple=True,
            metavar="-GEN:VALUE",
            help="Read the pages a pywikibot generator gives (-cat:NAME, -catr:NAME, "
            "-transcludes:TEMPLATE, -search:WORDS, -file:PATH, -recentchanges:N, -newpages:N; "
            "repeatable), as with --page.",
        ),
        category_depth_option(),
        click.option(
            "--site",
            metavar="SITE",
            help="With --page: family:code, family, or an api.php URL (default: user-config.py).",
        ),
        click.option(
            "--respect-gitignore/--no-respect-gitignore",
            default=True,
            show_default=True,
            help="When a PATH is a folder, skip the files git ignores there.",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def _section_key(section: str | None) -> str | None:
    # Digits mean a section number, or a title when no section has that number.
    return None if section is None else section.strip()


class ConfigResolver:
    """The configuration for each input: the ``--config`` file, else the one found upward
    from the input; with ``--select``/``--ignore``/``--extend-select`` on top, and the
    file's ``per-file-ignores`` for that input. Files are read once."""

    def __init__(
        self,
        explicit: str | None,
        select: Iterable[str],
        ignore: Iterable[str],
        extend_select: Iterable[str] = (),
    ):
        self.select = tuple(select)
        self.ignore = tuple(ignore)
        self.extend_select = tuple(extend_select)
        self._explicit = self._load(explicit) if explicit else None
        self._by_file: dict[Path | None, rules.Config] = {}
        # Check the command line's rule names now: one error, before any file is read.
        self._on_top(rules.Config())

    def _on_top(self, base: rules.Config) -> rules.Config:
        return base.with_selection(
            self.select or None, self.ignore or None, self.extend_select or None
        )

    def _load(self, path: str | Path | None) -> rules.Config:
        return self._on_top(load_config(path) if path else rules.Config())

    def folder_config(self, path: Path | None) -> rules.Config:
        """The config that applies in ``path``'s folder (before per-file-ignores)."""
        if self._explicit is not None:
            return self._explicit
        found = find_config_file(path if path is not None else Path.cwd())
        if found not in self._by_file:
            self._by_file[found] = self._load(found)
        return self._by_file[found]

    def for_path(self, path: Path | None) -> rules.Config:
        config = self.folder_config(path)
        if path is None or not config.per_file_ignores or not config.path:
            return config
        try:
            relative = path.resolve().relative_to(Path(config.path).resolve().parent)
        except ValueError:  # a file outside the config's folder: its patterns do not apply
            return config
        return config.for_file(relative.as_posix())


def _resolver(
    config_path: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    report: Report,
    extend_select: tuple[str, ...] = (),
) -> ConfigResolver:
    try:
        return ConfigResolver(config_path, select, ignore, extend_select)
    except rules.ConfigError as exc:
        report.fail(str(exc))


def _expand_paths(
    paths: tuple[str, ...], resolver: ConfigResolver, respect_gitignore: bool, report: Report
) -> tuple[str, ...]:
    """Folders stand for the wiki files below them (``bot.files.discovery``)."""
    if not any(Path(p).is_dir() for p in paths if p != STDIN_ARG):
        return paths
    from wikilint.bot.files.discovery import expand  # os.walk and git: only for folders

    expanded, notes = expand(paths, resolver.folder_config, respect_gitignore)
    for note in notes:
        report.note(note.split(":", 1)[0], note.split(": ", 1)[1])
    return tuple(expanded)


def _sources(paths: tuple[str, ...], restore: bool, report: Report) -> Iterator[SourceText]:
    """Each readable input, in order; unreadable ones are reported and counted as errors."""
    stdin = sys.stdin.buffer  # click's CliRunner swaps sys.stdin for tests
    for arg in paths:
        try:
            source = read_input(arg, stdin, restore)
        except InputError as exc:
            report.error(str(exc))
            continue
        for note in source.notes:
            report.note(source.label, note)
        yield source


def _page_sources(
    titles: tuple[str, ...], site: str | None, report: Report
) -> Iterator[SourceText]:
    """Pages read from the wiki (``--page``): imports the wiki layer only when used."""
    if not titles:
        return
    try:
        from wikilint.bot.cli import wiki_commands as wiki_cli
    except ImportError as exc:
        report.error(f"--page needs the wiki commands (bot.wiki_cli): {exc}")
        return
    for title in titles:
        try:
            revision = wiki_cli.fetch_page(title, site)
        except click.ClickException as exc:  # the wiki layer's one-line errors
            report.error(f"[[{title}]]: {exc.format_message()}", _page_error_code(exc))
            continue
        yield SourceText(
            label=f"[[{revision.title}]]",
            path=None,
            view=TextView(revision.text),
            page_title=revision.title,
        )


def _page_error_code(exc: click.ClickException) -> int:
    """A wiki command's own exit code (the wiki unavailable, the account stopped), else 2."""
    return exc.exit_code if isinstance(exc, CommandError) else EXIT_ERROR


def _generated_pages(
    pages_from: tuple[str, ...], site: str | None, category_depth: str | None
) -> tuple[str, ...]:
    """``--pages-from``: the titles pywikibot's generators give (the wiki layer only then)."""
    if not pages_from and category_depth is None:
        return ()
    from wikilint.bot.cli import wiki_commands as wiki_cli

    try:
        return tuple(wiki_cli.generated_titles(pages_from, site, category_depth))
    except click.ClickException as exc:
        exc.exit_code = _page_error_code(exc)  # an error (or the wiki's own code)
        raise


def _default_paths(paths: tuple[str, ...], pages: tuple[str, ...]) -> tuple[str, ...]:
    if paths or pages:
        return paths
    if not sys.stdin.isatty():
        return (STDIN_ARG,)
    raise click.UsageError("give files to lint (or - for standard input, or --page TITLE)")


def _guard(label: str, report: Report, action: Callable[[], Any]) -> Any:
    """Run one input's work; a section or rule failure is that input's error, not a crash."""
    try:
        return action()
    except rules.SectionNotFound as exc:
        report.error(f"{label}: {exc}")
    except rules.ConfigError as exc:
        report.error(str(exc))
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        report.error(
            f"{label}: internal error: {type(exc).__name__}: {exc} "
            f"(set {DEBUG_ENV}=1 for a traceback)"
        )
    return None


# -- lint -----------------------------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1, metavar="[PATH|-]...")
@_selection_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(LINT_FORMATS),
    default="text",
    show_default=True,
    help="text: findings with excerpts and a summary; json: one list of objects; "
    "github: GitHub Actions annotations; sarif: SARIF 2.1.0; junit: JUnit XML.",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Count the findings per rule instead of listing them (text or json).",
)
@click.option(
    "--exit-zero", is_flag=True, help="Exit 0 even when there are findings (errors still exit 2)."
)
@click.option("-q", "--quiet", is_flag=True, help="Only the findings: no summary, hints or notes.")
@click.option(
    "--output-file",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE",
    help="Write the report to FILE instead of standard output.",
)
def lint(
    paths: tuple[str, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    section: str | None,
    config_path: str | None,
    color: bool | None,
    restore_newlines: bool,
    pages: tuple[str, ...],
    pages_from: tuple[str, ...],
    category_depth: str | None,
    site: str | None,
    respect_gitignore: bool,
    output_format: str,
    statistics: bool,
    exit_zero: bool,
    quiet: bool,
    output_file: str | None,
) -> None:
    """Report findings in wikitext files, folders (their *.wiki, *.wikitext and *.mediawiki
    files), stdin (-), or saved edit forms.

    Exit status: 0 no findings, 1 findings, 2 an error (the other inputs are still linted).
    """
    if statistics and output_format not in ("text", "json"):
        raise click.UsageError("--statistics goes with --format text or json")
    pages += _generated_pages(pages_from, site, category_depth)
    paths = _default_paths(paths, pages + pages_from)
    buffer = io.StringIO() if output_file else None
    report = Report(
        color if output_format == "text" and not output_file else False, out=buffer, quiet=quiet
    )
    resolver = _resolver(config_path, select, ignore, report, extend_select)
    paths = _expand_paths(paths, resolver, respect_gitignore, report)
    everything: list[output.Located] = []
    linted_labels: list[str] = []
    sources = [*_sources(paths, restore_newlines, report), *_page_sources(pages, site, report)]
    listing = output_format if not statistics else None
    for source in sources:
        linted = _guard(source.label, report, lambda s=source: _lint_one(s, resolver, section))
        if linted is None:
            continue
        linted_labels.append(source.label)
        result, found = linted
        if result.parse_error is not None:
            report.failed()
        everything.extend(found)
        if listing == "text":
            for loc in found:
                report.echo(output.format_text(loc, source.view.source, report.color))
        elif listing == "github":
            for loc in found:
                report.echo(output.format_github(loc))
    if statistics:
        report.echo(output.format_statistics(everything, output_format))
    elif output_format == "json":
        report.echo(output.format_json(everything))
    elif output_format in ("sarif", "junit"):
        from wikilint.bot.files import interchange  # json / xml: only for these formats

        if output_format == "sarif":
            from wikilint.bot import __version__

            report.echo(interchange.format_sarif(everything, __version__, report.exit_code))
        else:
            report.echo(interchange.format_junit(everything, linted_labels))
    if output_format == "text" and linted_labels and not quiet and not statistics:
        report.echo(output.lint_summary(everything, len(linted_labels)))
        hint = output.fix_hint(everything, [s.label for s in sources if s.writable])
        if hint:
            report.echo(hint)
    if buffer is not None:
        _write_report(output_file or "", buffer.getvalue(), report)
    if not exit_zero:
        report.found(len(everything))
    report.exit()


def _write_report(path: str, text: str, report: Report) -> None:
    from wikilint.bot.files.writefile import write_report

    try:
        write_report(Path(path), text.encode("utf-8"))
    except OSError as exc:
        report.error(f"{path}: cannot write the report: {exc.strerror or exc}")


def _lint_one(
    source: SourceText, resolver: ConfigResolver, section: str | None
) -> tuple[LintResult, list[output.Located]]:
    config = resolver.for_path(source.path)
    env = rules.Environment(page_title=source.page_title)
    result = rules.lint(source.text, config, env, _section_key(section))
    return result, located_in_source(source.view, output.locate(source.label, result))


# -- fix ------------------------------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1, metavar="[PATH|-]...")
@_selection_options
@click.option(
    "--diff",
    "mode",
    flag_value="diff",
    help="Print the proposed change as a word diff and write nothing (the default).",
)
@click.option(
    "--unified",
    "mode",
    flag_value="unified",
    help="Print a unified diff (a/ and b/ paths) that `patch -p1` and `git apply` take; "
    "writes nothing.",
)
@click.option("--stdout", "mode", flag_value="stdout", help="Print the fixed text (one input).")
@click.option(
    "--write",
    "mode",
    flag_value="write",
    help="Rewrite the files in place, atomically (not for stdin or edit-form captures).",
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="Also apply unsafe fixes (e.g. bare URL → {{cite web}} with a fetched title).",
)
@click.option(
    "--no-fetch",
    is_flag=True,
    help="With --unsafe-fixes: do not fetch page titles from the web.",
)
@click.option(
    "--contact",
    envvar="WIKILINT_CONTACT",
    metavar="EMAIL|URL",
    help="With --unsafe-fixes: your contact, sent in the User-Agent when fetching titles "
    "(required to fetch; env WIKILINT_CONTACT).",
)
@allow_private_fetch_option
@click.option("--submit", is_flag=True, help="With --page: save the fix to the wiki.")
@click.option("--yes", is_flag=True, help="With --page --submit: save without asking.")
@click.option("--summary", metavar="TEXT", help="With --page --submit: the edit summary.")
@click.option("--minor/--no-minor", default=True, help="With --page --submit: mark the edit minor.")
@click.option(
    "--state",
    type=click.Path(dir_okay=False),
    help="With --page --submit: the proposal store (default: the user's state folder).",
)
def fix(
    paths: tuple[str, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    section: str | None,
    config_path: str | None,
    color: bool | None,
    restore_newlines: bool,
    pages: tuple[str, ...],
    pages_from: tuple[str, ...],
    category_depth: str | None,
    site: str | None,
    respect_gitignore: bool,
    mode: str | None,
    unsafe_fixes: bool,
    no_fetch: bool,
    contact: str | None,
    allow_private_fetch: bool,
    submit: bool,
    yes: bool,
    summary: str | None,
    minor: bool,
    state: str | None,
) -> None:
    """Fix what the rules can fix. By default writes nothing and shows a word diff.

    A wiki page (--page) that propose and submit leave alone ({{nobots}}, {{in use}}, too
    large) is shown as skipped, with no diff.

    Exit status: 0 nothing to fix (or a page skipped), or the fixes were written (--write)
    or printed (--stdout); 1 fixes proposed in a dry run (--diff, the default, or --unified);
    2 an error.
    """
    mode = mode or "diff"
    pages += _generated_pages(pages_from, site, category_depth)
    paths = _default_paths(paths, pages + pages_from)
    if (submit or yes or summary or state) and not (pages or pages_from):
        raise click.UsageError("--submit, --yes, --summary and --state go with --page")
    if mode == "stdout" and len(paths) + len(pages) > 1:
        raise click.UsageError("--stdout prints one fixed text: give one input")
    report = Report(color if mode == "diff" else False)
    resolver = _resolver(config_path, select, ignore, report, extend_select)
    paths = _expand_paths(paths, resolver, respect_gitignore, report)
    totals = FixTotals()
    files = 0
    if pages and mode == "write":
        report.error("--write is for files; for wiki pages use --submit (or propose/review)")
    page_titles = () if submit or mode == "write" else pages
    pages_read = list(_page_sources(page_titles, site, report))
    # Wiki pages are fixed under the page policy propose and submit apply ({{nobots}}, …).
    policy = _page_policy(site, report) if pages_read else None
    sources: list[tuple[SourceText, PagePolicy | None]]
    sources = [(s, None) for s in _sources(paths, restore_newlines, report)]
    sources += [(s, policy) for s in pages_read]
    for source, page_policy in sources:
        if mode == "write" and not source.writable:
            report.error(_unwritable(source))
            continue
        result = _guard(
            source.label,
            report,
            lambda s=source, pp=page_policy: _fix_one(
                s,
                resolver,
                section,
                unsafe_fixes,
                None if no_fetch else contact,
                no_fetch,
                allow_private_fetch,
                pp,
            ),
        )
        if result is None:
            continue
        # A fix that cannot be mapped back to the input is that input's error: nothing written.
        files += bool(
            _guard(
                source.label,
                report,
                lambda s=source, r=result: _report_fix(s, r, mode, report, totals),
            )
        )
    if pages and submit:
        _submit_pages(
            pages,
            site,
            resolver,
            section,
            unsafe_fixes,
            yes,
            summary,
            minor,
            state,
            report,
            contact=contact,
            fetch=not no_fetch,
            allow_private=allow_private_fetch,
        )
    if files:
        report.echo(totals.describe(mode, files), err=mode in ("stdout", "unified"))
    if mode in ("diff", "unified"):
        report.found(totals.changed_files)
    report.exit()


def _unwritable(source: SourceText) -> str:
    what = {
        InputKind.EDIT_FORM_CAPTURE: "an edit-form capture",
        InputKind.HTML_EDIT_PAGE: "a saved edit page",
    }.get(source.kind, "standard input")
    return (
        f"{source.label}: --write cannot put fixed wikitext back into {what}; "
        "use --stdout and paste the text into the edit form"
    )


def _fix_one(
    source: SourceText,
    resolver: ConfigResolver,
    section: str | None,
    unsafe: bool,
    contact: str | None,
    no_fetch: bool,
    allow_private: bool = False,
    policy: PagePolicy | None = None,
) -> Change:
    """The input's change from the change core (as ``run``, ``propose`` and ``submit``
    compute theirs); ``policy`` for a wiki page."""
    from wikilint.bot.change.core import compute_change

    def titles(first: LintResult) -> dict[str, str]:
        urls = urls_needing_titles(first)
        return _fetch_titles(source.label, urls, contact, allow_private) if urls else {}

    return compute_change(
        source.text,
        section=_section_key(section),
        config=resolver.for_path(source.path),
        env=rules.Environment(page_title=source.page_title),
        unsafe=unsafe,
        policy=policy,
        titles=None if no_fetch else titles,
    )


def _page_policy(site: str | None, report: Report) -> PagePolicy | None:
    """The page policy for the account ``site`` is used with (None, and an error, when it
    cannot be opened)."""
    from wikilint.bot.cli import wiki_commands as wiki_cli

    try:
        return wiki_cli.page_policy_for(site)
    except click.ClickException as exc:  # the wiki layer's one-line errors
        report.error(exc.format_message(), _page_error_code(exc))
        return None


@dataclasses.dataclass
class FixTotals:
    applied: int = 0
    changed_files: int = 0

    def describe(self, mode: str, files: int) -> str:
        fixes = output.plural(self.applied, "fix")
        if mode == "write":
            return f"Applied {fixes} to {output.plural(self.changed_files, 'file')}."
        if mode == "stdout":
            return f"Applied {fixes} (printed, nothing written)."
        if mode == "unified" and self.applied:
            return (
                f"Would apply {fixes} to {output.plural(self.changed_files, 'file')} "
                "(the patch is on stdout: `patch -p1` or `git apply` applies it)."
            )
        if not self.applied:
            return f"Nothing to fix in {output.plural(files, 'file')}."
        return (
            f"Would apply {fixes} to {output.plural(self.changed_files, 'file')} "
            "(dry run: nothing written; --write to apply, --stdout to print the text)."
        )


def _report_fix(
    source: SourceText, change: Change, mode: str, report: Report, totals: FixTotals
) -> bool:
    """Show, print or write one input's fix; False when it failed (nothing counted).

    The fixes are applied to the input as read (:meth:`SourceText.fixed`): what is shown,
    printed or written differs from it only inside the fixes' edits. A wiki page the page
    policy leaves alone is shown as skipped, with its text unchanged."""
    if change.parse_error is not None:
        report.failed()
        located = located_in_source(
            source.view,
            output.locate(source.label, LintResult(change.original, [change.parse_error], None)),
        )
        report.echo(output.format_text(located[0], source.view.source, False), err=True)
        return False
    changed = change.proposed != change.original
    fixed = source.fixed(list(change.edits)) if changed else source.view.source
    to_stderr = mode in ("stdout", "unified")  # stdout holds the text or the patch alone
    if mode == "stdout":
        report.echo(source.edit_box(fixed), nl=False)
    elif mode == "unified" and changed:
        from wikilint.bot.change.patch import unified_diff  # difflib: --unified only

        report.echo(unified_diff(source.label, source.view.source, fixed), nl=False)
    elif mode == "diff" and changed:
        head = f"--- {source.label}\n+++ {source.label} (fixed)"
        if source.kind is InputKind.HTML_EDIT_PAGE:
            head += "   [positions are in the edit box's wikitext]"
        report.echo(report.style(head, bold=True))
        from wikilint.bot.change.diff import word_diff  # fix only: lint never loads it

        report.echo(word_diff(source.view.source, fixed, report.color), nl=False)
    elif mode == "write" and changed:
        assert source.path is not None  # writable() checked it
        from wikilint.bot.files.writefile import write_file  # tempfile: for --write only

        try:
            write_file(source.path, fixed.encode("utf-8"))
        except OSError as exc:
            report.error(f"{source.label}: cannot write: {exc.strerror or exc}")
            return False
    totals.applied += len(change.findings)
    totals.changed_files += changed
    report.echo(fix_summary(source.label, change), err=to_stderr)
    return True


def fix_summary(label: str, change: Change) -> str:
    """``label: 3 fixes in 1 pass (date-format ×2, …); converged; 5 findings remain (…)``,
    or why the page policy leaves a wiki page alone."""
    if change.skip_reason:
        return (
            f"{label}: skipped: {change.skip_reason} (propose and submit skip it too; "
            "lint --page shows its findings)"
        )
    if not change.findings:
        head = f"{label}: nothing to fix"
    else:
        rules_text = ", ".join(f"{rule} ×{n}" for rule, n in sorted(change.rule_counts.items()))
        passes = output.plural(change.passes, "pass")
        fixes = output.plural(len(change.findings), "fix")
        head = f"{label}: {fixes} in {passes} ({rules_text})"
        if not change.converged:  # the fixes kept changing the text: say so in plain words
            head += (
                "; the fixes had not settled when wikilint stopped (run fix again and "
                "check the result)"
            )
    remaining = change.remaining
    unsafe = sum(
        1
        for f in remaining
        if f.fix is not None and f.fix.applicability is rules.Applicability.UNSAFE
    )
    tail = f"{output.plural(len(remaining), 'finding')} remain{'s' if len(remaining) == 1 else ''}"
    if unsafe:
        tail += f" ({unsafe} fixable with --unsafe-fixes)"
    return f"{head}; {tail}"


# -- fetched titles for unsafe fixes (bot.titles) -------------------------------------------


def _fetch_titles(
    label: str, urls: list[str], contact: str | None, allow_private: bool = False
) -> dict[str, str]:
    """Titles from bot.web.fetch, with a note on stderr for each URL without one saying why,
    or for all of them (no contact, no fetcher); no cap on the URLs: the user asked."""
    return fetch_titles(urls, contact, notes_on_stderr(label), allow_private=allow_private)


# -- fix --page (delegated to the wiki layer) -----------------------------------------------


def _submit_pages(
    pages: tuple[str, ...],
    site: str | None,
    resolver: ConfigResolver,
    section: str | None,
    unsafe: bool,
    yes: bool,
    summary: str | None,
    minor: bool,
    state: str | None,
    report: Report,
    contact: str | None = None,
    fetch: bool = True,
    allow_private: bool = False,
) -> None:
    """``fix --page P --submit``: a one-shot propose and submit, through the wiki layer."""
    try:
        from wikilint.bot.cli import wiki_commands as wiki_cli
    except ImportError as exc:
        report.error(f"--page needs the wiki commands (bot.wiki_cli): {exc}")
        return
    config = resolver.for_path(None)
    for title in pages:
        try:
            code = wiki_cli.fix_page(
                title,
                section=_section_key(section),
                site=site,
                config=config,
                unsafe=unsafe,
                yes=yes,
                summary=summary,
                minor=minor,
                state=state,
                color=report.color,
                contact=contact,
                fetch=fetch,
                allow_private=allow_private,
            )
        except click.ClickException as exc:  # the wiki layer's one-line errors
            report.error(f"[[{title}]]: {exc.format_message()}", _page_error_code(exc))
            continue
        except rules.SectionNotFound as exc:
            report.error(f"[[{title}]]: {exc}")
            continue
        if code:
            report.failed(code)


# -- rules and explain ----------------------------------------------------------------------


@main.command("rules")
@click.option(
    "--markdown",
    is_flag=True,
    help="Print the Markdown rule table used in README.md (between its markers).",
)
def rules_command(markdown: bool) -> None:
    """List the rules: name, code, severity, fix, summary."""
    if markdown:
        from wikilint.rules.docs import rule_table_markdown

        click.echo(rule_table_markdown())
        return
    header = ("RULE", "CODE", "SEVERITY", "FIX", "SUMMARY")
    rows = [
        (r.name, r.code, r.severity.value, r.fixable.value, r.summary) for r in rules.all_rules()
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        click.echo("  ".join([*cells, row[4]]).rstrip())


@main.command("explain")
@click.argument("rule")
def explain_command(rule: str) -> None:
    """Show a rule's documentation (by name or code)."""
    try:
        found = rules.get_rule(rule.strip())
    except KeyError:
        known = [r.name for r in rules.all_rules()] + [r.code for r in rules.all_rules()]
        Report().fail(f"unknown rule {rule!r}{closest(rule, known)}; `wikilint rules` lists them")
    from wikilint.rules.docs import explain as explain_rule

    click.echo(explain_rule(found), nl=False)


if __name__ == "__main__":
    main(prog_name="wikilint")
