"""Reddit dumps (Pushshift / Arctic Shift NDJSON): compression, pairing a post with its
peer response, the culture map, policy skips, exact-duplicate flagging and counting."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import comment, submission, write_lines

from curate.config import load_config
from curate.ingest import NO_CULTURE, ingest
from curate.store import Store

GERMAN_TEXT = (
    "Seit dem Umzug nach Berlin fühle ich mich so einsam und traurig, meine Familie ist "
    "weit weg und ich kenne hier niemanden."
)
ENGLISH_TEXT = (
    "I moved to Germany for work last year and I feel so lonely, my family is far away "
    "and I do not know anyone here."
)
FIXED_SALT = "ab" * 32


def _config_with(tmp_path: Path, workspace: Path, toml: str):
    path = tmp_path / "curate.toml"
    path.write_text(toml, encoding="utf-8")
    return load_config(path, workspace)


def _snapshot(store: Store) -> list[tuple]:
    out = []
    for rec in store.iter_records():
        raw = store.vault.get(rec.id)
        out.append(
            (
                rec.id,
                rec.culture,
                rec.language,
                rec.source.source_id,
                rec.source.response_id,
                rec.duplicate_of,
                (raw.title, raw.text, raw.response),
            )
        )
    return sorted(out)


def _by_source_id(store: Store) -> dict:
    return {rec.source.source_id: rec for rec in store.iter_records()}


def _check_counts(report) -> None:
    assert report.reconciles()
    for counts in report.cultures.values():
        assert counts["read"] == (
            counts["kept"] + counts["duplicate"] + counts["skipped"] + counts["quarantined"]
        )
        assert counts["kept"] + counts["duplicate"] == (
            counts["new"] + counts["revised"] + counts["unchanged"]
        )
    c = report.comments
    assert c["read"] == c["candidates"] + c["skipped"] + c["quarantined"]


# -- compression --------------------------------------------------------------------------

DUMP = [
    submission("p1"),
    comment("c1", "p1", "Das tut mir so leid, melde dich gern jederzeit bei mir.", score=3),
    submission(
        "p2",
        subreddit="depression",
        title="Lonely in Germany",
        selftext=ENGLISH_TEXT,
        author="anna",
    ),
    comment("c2", "p2", "You are not alone, many expats feel the same way at first.", score=2),
    submission("p3", subreddit="cooking", title="Bread", selftext="How do I bake bread?"),
]


@pytest.mark.parametrize(
    ("compress", "name"),
    [
        ("zst", "dump.zst"),
        ("gz", "dump.gz"),
        ("bz2", "dump.bz2"),
        ("xz", "dump.xz"),
        # Misleading names: the content (magic bytes) decides, not the suffix.
        ("zst", "dump.jsonl"),
        ("gz", "dump.bz2"),
        ("xz", "dump.zst"),
        ("bz2", "dump"),
    ],
)
def test_compressed_dump_gives_identical_records(tmp_path: Path, config, compress, name):
    plain = write_lines(tmp_path / "plain.jsonl", DUMP)
    packed = write_lines(tmp_path / name, DUMP, compress=compress)
    assert packed.read_bytes() != plain.read_bytes()

    snapshots, reports = [], []
    for label, path in (("plain", plain), ("packed", packed)):
        with Store.open(tmp_path / f"ws-{label}") as store:
            # Same salt in both workspaces, so the pseudonymous ids are comparable.
            store.conn.execute("UPDATE meta SET value=? WHERE key='id_salt'", (FIXED_SALT,))
            reports.append(ingest([path], config, store))
            snapshots.append(_snapshot(store))

    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0]) == 2
    cultures = {s[3]: (s[1], s[2], s[4]) for s in snapshots[0]}
    assert cultures == {"p1": ("German", "de", "c1"), "p2": ("German", "en", "c2")}
    for report in reports:
        _check_counts(report)
        assert report.totals["read"] == 3
        assert report.totals["kept"] == 2
        assert report.totals["skipped"] == 1
        assert report.comments["candidates"] == 2
    assert reports[0].to_dict()["cultures"] == reports[1].to_dict()["cultures"]


# -- pairing a post with its peer response ---------------------------------------------

LONG = " - thank you for sharing this, you are not alone here."

COMMENTS = [
    comment("c1", "p1", "helper_a says" + LONG, author="helper_a", score=5, created=200),
    # OP's own comment: higher score than every peer comment, and the earliest.
    comment("c2", "p1", "op_user says" + LONG, author="op_user", score=50, created=100),
    comment("c3", "p1", "helper_b says" + LONG, author="helper_b", score=10, created=300),
    # Skipped by policy, all with higher scores and earlier than the peer comments:
    comment("c4", "p1", "AutoModerator says" + LONG, author="AutoModerator", score=100, created=1),
    comment("c5", "p1", "kindbot says" + LONG, author="kindbot", score=90, created=2),
    comment("c6", "p1", "[deleted]", author="[deleted]", score=80, created=3),
    comment("c7", "p1", "[removed]", author="someone", score=70, created=4),
    comment(
        "c8", "p1", "nested reply" + LONG, author="helper_c", score=60, parent="t1_c3", created=5
    ),
    comment("c9", "p1", "short", author="helper_d", score=65, created=6),
]
COMMENT_SKIPS = {
    "comment: bot author": 2,
    "comment: deleted or removed": 2,
    "comment: not a top-level comment": 1,
    "comment: too short for a response": 1,
}


def _response_of(store: Store, pid: str = "p1") -> tuple[str | None, str | None]:
    rec = _by_source_id(store)[pid]
    return rec.source.response_id, store.vault.get(rec.id).response


def _assert_pairing_counts(report) -> None:
    _check_counts(report)
    assert dict(report.comments) == {"read": 9, "candidates": 3, "skipped": 6}
    assert {k: v for k, v in report.skipped_reasons.items() if k.startswith("comment:")} == (
        COMMENT_SKIPS
    )
    assert report.cultures["German"]["read"] == 1
    assert report.cultures["German"]["kept"] == 1


def test_response_from_separate_comment_file(tmp_path: Path, config, store):
    subs = write_lines(tmp_path / "RS_2023.jsonl", [submission("p1")])
    coms = write_lines(tmp_path / "RC_2023.jsonl", COMMENTS)
    report = ingest([subs, coms], config, store)
    _assert_pairing_counts(report)
    assert _response_of(store) == ("c3", "helper_b says" + LONG)


def test_response_from_mixed_file_comments_before_and_after(tmp_path: Path, config, store):
    # Comments both before and after their submission in one file.
    mixed = write_lines(tmp_path / "mixed.jsonl", [*COMMENTS[:4], submission("p1"), *COMMENTS[4:]])
    report = ingest([mixed], config, store)
    _assert_pairing_counts(report)
    assert _response_of(store) == ("c3", "helper_b says" + LONG)


def test_response_rule_earliest(tmp_path: Path, workspace, store):
    config = _config_with(tmp_path, workspace, '[reddit]\nresponse_rule = "earliest"\n')
    path = write_lines(tmp_path / "mixed.jsonl", [submission("p1"), *COMMENTS])
    report = ingest([path], config, store)
    _assert_pairing_counts(report)
    assert _response_of(store) == ("c1", "helper_a says" + LONG)


def test_op_response_allowed_when_not_excluded(tmp_path: Path, workspace, store):
    config = _config_with(tmp_path, workspace, "[reddit]\nexclude_op_responses = false\n")
    path = write_lines(tmp_path / "mixed.jsonl", [submission("p1"), *COMMENTS])
    report = ingest([path], config, store)
    _assert_pairing_counts(report)
    assert _response_of(store) == ("c2", "op_user says" + LONG)


def test_no_eligible_comment_gives_no_response(tmp_path: Path, config, store):
    lines = [submission("p1"), *COMMENTS[1:2], *COMMENTS[3:]]  # OP and skipped ones only
    report = ingest([write_lines(tmp_path / "d.jsonl", lines)], config, store)
    _check_counts(report)
    assert report.comments["candidates"] == 1
    assert _response_of(store) == (None, None)


def test_bad_response_rule_is_a_user_error(tmp_path: Path, workspace, store):
    from curate.errors import CurateError

    # refused when the config is read (curate/config.schema.json), before any input
    with pytest.raises(CurateError, match=r"\[reddit\] response_rule must be one of"):
        _config_with(tmp_path, workspace, '[reddit]\nresponse_rule = "random"\n')


# -- the culture map and policy skips ------------------------------------------------------


def test_culture_map_and_skips(tmp_path: Path, config, store):
    lines = [
        # 1: culture subreddit + distress keyword -> German
        submission("s1", subreddit="germany", title="Ich bin einsam", selftext=GERMAN_TEXT),
        # 2: culture subreddit, no distress keyword -> skipped
        submission("s2", subreddit="Germany", title="Bahn", selftext="Wann fährt der Zug?"),
        # 3: distress subreddit + one culture's keyword -> that culture
        submission(
            "s3",
            subreddit="depression",
            title="Gaokao",
            selftext="My parents in Shanghai expect so much from me.",
        ),
        # 4: distress subreddit + keywords of two cultures -> skipped
        submission(
            "s4",
            subreddit="lonely",
            title="Between two worlds",
            selftext="My dad is German and my mom is Chinese.",
        ),
        # 5: distress subreddit, no culture keyword -> skipped
        submission("s5", subreddit="anxiety", title="Exams", selftext="Exams are coming."),
        # 6: unknown subreddit -> skipped
        submission("s6", subreddit="cooking", title="So sad", selftext="My cake is sad."),
        # 7, 8: deleted / removed selftext -> skipped
        submission("s7", subreddit="germany", selftext="[deleted]"),
        submission("s8", subreddit="germany", selftext="[removed]"),
        # 9, 10: bot authors -> skipped
        submission("s9", subreddit="germany", author="AutoModerator", selftext="einsam 1"),
        submission("s10", subreddit="germany", author="helper_bot", selftext="einsam 2"),
        # 11: Jewish culture subreddit + Hebrew distress keyword
        submission("s11", subreddit="Judaism", title="לבד", selftext="אני מרגיש בודד מאוד"),
        # comments: one candidate for s1, one for a skipped post, one bot
        comment("k1", "s1", "Das kenne ich gut, schreib mir gerne eine Nachricht."),
        comment("k2", "s6", "Add more sugar and it will not be sad anymore."),
        comment(
            "k3",
            "s1",
            "I am a bot and this action was performed automatically.",
            author="AutoModerator",
        ),
    ]
    report = ingest([write_lines(tmp_path / "dump.jsonl", lines)], config, store)
    _check_counts(report)

    records = _by_source_id(store)
    assert {sid: r.culture for sid, r in records.items()} == {
        "s1": "German",
        "s3": "Chinese",
        "s11": "Jewish",
    }
    assert records["s1"].source.response_id == "k1"
    assert records["s1"].source.community == "germany"
    assert records["s1"].source.url == "https://www.reddit.com/r/germany/comments/s1/x/"
    assert records["s1"].source.created_utc == 1700000000
    assert records["s1"].language == "de"
    assert records["s3"].source.response_id is None
    assert store.vault.get(records["s1"].id).text == GERMAN_TEXT
    assert records["s1"].post_text is None  # raw text stays in the vault

    assert dict(report.skipped_reasons) == {
        "no culture: culture subreddit without distress keyword": 1,
        "no culture: distress subreddit with keywords of several cultures": 1,
        "no culture: distress subreddit without culture keyword": 1,
        "no culture: subreddit not in the culture map": 1,
        "deleted or removed": 2,
        "bot author": 2,
        "comment: bot author": 1,
    }
    got = {
        k: {c: v[c] for c in ("read", "kept", "duplicate", "skipped", "quarantined")}
        for k, v in report.cultures.items()
    }
    assert got == {
        "German": {"read": 1, "kept": 1, "duplicate": 0, "skipped": 0, "quarantined": 0},
        "Chinese": {"read": 1, "kept": 1, "duplicate": 0, "skipped": 0, "quarantined": 0},
        "Jewish": {"read": 1, "kept": 1, "duplicate": 0, "skipped": 0, "quarantined": 0},
        NO_CULTURE: {"read": 8, "kept": 0, "duplicate": 0, "skipped": 8, "quarantined": 0},
    }
    assert report.totals["read"] == 11
    assert report.totals["new"] == 3
    assert dict(report.comments) == {"read": 3, "candidates": 2, "skipped": 1}


def test_culture_subreddits_without_distress_requirement(tmp_path: Path, workspace, store):
    config = _config_with(
        tmp_path, workspace, "[reddit.culture_map]\nculture_subreddits_need_distress = false\n"
    )
    lines = [submission("s2", subreddit="germany", title="Bahn", selftext="Wann fährt der Zug?")]
    report = ingest([write_lines(tmp_path / "d.jsonl", lines)], config, store)
    _check_counts(report)
    assert report.cultures["German"]["kept"] == 1
    assert not report.skipped_reasons


def test_comment_counts_with_quarantined_comments(tmp_path: Path, config, store):
    lines = [
        submission("p1"),
        comment("c1", "p1", "Du bist nicht allein, das wird besser werden."),
        {"id": "c2", "link_id": "t3_p1", "body": 42, "author": "x"},  # body not a string
        {"link_id": "t3_p1", "body": "no id here but long enough", "author": "x"},  # no id
        b'{"id": "c4", "link_id": "t3_p1", "body": "cut off',  # malformed comment line
        comment("c5", "p1", "[removed]"),
    ]
    report = ingest([write_lines(tmp_path / "d.jsonl", lines)], config, store)
    _check_counts(report)
    assert dict(report.comments) == {"read": 5, "candidates": 1, "skipped": 1, "quarantined": 3}
    assert report.totals["read"] == 1  # comments are not records
    assert report.totals["quarantined"] == 0
    assert _response_of(store) == ("c1", "Du bist nicht allein, das wird besser werden.")


# -- exact duplicates ------------------------------------------------------------------------


def test_exact_duplicates_after_normalization(tmp_path: Path, config, store):
    lines = [
        submission("d1", title="Ich bin einsam", selftext=GERMAN_TEXT),
        # Same text up to case and whitespace: a duplicate of d1.
        submission(
            "d2",
            title="ICH  BIN\teinsam",
            selftext="  " + GERMAN_TEXT.upper().replace(" ", "   \n ") + "  ",
        ),
        # Different text: not a duplicate.
        submission("d3", title="Ich bin einsam", selftext=GERMAN_TEXT + " Noch was."),
    ]
    report = ingest([write_lines(tmp_path / "d.jsonl", lines)], config, store)
    _check_counts(report)
    records = _by_source_id(store)
    assert records["d1"].duplicate_of is None
    assert records["d2"].duplicate_of == records["d1"].id
    assert records["d3"].duplicate_of is None
    counts = report.cultures["German"]
    assert (counts["read"], counts["kept"], counts["duplicate"], counts["new"]) == (3, 2, 1, 3)


def test_reingest_is_unchanged(tmp_path: Path, config, store):
    path = write_lines(tmp_path / "d.jsonl", [submission("p1"), *COMMENTS])
    first = ingest([path], config, store)
    second = ingest([path], config, store)
    assert first.cultures["German"]["new"] == 1
    assert second.cultures["German"]["unchanged"] == 1
    assert second.cultures["German"]["new"] == 0
    assert store.count() == 1


def test_infinite_numbers_do_not_crash_the_run(tmp_path: Path, config, store):
    lines = [
        submission("p1", created_utc=1e400),  # json.dumps writes Infinity
        comment("c1", "p1", "Du bist nicht allein, das wird besser werden.", score=10**400),
        {**comment("c2", "p1", "Ich verstehe dich sehr gut, melde dich gerne."), "score": 1e400},
    ]
    report = ingest([write_lines(tmp_path / "d.jsonl", lines)], config, store)
    _check_counts(report)
    assert report.cultures["German"]["kept"] == 1
    assert _by_source_id(store)["p1"].source.created_utc is None


# -- scanning files in parallel ----------------------------------------------------------


def _split_dump(tmp_path: Path) -> list[Path]:
    """Three files, as monthly dumps come: posts in the first two, their comments spread
    over all three (p1's best peer response in the last), bad lines in each."""
    files = [
        [
            submission("p1"),
            *COMMENTS[:3],
            b'{"id": "bad", "subreddit": "germany", "title": "cut',  # malformed post line
            DUMP[2],  # p2, by anna, in a distress subreddit
        ],
        [
            *COMMENTS[3:],
            submission("p3", subreddit="cooking", title="Bread", selftext="How to bake?"),
            {"id": "c20", "link_id": "t3_p2", "body": 42, "author": "x"},  # quarantined
            comment("c21", "p2", "You are not alone, many expats feel the same way.", score=2),
            submission("p4", title="Ich bin einsam", selftext=GERMAN_TEXT, author="ben"),
        ],
        [
            comment("c30", "p1", "helper_e says" + LONG, author="helper_e", score=30),
            comment("c31", "p2", "Same here, it gets better with time, I promise.", score=9),
            comment("c32", "p4", "ben's own words" + LONG, author="ben", score=99),
            {"neither": "post nor comment"},
        ],
    ]
    return [write_lines(tmp_path / f"R_{i}.jsonl", lines) for i, lines in enumerate(files)]


def test_files_scanned_in_parallel_give_the_items_of_a_sequential_read(tmp_path: Path, config):
    from functools import partial

    from curate.executors.pool import map_ordered
    from curate.sources import reddit

    paths = _split_dump(tmp_path)
    policy = reddit.RedditPolicy.from_config(config.section("reddit"), 20_000)
    runs = {}
    for label, file_map in (("here", None), ("pool", partial(map_ordered, workers=3))):
        (tmp_path / label).mkdir()
        progress: list = []
        items = reddit.read(
            paths, policy=policy, salt=b"s" * 32, max_bytes=1 << 20,
            staging_dir=tmp_path / label, file_map=file_map,
            on_progress=lambda path, n, seen=progress: seen.append((path, n)),
        )  # fmt: skip
        runs[label] = list(items)
        # spools and index deleted (.lock: what serializes making and sweeping them)
        assert [p.name for p in (tmp_path / label).iterdir()] == [".lock"]
        assert {path for path, _ in progress} == set(paths)
        assert progress[-1] == (paths[-1], paths[-1].stat().st_size)
    assert runs["pool"] == runs["here"]
    items = runs["here"]
    lines = sum(len(p.read_text().splitlines()) for p in paths)
    assert len(items) == lines  # one item per line
    parsed = {i.record.source.source_id: i for i in items if hasattr(i, "record")}
    # Responses chosen across files: p1's best peer response is in the last file; ben's
    # own comment on p4 is not a response.
    assert parsed["p1"].record.source.response_id == "c30"
    assert parsed["p2"].record.source.response_id == "c31"
    assert parsed["p4"].record.source.response_id is None
    # Order of a sequential read: every comment item first, then the other lines.
    kinds = [getattr(i, "kind", "record") for i in items]
    assert kinds == sorted(kinds)  # "comment" < "record"


def test_local_engine_workers_store_what_one_process_stores(tmp_path: Path, config):
    """Scanning files and language id in worker processes (`--workers 2`) leaves the
    store and the counts as one process does."""
    from curate.executors.local import LocalExecutor

    paths = _split_dump(tmp_path)
    paths.append(write_lines(tmp_path / "more.jsonl", [
        submission(f"m{i}", title=f"Einsam {i}", selftext=GERMAN_TEXT + f" Tag {i}.")
        for i in range(150)
    ]))  # fmt: skip
    config.section("ingest")["batch_size"] = 16  # several batches in flight
    snapshots, reports = [], []
    for workers in (1, 2):
        with Store.open(tmp_path / f"ws-{workers}") as store:
            store.conn.execute("UPDATE meta SET value=? WHERE key='id_salt'", (FIXED_SALT,))
            report = ingest(paths, config, store, executor=LocalExecutor(workers))
            _check_counts(report)
            reports.append({k: v for k, v in report.to_dict().items() if "run" not in k})
            rows = store.conn.execute(
                "SELECT id, revision, language, content_hash, duplicate_of FROM records "
                "ORDER BY rowid"
            ).fetchall()
            snapshots.append((_snapshot(store), rows))
    for report in reports:
        report.pop("quarantine"), report.pop("defects_file")
    assert reports[0] == reports[1]
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0][0]) == 153


def test_the_pool_runs_in_other_processes_and_keeps_the_order():
    import os

    from curate.executors.pool import map_ordered

    out = list(map_ordered(_pid_and_square, range(20), workers=2))
    assert [square for _, square in out] == [i * i for i in range(20)]
    pids = {pid for pid, _ in out}
    assert os.getpid() not in pids and len(pids) == 2


def _pid_and_square(i: int) -> tuple[int, int]:
    import os
    import time

    time.sleep(0.01)  # long enough for both workers to take some
    return os.getpid(), i * i
