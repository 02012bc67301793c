"""The dataset card (`README.md`): the YAML header the Hub and `load_dataset` read
(`metadata`), then the human-readable body rendered from the templates in `release/`
(`view`).
"""

from __future__ import annotations

import re
from pathlib import Path

from curate.errors import CurateError
from curate.release.card.metadata import card_metadata, metadata_problems, render_yaml
from curate.release.card.view import card_context, environment
from curate.release.changelog import CHANGELOG
from curate.release.facts import CARD_TEMPLATE
from curate.release.info import ReleaseInfo


def render_card(info: ReleaseInfo, *, changelog: str | None = None) -> str:
    """The whole `README.md` text: YAML header, then the body from the templates.
    `changelog`: path (relative to the folder) of the full changelog, to link to."""
    from jinja2 import UndefinedError

    context = card_context(info) | {"changelog": changelog}
    try:
        body = environment().get_template(CARD_TEMPLATE).render(**context)
    except UndefinedError as exc:  # a fact the template reads that the facts file lacks
        raise CurateError(
            f"the card template reads something the facts file does not have ({exc.message}); "
            "add it to the facts file ([release] facts, docs/card.md) or to the template's "
            "checks"
        ) from None
    body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
    return render_yaml(card_metadata(info)) + "\n" + body


def write_card(folder: Path, info: ReleaseInfo) -> Path:
    """Write the label charts (`folder/images/`, sets `info.charts`) and then
    `folder/README.md`. The body is rendered from `release/` templates; a
    `folder/CHANGELOG.md` already there is linked from it."""
    from curate.release.charts import write_charts

    folder = Path(folder)
    write_charts(folder, info)
    changelog = CHANGELOG if (folder / CHANGELOG).is_file() else None
    text = render_card(info, changelog=changelog)
    problems = metadata_problems(text)
    if problems:
        raise CurateError(
            "the dataset card's metadata would be refused by the Hub: "
            + "; ".join(problems)
            + " (fix the `hub:` section of the facts file, [release] facts)"
        )
    path = folder / "README.md"
    path.write_text(text, encoding="utf-8")
    return path
