"""Terminal output of the CLI: progress bars, summary tables, messages and JSON (rich).

Every line `curate` prints goes through here, so `cli.py` only parses, calls a stage and
hands its result over. Only counts, labels, ids and paths are printed: never record text
(the one exception, `curate deid review`, shows raw context to the curator on purpose).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from curate.ingest import IngestReport


def console(stderr: bool = False) -> Console:
    """A console on stdout (or stderr) for one command's output."""
    stream = sys.stderr if stderr else sys.stdout
    # Not a terminal (a log, a pipe): wide enough that the tables do not wrap.
    width = None if stream.isatty() else 120
    return Console(stderr=stderr, highlight=False, width=width)


def print_json(data: Any, *, ascii_only: bool = True) -> None:
    """`--json` output: indented, on stdout, as is (no rich markup or wrapping).
    `ascii_only`: escape non-ASCII characters (as the commands always have)."""
    print(json.dumps(data, indent=2, ensure_ascii=ascii_only))


@contextmanager
def byte_progress(
    paths: list[Path], enabled: bool = True, what: str = "ingest"
) -> Iterator[Callable[[Path, int], None] | None]:
    """A progress bar over the bytes of `paths` (files, or folders: their files), labelled
    `what`. Sources report (file, position read so far); every file is read once."""
    if not enabled:
        yield None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    files = [p for path in paths for p in ([path] if path.is_file() else path.rglob("*"))]
    total = sum(p.stat().st_size for p in files if p.is_file())
    last: dict[Path, int] = {}
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=total or None)

        def update(path: Path, position: int) -> None:
            last[path] = position
            bar.update(task, completed=sum(last.values()))

        yield update


def print_ingest(report: IngestReport, console: Console) -> None:
    from curate.ingest import COLUMNS

    table = Table(title=f"ingest {report.run_id} ({report.status})")
    table.add_column("culture")
    for col in COLUMNS:
        table.add_column(col, justify="right")
    for culture, counts in sorted(report.cultures.items()):
        table.add_row(culture, *(str(counts[c]) for c in COLUMNS))
    totals = report.totals
    table.add_row("total", *(str(totals[c]) for c in COLUMNS), style="bold")
    console.print(table)
    ok = "yes" if report.reconciles() else "NO"
    console.print(f"read = kept + duplicate + skipped + quarantined: {ok}")
    if report.comments:
        c = report.comments
        console.print(
            f"comments: {c['read']} read, {c['candidates']} response candidates, "
            f"{c['skipped']} skipped, {c['quarantined']} quarantined"
        )
    if report.skipped_reasons:
        console.print(
            "skipped: " + "; ".join(f"{r} ({n})" for r, n in report.skipped_reasons.most_common())
        )
    if report.defects:
        dt = Table(title=f"defects ({sum(report.defects.values())})")
        dt.add_column("field: problem")
        dt.add_column("count", justify="right")
        for kind, n in report.defects.most_common():
            dt.add_row(kind, str(n))
        console.print(dt)
        # On a line of its own: a long path in the title would wrap mid-word.
        console.print(f"defects by record: {report.defects_path}", soft_wrap=True)
    if report.problems:
        console.print(f"file problems: {len(report.problems)} (warnings on stderr)")
    if report.quarantine_path:
        console.print(f"quarantine: {report.quarantine_path}", soft_wrap=True)


def print_file_problems(report: IngestReport, console: Console) -> None:
    """One warning line per file that could not be read (to its end), naming the file and
    the problem (never content): the lines before the problem were read and counted."""
    from rich.markup import escape

    for path, problem in report.problems.items():
        console.print(f"[bold yellow]warning:[/] {escape(path)}: {escape(problem)}", soft_wrap=True)


