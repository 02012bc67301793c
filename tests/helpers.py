"""Helpers shared by the tests (imported as `helpers`: a module name of its own, so it
cannot be confused with the per-folder conftest files)."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import subprocess
import sys
from pathlib import Path

from curate.deid import tables as deid_tables

REPO = Path(__file__).resolve().parent.parent
SHARED_CULTURECARE = REPO.parent / "shared" / "culturecare"


def write_lines(path: Path, lines: list[bytes | str | dict], compress: str | None = None) -> Path:
    """Write NDJSON (dicts are dumped, bytes written as they are), optionally compressed
    with zst, gz, bz2 or xz."""
    blob = b"".join(
        (
            ln
            if isinstance(ln, bytes)
            else (json.dumps(ln, ensure_ascii=False) if isinstance(ln, dict) else ln).encode()
        )
        + b"\n"
        for ln in lines
    )
    if compress == "zst":
        import zstandard

        blob = zstandard.ZstdCompressor(level=3).compress(blob)
    elif compress == "gz":
        blob = gzip.compress(blob)
    elif compress == "bz2":
        blob = bz2.compress(blob)
    elif compress == "xz":
        blob = lzma.compress(blob)
    path.write_bytes(blob)
    return path


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict | None = None,
    check: bool = False,
    prefix: tuple[str, ...] = (),
) -> subprocess.CompletedProcess:
    """Run the real `curate` command in a subprocess (as a user would); `prefix` is a
    command that runs it (e.g. `setpriv ...` to drop privileges)."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "curate.cli", *args],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"curate {args} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def start_cli(*args: str) -> subprocess.Popen:
    """Start the real `curate` command in the background (to stop, kill or race it);
    stdout and stderr are pipes, text."""
    return subprocess.Popen(
        [sys.executable, "-m", "curate.cli", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def salted_workspace(path: Path, salt: str = "ab" * 32) -> Path:
    """A new workspace with a fixed id salt, so that two workspaces fed the same input
    give the same record ids (to compare them)."""
    from curate.store import Store

    with Store.open(path) as store:
        store.conn.execute("UPDATE meta SET value=? WHERE key='id_salt'", (salt,))
    return path


def submission(
    pid: str,
    subreddit: str = "germany",
    title: str = "Ich bin einsam",
    selftext: str = "Seit dem Umzug nach Berlin fühle ich mich so einsam und "
    "traurig, meine Familie ist weit weg.",
    author: str = "op_user",
    **extra,
) -> dict:
    return {
        "id": pid,
        "name": f"t3_{pid}",
        "subreddit": subreddit,
        "author": author,
        "title": title,
        "selftext": selftext,
        "created_utc": 1700000000,
        "score": 5,
        "permalink": f"/r/{subreddit}/comments/{pid}/x/",
        **extra,
    }


def comment(
    cid: str,
    pid: str,
    body: str,
    author: str = "helper",
    score: int = 1,
    parent: str | None = None,
    created: int = 1700000100,
) -> dict:
    return {
        "id": cid,
        "name": f"t1_{cid}",
        "link_id": f"t3_{pid}",
        "parent_id": parent or f"t3_{pid}",
        "author": author,
        "body": body,
        "score": score,
        "created_utc": created,
        "subreddit": "germany",
    }


UNKNOWN = dict.fromkeys(
    [
        "settlement",
        "gender",
        "age",
        "born_in",
        "marital_status",
        "number_of_people_in_household",
        "education",
        "profession",
        "employment",
        "social_class",
        "religion",
    ],
    "unknown",
)


def release_record(pid: str, culture: str = "German", **overrides) -> dict:
    """A synthetic line of the CultureCare release; `overrides` set dotted paths
    (`post.emotional_distress.0.intensity`)."""
    rec = {
        "culture": culture,
        "post_id": pid,
        "post": {
            "text": f"https://www.reddit.com/comments/{pid}",
            "emotional_distress": [
                {"phrase": "Ich habe solche Angst vor der Prüfung.", "intensity": "high"},
                {"phrase": "I feel a bit lost lately.", "intensity": "light"},
            ],
            "cultural_signals": [{"phrase": "mein Abitur", "type": "Knowledge"}],
            "demographic_info": {**UNKNOWN, "gender": "Männlich", "age": "19"},
        },
        "response": {
            "emotional_support": [
                {"phrase": "Du schaffst das!", "strategy": "Affirmation and Reassurance"}
            ],
            "cultural_signals": [],
            "empathy_score": "4 quite empathetic",
        },
    }
    for path, value in overrides.items():
        target = rec
        keys = path.split(".")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        target[keys[-1]] = value
    return rec


def make_record(
    store,
    source_id: str,
    *,
    culture: str = "German",
    language: str = "en",
    content_hash: str = "0" * 64,
    **fields,
):
    """A canonical record with a pseudonymous id from `store`, for tests that write
    records directly instead of ingesting files."""
    from curate.records import Provenance, Record, Source, pseudonymous_id

    return Record(
        id=pseudonymous_id(store.id_salt, "test", source_id),
        culture=culture,
        source=Source("test", source_id),
        language=language,
        language_confidence=1.0,
        provenance=Provenance("test", 1, "jsonl", content_hash=content_hash),
        **fields,
    )


def free_port() -> int:
    """A port nothing listens on now (servers here refuse a taken one rather than move)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_workspace(folder: Path, deid_engine) -> tuple:
    """A workspace in `folder` (with its own curate.toml) holding the demo dump, ingested
    and de-identified: (config, store). The caller closes the store."""
    from curate.config import load_config
    from curate.deid.stage import deidentify_workspace
    from curate.ingest import ingest
    from curate.store import Store

    toml = folder / "curate.toml"
    toml.write_text(f'[workspace]\npath = "{folder / "w"}"\n')
    config = load_config(toml)
    store = Store.open(config.workspace)
    ingest([REPO / "demo" / "reddit"], config, store)
    deidentify_workspace(store, config, engine=deid_engine, workers=1)
    return config, store


def review_all(store, config, deid_engine, verdict: str = "remove") -> int:
    """The curator's review, scripted: one verdict on every uncertain de-identification
    decision of the workspace (`curate deid review`), then `curate deid` applies them.
    For tests whose workspaces hold names inside annotated cultural-signal spans (the
    release gate waits for their review). Returns the number of verdicts."""
    from curate.deid.stage import deidentify_workspace

    queue = deid_tables.review_queue(
        store,
    )
    deid_tables.record_verdicts(
        store, [dict(row, verdict=verdict) for row in queue], "test curator"
    )
    deidentify_workspace(store, config, engine=deid_engine, workers=1)
    return len(queue)


def ingest_cli(
    workspace: Path, *args: str, config: Path | None = None, as_json: bool = True
) -> tuple[subprocess.CompletedProcess, dict | None]:
    """`curate ingest ARGS --no-deid --no-progress` on `workspace` (with `config` when
    given), checked to have printed no traceback; the `--json` report when it succeeded."""
    conf = ("-c", str(config)) if config else ()
    flags = ("--json",) if as_json else ()
    proc = run_cli(
        *conf, "-w", str(workspace), "ingest", *args, "--no-deid", "--no-progress", *flags
    )
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    data = json.loads(proc.stdout) if as_json and proc.returncode == 0 else None
    return proc, data


# -- pages that must open offline ------------------------------------------------------------
# A reference that would make a browser fetch something: src/href/action/poster/srcset,
# CSS @import and url(), to any URL with a scheme or a protocol-relative one (`//host`).
_FETCHING = (
    r"(?:\b(?:src|href|action|poster|srcset|data)\s*=\s*[\"']?"
    r"|@import\s+(?!url\()[\"']?|url\(\s*[\"']?)"
)


def external_references(page: str) -> list[str]:
    """Every reference in an HTML page to something outside it: a URL with a scheme
    (http:, https:, file:, ...; not data:, which is inline) or a protocol-relative one
    (//host). Empty for a self-contained page."""
    import re

    refs = re.findall(_FETCHING + r"([^\"'\s)>]+)", page, flags=re.I)
    return [
        r
        for r in refs
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", r, flags=re.I)
        and not r.lower().startswith("data:")
    ]
