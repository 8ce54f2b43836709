"""The batch's state in SQLite (one file in the output folder, the embedded default).

Every input by content hash with its stage, status, error and timings, and every finding's decision
(page, box, entity, ground, rule, reason — never the redacted text). Only the batch's main process
writes it; each document is committed when its outputs are in place, so a batch killed at any moment
continues where it stopped.
"""
from __future__ import annotations

import csv
import json
import os
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

from ..model import DocResult

STAGES = ("read", "detected", "previewed", "redacted", "verified", "packaged")  # a document's way, in order

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    name TEXT PRIMARY KEY,          -- output name (file name; sub-folders joined with __)
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rules_checksum TEXT NOT NULL,
    stage TEXT NOT NULL,            -- the furthest stage reached: read | detected | previewed | redacted |
                                    -- verified | packaged; or failed (not even read) | skipped | duplicate |
                                    -- archive
    status TEXT NOT NULL,           -- ok | failed | skipped | duplicate (written under its name too, from
                                    -- the first copy) | archive (a zip: its files are documents of their own)
    pages INTEGER NOT NULL DEFAULT 0,
    redactions INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    warnings TEXT,                  -- JSON list
    duplicate_of TEXT,
    seconds REAL,
    updated REAL NOT NULL,
    timings TEXT                    -- JSON {stage: seconds} of the stages the document completed
);
CREATE TABLE IF NOT EXISTS decisions (
    document TEXT NOT NULL,
    finding TEXT NOT NULL,
    page INTEGER,
    box TEXT,                       -- JSON [x0, y0, x1, y1]
    entity TEXT NOT NULL,
    decision TEXT NOT NULL,
    ground TEXT,
    rule TEXT,
    reason TEXT,
    score REAL,
    source TEXT NOT NULL,           -- auto | reviewer
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_document ON decisions(document);
CREATE TABLE IF NOT EXISTS previews (
    document TEXT PRIMARY KEY,
    written TEXT,                   -- SHA-256 of the preview as the tool wrote it
    applied TEXT,                   -- SHA-256 of the reviewed preview whose decisions were burned in
    at REAL NOT NULL
);
"""


DECISION_COLUMNS = ("finding", "page", "box", "entity", "decision", "ground", "rule", "reason", "score")


def decision_values(findings) -> list[tuple]:
    """The DECISION_COLUMNS of the tool's findings as the database stores them: a row per box."""
    return [(f.id, p + 1, json.dumps([round(c, 2) for c in r]), f.entity, f.decision, f.ground, f.rule, f.reason,
             f.score) for f in findings for p, r in (f.boxes or [(-1, (0, 0, 0, 0))])]


class State:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.executescript(SCHEMA)
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(documents)")}
        if "timings" not in columns:  # a database of an earlier version
            self.db.execute("ALTER TABLE documents ADD COLUMN timings TEXT")
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    def done(self, name: str, sha256: str, rules_checksum: str) -> dict | None:
        """The stored row when this input was already handled with the same content and rules."""
        row = self.db.execute(
            "SELECT status, pages, redactions, error, warnings, duplicate_of FROM documents "
            "WHERE name = ? AND sha256 = ? AND rules_checksum = ? AND status IN ('ok', 'skipped', 'duplicate')",
            (name, sha256, rules_checksum)).fetchone()
        if row is None:
            return None
        keys = ("status", "pages", "redactions", "error", "warnings", "duplicate_of")
        return dict(zip(keys, row))

    def record(self, name: str, result: DocResult, sha256: str, rules_checksum: str, seconds: float,
               duplicate_of: str | None = None) -> None:
        reached = [st for st in STAGES if st in result.stages]
        if result.status in ("skipped", "duplicate", "archive"):
            stage = result.status
        else:  # a failed document: the last stage it completed (verification failed: "redacted")
            stage = reached[-1] if reached else "failed"
        now = time.time()
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO documents (name, source, sha256, rules_checksum, stage, status, pages, "
                "redactions, error, warnings, duplicate_of, seconds, updated, timings) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (name, str(result.source), sha256, rules_checksum, stage, result.status, result.pages,
                 len(result.redactions), result.error, json.dumps(result.warnings, ensure_ascii=False),
                 duplicate_of, round(seconds, 3), now, json.dumps(result.stages) if result.stages else None))
            self.db.execute("DELETE FROM decisions WHERE document = ?", (name,))
            self.db.executemany(
                "INSERT INTO decisions VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [(name, *values, "auto", now) for values in decision_values(result.findings)])

    def packaged(self, names: list[str]) -> None:
        """These documents are in a publication bundle now (listed in its inventory)."""
        with self.db:
            self.db.executemany("UPDATE documents SET stage = 'packaged', updated = ? WHERE name = ? AND status = 'ok'",
                                [(time.time(), n) for n in names])

    def preview_written(self, name: str, sha256: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO previews VALUES (?, ?, NULL, ?)", (name, sha256, time.time()))

    def preview_applied(self, name: str, sha256: str) -> None:
        with self.db:
            self.db.execute("INSERT INTO previews VALUES (?, NULL, ?, ?) ON CONFLICT(document) DO UPDATE "
                            "SET applied = excluded.applied, at = excluded.at", (name, sha256, time.time()))

    def input_sha256(self, name: str) -> str | None:
        """The content hash of the input this output name was last made from."""
        row = self.db.execute("SELECT sha256 FROM documents WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def preview(self, name: str) -> tuple[str | None, str | None]:
        """(hash as written, hash as last applied) of a document's preview."""
        row = self.db.execute("SELECT written, applied FROM previews WHERE document = ?", (name,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def reviewed(self) -> list[str]:
        """The documents whose reviewer's decisions stand (applied from a preview)."""
        rows = self.db.execute("SELECT DISTINCT document FROM decisions WHERE source = 'reviewer' ORDER BY document")
        return [r[0] for r in rows]

    def decisions(self) -> list[dict]:
        cur = self.db.execute("SELECT * FROM decisions ORDER BY document, page, finding")
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def export_audit(self, path: Path) -> int:
        """Every decision (automatic and by reviewers) as CSV — time, document, page, box, entity, decision,
        ground, rule, reason, score, source — never the redacted text. Written atomically; returns rows."""
        rows = self.db.execute("SELECT at, document, finding, page, box, entity, decision, ground, rule, reason, "
                               "score, source FROM decisions ORDER BY document, page, finding").fetchall()
        times: dict[float, str] = {}  # a document's decisions share their time
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(["tijd", "document", "bevinding", "pagina", "vak", "soort", "besluit", "grond", "regel",
                          "reden", "score", "bron"])
            for r in rows:
                at = times.get(r[0])
                if at is None:
                    at = times[r[0]] = datetime.fromtimestamp(r[0], timezone.utc).isoformat(timespec="seconds")
                out.writerow((at,) + r[1:])
        os.replace(tmp, path)
        return len(rows)

    def rows(self) -> list[dict]:
        cur = self.db.execute("SELECT * FROM documents ORDER BY name")
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]
