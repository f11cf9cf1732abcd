"""Benchmark: capturing a large corpus with `provenance source add FOLDER`, against a plain bulk load.

    python benchmarks/ingest.py                        # 20,000 articles (about 100 MB), temporary SQLite files
    python benchmarks/ingest.py --articles 2000        # smaller
    python benchmarks/ingest.py --db postgresql://postgres@127.0.0.1:5432/bench   # an EMPTY PostgreSQL database

Generates a corpus of news articles in folders of 1,000 (plain text with header lines, and a share of saved
web pages with navigation, scripts and metadata), then times, each in its own process:

- the baseline: the same files read and decoded, split into sentences by a simple regex, and stored as source
  and sentence rows; on SQLite with the sqlite3 module's ``executemany`` and then an FTS5 index built with
  ``rebuild``, on PostgreSQL with psycopg ``COPY`` and then a GIN index on the sentences' tsvectors;
- provenance: the same folder through the same code as ``provenance source add`` (web pages extracted with
  trafilatura, text normalised, paragraphs and sentences segmented, every row and the search index written in
  one transaction), into a database at the current schema.

Prints both times, the ratio (target: at most 2x) and each process's peak memory (target: under 500 MB).
Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "sources").glob("*.txt"))
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
PLACES = "Pyongyang Islamabad New Delhi Beijing Seoul Tokyo Tehran Moscow Kabul Dhaka Colombo Hanoi".split()
NAMES = "Singh Khan Kim Ri Park Sharma Lee Choi Rao Gupta Ahmed Malik Chen Wang Tanaka Ivanov".split()


def seed_sentences() -> list[str]:
    sentences: list[str] = []
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        for paragraph in text.split("\n\n"):
            sentences.extend(s.strip() for s in SENTENCE_END.split(paragraph) if len(s.strip()) > 40)
    return sentences


def vary(sentence: str, rng: random.Random) -> str:
    """A seed sentence with its numbers, places and names changed, so every article's text is its own."""
    sentence = re.sub(r"\d+", lambda m: str(rng.randint(1, 10 ** len(m.group(0)))), sentence)
    sentence = sentence.replace("North Korea", rng.choice(PLACES)).replace("India", rng.choice(PLACES))
    return sentence.replace("Singh", rng.choice(NAMES)).replace("Khan", rng.choice(NAMES))


def article(n: int, rng: random.Random, pool: list[str]) -> tuple[str, list[str]]:
    title = f"{rng.choice(PLACES)} and {rng.choice(PLACES)}: talks on {rng.choice(['aid', 'trade', 'missiles'])} {n}"
    paragraphs = []
    size = 0
    while size < 4800:
        paragraph = " ".join(vary(rng.choice(pool), rng) for _ in range(rng.randint(2, 5)))
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return title, paragraphs