def print_stats(data: dict[str, Any], console: Console) -> None:
    cultures = list(data["cultures"])
    cols = ("records", "duplicates", "with_response", "annotated", "with_empathy", "with_defects")
    table = Table(title=f"workspace {data['workspace']}: {data['records']} records")
    table.add_column("culture")
    for col in cols:
        table.add_column(col.replace("_", " "), justify="right")
    table.add_column("languages")
    for culture in cultures:
        c = data["cultures"][culture]
        langs = ", ".join(f"{k} {v}" for k, v in data["languages"][culture].items())
        table.add_row(culture, *(str(c.get(k, 0)) for k in cols), langs)
    table.add_row("total", *(str(data["total"].get(k, 0)) for k in cols), "", style="bold")
    console.print(table)
    if data["spans"]:
        families = list(data["spans_total"])
        st = Table(title="spans per label family")
        st.add_column("culture")
        for f in families:
            st.add_column(f, justify="right")
        for culture, counts in data["spans"].items():
            st.add_row(culture, *(str(counts.get(f, 0)) for f in families))
        st.add_row("total", *(str(data["spans_total"][f]) for f in families), style="bold")
        console.print(st)
    console.print("sources: " + ", ".join(f"{k} {v}" for k, v in data["sources"].items()))
    console.print(
        "de-identification: " + ", ".join(f"{k} {v}" for k, v in data["deid_status"].items())
    )
    console.print(f"raw texts in the vault: {data['vault_texts']}")
    print_scratch(data["scratch"], console)


def print_scratch(scratch: dict[str, dict[str, int]], console: Console) -> None:
    """A line per kind of raw-text scratch folder in the workspace's tmp/, if any."""
    lines = {
        "removed_stale": "removed {folders} scratch folder(s) of killed runs ({bytes} bytes of "
        "raw text)",
        "in_use": "{folders} scratch folder(s) in use by running commands ({bytes} bytes of raw "
        "text; deleted when they end)",
        "stale": "{folders} stale scratch folder(s) could not be deleted ({bytes} bytes of raw "
        "text): check the permissions of the workspace's tmp/",
    }
    for key, line in lines.items():
        if scratch.get(key, {}).get("folders"):
            console.print(line.format(**scratch[key]), soft_wrap=True)


