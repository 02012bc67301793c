"""`curate deid text`: de-identify any JSONL of {"id", "text", "language"?} with the
workspace policy, for curators scrubbing other files and for evaluation by others.

Each output line: {"id", "language", "text" (de-identified), "entities": [{type, start,
end (offsets in the output text), recognizer, score, operator}]}. Lines that are not
such objects go to a rejects file beside the output, with their line number and reason.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

from curate.config import Config
from curate.deid.engine import DeidInput, run_all
from curate.deid.jsonl import read_items
from curate.errors import CurateError


def deidentify_jsonl(
    src: str, out: Path | None, config: Config, policy_path: Path | None = None, workers: int = 1
) -> dict:
    from curate.deid.policy import load_policy
    from curate.deid.stage import make_engine
    from curate.langid import detect

    if src != "-" and not Path(src).is_file():
        raise CurateError(f"{src}: no such file")
    engine = make_engine(config, load_policy(config, policy_path))
    rejects: list[dict] = []
    langs: dict[str, str] = {}

    def inputs() -> Iterator[DeidInput]:
        for number, obj in read_items(src, rejects):
            lang = obj.get("language") or detect(obj["text"])[0]
            key = f"{number}\x1f{obj['id']}"
            langs[key] = lang
            yield DeidInput(
                key=key, language=lang, culture=obj.get("culture"), fields={"text": obj["text"]}
            )

    sink = sys.stdout if out is None else out.open("w", encoding="utf-8")
    written = 0
    try:
        for outputs in run_all(engine, inputs(), workers=workers):
            for o in outputs:
                entities = [
                    {
                        "type": d.entity_type,
                        "start": d.new_start,
                        "end": d.new_end,
                        "recognizer": d.recognizer,
                        "score": d.score,
                        "operator": d.operator,
                    }
                    for d in o.decisions
                ]
                row = {
                    "id": o.key.split("\x1f", 1)[1],
                    "language": langs.pop(o.key),
                    "text": o.fields["text"],
                    "entities": entities,
                }
                sink.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
    finally:
        if out is not None:
            sink.close()
    rejects_file = None
    if rejects:
        rejects_file = (out or Path("deid-text")).with_suffix(".rejects.jsonl")
        rejects_file.write_text("".join(json.dumps(r) + "\n" for r in rejects))
    return {"written": written, "rejected": len(rejects), "rejects_file": rejects_file}
