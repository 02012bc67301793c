"""Hostile dump lines and files (issue 12, points 4 and 5), through the real `curate
ingest` in a subprocess: a bad line loses only itself (quarantined with file, line and
reason; the good lines of the same file kept; counts reconcile), and a file that cannot
be read to its end keeps what could be read and is named in a warning, the report and
the quarantine. Never a traceback.

The unreadable cases use real permission errors: as root, the CLI runs under `setpriv`
without the capabilities that let root read anything (CAP_DAC_OVERRIDE,
CAP_DAC_READ_SEARCH), so a mode-000 file or folder is as unreadable as for a user."""

from __future__ import annotations

import json
import lzma
import os
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
import zstandard
from helpers import comment, run_cli, submission

from curate.ingest import ingest
from curate.quarantine import read_quarantine
from curate.sources import reddit
from curate.store import Store

SECRET = "SECRETHOSTILE5e6f"  # in every hostile line: must never be printed
GOOD = [
    submission("g1", selftext="Ich bin so einsam in Berlin, meine Familie ist weit weg."),
    comment("cg1", "g1", "Du bist nicht allein, schreib mir gerne jederzeit."),
    submission("g2", title="Heimweh", selftext="Ich bin einsam und vermisse meine Familie."),
]


def _raw(obj: dict, **replace: str) -> bytes:
    """`obj` as a JSON line, with the JSON text of some values replaced verbatim (for
    what json.dumps cannot write: lone surrogate escapes, huge or non-finite numbers)."""
    marked = {k: f"@@{k}@@" if k in replace else v for k, v in obj.items()}
    text = json.dumps(marked)
    for key, value in replace.items():
        text = text.replace(f'"@@{key}@@"', value)
    return text.encode()


def _post(pid: str, **extra) -> dict:
    return submission(pid, selftext=f"Ich bin einsam {SECRET}", **extra)


def _reply(cid: str, **extra) -> dict:
    body = f"Du bist nicht allein, {SECRET} schreib mir."
    return {**comment(cid, "g1", body), **extra}


# (name, line, kind, reason): each hostile line of the dump, what the quarantine says.
LINES = [
    (
        "surrogate in a post",
        _raw(_post("h1"), selftext=f'"Ich bin einsam \\ud83d {SECRET}"'),
        "record",
        "lone surrogate escape (\\ud800-\\udfff) in a JSON string",
    ),
    (
        "surrogate in a comment",
        _raw(_reply("hc1"), body=f'"Du bist nicht allein \\ud83d {SECRET}"'),
        "comment",
        "lone surrogate escape (\\ud800-\\udfff) in a JSON string",
    ),
    (
        "surrogate in a key of an unread field",
        _raw(_post("h2", author_flair_richtext="x"), author_flair_richtext='{"\\udc00": 1}'),
        "record",
        "lone surrogate escape (\\ud800-\\udfff) in a JSON string",
    ),
    (
        "author is a number",
        _raw(_post("h3", author=12345)),
        "record",
        "author is not a string (int)",
    ),
    (
        "comment author is a list",
        _raw(_reply("hc2", author=["x"])),
        "comment",
        "author is not a string (list)",
    ),
    (
        "permalink is an object",
        _raw(_post("h4", permalink={"a": 1})),
        "record",
        "permalink is not a string (dict)",
    ),
    ("id is a float", _raw(_post(1.5)), "record", "id is not a string (float)"),
    (
        "comment score of 26 digits",
        _raw(_reply("hc3"), score="1" * 26),
        "comment",
        "score is out of range (beyond a 64-bit integer)",
    ),
    (
        "comment created_utc -1e30",
        _raw(_reply("hc4"), created_utc="-1e30"),
        "comment",
        "created_utc is out of range (beyond a 64-bit integer)",
    ),
    (
        "comment score is an object",
        _raw(_reply("hc5"), score='{"up": 1}'),
        "comment",
        "score is not a number (dict)",
    ),
    (
        "JSON nested 10,000 levels",
        f'{{"selftext": "{SECRET}", "x": '.encode() + b'{"a": ' * 10_000 + b"1" + b"}" * 10_001,
        "record",
        "JSON nested too deeply",
    ),
]


# (post id, line, problem): posts kept with created_utc left empty and a defect saying
# why: losing a post for its timestamp would be worse.
BAD_TIMES = [
    ("h5", _raw(_post("h5"), created_utc="1e30"), "is out of range (beyond a 64-bit integer)"),
    ("h6", _raw(_post("h6"), created_utc="NaN"), "is not a finite number"),
    ("h7", _raw(_post("h7"), created_utc='"soon"'), "is not a number"),
    ("h8", _raw(_post("h8"), created_utc="[1]"), "is not a number (list)"),
]


