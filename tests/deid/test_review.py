"""The curator's review of uncertain de-identification decisions (`curate deid review`):
the store's queue and verdicts (schema 6), applying verdicts to detections, the
interactive loop, export and import, the re-run that applies verdicts, and the release
gate that waits for the review. Real engine, real store; synthetic texts."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest
import yaml
from helpers import make_record
from typer.testing import CliRunner

from curate.cli import app
from curate.config import load_config
from curate.deid import tables as deid_tables
from curate.deid.operators import CURATOR, Detection, Override, apply_overrides
from curate.deid.policy import load_policy
from curate.deid.review import curator_kept, item_id
from curate.deid.stage import (
    CULTURAL_SIGNAL,
    IN_CULTURAL_SIGNAL,
    _mark_in_cultural_signal,
    deid_input,
    deidentify_workspace,
)
from curate.records import RawText, Span
from curate.schema import load_taxonomy
from curate.store import SCHEMA_VERSION, Store, _migration

# A name inside an annotated cultural-signal phrase (uncertain: it may be the figure the
# phrase is about), one outside any span (certain), a phrase without offsets naming the
# same person, and rich markup in the raw text (must be printed as it is).
CULTURAL = "we eat dinner at Miriam Levi's house and light candles"
POST = f"Every Friday {CULTURAL} [red]as always[/red]. My boss Thomas Becker is strict."
PHRASE = "Shabbat with Miriam Levi"
OTHER = "My friend Jonas Weber called me yesterday."
# The lead's engine applies verdicts (`apply_overrides` inside `Deidentifier`): until
# then the tests of a re-run that applies them fail, as expected.


def _spans() -> list[Span]:
    start = POST.index(CULTURAL)
    attrs = {"type": load_taxonomy().family(CULTURAL_SIGNAL).values[0]}
    return [
        Span("post", CULTURAL_SIGNAL, CULTURAL, start, start + len(CULTURAL), attrs),
        Span("post", CULTURAL_SIGNAL, PHRASE, None, None, attrs),
    ]


@pytest.fixture
def ws(tmp_path, deid_engine):
    """Two records de-identified by the real engine: (config, store, ids)."""
    config = load_config(None, tmp_path / "ws")
    with Store.open(config.workspace) as store:
        first = make_record(store, "r1", culture="Jewish", spans=_spans())
        second = make_record(store, "r2")
        store.put_batch(
            [(first, RawText(text=POST)), (second, RawText(text=OTHER))],
            store.begin_run("test", {}),
        )
        deidentify_workspace(store, config, engine=deid_engine, workers=1)
        yield config, store, (first.id, second.id)


def _cli(config, *args: str, input: str | None = None):
    return CliRunner().invoke(app, ["-w", str(config.workspace), *args], input=input)


# -- detections and verdicts (pure) ------------------------------------------------------
def _det(start, end, entity="PERSON", operator=None, unsure=None, recognizer="NER"):
    return Detection(start, end, entity, 0.8, recognizer, unsure, operator)


def test_keep_verdict_keeps_what_lies_inside_its_region_only():
    dets = [_det(0, 6, unsure="name list, no context"), _det(10, 22), _det(30, 35)]
    out = apply_overrides(dets, [Override(0, 6, "keep"), Override(10, 15, "keep")])
    kept, beyond, other = out
    assert (kept.operator, kept.recognizer, kept.unsure) == ("keep", CURATOR, None)
    assert (kept.start, kept.end) == (0, 6)
    assert beyond == dets[1]  # reaches beyond the verdict's region: as it was
    assert other == dets[2]


def test_remove_verdict_replaces_its_region_grown_over_what_it_touches():
    dets = [_det(0, 4), _det(8, 14), _det(20, 30, operator="keep")]
    out = apply_overrides(dets, [Override(10, 25, "remove")])
    assert out[0] == dets[0]
    (removed,) = out[1:]
    # the replaced detection it touches grows it; the kept one gives way
    assert (removed.start, removed.end, removed.recognizer) == (8, 25, CURATOR)
    assert removed.operator is None  # the policy's operator for PERSON
    # nothing detected there at all: the region itself
    (alone,) = apply_overrides([], [Override(3, 9, "remove", "PERSON")])
    assert (alone.start, alone.end, alone.entity_type) == (3, 9, "PERSON")


def test_remove_wins_over_keep_and_applying_twice_changes_nothing():
    dets = [_det(0, 6), _det(10, 16)]
    overrides = [Override(0, 6, "keep"), Override(0, 6, "remove"), Override(10, 16, "keep")]
    once = apply_overrides(dets, overrides)
    assert [(d.start, d.end, d.operator, d.recognizer) for d in once] == [
        (0, 6, None, CURATOR),
        (10, 16, "keep", CURATOR),
    ]
    assert apply_overrides(once, overrides) == once


def test_remove_of_a_type_the_policy_keeps_is_tagged():
    policy = load_policy()
    assert policy.operator("LOCATION") == "keep"
    (d,) = apply_overrides([_det(0, 5, "LOCATION")], [Override(0, 5, "remove", "LOCATION")], policy)
    assert d.operator == "tag"
    (p,) = apply_overrides([], [Override(0, 5, "remove")], policy)
    assert p.operator is None
    with pytest.raises(Exception, match="unknown verdict"):
        apply_overrides([], [Override(0, 5, "maybe")])


def test_cultural_signal_marks_replaced_names_only():
    regions = {"text": [(10, 20)], "phrase:0": [(0, 30)]}
    base = {"entity_type": "PERSON", "operator": "pseudonym", "recognizer": "NER", "unsure": None}
    decisions = [
        {**base, "field": "text", "start": 15, "end": 25},  # across the edge
        {**base, "field": "text", "start": 20, "end": 25},  # just after
        {**base, "field": "phrase:0", "start": 3, "end": 8},
        {**base, "field": "text", "start": 12, "end": 14, "operator": "keep"},
        {**base, "field": "text", "start": 12, "end": 14, "recognizer": CURATOR},
        {**base, "field": "text", "start": 12, "end": 14, "entity_type": "URL"},
        {**base, "field": "text", "start": 12, "end": 14, "unsure": "score near threshold"},
    ]
    _mark_in_cultural_signal(decisions, regions)
    assert [d["unsure"] for d in decisions] == [
        IN_CULTURAL_SIGNAL,
        None,
        IN_CULTURAL_SIGNAL,
        None,
        None,
        None,
        "score near threshold",
    ]


# -- the store -----------------------------------------------------------------------------
def test_a_version_5_workspace_migrates(workspace):
    """A workspace made by the previous curate (schema 5, decisions without `unsure`)."""
    workspace.mkdir(parents=True)
    conn = sqlite3.connect(workspace / "curate.sqlite", isolation_level=None)
    for version in range(1, 6):
        conn.executescript(_migration(version))
    conn.execute("INSERT INTO meta VALUES ('schema_version', '5')")
    conn.execute("INSERT INTO meta VALUES ('id_salt', ?)", ("ab" * 32,))
    conn.close()
    with Store.open(workspace) as store:
        record = make_record(store, "old")
        store.put_batch([(record, RawText(text=OTHER))], store.begin_run("test", {}))
        store.conn.execute(
            "INSERT INTO deid_decisions (id, revision, field, start, end, entity_type, "
            "recognizer, score, operator, new_start, new_end) "
            "VALUES (?, 1, 'text', 10, 21, 'PERSON', 'NER', 0.9, 'pseudonym', 10, 20)",
            (record.id,),
        )
    with Store.open(workspace) as store:  # opened again: nothing left to migrate
        assert store.schema_version == SCHEMA_VERSION
        (old,) = deid_tables.decisions(store, record.id)
        assert old["unsure"] is None and old["operator"] == "pseudonym"
        assert (
            deid_tables.review_queue(
                store,
            )
            == []
        )
        deid_tables.save_deid(store, [(record, [{**old, "unsure": "score near threshold"}])], "p")
        (row,) = deid_tables.review_queue(
            store,
        )
        assert row["unsure"] == "score near threshold"
        assert deid_tables.overrides(store, record.id) == {}


def test_queue_lists_uncertain_decisions_with_their_context(ws):
    config, store, (first, second) = ws
    queue = deid_tables.review_queue(
        store,
    )
    assert [(r["record_id"], r["field"], r["unsure"]) for r in queue] == [
        (first, "text", IN_CULTURAL_SIGNAL),
        (first, "phrase:0", IN_CULTURAL_SIGNAL),
    ]
    certain = [d for d in deid_tables.decisions(store, first) if d["unsure"] is None]
    assert any(POST[d["start"] : d["end"]] == "Thomas Becker" for d in certain)
    assert all(d["unsure"] is None for d in deid_tables.decisions(store, second))

    from curate.deid.review import items

    text, phrase = items(store)
    assert (text.value, phrase.value) == ("Miriam Levi", "Miriam Levi")
    assert text.before.endswith("dinner at ") and text.after.startswith("'s house")
    assert len(text.before) <= 60 and len(text.after) <= 60
    assert phrase.before == "Shabbat with " and phrase.after == ""
    assert text.id == item_id(queue[0]) and "Miriam" not in text.id

    summary = _cli(config, "deid", "review", "--json")
    assert summary.exit_code == 0, summary.output
    doc = json.loads(summary.output)
    assert doc["unreviewed"] == 2 and doc["records"] == 1
    assert doc["by_reason"] == {IN_CULTURAL_SIGNAL: 2}
    assert "Miriam" not in summary.output


def test_one_record_view_is_kept_and_escapes_raw_values(ws):
    config, _, (first, _) = ws
    for args in (["--record", first], [first]):
        out = _cli(config, "deid", "review", *args, "--show-values")
        assert out.exit_code == 0, out.output
        assert "cultural-signal span" in out.output and "Thomas Becker" in out.output
    plain = _cli(config, "deid", "review", "--record", first)
    assert "Miriam" not in plain.output  # values only with --show-values
    as_json = json.loads(_cli(config, "deid", "review", "--record", first, "--json").output)
    assert [d["unsure"] for d in as_json if d["unsure"]] == [IN_CULTURAL_SIGNAL] * 2


def test_a_verdict_on_a_decision_the_machine_was_sure_of(ws, tmp_path):
    """The curator saw a wrong replacement with --record: its id takes a verdict too."""
    config, store, (first, _) = ws
    rows = json.loads(_cli(config, "deid", "review", "--record", first, "--json").output)
    (boss,) = [r for r in rows if POST[r["start"] : r["end"]] == "Thomas Becker"]
    assert boss["unsure"] is None and boss["id"] == f"{first}@1:text:{boss['start']}-{boss['end']}"
    path = tmp_path / "v.txt"
    path.write_text(f"{boss['id']},keep\n", encoding="utf-8")
    out = _cli(config, "deid", "review", "--import", str(path))
    assert out.exit_code == 0, out.output
    assert deid_tables.overrides(store, first)["text"] == [
        Override(boss["start"], boss["end"], "keep")
    ]
    run = store.runs()[-1]  # the import is a run of the run log, with counts only
    assert (run["command"], run["status"]) == ("deid review", "completed")
    assert json.loads(run["counts"]) == {"recorded": {"keep": 1}, "no_verdict": 0, "problems": 0}
    assert (
        len(
            deid_tables.review_queue(
                store,
            )
        )
        == 2
    )  # the uncertain ones are still to review
    both = _cli(config, "deid", "review", "--export", str(path), "--import", str(path))
    assert "use one of --export, --import" in str(both.exception)


def test_removing_an_allowlisted_name_records_a_person(ws):
    """'my friend Hillel': the allowlist kept a public figure, the curator says it is a
    private person: the verdict replaces a PERSON (not a <PUBLIC_FIGURE_1>)."""
    from curate.deid.review import Item, decide

    _, store, (first, _) = ws
    row = dict(
        deid_tables.review_queue(
            store,
        )[0],
        entity_type="PUBLIC_FIGURE",
        operator="keep",
    )
    assert decide(store, Item(item_id(row), row), "remove", None, "tester")
    assert deid_tables.overrides(store, first)["text"] == [Override(30, 41, "remove", "PERSON")]


# -- the interactive loop ------------------------------------------------------------------
def test_interactive_loop_records_verdicts_and_marks_records_for_a_rerun(ws):
    config, store, (first, _) = ws
    out = _cli(config, "deid", "review", input="x\nk\ns\n")
    assert out.exit_code == 0, out.output
    # the context, raw text with its markup printed as it is, the name highlighted
    assert "[red]as always[/red]" in out.output
    assert "Miriam Levi" in out.output and IN_CULTURAL_SIGNAL in out.output
    assert "1/2" in out.output and "2/2" in out.output
    assert "recorded 1 verdict(s): remove 0, keep 1, always keep 0; skipped 1" in out.output
    assert "run `curate deid`" in out.output
    (left,) = deid_tables.review_queue(
        store,
    )
    assert left["field"] == "phrase:0"  # skipped: still in the queue
    assert deid_tables.overrides(store, first) == {"text": [Override(30, 41, "keep", "PERSON")]}
    status = store.conn.execute("SELECT deid_status FROM records WHERE id=?", (first,))
    assert status.fetchone()[0] == "pending"  # not released until re-done
    assert first not in {r.id for r in store.iter_records(deidentified=True)}


def test_quit_and_end_of_input_stop_the_loop_cleanly(ws):
    config, store, _ = ws
    for keys in ("q\n", ""):
        out = _cli(config, "deid", "review", input=keys)
        assert out.exit_code == 0, out.output
        assert "recorded 0 verdict(s)" in out.output and "left to review: 2" in out.output
    assert (
        len(
            deid_tables.review_queue(
                store,
            )
        )
        == 2
    )


def test_always_keep_adds_the_words_to_the_curator_allowlist(ws):
    config, store, (first, _) = ws
    out = _cli(config, "deid", "review", input="a\nq\n")
    assert out.exit_code == 0, out.output
    assert "allowlist changed" in out.output
    allowlist = load_policy(config).curator_allowlist
    assert yaml.safe_load(allowlist.read_text(encoding="utf-8")) == {
        "Jewish": {"CURATOR": ["Miriam Levi"]}
    }
    assert deid_tables.overrides(store, first)["text"] == [Override(30, 41, "keep", "PERSON")]


# -- export and import ---------------------------------------------------------------------
def test_export_import_round_trip(ws, tmp_path):
    config, store, (first, _) = ws
    path = tmp_path / "queue.jsonl"
    out = CliRunner().invoke(
        app, ["-w", str(config.workspace), "deid", "review", "--export", str(path)]
    )
    assert out.exit_code == 0, out.output
    assert "RAW TEXT" in out.output and "0600" in out.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(x["field"], x["value"], x["verdict"]) for x in lines] == [
        ("text", "Miriam Levi", None),
        ("phrase:0", "Miriam Levi", None),
    ]
    assert lines[0]["reason"] == IN_CULTURAL_SIGNAL and "dinner at" in lines[0]["before"]

    lines[0]["verdict"] = "remove"
    verdicts = tmp_path / "verdicts.jsonl"
    verdicts.write_text(
        "\n".join(
            [
                json.dumps(lines[0]),
                json.dumps(lines[1]),  # no verdict: stays in the queue
                f"{lines[1]['id']}\tperhaps",  # unknown verdict
                f"{first}@1:text:0-5 keep",  # unknown item
                '{"id": "broken',  # not JSON
                "",
            ]
        ),
        encoding="utf-8",
    )
    out = _cli(config, "deid", "review", "--import", str(verdicts), "--json")
    assert out.exit_code == 1, out.output  # problems: reported, the rest recorded
    assert out.exception is None or isinstance(out.exception, SystemExit)
    doc = json.loads(out.output)
    assert doc["recorded"] == {"remove": 1} and doc["no_verdict"] == 1
    assert [(p["line"], p["problem"].split(" (")[0]) for p in doc["problems"]] == [
        (3, "unknown verdict"),
        (4, "unknown item"),
        (5, "not JSON"),
    ]
    assert "perhaps" not in out.output and "Miriam" not in out.output
    assert doc["queue"]["unreviewed"] == 1 and doc["queue"]["records_to_redo"] == 1
    assert deid_tables.overrides(store, first) == {"text": [Override(30, 41, "remove", "PERSON")]}

    # the same item again, another verdict: the curator changed their mind
    again = tmp_path / "again.txt"
    again.write_text(f"{lines[0]['id']} keep\n{lines[1]['id']} k\n", encoding="utf-8")
    out = _cli(config, "deid", "review", "--import", str(again))
    assert out.exit_code == 0, out.output
    assert "recorded 2 verdict(s): remove 0, keep 2" in out.output
    assert deid_tables.overrides(store, first) == {
        "phrase:0": [Override(13, 24, "keep", "PERSON")],
        "text": [Override(30, 41, "keep", "PERSON")],
    }
    assert (
        deid_tables.review_queue(
            store,
        )
        == []
    )


def test_unreadable_or_unwritable_files_are_errors_not_tracebacks(ws, tmp_path):
    from curate.errors import CurateError

    config, _, _ = ws
    out = _cli(config, "deid", "review", "--import", str(tmp_path / "none.jsonl"))
    assert isinstance(out.exception, CurateError) and "cannot read" in str(out.exception)
    out = _cli(config, "deid", "review", "--export", str(tmp_path / "no" / "q.jsonl"))
    assert isinstance(out.exception, CurateError) and "cannot write" in str(out.exception)


# -- the re-run applies the verdicts -------------------------------------------------------
def test_deid_input_carries_the_verdicts(ws):
    config, store, (first, _) = ws
    deid_tables.record_verdicts(
        store,
        [
            dict(row, verdict="keep")
            for row in deid_tables.review_queue(
                store,
            )
        ],
        "tester",
    )
    record, raw = store.vault.original(first)
    doc = deid_input(record, raw, deid_tables.overrides(store, first))
    assert doc.overrides == {
        "text": [Override(30, 41, "keep")],
        "phrase:0": [Override(13, 24, "keep")],
    }
    assert store.needing_deid(load_policy(config).fingerprint) == [first]


def test_rerun_applies_keep_and_remove_verdicts(ws, deid_engine):
    config, store, (first, _) = ws
    keep, phrase = deid_tables.review_queue(
        store,
    )
    word = POST.index("candles")
    deid_tables.record_verdicts(
        store,
        [
            {**keep, "verdict": "keep"},
            {**phrase, "verdict": "remove"},  # as the machine did: stays replaced
            # a word no detector took for a name (a nickname, say)
            {**keep, "start": word, "end": word + 7, "verdict": "remove"},
        ],
        "tester",
    )
    report = deidentify_workspace(store, config, engine=deid_engine, workers=1)
    assert report.records == 1  # only the record with new verdicts
    record = store.get(first)
    assert "Miriam Levi's house" in record.post_text
    assert "candles" not in record.post_text and "Thomas Becker" not in record.post_text
    assert record.spans[1].text.startswith("Shabbat with <PERSON_")
    by_place = {(d["field"], d["start"]): d for d in deid_tables.decisions(store, first)}
    assert by_place[("text", 30)]["operator"] == "keep"
    assert by_place[("text", 30)]["recognizer"] == CURATOR
    assert by_place[("text", word)]["recognizer"] == CURATOR
    assert by_place[("phrase:0", 13)]["recognizer"] == CURATOR
    assert (
        deid_tables.review_queue(
            store,
        )
        == []
    )  # decided: nothing uncertain left
    # the residual scan leaves the kept name alone (else no release could keep it)
    assert curator_kept(store) == {f"{first}:post.text": [(30, 41)]}
    from curate.deid.scan import scan_workspace

    assert scan_workspace(store, config, deid_engine) == []
    from curate.deid.scan import scan_records

    unaware = scan_records(store.iter_records(), config, deid_engine)  # kept=None
    assert [(f["id"], f["start"]) for f in unaware] == [(f"{first}:post.text", 30)]
    out = _cli(config, "deid", "review", "--json")
    assert json.loads(out.output)["records_to_redo"] == 0


def test_purge_keeps_no_verdict_and_only_the_curators_keeps(ws):
    _, store, (first, _) = ws
    deid_tables.record_verdicts(
        store,
        [
            dict(row, verdict="remove")
            for row in deid_tables.review_queue(
                store,
            )
        ],
        "tester",
    )
    revision = 1
    deid_tables.save_deid(store,
        [
            (
                store.get(first),
                [
                    {"field": "text", "start": 30, "end": 41, "entity_type": "PERSON",
                     "recognizer": CURATOR, "score": 1.0, "operator": "keep",
                     "new_start": 30, "new_end": 41, "unsure": None},
                    {"field": "text", "start": 70, "end": 83, "entity_type": "PERSON",
                     "recognizer": "NER", "score": 0.9, "operator": "pseudonym",
                     "new_start": 70, "new_end": 80, "unsure": None},
                ],
            )
        ],
        "p",
    )  # fmt: skip
    store.vault.purge()
    assert store.conn.execute("SELECT COUNT(*) FROM deid_overrides").fetchone()[0] == 0
    rows = store.conn.execute("SELECT id, revision, recognizer FROM deid_decisions").fetchall()
    assert rows == [(first, revision, CURATOR)]
    assert curator_kept(store) == {f"{first}:post.text": [(30, 41)]}


# -- the release gate ----------------------------------------------------------------------
def test_validate_release_fails_until_the_review_is_done(ws, deid_engine):
    from curate.validate.gate import GateError, run_gate
    from curate.validate.runner import validate

    config, store, (first, _) = ws
    taxonomy = config.taxonomy()
    report = validate(store, taxonomy, config=config, release=True, scan_pii=False)
    (failure,) = [f for f in report.failures if f["name"] == "deid_uncertain_reviewed"]
    assert failure["record_ids"] == [first] and failure["count"] == 1
    assert failure["decisions"] == 2 and failure["by_reason"] == {IN_CULTURAL_SIGNAL: 2}
    others = [f["name"] for f in report.failures if f["name"] != "deid_uncertain_reviewed"]

    with pytest.raises(GateError, match="2 uncertain decision"):
        run_gate(store, taxonomy, config, engine=deid_engine)
    cli = _cli(config, "validate", "--release", "--no-pii-scan", "--no-docs")
    assert cli.exit_code == 1
    assert "deid_uncertain_reviewed" in cli.output and IN_CULTURAL_SIGNAL in cli.output

    # a project that does not require the review (a policy switch)
    config.data["release"]["require_deid_review"] = False
    off = validate(store, taxonomy, config=config, release=True, scan_pii=False)
    assert [f["name"] for f in off.failures] == others
    config.data["release"]["require_deid_review"] = True

    # reviewed: nothing uncertain is left unreviewed
    deid_tables.record_verdicts(
        store,
        [
            dict(row, verdict="keep")
            for row in deid_tables.review_queue(
                store,
            )
        ],
        "tester",
    )
    done = validate(store, taxonomy, config=config, release=False, scan_pii=False)
    assert "deid_uncertain_reviewed" not in [f["name"] for f in done.failures]
