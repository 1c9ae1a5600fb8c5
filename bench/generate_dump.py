"""Generate a MediaWiki XML dump from real articles, with variations, for the scan benchmark.

    python -m bench.generate_dump OUT.xml[.bz2|.gz] --pages 3000 [--seed 1] [--corpus DIR]

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
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

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


def write_dump(out: IO[str], pages: Iterator[tuple[str, int, list[str]]]) -> int:
    out.write(
        f'<mediawiki xmlns="{EXPORT_NS}" version="0.11" xml:lang="en">\n'
        "  <siteinfo>\n    <sitename>Bench</sitename>\n    <dbname>benchwiki</dbname>\n"
        '    <namespaces>\n      <namespace key="0" case="first-letter" />\n'
        '      <namespace key="4" case="first-letter">Project</namespace>\n'
        "    </namespaces>\n  </siteinfo>\n"
    )
    revid = 0
    n = 0
    for pageid, (title, ns, revisions) in enumerate(pages, start=1):
        out.write(f"  <page>\n    <title>{escape(title)}</title>\n    <ns>{ns}</ns>\n"
                  f"    <id>{pageid}</id>\n")
        for text in revisions:
            revid += 1
            out.write(
                f"    <revision>\n      <id>{revid}</id>\n"
                "      <timestamp>2024-05-01T00:00:00Z</timestamp>\n"
                "      <contributor><username>Bench</username><id>1</id></contributor>\n"
                "      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
                f'      <text bytes="{len(text.encode())}" xml:space="preserve">'
                f"{escape(text)}</text>\n    </revision>\n"
            )
        out.write("  </page>\n")
        n += 1
    out.write("</mediawiki>\n")
    return n


def open_text(path: Path) -> IO[str]:
    if path.suffix == ".bz2":
        return bz2.open(path, "wt", encoding="utf-8")
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8")
    return path.open("w", encoding="utf-8")


def generate(path: Path, count: int, seed: int = 1, corpus: Path = DEFAULT_CORPUS) -> int:
    with open_text(path) as out:
        return write_dump(out, generate_pages(count, seed, corpus))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    n = generate(args.output, args.pages, args.seed, args.corpus)
    print(f"wrote {n} pages to {args.output} ({args.output.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
