"""Imports point down: cli → runner/scan → web → change → wiki/files → rules, with no cycles.

Read from the source with ``ast`` (imports inside functions count too: a lazy import is still
a dependency), so the check needs no import of pywikibot or requests.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from pathlib import Path

from tests.paths import REPO

BOT = REPO / "bot"
RULES = REPO / "rules"
# A subpackage may import only subpackages of a higher layer number (those below it).
# runner and scan drive the title fetcher and the web views of changes (web), which show
# and store changes (change), which read and write files and talk to the wiki (files, wiki).
LAYERS = {"cli": 0, "runner": 1, "scan": 1, "web": 2, "change": 3, "wiki": 4, "files": 4}
# Wrong-way imports waiting for a move: (file, imported subpackage) → the move that removes
# it. Keep this empty (the last one, web/queue.py → cli, went with submit's move to change/).
KNOWN: dict[tuple[str, str], str] = {}


def module_name(path: Path, root: Path, package: str) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    name = ".".join((package, *parts))
    return name.removesuffix(".__init__")


def imported(path: Path, *, typing_only: bool = True) -> list[tuple[str, int]]:
    """Every module name an ``import`` or ``from … import`` of the file names, with its line;
    without ``typing_only``, not those under ``if TYPE_CHECKING:`` (never run)."""
    return _imported(path, typing_only)


_MAY_IMPORT = (ast.stmt, ast.excepthandler, ast.match_case)


@functools.cache
def _imported(path: Path, typing_only: bool) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and not typing_only and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, node.lineno))
            found.extend((f"{node.module}.{alias.name}", node.lineno) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _MAY_IMPORT):  # an expression holds no import statement
                visit(child)

    visit(_tree(path))
    return found


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def bot_modules(root: Path = BOT) -> dict[str, Path]:
    return {module_name(p, root, "wikilint.bot"): p for p in root.rglob("*.py")}


def subpackage(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 3 or (len(parts) == 3 and parts[2] in LAYERS) else None


def test_every_subpackage_has_a_layer() -> None:
    found = {p.name for p in BOT.iterdir() if (p / "__init__.py").exists()}
    assert found == set(LAYERS), "give a new bot/ subpackage its place in LAYERS"


def wrong_way_imports(root: Path = BOT) -> list[str]:
    """``file:line: source imports dest`` for each import of a subpackage of the same or a
    higher layer (files named relative to ``root``'s parent), but those in KNOWN."""
    wrong = []
    for name, path in bot_modules(root).items():
        source = subpackage(name)
        if source is None:  # bot/__init__.py
            continue
        where = path.relative_to(root.parent)
        for target, line in imported(path):
            if not target.startswith("wikilint.bot."):
                continue
            dest = subpackage(target)
            if dest is None or dest == source:
                continue
            if LAYERS[dest] <= LAYERS[source] and (str(where), dest) not in KNOWN:
                wrong.append(f"{where}:{line}: {source} imports {dest}")
    return sorted(set(wrong))


def test_no_wrong_way_import_is_waived() -> None:
    assert KNOWN == {}


def test_imports_point_down_the_layers() -> None:
    wrong = wrong_way_imports()
    assert wrong == [], "\n".join(wrong)


def test_a_wrong_way_import_is_reported(tmp_path: Path) -> None:
    """The web queue importing the CLI again (lazily, as it once did) fails the check."""
    bot = tmp_path / "bot"
    for package in LAYERS:
        (bot / package).mkdir(parents=True)
        (bot / package / "__init__.py").write_text("")
    (bot / "web" / "queue.py").write_text(
        "from wikilint.bot.change import submit\n"
        "def api_submit():\n"
        "    from wikilint.bot.cli import wiki_commands\n"
    )
    (bot / "change" / "submit.py").write_text("from wikilint.bot.wiki import api\n")
    assert wrong_way_imports(bot) == ["bot/web/queue.py:3: web imports cli"]


def test_rules_import_nothing_of_bot() -> None:
    wrong = [
        f"{path.relative_to(REPO)}:{line}: {target}"
        for path in RULES.rglob("*.py")
        for target, line in imported(path)
        if target.startswith(("wikilint.bot", "bot.", "pywikibot", "requests"))
    ]
    assert wrong == []


def test_no_import_cycles() -> None:
    modules = bot_modules() | {
        module_name(p, RULES, "wikilint.rules"): p for p in RULES.rglob("*.py")
    }
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for target, _ in imported(path, typing_only=False):  # what runs
            while target and target not in modules:
                target = target.rpartition(".")[0]
            # A package's __init__ is what "from package import module" runs first: not an
            # edge to the module's siblings.
            if target and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    cycles = strongly_connected(graph)
    assert cycles == [], cycles


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """The cycles of ``graph``: its strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    """The helpers above find a wrong-way import and a cycle (so a pass means something)."""
    module = tmp_path / "m.py"
    module.write_text(
        "import a\nif TYPE_CHECKING:\n    import b\nelse:\n    import c\n"
        "def f():\n    from d import e\n"
    )
    assert [n for n, _ in imported(module)] == ["a", "b", "c", "d", "d.e"]
    assert [n for n, _ in imported(module, typing_only=False)] == ["a", "c", "d", "d.e"]
    assert strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []
    assert subpackage("wikilint.bot.runner.config") == "runner"
    assert subpackage("wikilint.bot.change") == "change"
    assert subpackage("wikilint.bot") is None
    assert LAYERS["wiki"] > LAYERS["runner"]  # wiki importing runner is reported
