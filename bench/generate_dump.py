"""Generate a MediaWiki XML dump from real articles, with variations, for the scan benchmark.

    python -m bench.generate_dump OUT.xml[.bz2|.gz] --pages 3000 [--seed 1] [--corpus DIR]
    python -m bench.generate_dump DIR/bench-pages-articles-multistream.xml.bz2 --multistream
    python -m bench.generate_dump DIR/bench-pages-articles.xml.bz2 --parts 4 [--multistream]

``--multistream`` writes what Wikimedia publishes as ``…-multistream.xml.bz2``: one bz2 stream
for the header, one per 100 pages, one for the closing tag, and the index next to it
(``…-multistream-index.txt.bz2``, ``offset:pageid:title`` lines). ``--parts N`` splits the pages
into N numbered part files named as Wikimedia names them (``…-pages-articles1.xml-p1p250.bz2``),
each a whole dump, multistream with its own index or a single bz2 stream.

Each page is a contiguous run of blocks (paragraphs, lists, tables, reference lists…) cut from a
corpus article (tests/corpus/*.wiki), so pages are real wikitext of varied sizes. One page
in ten has an older revision before the latest (as in a full-history dump) and one in twenty is
in the project namespace (4), which a default scan skips. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, NamedTuple
from xml.sax.saxutils import escape

from wikilint.bot.scan.partitions import index_name
from wikilint.bot.wiki.sources import batched

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
EXPORT_NS = "http://www.mediawiki.org/xml/export-0.11/"


def load_corpus(folder: Path = DEFAULT_CORPUS) -> list[tuple[str, list[str]]]:
    """(title, blocks) per article; blocks are the text split at blank lines."""
    articles = []
    for path in sorted(folder.glob("*.wiki")):
        text = path.read_text(encoding="utf-8")
        title = path.stem.replace("-", " ").capitalize()
        articles.append((title, text.split("\n\n")))
    if not articles:
        raise SystemExit(f"no *.wiki files in {folder}")
    return articles


def generate_pages(
    count: int, seed: int = 1, corpus: Path = DEFAULT_CORPUS, mean_blocks: int = 6
) -> Iterator[tuple[str, int, list[str]]]:
    """(title, ns, revisions oldest first) for ``count`` pages."""
    rng = random.Random(seed)
    articles = load_corpus(corpus)
    for i in range(count):
        title, blocks = articles[i % len(articles)]
        size = max(1, min(len(blocks), int(rng.expovariate(1 / mean_blocks)) + 2))
        start = rng.randrange(0, max(1, len(blocks) - size + 1))
        text = "\n\n".join(blocks[start : start + size])
        ns = 4 if i % 20 == 19 else 0
        name = f"{title} {i}" if ns == 0 else f"Project:{title} {i}"
        revisions = [text]
        if i % 10 == 3:
            revisions.insert(0, text[: len(text) // 2])  # an older, shorter revision
        yield name, ns, revisions


HEADER = (
    f'<mediawiki xmlns="{EXPORT_NS}" version="0.11" xml:lang="en">\n'
    "  <siteinfo>\n    <sitename>Bench</sitename>\n    <dbname>benchwiki</dbname>\n"
    '    <namespaces>\n      <namespace key="0" case="first-letter" />\n'
    '      <namespace key="4" case="first-letter">Project</namespace>\n'
    "    </namespaces>\n  </siteinfo>\n"
)
FOOTER = "</mediawiki>\n"
PAGES_PER_STREAM = 100  # as in Wikimedia's multistream dumps


class NumberedPage(NamedTuple):
    pageid: int
    title: str
    xml: str


def numbered_pages(pages: Iterable[tuple[str, int, list[str]]]) -> Iterator[NumberedPage]:
    """Page ids from 1 and revision ids from 1, in order, with each page's XML."""
    revid = 0
    for pageid, (title, ns, revisions) in enumerate(pages, start=1):
        parts = [
            f"  <page>\n    <title>{escape(title)}</title>\n    <ns>{ns}</ns>\n"
            f"    <id>{pageid}</id>\n"
        ]
        for text in revisions:
            revid += 1
            parts.append(
                f"    <revision>\n      <id>{revid}</id>\n"
                "      <timestamp>2024-05-01T00:00:00Z</timestamp>\n"
                "      <contributor><username>Bench</username><id>1</id></contributor>\n"
                "      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
                f'      <text bytes="{len(text.encode())}" xml:space="preserve">'
                f"{escape(text)}</text>\n    </revision>\n"
            )
        parts.append("  </page>\n")
        yield NumberedPage(pageid, title, "".join(parts))


