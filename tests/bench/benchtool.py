#!/usr/bin/env python3
"""benchtool.py -- helpers for scripts/bench (not a user-facing tool).

  benchtool.py queries --entities N --ppe N --start T --step N --seed S \
               --ranges R --keys K --prefix P
      Writes deterministic query files for a data set made by
      scripts/gen-points with the same entities/ppe/start/step (space 0):
        P.ranges       R lines "E FROM TO": one entity's [FROM, TO] covering
                       1% of its time span (at least one point)
        P.keys         K lines "E T": keys that exist
        P.keys.ndjson  the same keys as ws-get key lines
        P.keys.sql     the same keys as K SELECT statements for sqlite3

  benchtool.py sqlite-ingest DB FILE
      The SQLite peer of ws-ingest: Python's json module parses FILE line by
      line, sqlite3 stores each point in a WITHOUT ROWID table keyed by
      (entity_id, space_id, timestamp), the vector as a float32 blob and the
      metadata as JSON text.  INSERT OR REPLACE gives ws-ingest's "latest
      write wins"; a commit every 40 MiB of input matches ws-ingest's
      default --batch-bytes.

  benchtool.py median FILE...
      Prints the median of the numbers in FILE (one per line).

  benchtool.py uncache FILE...
      Writes back and drops each FILE's pages from the page cache, so that
      the next exec of a program reads it in by page faults, as programs
      come in from disk after a boot: docs/performance.md, "Round 14".
"""

import argparse
import json
import os
import random
import sqlite3
import sys
from array import array

SELECT_COLS = "entity_id, space_id, timestamp, hex(vector), metadata"


def cmd_queries(a):
    rng = random.Random(a.seed)
    span = (a.ppe - 1) * a.step
    width = (span // 100) // a.step * a.step  # 1% of the span, whole steps
    nsteps = width // a.step                   # the range covers nsteps+1 points
    with open(a.prefix + ".ranges", "w") as f:
        for _ in range(a.ranges):
            e = rng.randint(1, a.entities)
            k = rng.randint(0, a.ppe - 1 - nsteps)
            lo = a.start + k * a.step
            f.write("%d %d %d\n" % (e, lo, lo + width))
    keys = [(rng.randint(1, a.entities),
             a.start + rng.randint(0, a.ppe - 1) * a.step)
            for _ in range(a.keys)]
    with open(a.prefix + ".keys", "w") as f:
        for e, t in keys:
            f.write("%d %d\n" % (e, t))
    with open(a.prefix + ".keys.ndjson", "w") as f:
        for e, t in keys:
            f.write('{"entity_id":%d,"space_id":0,"timestamp":%d}\n' % (e, t))
    with open(a.prefix + ".keys.sql", "w") as f:
        for e, t in keys:
            f.write("SELECT %s FROM points WHERE entity_id=%d AND space_id=0 "
                    "AND timestamp=%d;\n" % (SELECT_COLS, e, t))


def cmd_sqlite_ingest(a):
    db = sqlite3.connect(a.db)
    db.execute("CREATE TABLE IF NOT EXISTS points ("
               "entity_id INTEGER NOT NULL, space_id INTEGER NOT NULL, "
               "timestamp INTEGER NOT NULL, vector BLOB NOT NULL, "
               "metadata TEXT, "
               "PRIMARY KEY (entity_id, space_id, timestamp)) WITHOUT ROWID")
    db.commit()
    sql = "INSERT OR REPLACE INTO points VALUES (?, ?, ?, ?, ?)"
    batch_bytes = 40 << 20
    rows, pending, n = [], 0, 0
    with open(a.file, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            p = json.loads(line)
            md = p.get("metadata")
            rows.append((p["entity_id"], p.get("space_id", 0), p["timestamp"],
                         array("f", p["vector"]).tobytes(),
                         json.dumps(md, separators=(",", ":")) if md else None))
            pending += len(line)
            n += 1
            if pending >= batch_bytes:
                db.executemany(sql, rows)
                db.commit()
                rows, pending = [], 0
    if rows:
        db.executemany(sql, rows)
        db.commit()
    db.close()
    print(n)


def median(xs):
    xs = sorted(xs)
    m = len(xs)
    if m == 0:
        return float("nan")
    return xs[m // 2] if m % 2 else (xs[m // 2 - 1] + xs[m // 2]) / 2


def cmd_median(a):
    xs = []
    for name in a.files:
        with open(name) as f:
            xs += [float(x) for x in f.read().split()]
    print(median(xs))


def cmd_uncache(a):
    for name in a.files:
        fd = os.open(name, os.O_RDONLY)
        try:
            os.fdatasync(fd)  # dirty pages would stay
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def main():
    ap = argparse.ArgumentParser(prog="benchtool.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("queries")
    for opt in ("entities", "ppe", "start", "step", "seed", "ranges", "keys"):
        q.add_argument("--" + opt, type=int, required=True)
    q.add_argument("--prefix", required=True)
    s = sub.add_parser("sqlite-ingest")
    s.add_argument("db")
    s.add_argument("file")
    m = sub.add_parser("median")
    m.add_argument("files", nargs="+")
    u = sub.add_parser("uncache")
    u.add_argument("files", nargs="+")
    a = ap.parse_args()
    {"queries": cmd_queries, "sqlite-ingest": cmd_sqlite_ingest,
     "median": cmd_median, "uncache": cmd_uncache}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