def write_corpus(folder: Path, articles: int, html_share: float, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    pool = seed_sentences()
    total = html = 0
    for n in range(articles):
        title, paragraphs = article(n, rng, pool)
        day = f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        author = f"{rng.choice(['Anna', 'Ravi', 'Min-jun', 'Sara'])} {rng.choice(NAMES)}"
        sub = folder / f"{n // 1000:03d}"
        sub.mkdir(exist_ok=True)
        if rng.random() < html_share:
            body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
            page = (
                f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | The Desk</title>'
                f'<meta property="og:title" content="{title}"><meta name="author" content="{author}">'
                f'<meta property="article:published_time" content="{day}T08:00:00Z">'
                f'<meta property="og:site_name" content="The Desk">'
                f'<link rel="canonical" href="https://desk.example/{n}"></head><body>'
                '<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/asia">Asia</a></nav>'
                f"<script>var tracking = {n};</script>"
                f"<article><h1>{title}</h1><p class='byline'>By {author}</p>{body}</article>"
                "<footer>Copyright The Desk. All rights reserved.</footer></body></html>"
            )
            data = page.encode()
            (sub / f"article-{n:05d}.html").write_bytes(data)
            html += 1
        else:
            text = f"Title: {title}\nBy {author}\nPublished: {day}\n\n" + "\n\n".join(paragraphs) + "\n"
            data = text.encode()
            (sub / f"article-{n:05d}.txt").write_bytes(data)
        total += len(data)
    return total, html


# --- the two phases, each run in its own process --------------------------------------------------------


def files_of(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file())


def sentence_rows(text: str) -> list[tuple[int, int, str]]:
    rows, start = [], 0
    for match in SENTENCE_END.finditer(text):
        rows.append((start, match.start(), text[start : match.start()]))
        start = match.end()
    if start < len(text):
        rows.append((start, len(text), text[start:]))
    return rows


def baseline_sqlite(corpus: Path, target: str) -> dict[str, int]:
    import sqlite3

    connection = sqlite3.connect(target)
    connection.executescript(
        """
        CREATE TABLE source (id INTEGER PRIMARY KEY, key TEXT UNIQUE, text TEXT, sha256 TEXT);
        CREATE TABLE sentence (id INTEGER PRIMARY KEY, source_id INTEGER REFERENCES source (id),
                               char_start INTEGER, char_end INTEGER, text TEXT);
        CREATE VIRTUAL TABLE sentence_search USING fts5 (text, content='sentence', content_rowid='id');
        """
    )
    sources = sentences = 0
    with connection:
        for path in files_of(corpus):
            data = path.read_bytes()
            text = data.decode("utf-8")
            cursor = connection.execute(
                "INSERT INTO source (key, text, sha256) VALUES (?, ?, ?)",
                (path.stem, text, hashlib.sha256(data).hexdigest()),
            )
            rows = [(cursor.lastrowid, *row) for row in sentence_rows(text)]
            connection.executemany(
                "INSERT INTO sentence (source_id, char_start, char_end, text) VALUES (?, ?, ?, ?)", rows
            )
            sources += 1
            sentences += len(rows)
        connection.execute("INSERT INTO sentence_search (sentence_search) VALUES ('rebuild')")
    connection.close()
    return {"sources": sources, "sentences": sentences}


def baseline_postgresql(corpus: Path, target: str) -> dict[str, int]:
    import psycopg

    sources = sentences = 0
    with psycopg.connect(target) as connection, connection.cursor() as cursor:
        cursor.execute(
            """
            DROP SCHEMA IF EXISTS baseline CASCADE;
            CREATE SCHEMA baseline;
            CREATE TABLE baseline.source (id INTEGER PRIMARY KEY, key TEXT UNIQUE, text TEXT, sha256 TEXT);
            CREATE TABLE baseline.sentence (id BIGINT PRIMARY KEY, source_id INTEGER REFERENCES baseline.source (id),
                                            char_start INTEGER, char_end INTEGER, text TEXT);
            """
        )
        with (
            cursor.copy("COPY baseline.source (id, key, text, sha256) FROM STDIN") as source_copy,
        ):
            sentence_buffer: list[tuple[int, int, int, int, str]] = []
            for path in files_of(corpus):
                data = path.read_bytes()
                text = data.decode("utf-8")
                sources += 1
                source_copy.write_row((sources, path.stem, text, hashlib.sha256(data).hexdigest()))
                for row in sentence_rows(text):
                    sentences += 1
                    sentence_buffer.append((sentences, sources, *row))
        with cursor.copy("COPY baseline.sentence (id, source_id, char_start, char_end, text) FROM STDIN") as copy:
            for row in sentence_buffer:
                copy.write_row(row)
        cursor.execute("CREATE INDEX ON baseline.sentence USING gin (to_tsvector('provenance_search', text))")
    return {"sources": sources, "sentences": sentences}


def run_provenance(corpus: Path, target: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from provenance import db, ingest
    from provenance.models import Passage

    engine = db.make_engine(target)
    refused = captured = 0
    start = time.perf_counter()
    with db.session_scope(engine) as session:
        for outcome in ingest.capture(session, ingest.planned_files([corpus])):
            if isinstance(outcome, ingest.Refused):
                refused += 1
                print(f"not captured: {outcome.reason}", file=sys.stderr)
            else:
                captured += 1
    elapsed = time.perf_counter() - start
    with db.session_scope(engine) as session:
        passages = session.scalar(select(func.count()).select_from(Passage)) or 0
    engine.dispose()
    return {"sources": captured, "refused": refused, "passages": passages, "seconds_inside": int(elapsed)}


def phase(name: str, corpus: Path, target: str) -> None:
    start = time.perf_counter()
    if name == "baseline":
        counts = (baseline_sqlite if target.startswith("/") else baseline_postgresql)(corpus, target)
    else:
        counts = run_provenance(corpus, target)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, **counts}))


def timed(name: str, corpus: Path, target: str) -> dict[str, float]:
    command = [sys.executable, __file__, "--phase", name, "--corpus", str(corpus), "--target", target]
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    sys.stderr.write(output.stderr[-2000:])
    result: dict[str, float] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--html-share", type=float, default=0.05, help="share of articles saved as web pages")
    parser.add_argument("--db", help="an EMPTY PostgreSQL database URL (default: temporary SQLite files)")
    parser.add_argument("--phase", choices=["baseline", "provenance"], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(args.phase, args.corpus, args.target)
        return 0

    from provenance import db

    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        size, html = write_corpus(corpus, args.articles, args.html_share, seed=20261122)
        print(f"corpus: {args.articles} articles ({html} web pages), {size / 1e6:.1f} MB", file=sys.stderr)
        if args.db:
            engine = db.make_engine(args.db)
            db.upgrade(engine)
            engine.dispose()
            provenance_target = baseline_target = args.db
        else:
            provenance_target = f"sqlite:///{Path(folder) / 'provenance.db'}"
            engine = db.make_engine(provenance_target)
            db.upgrade(engine)
            engine.dispose()
            baseline_target = str(Path(folder) / "baseline.db")
        # Warm the file cache so that neither side pays for the first read of the corpus.
        for path in files_of(corpus):
            path.read_bytes()
        base = timed("baseline", corpus, baseline_target)
        ours = timed("provenance", corpus, provenance_target)
    ratio = ours["seconds"] / base["seconds"]
    print(
        f"baseline ({'COPY' if args.db else 'executemany + FTS5 rebuild'}): {base['seconds']:.1f} s, "
        f"{base['sources']:.0f} sources, {base['sentences']:.0f} sentences, peak {base['peak_mb']:.0f} MB"
    )
    print(
        f"provenance source add:  {ours['seconds']:.1f} s, {ours['sources']:.0f} sources "
        f"({ours['refused']:.0f} refused), {ours['passages']:.0f} passages, peak {ours['peak_mb']:.0f} MB"
    )
    print(f"ratio {ratio:.2f}x (target at most 2x); {size / 1e6 / ours['seconds']:.1f} MB/s")
    return 0 if ratio <= 2 and ours["peak_mb"] < 500 else 1


if __name__ == "__main__":
    sys.exit(main())