@contextmanager
def count_progress(what: str, enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar over items done of a total (the callback gets done, total)."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def print_deid(report, console: Console) -> None:
    replaced = ", ".join(f"{k} {v}" for k, v in report.entities.most_common()) or "none"
    kept = ", ".join(f"{k} {v}" for k, v in report.kept.most_common()) or "none"
    console.print(f"de-identified {report.records} record(s) (policy {report.policy})")
    console.print(f"  replaced: {replaced}")
    console.print(f"  detected and kept by policy: {kept}")
    if report.phrases_changed:
        console.print(f"  annotated phrases changed: {report.phrases_changed}")
    if report.span_problems:
        console.print(
            f"  spans that could not be moved (reported as defects): {report.span_problems}"
        )


def print_scan(findings: list[dict], console: Console) -> None:
    if not findings:
        console.print("residual scan: no direct identifier found")
        return
    table = Table(title=f"residual scan: {len(findings)} direct identifier(s) left")
    for col in ("id", "type", "start", "end", "recognizer", "score"):
        table.add_column(col)
    for f in findings:
        table.add_row(*(str(f[c]) for c in ("id", "type", "start", "end", "recognizer", "score")))
    console.print(table)


def print_real_eval(result: dict, console: Console) -> None:
    """The four real-text figures (curate.deid.realtext), overall and per culture."""
    corpus = result["corpus"]
    table = Table(title=f"de-identification on {corpus['phrases']} real labelled phrases")
    table.add_column("culture")
    for col in ("replaced", "precision", "private", "recall", "public kept", "plain changed"):
        table.add_column(col, justify="right")
    rows = [*result["by_culture"].items(), ("all", result["overall"])]
    for name, r in rows:
        table.add_row(
            name,
            str(r["replaced"]),
            _fmt(r["precision"]),
            str(r["private"]),
            _fmt(r["recall"]),
            f"{r['public_kept']}/{r['public']}",
            f"{r['plain_changed']}/{r['plain_phrases']}",
            style="bold" if name == "all" else None,
        )
    console.print(table)
    console.print(
        "precision: replaced regions that were private; recall: private identifiers "
        "(not marked unsure) wholly replaced; plain changed: phrases without a private "
        "identifier that were changed at all"
    )


def print_planted_eval(result: dict, console: Console) -> None:
    """Identifiers planted into real phrases (curate.deid.planted): recall per language
    and type, and the carriers left unchanged."""
    from curate.deid.planted import TYPES

    corpus = result["corpus"]
    table = Table(
        title=f"identifiers planted into {sum(corpus['carriers_used'].values())} real phrases "
        f"({corpus['planted']} plantings, seed {corpus['seed']})"
    )
    table.add_column("language")
    short = {
        "EMAIL_ADDRESS": "email",
        "PHONE_NUMBER": "phone",
        "REDDIT_USERNAME": "u/name",
        "SOCIAL_HANDLE": "handle",
        "IP_ADDRESS": "IP",
    }
    for kind in TYPES:
        table.add_column(short.get(kind, kind), justify="right")
    for col in ("carriers", "unchanged", "alone unchanged"):
        table.add_column(col, justify="right")
    for lang, row in result["by_language"].items():
        table.add_row(
            lang,
            *(_fmt(row[k]["recall"]) if k in row else "" for k in TYPES),
            str(row["carriers"]),
            _fmt(row["carrier_unchanged_rate"]),
            _fmt(row["alone_unchanged_rate"]),
        )
    console.print(table)
    missing = [lang for lang in ("en", "de", "ar", "he", "zh") if lang not in result["by_language"]]
    console.print(
        "recall: planted identifiers wholly replaced; unchanged: planted phrases with nothing "
        "replaced outside the planted identifier; alone unchanged: the same phrases "
        "de-identified without anything planted"
        + (f"; no carrier phrase in: {', '.join(missing)}" if missing else "")
    )


def print_eval(result: dict, console: Console) -> None:
    corpus = result["corpus"]
    table = Table(
        title=f"de-identification on {corpus['documents']} synthetic documents "
        f"(seed {corpus['seed']})"
    )
    table.add_column("language")
    table.add_column("type")
    for col in ("gold", "found", "recall", "detected", "false pos.", "precision", "F2"):
        table.add_column(col, justify="right")
    for lang, rows in result["by_language"].items():
        for etype, r in rows.items():
            table.add_row(
                lang,
                etype,
                str(r["gold"]),
                str(r["found"]),
                _fmt(r["recall"]),
                str(r["detected"]),
                str(r["false_positives"]),
                _fmt(r["precision"]),
                _fmt(r.get("f2")),
                style="bold" if etype == "ALL" else None,
            )
    o = result["overall"]
    table.add_row(
        "all",
        "ALL",
        str(o["gold"]),
        str(o["found"]),
        _fmt(o["recall"]),
        str(o["detected"]),
        str(o["false_positives"]),
        _fmt(o["precision"]),
        _fmt(o.get("f2")),
        style="bold",
    )
    console.print(table)
    keep = result.get("keep")
    if keep is None:  # results written before public names were measured
        kept = sum(r["ALL"]["kept_spans"] for r in result["by_language"].values())
        bad = sum(r["ALL"]["kept_spans_replaced"] for r in result["by_language"].values())
        console.print(f"cultural spans (NRP, practices, subreddits) replaced: {bad} of {kept}")
        return
    parts = []
    for kind in ("NRP", "CULTURAL_TERM", "SUBREDDIT", "PUBLIC"):
        spans = sum(k.get(kind, {}).get("spans", 0) for k in keep.values())
        bad = sum(k.get(kind, {}).get("replaced", 0) for k in keep.values())
        if spans:
            parts.append(f"{kind} {bad} of {spans}")
    console.print("spans to keep that were replaced: " + ", ".join(parts))
    styles = result.get("person_styles") or {}
    if styles:
        table = Table(title="PERSON recall by how the name is written")
        table.add_column("language")
        table.add_column("style: found/planted")
        for lang, by_style in styles.items():
            table.add_row(
                lang, ", ".join(f"{s} {c['found']}/{c['gold']}" for s, c in by_style.items())
            )
        console.print(table)


def print_review(
    record_id: str,
    decisions: list[dict],
    raw,
    console: Console,
    verdicts: list[dict] | None = None,
) -> None:
    """One record's decisions, the uncertain ones with their reason and the curator's
    verdict; with `raw` (`curate deid review --show-values`, the curator's own view) the
    original values too, escaped."""
    from rich.markup import escape

    table = Table(title=f"de-identification decisions for {record_id}")
    cols = ("field", "entity_type", "operator")
    for col in ("field", "offsets", *cols[1:], "recognizer (score)"):
        table.add_column(col, overflow="fold")  # identifiers: cut anywhere
    table.add_column("unsure (verdict)", min_width=18)
    if raw is not None:
        table.add_column("original value", min_width=14)
    texts = {}
    if raw is not None:
        from curate.deid.review import field_texts

        texts = field_texts(*raw)  # exactly what the engine was given, by field name
    given = {(v["field"], v["start"], v["end"]): v["verdict"] for v in verdicts or ()}
    for d in decisions:
        row = [escape(str(d[c])) for c in cols]
        row.insert(1, f"{d['start']}-{d['end']}")
        row.append(escape(f"{d['recognizer']} ({d['score']})"))
        verdict = given.get((d["field"], d["start"], d["end"]))
        row.append(escape(d.get("unsure") or "") + (f" ({verdict})" if verdict else ""))
        if raw is not None:
            row.append(escape((texts.get(d["field"]) or "")[d["start"] : d["end"]]))
        table.add_row(*row)
    console.print(table)


def _queue_line(summary: dict) -> str:
    left = summary["unreviewed"]
    reasons = ", ".join(f"{k} {v}" for k, v in summary["by_reason"].items())
    line = f"left to review: {left}" + (f" ({reasons})" if reasons else "")
    if summary["records_to_redo"]:
        line += (
            f"\n{summary['records_to_redo']} record(s) wait for their verdicts to be applied:"
            " run `curate deid`"
        )
    return line


def print_review_loop(loop, summary: dict, console: Console) -> None:
    """After `curate deid review`: what was decided, what is left, what to run."""
    rec = loop.recorded
    console.print(
        f"recorded {sum(rec.values())} verdict(s): remove {rec['remove']}, keep {rec['keep']},"
        f" always keep {rec['always_keep']}; skipped {loop.skipped}"
        + (f"; {loop.stale} record(s) re-ingested meanwhile, not recorded" if loop.stale else ""),
        markup=False,
        soft_wrap=True,
    )
    if rec["always_keep"]:
        console.print(
            "the curator allowlist changed: `curate deid` re-does every record", markup=False
        )
    console.print(_queue_line(summary), markup=False, soft_wrap=True)


def print_review_import(result: dict, summary: dict, console: Console) -> None:
    rec = result["recorded"]
    console.print(
        f"recorded {sum(rec.values())} verdict(s): "
        + ", ".join(
            f"{k.replace('_', ' ')} {rec.get(k, 0)}" for k in ("remove", "keep", "always_keep")
        )
        + f"; {result['no_verdict']} line(s) without a verdict (left in the queue)",
        markup=False,
        soft_wrap=True,
    )
    if result["problems"]:
        table = Table(title=f"{len(result['problems'])} line(s) not recorded")
        for col in ("line", "item", "problem"):
            table.add_column(col)
        for p in result["problems"]:
            table.add_row(str(p["line"]), _esc(p["id"] or "-"), _esc(p["problem"]))
        console.print(table)
    if rec.get("always_keep"):
        console.print(
            "the curator allowlist changed: `curate deid` re-does every record", markup=False
        )
    console.print(_queue_line(summary), markup=False, soft_wrap=True)


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _fmt(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def print_counts(title: str, counts: dict[str, dict[str, int]], console: Console) -> None:
    columns = sorted({c for row in counts.values() for c in row})
    table = Table(title=title)
    table.add_column("project")
    for col in columns:
        table.add_column(col.replace("_", " "), justify="right")
    for key, row in counts.items():
        table.add_row(key, *(str(row.get(c, 0)) for c in columns))
    console.print(table)


def print_issues(issues: list[dict], console: Console) -> None:
    if not issues:
        console.print("no invalid regions")
        return
    table = Table(title=f"{len(issues)} invalid region(s), kept out of the records")
    for col in ("project", "task", "annotator", "problem", "detail"):
        table.add_column(col)
    for issue in issues:
        table.add_row(
            *(str(issue[c]) for c in ("project", "task", "annotator", "problem", "detail"))
        )
    console.print(table)


def print_agreement(result: dict, console: Console) -> None:
    for culture, res in result.items():
        table = Table(
            title=f"agreement: {culture} ({res['items']} items with 2+ annotators, "
            f"{res['annotators']} annotators"
            + (f"; {res['adjudicated']} adjudicated, not counted" if res.get("adjudicated") else "")
            + ")"
        )
        for col in ("family", "pairs", "spans", "F1 exact", "F1 overlap", "alpha", "matched"):
            table.add_column(col)
        for name, fam in res.items():
            if not isinstance(fam, dict) or name == "empathy":
                continue
            alpha = next((v for k, v in fam.items() if k.startswith("alpha_")), None)
            table.add_row(
                name,
                str(fam["pairs"]),
                str(fam["spans"]),
                _fmt(fam["f1_exact"]),
                _fmt(fam["f1_overlap"]),
                _fmt(alpha),
                str(fam["matched_spans"]),
            )
        emp = res["empathy"]
        table.add_row("empathy", "", "", "", "", _fmt(emp["alpha_empathy"]), str(emp["items"]))
        console.print(table)


def print_audit(report: dict, console: Console) -> None:
    """The audit's flags per family and kind, CROWDLAB's annotator ranking, where the
    reports are, and what the Label Studio review queue received."""
    kinds = ("label_issue", "consensus", "outlier", "near_duplicate")
    if report.get("families"):
        table = Table(title=f"audit {report['run_id']} (flags are ranked for review)")
        for col in ("family", "examples", *kinds, "by culture"):
            table.add_column(col)
        for name, fam in report["families"].items():
            if "skipped" in fam:
                table.add_row(name, str(fam["examples"]), *(["-"] * len(kinds)), fam["skipped"])
                continue
            per = ", ".join(
                f"{c} {sum(v.values())}" for c, v in fam.get("flags_per_culture", {}).items()
            )
            counts = [str(fam["flags"].get(k, 0)) for k in kinds]
            table.add_row(name, str(fam["examples"]), *counts, per)
        console.print(table)
        for name, fam in report["families"].items():
            annotators = (fam.get("crowdlab") or {}).get("annotators") or {}
            if annotators:
                ranking = ", ".join(f"{a} {s['quality']:.2f}" for a, s in annotators.items())
                console.print(f"{name}: annotator quality (CROWDLAB) {ranking}", soft_wrap=True)
        console.print(f"reports: {report['out_dir']}", soft_wrap=True)
        if report.get("html"):
            console.print(f"HTML report: {report['html']}", soft_wrap=True)
    review = report.get("review")
    if review:
        counts = review["counts"]
        skipped = ", ".join(
            f"{counts[k]} {k.replace('_', ' ')}"
            for k in ("adjudicated", "unanimous", "beyond_top", "no_region", "replaced")
            if counts.get(k)
        )
        console.print(
            f"review queue: {counts.get('items', 0)} item(s) to review, "
            f"{counts.get('tasks_sent', 0)} task(s) sent, "
            f"{counts.get('already_queued', 0)} already queued"
            + (f"; left out or replaced: {skipped}" if skipped else ""),
            soft_wrap=True,
        )
        for culture, url in review.get("urls", {}).items():
            console.print(f"  {culture}: {url}", soft_wrap=True)
        if counts.get("tasks_sent"):
            console.print(
                "next: reviewers submit their decisions there, then `curate annotate pull`",
                soft_wrap=True,
            )


def print_validation(report, console: Console) -> None:
    if report.ok:
        console.print(f"validation passed ({report.evaluated} expectations)")
    else:
        table = Table(title=f"validation: {len(report.failures)} failed expectation(s)")
        for col in ("name", "suite", "column", "rows", "record ids (first)"):
            table.add_column(col)
        for f in report.failures:
            table.add_row(
                f["name"],
                f["suite"],
                str(f["column"]),
                str(f["count"]),
                ", ".join(f["record_ids"][:5]),
            )
        console.print(table)
        for f in report.failures:
            if f.get("by_reason"):
                reasons = ", ".join(f"{k} {v}" for k, v in f["by_reason"].items())
                console.print(
                    f"{f['name']}: {f['decisions']} uncertain de-identification decision(s)"
                    f" not reviewed ({reasons}): `curate deid review`",
                    markup=False,
                    soft_wrap=True,
                )
    if not report.pii_scanned:
        console.print("residual-PII scan: not run (--no-pii-scan)")
    if report.html:
        console.print(f"report: {report.html}", soft_wrap=True, markup=False, highlight=False)
    if report.docs_index:
        console.print(
            f"Data Docs (need the network to display): {report.docs_index}",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )


# -- ingest ---------------------------------------------------------------------------------
def print_ingest_result(result, as_json: bool) -> None:
    """`curate ingest`: the report (and the de-identification that followed), then one
    warning per file problem on stderr."""
    report, deid_report = result.report, result.deid
    if as_json:
        data = report.to_dict()
        data["deid"] = deid_report.to_dict() if deid_report else None
        data["engine"] = result.engine
        print_json(data, ascii_only=False)
    else:
        print_ingest(report, console())
        if deid_report:
            print_deid(deid_report, console())
    print_file_problems(report, console(stderr=True))


def print_strict(report: IngestReport) -> bool:
    """`curate ingest --strict`: say on stderr why it fails, if it does (True)."""
    quarantined = report.totals["quarantined"] + report.comments["quarantined"]
    if not (quarantined or report.problems):
        return False
    what = f"{quarantined} input(s) quarantined"
    if report.problems:
        what += f", {len(report.problems)} file problem(s)"
    console(stderr=True).print(f"--strict: {what}", soft_wrap=True)
    return True


# -- de-identification ----------------------------------------------------------------------
def print_deid_text(counts: dict[str, Any]) -> None:
    """`curate deid text`: the counts, on stderr (stdout may hold the texts)."""
    console(stderr=True).print(
        f"de-identified {counts['written']} text(s); {counts['rejected']} rejected line(s)"
        + (f" (see {counts['rejects_file']})" if counts["rejected"] else ""),
        soft_wrap=True,
    )


def print_eval_results(result: dict, out: Console) -> None:
    """`curate deid eval`: synthetic figures, then real-text and planted ones if any."""
    print_eval(result, out)
    if "real" in result:
        print_real_eval(result["real"], out)
    else:
        out.print("real text: no labelled file (--real); synthetic figures only")
    if "planted" in result:
        print_planted_eval(result["planted"], out)


def print_review_decisions_json(rows: list[dict]) -> None:
    """`curate deid review --record R --json`: each decision with its item id (what a
    verdict on it names in --import)."""
    from curate.deid.review import item_id

    print_json([{"id": item_id(r), **r} for r in rows])


def print_review_export(n: int, path: Path, as_json: bool) -> None:
    """`curate deid review --export`: where the queue went, and that it holds raw text."""
    console(stderr=True).print(
        f"wrote {n} item(s) to {path}. It holds RAW TEXT (the context of each "
        "decision): readable by you only (mode 0600); keep it on this machine and "
        "delete it after --import.",
        soft_wrap=True,
        markup=False,
    )
    if as_json:
        print_json({"exported": n, "file": str(path)})


# -- annotation -----------------------------------------------------------------------------
def print_server_started(url: str, data_dir: Path) -> None:
    console().print(
        f"Label Studio is running at {url}\n"
        f"log in as curate@localhost with the password in {data_dir / 'credentials.json'}\n"
        "stop it with: curate annotate serve stop",
        soft_wrap=True,
    )


def print_server_stopped() -> None:
    console().print("Label Studio stopped")


def print_server_status(status: dict[str, Any]) -> None:
    console().print(json.dumps(status), soft_wrap=True)


def print_simulated_annotators(doc: dict[str, Any], out: Console) -> None:
    """`curate demo annotate`: what each SYNTHETIC annotator added, then the timing."""
    families = sorted({f for counts in doc["spans"].values() for f in counts})
    table = Table(title="demo annotate (SYNTHETIC annotators)")
    table.add_column("annotator", no_wrap=True)
    for col in ["noise", "created", "already\nthere", *families, "empathy", "demo-\ngraphics"]:
        table.add_column(col.replace("_", "\n"), justify="right")
    for email, a in doc["annotators"].items():
        spans = doc["spans"].get(email, {})
        table.add_row(
            email,
            str(a["noise"]),
            str(a["created"]),
            str(a["already_there"]),
            *(str(spans.get(f, 0)) for f in families),
            str(a["empathy"]),
            str(a["demographics"]),
        )
    out.print(table)
    per = doc["seconds_per_annotation"]
    out.print(
        f"{doc['tasks']} task(s), {doc['requests']} annotation(s) sent in {doc['seconds']} s"
        + (f" ({per} s each, {doc['workers']} at a time)" if per else "")
    )
    if doc["stale"] or doc["missing"]:
        out.print(
            f"skipped: {len(doc['stale'])} task(s) whose text changed since the push "
            f"(run `curate annotate push`), {len(doc['missing'])} gone from the server"
        )


# -- release --------------------------------------------------------------------------------
def export_lines(result) -> list[str]:
    """What `curate export` prints (an `ExportResult`): where the release is, its sizes and
    changes, and how to load it."""
    from curate.release.info import DEFAULT_CONFIG

    out = [f"{result.fmt} export {result.version} ({result.mode} mode): {result.folder}"]
    allowed = result.validation.get("allowed") or []
    if allowed:
        out.append(f"allowed failures: {', '.join(allowed)} ({result.validation['reason']})")
    if getattr(result, "validation_report", None):
        out.append(f"validation report: {result.validation_report}")
    if result.fmt == "culturecare-jsonl":
        for culture, n in result.sizes.items():
            out.append(f"  {culture}_data.jsonl: {n} records")
        out.append(
            f'read with: pandas.read_json("{result.folder}/<Culture>_data.jsonl", lines=True)'
        )
        return out
    for config, counts in result.sizes.items():
        out.append(f"  {config:<10} " + "  ".join(f"{s} {n}" for s, n in counts.items()))
    changes = result.changes
    if changes:
        since = f"since {changes.previous}" if changes.previous else "first release"
        out.append(
            f"changes ({since}): {len(changes.added)} added, "
            f"{len(changes.removed)} removed, {len(changes.relabelled)} relabelled"
        )
    missing = getattr(result, "card_missing", None) or []
    if missing:
        required = [m["path"] for m in missing if m["level"] == "required"]
        advised = [m["path"] for m in missing if m["level"] != "required"]
        out.append(
            f"card: {len(required)} required and {len(advised)} recommended fact(s) not "
            "provided (the card says so; add them to the facts file, `[release] facts`, "
            "see docs/card.md):"
        )
        if required:
            out.append(f"  required: {', '.join(required)}")
        if advised:
            out.append(f"  recommended: {', '.join(advised)}")
    else:
        out.append("card: every required and recommended fact is provided")
    example = next((c for c in result.sizes if c != DEFAULT_CONFIG), DEFAULT_CONFIG)
    out.append(f'load with: datasets.load_dataset("{result.folder}", "{example}")')
    if result.info is not None and result.info.org:
        out.append(
            f"after `curate publish`: datasets.load_dataset("
            f'"{result.info.repo_id}", "{example}", revision="v{result.version}")'
        )
    return out


def print_export(result, as_json: bool) -> None:
    if as_json:
        print_json(result.to_dict(), ascii_only=False)
        return
    out = console()
    for line in export_lines(result):
        out.print(line, soft_wrap=True, markup=False, highlight=False)


def print_publish(result, dry_run: bool) -> None:
    """`curate publish`: the plan, then what was done (or that nothing was sent)."""
    out = console()
    for line in result.plan.lines():
        out.print(line, soft_wrap=True, markup=False)
    if dry_run:
        out.print("dry run: nothing was sent to the Hub")
    elif result.resumed:
        out.print(f"resumed: tagged {result.plan.release.tag} on {result.commit}")
    else:
        out.print(f"published {result.plan.release.tag}: commit {result.commit}")


# -- hydrate --------------------------------------------------------------------------------
def _hydrate_table(out: Console, title: str, rows: dict[str, dict[str, int]], cols) -> None:
    table = Table(title=title)
    table.add_column("culture", no_wrap=True)
    for col in cols:
        table.add_column(col.replace("_", " "), justify="right")
    names = list(rows)  # the cultures, then "total"
    for index, culture in enumerate(names):
        cells = [str(rows[culture].get(k, 0)) for k in cols]
        table.add_row(culture, *cells, end_section=index == len(names) - 2)
    out.print(table)


def print_hydrate(report, out: Console) -> None:
    """`curate hydrate` (a `HydrateReport`): two tables per culture (items; spans by
    alignment method), then one line each for the reference, the dumps, the responses,
    reconciliation and the files."""
    from curate.hydrate.report import ITEMS, RESPONSES, SPANS, STORED

    data = report.to_dict()
    _hydrate_table(out, f"hydrate {report.run_id} ({report.status}): items", data["items"], ITEMS)
    _hydrate_table(out, "spans by alignment method", data["spans"], SPANS)
    ref, dumps, responses = data["reference"], data["dumps"], data["responses"]
    lines = [
        f"reference: {ref.get('rows', 0)} row(s): {ref.get('wanted', 0)} wanted, "
        f"{ref.get('quarantined', 0)} quarantined ({ref.get('duplicate', 0)} repeating a post)",
        f"dumps: {dumps.get('lines', 0)} line(s) read, {dumps.get('relevant', 0)} about a wanted "
        f"post, {dumps.get('quarantined', 0)} quarantined",
        "responses: "
        + ", ".join(f"{k.replace('_', ' ')} {responses['total'][k]}" for k in RESPONSES),
        "stored: " + ", ".join(f"{k} {data['stored']['total'][k]}" for k in STORED),
        "reconciles (wanted = hydrated + deleted + missing; every span counted once): "
        + ("yes" if data["reconciles"] else "NO"),
    ]
    fuzzy = data["fuzzy_scores"]
    if fuzzy["n"]:
        lines.append(
            f"fuzzy: {fuzzy['n']} span(s), similarity min {fuzzy['min']:.2f}, "
            f"median {fuzzy['median']:.2f} (threshold {report.threshold:.2f})"
        )
    notes = data["notes"]["total"]
    if notes["in_title"] or notes["deid_unmoved"]:
        lines.append(
            f"notes: {notes['in_title']} phrase(s) found only in the title; "
            f"{notes['deid_unmoved']} span(s) cut through an identifier and lost their "
            "offsets at de-identification"
        )
    if report.deid is not None:
        lines.append(
            f"de-identified {report.deid['records']} record(s) (policy {report.deid['policy']})"
        )
    if report.quarantine_path:
        lines.append(f"quarantine: {report.quarantine_path}")
    lines.append(f"report: {report.report_path}")
    lines.append(f"items: {report.items_path}")
    for line in lines:
        out.print(line, soft_wrap=True, markup=False, highlight=False)


# -- the workspace ----------------------------------------------------------------------
def print_vault_purged(n: int, removed, left: dict[str, dict[str, int]]) -> None:
    """`curate vault purge`: raw texts and scratch folders deleted, then what is left."""
    console().print(
        f"vault purged: {n} raw text row(s) deleted; {removed.folders} scratch folder(s) of "
        f"killed runs deleted ({removed.bytes} bytes)",
        soft_wrap=True,
    )
    print_scratch(left, console())


def print_paths(paths) -> None:
    for path in paths:
        console().print(str(path))


# -- failures -------------------------------------------------------------------------------
def print_error(exc: BaseException) -> None:
    """A user error (CurateError): one line on stderr, no traceback."""
    from rich.markup import escape

    console(stderr=True).print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)


def print_interrupted() -> None:
    console(stderr=True).print("interrupted: re-run the same command to complete it")