def _dump_lines() -> list[bytes]:
    """Good lines first, last and between the hostile ones."""
    good = [json.dumps(g).encode() for g in GOOD]
    hostile = [line for _, line, _, _ in LINES]
    return [good[0], good[1], *hostile[:5], *(x[1] for x in BAD_TIMES), *hostile[5:], good[2]]


def _unreadable_prefix(tmp: Path) -> tuple[str, ...] | None:
    """How to run a command so that mode 000 really denies reading: nothing for a user;
    for root, `setpriv` without the capabilities that bypass permissions. None when that
    cannot be done here."""
    probe = tmp / "probe"
    probe.write_text("x")
    probe.chmod(0)
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            return None
        caps = "-dac_override,-dac_read_search"
        prefix = ("setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}")
    denied = subprocess.run([*prefix, "cat", str(probe)], capture_output=True).returncode != 0
    probe.unlink()
    return prefix if denied else None


def _no_traceback(proc) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout
    assert "Aborted" not in proc.stderr
    assert SECRET not in proc.stdout + proc.stderr


def _records_by_file(ws: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with Store.open(ws, create=False) as store:
        for rec in store.iter_records():
            out.setdefault(rec.provenance.input_file, set()).add(rec.source.source_id)
    return out


# -- hostile lines -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    folder = tmp / "in"
    folder.mkdir()
    dump = folder / "RS_dump.jsonl"
    dump.write_bytes(b"\n".join(_dump_lines()) + b"\n")
    generic = folder / "forum.jsonl"
    good = {"id": "f1", "text": "Ich bin einsam und traurig.", "culture": "German"}
    bad = _raw({**good, "id": "f2", "text": "x"}, text=f'"\\udfff {SECRET}"')
    generic.write_bytes(json.dumps(good).encode() + b"\n" + bad + b"\n")
    ws = tmp / "ws"
    proc = run_cli("-w", str(ws), "ingest", str(folder), "--no-progress", "--json", "--no-deid")
    return proc, ws, dump, generic


def test_hostile_lines_run_completes(hostile_run):
    proc = hostile_run[0]
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["status"] == "completed"
    assert report["reconciles"] is True
    assert report["file_problems"] == {}
    records = sum(1 for _, _, kind, _ in LINES if kind == "record")
    comments = len(LINES) - records
    # + g1, g2, the posts with a bad time, the generic file's two lines
    assert report["total"]["read"] == records + 2 + len(BAD_TIMES) + 2
    assert report["total"]["quarantined"] == records + 1
    assert report["comments"]["read"] == comments + 1
    assert report["comments"]["quarantined"] == comments


def test_good_lines_of_the_same_file_are_kept(hostile_run):
    _, ws, dump, generic = hostile_run
    kept = {"g1", "g2", *(pid for pid, _, _ in BAD_TIMES)}
    assert _records_by_file(ws) == {str(dump): kept, str(generic): {"f1"}}
    with Store.open(ws, create=False) as store:
        g1 = next(r for r in store.iter_records() if r.source.source_id == "g1")
    assert g1.source.response_id == "cg1"  # the comment staging survived the bad comments


@pytest.mark.parametrize(("name", "line", "kind", "reason"), LINES, ids=[c[0] for c in LINES])
def test_hostile_line_is_quarantined(hostile_run, name, line, kind, reason):
    _, ws, dump, _ = hostile_run
    number = _dump_lines().index(line) + 1
    entries = read_quarantine(next((ws / "quarantine").glob("*.jsonl")))
    entry = next(e for e in entries if e["file"] == str(dump) and e["line"] == number)
    assert (entry["kind"], entry["reason"]) == (kind, reason)
    assert entry["payload"].encode() == line  # nothing of it lost


def test_a_post_time_that_cannot_be_stored_is_left_empty_with_a_defect(hostile_run):
    proc, ws, dump, _ = hostile_run
    with Store.open(ws, create=False) as store:
        times = {r.source.source_id: r.source.created_utc for r in store.iter_records()}
    assert [times[pid] for pid, _, _ in BAD_TIMES] == [None] * len(BAD_TIMES)
    path = Path(json.loads(proc.stdout)["defects_file"])
    defects = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    got = {(d["source_id"], d["file"], d["line"], d["field"], d["problem"]) for d in defects}
    lines = _dump_lines()
    assert got == {
        (pid, str(dump), lines.index(line) + 1, "source.created_utc", f"{why}; left empty")
        for pid, line, why in BAD_TIMES
    }


def test_surrogates_are_rejected_for_every_ndjson_source(hostile_run):
    _, ws, _, generic = hostile_run
    entries = read_quarantine(next((ws / "quarantine").glob("*.jsonl")))
    entry = next(e for e in entries if e["file"] == str(generic))
    assert entry["line"] == 2
    assert entry["reason"] == "lone surrogate escape (\\ud800-\\udfff) in a JSON string"


def test_an_unforeseen_parser_error_loses_only_its_line(tmp_path, config, store, monkeypatch):
    """The last-resort guard: an exception nobody foresaw, raised while one line is
    parsed (injected into the culture map, a helper of the parser), quarantines that
    line with the exception's type only: its message may quote the line."""
    real = reddit.RedditPolicy.culture_of

    def culture_of(self, subreddit, text):
        if SECRET in text:
            raise KeyError(f"no culture for {text!r}")
        return real(self, subreddit, text)

    monkeypatch.setattr(reddit.RedditPolicy, "culture_of", culture_of)
    dump = tmp_path / "dump.jsonl"
    dump.write_text("\n".join(json.dumps(x) for x in [GOOD[0], _post("h1"), GOOD[2]]) + "\n")
    report = ingest([dump], config, store)
    assert report.reconciles()
    assert sorted(r.source.source_id for r in store.iter_records()) == ["g1", "g2"]
    [entry] = read_quarantine(Path(report.quarantine_path))
    assert (entry["file"], entry["line"], entry["kind"]) == (str(dump), 2, "record")
    assert entry["reason"] == "could not be parsed (KeyError)"


# -- files that cannot be read to their end ----------------------------------------------


def _posts(prefix: str, n: int) -> list[bytes]:
    return [
        json.dumps(
            submission(f"{prefix}{i}", selftext=f"Ich bin so einsam, Tag {i}. " + "ja " * (i % 30))
        ).encode()
        + b"\n"
        for i in range(n)
    ]


def _cut_zst(lines: list[bytes], per_block: int, blocks: int) -> bytes:
    """zstd data cut right after `blocks` complete blocks of `per_block` lines each: the
    frame is incomplete, but every line of those blocks can be decoded."""
    cobj = zstandard.ZstdCompressor(level=3).compressobj()
    out, ends = b"", []
    for i in range(0, len(lines), per_block):
        out += cobj.compress(b"".join(lines[i : i + per_block]))
        out += cobj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
        ends.append(len(out))
    return out[: ends[blocks - 1]]


def _cut_gz(lines: list[bytes], per_flush: int, flushes: int) -> bytes:
    zobj = zlib.compressobj(wbits=31)  # the gzip container
    out, ends = b"", []
    for i in range(0, len(lines), per_flush):
        out += zobj.compress(b"".join(lines[i : i + per_flush])) + zobj.flush(zlib.Z_FULL_FLUSH)
        ends.append(len(out))
    return out[: ends[flushes - 1]]


def _decodable_xz(blob: bytes) -> int:
    """Complete lines in what liblzma decodes of a cut .xz (the reference count)."""
    return lzma.LZMADecompressor().decompress(blob).count(b"\n")


@pytest.fixture(scope="module")
def files_run(tmp_path_factory):
    """One run over a folder holding good files and every kind of file that cannot be
    read (to its end), with the expectations for each: (problem, records read)."""
    tmp = tmp_path_factory.mktemp("files")
    folder = tmp / "in"
    folder.mkdir()
    expect: dict[Path, tuple[str | None, int]] = {}

    def put(name: str, blob: bytes, problem: str | None, read: int) -> None:
        (folder / name).write_bytes(blob)
        expect[folder / name] = (problem, read)

    put("good.jsonl", b"".join(_posts("ok", 5)), None, 5)
    put("bom.jsonl", b"\xef\xbb\xbf" + b"".join(_posts("bom", 3)), None, 3)
    put(
        "RS_cut.zst",
        _cut_zst(_posts("z", 400), 50, 5),
        "truncated (zst data ends before its end marker)",
        250,
    )
    put(
        "RS_cut.gz",
        _cut_gz(_posts("g", 300), 50, 3),
        "truncated (gz data ends before its end marker)",
        150,
    )
    xz = lzma.compress(b"".join(_posts("x", 600)))
    xz = xz[: len(xz) // 2]
    put("RS_cut.xz", xz, "truncated (xz data ends before its end marker)", _decodable_xz(xz))
    put("magic-only.gz", b"\x1f\x8b", "truncated (gz data ends before its end marker)", 0)
    put("corrupt.zst", b"\x28\xb5\x2f\xfd" + b"\xff" * 40, "corrupt zst data (ZstdError)", 0)
    os.mkfifo(folder / "fifo.jsonl")
    expect[folder / "fifo.jsonl"] = ("not a regular file (FIFO)", 0)
    (folder / "dangling.jsonl").symlink_to(tmp / "nowhere")
    expect[folder / "dangling.jsonl"] = ("unreadable (a symbolic link to nothing readable)", 0)
    if Path("/proc/self/mem").is_file():  # a real read error (EIO) after a good open()
        (folder / "mem.jsonl").symlink_to("/proc/self/mem")
        expect[folder / "mem.jsonl"] = ("unreadable (Input/output error)", 0)
    prefix = _unreadable_prefix(tmp)
    if prefix is not None:
        put("locked.jsonl", b"".join(_posts("l", 2)), "unreadable (Permission denied)", 0)
        (folder / "locked.jsonl").chmod(0)
        (folder / "sub").mkdir()
        (folder / "sub" / "inside.jsonl").write_bytes(b"".join(_posts("s", 2)))
        (folder / "sub").chmod(0)
        expect[folder / "sub"] = ("folder unreadable (Permission denied)", 0)
    ws = tmp / "ws"
    proc = run_cli("-w", str(ws), "ingest", str(folder), "--json", "--no-deid", prefix=prefix or ())
    yield proc, ws, expect
    if prefix is not None:
        (folder / "sub").chmod(0o755)


def test_file_problems_do_not_stop_the_run(files_run):
    proc, _, expect = files_run
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["status"] == "completed"
    assert report["reconciles"] is True
    assert report["total"]["quarantined"] == 0
    assert report["file_problems"] == {str(p): why for p, (why, _) in expect.items() if why}
    assert report["total"]["read"] == sum(n for _, n in expect.values())


def test_every_decodable_line_is_read(files_run):
    _, ws, expect = files_run
    got = {f: len(ids) for f, ids in _records_by_file(ws).items()}
    assert got == {str(p): n for p, (_, n) in expect.items() if n}


def test_each_problem_is_one_warning_and_one_quarantine_entry(files_run):
    proc, ws, expect = files_run
    problems = {str(p): why for p, (why, _) in expect.items() if why}
    warnings = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning:")]
    assert sorted(warnings) == sorted(f"warning: {p}: {why}" for p, why in problems.items())
    entries = read_quarantine(next((ws / "quarantine").glob("*.jsonl")))
    assert {e["file"]: (e["line"], e["kind"], e["reason"], e["payload"]) for e in entries} == {
        p: (None, "file", why, None) for p, why in problems.items()
    }


def test_strict_fails_on_a_truncated_file_but_keeps_its_lines(tmp_path):
    dump = tmp_path / "RS_cut.gz"
    dump.write_bytes(_cut_gz(_posts("g", 100), 25, 2))
    ws = tmp_path / "ws"
    proc = run_cli("-w", str(ws), "ingest", str(dump), "--no-progress", "--no-deid", "--strict")
    _no_traceback(proc)
    assert proc.returncode == 1
    assert f"warning: {dump}: truncated (gz data ends before its end marker)" in proc.stderr
    assert "--strict: 0 input(s) quarantined, 1 file problem(s)" in proc.stderr
    assert "file problems: 1 (warnings on stderr)" in proc.stdout
    assert len(_records_by_file(ws)[str(dump)]) == 50


def test_the_only_input_unreadable_is_an_error_naming_it(tmp_path):
    fifo = tmp_path / "RS_2023-01"
    os.mkfifo(fifo)
    proc = run_cli("-w", str(tmp_path / "ws"), "ingest", str(fifo), "--no-progress")
    _no_traceback(proc)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"error: no input file can be read: {fifo}: not a regular file (FIFO)"
    ]


def test_a_bom_is_not_content_in_a_csv_either(tmp_path, config, store):
    path = tmp_path / "survey.csv"
    path.write_bytes(b"\xef\xbb\xbfid,text,culture\nr1,Ich bin einsam.,German\n")
    report = ingest([path], config, store)
    assert (report.totals["kept"], report.totals["quarantined"]) == (1, 0)


def test_a_dump_of_several_zstd_frames_is_read_whole(tmp_path, config, store):
    """Frames written one after the other (`cat a.zst b.zst`) are one valid file."""
    comp = zstandard.ZstdCompressor()
    path = tmp_path / "RS_two_frames.zst"
    path.write_bytes(
        comp.compress(b"".join(_posts("a", 3))) + comp.compress(b"".join(_posts("b", 2)))
    )
    report = ingest([path], config, store)
    assert (report.totals["read"], report.problems) == (5, {})