def write_dump(out: IO[str], pages: Iterable[tuple[str, int, list[str]]]) -> int:
    return write_numbered(out, numbered_pages(pages))


def write_numbered(out: IO[str], pages: Iterable[NumberedPage]) -> int:
    out.write(HEADER)
    n = 0
    for page in pages:
        out.write(page.xml)
        n += 1
    out.write(FOOTER)
    return n


def write_multistream(
    path: Path, pages: Iterable[NumberedPage], pages_per_stream: int = PAGES_PER_STREAM
) -> int:
    """A multistream dump at ``path`` and its index, named as Wikimedia names it."""
    index_path = index_name(path)
    if index_path is None:
        raise SystemExit(
            f"{path}: a multistream dump is named X-multistream.xml.bz2 "
            "(or X-multistreamN.xml-pApB.bz2 for a part)"
        )
    n = 0
    with path.open("wb") as out, bz2.open(index_path, "wt", encoding="utf-8") as index:
        out.write(bz2.compress(HEADER.encode()))
        for group in batched(pages, pages_per_stream):
            offset = out.tell()
            for page in group:
                index.write(f"{offset}:{page.pageid}:{page.title}\n")
            out.write(bz2.compress("".join(page.xml for page in group).encode()))
            n += len(group)
        out.write(bz2.compress(FOOTER.encode()))
    return n


def write_parts(
    path: Path, pages: Iterable[NumberedPage], parts: int, count: int, multistream: bool = False
) -> list[Path]:
    """``parts`` numbered part files named after ``path`` (…pages-articles.xml.bz2 becomes
    …pages-articles1.xml-p1p250.bz2, …), each a whole dump."""
    stem = path.name.split(".xml")[0]
    per_part = -(-count // parts)
    written = []
    for number, group in enumerate(batched(pages, per_part), start=1):
        name = f"{stem}{number}.xml-p{group[0].pageid}p{group[-1].pageid}.bz2"
        target = path.with_name(name)
        if multistream:
            write_multistream(target, group)
        else:
            with bz2.open(target, "wt", encoding="utf-8") as out:
                write_numbered(out, group)
        written.append(target)
    return written


def open_text(path: Path) -> IO[str]:
    if path.suffix == ".bz2":
        return bz2.open(path, "wt", encoding="utf-8")
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8")
    return path.open("w", encoding="utf-8")


def generate(
    path: Path, count: int, seed: int = 1, corpus: Path = DEFAULT_CORPUS, mean_blocks: int = 6
) -> int:
    with open_text(path) as out:
        return write_dump(out, generate_pages(count, seed, corpus, mean_blocks))


def generate_multistream(
    path: Path, count: int, seed: int = 1, corpus: Path = DEFAULT_CORPUS, mean_blocks: int = 6
) -> int:
    """The same pages as :func:`generate` for the same seed, as a multistream dump + index."""
    return write_multistream(path, numbered_pages(generate_pages(count, seed, corpus, mean_blocks)))


def generate_parts(
    path: Path,
    count: int,
    parts: int,
    seed: int = 1,
    multistream: bool = False,
    corpus: Path = DEFAULT_CORPUS,
    mean_blocks: int = 6,
) -> list[Path]:
    """The same pages as :func:`generate`, split into ``parts`` part files."""
    pages = numbered_pages(generate_pages(count, seed, corpus, mean_blocks))
    return write_parts(path, pages, parts, count, multistream)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--multistream",
        action="store_true",
        help="a multistream dump (100 pages per bz2 stream) and its index",
    )
    parser.add_argument("--parts", type=int, default=0, help="split into this many part files")
    args = parser.parse_args(argv)
    if args.parts:
        paths = generate_parts(
            args.output, args.pages, args.parts, args.seed, args.multistream, args.corpus
        )
        print(f"wrote {args.pages} pages to {len(paths)} parts: {', '.join(map(str, paths))}")
        return
    if args.multistream:
        n = generate_multistream(args.output, args.pages, args.seed, args.corpus)
    else:
        n = generate(args.output, args.pages, args.seed, args.corpus)
    print(f"wrote {n} pages to {args.output} ({args.output.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
