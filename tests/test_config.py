"""curate.toml is checked against its schema before any stage runs (issue 12, point 8): a
setting of the wrong type, a broken regular expression, a misspelt setting, a file that
is not UTF-8 or a workspace that is a file is one line naming the file and the setting,
exit 2, no traceback, nothing written."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli, submission, write_lines

from curate.config import DEFAULTS, ConfigError, config_problems, config_schema, load_config

# curate.toml body -> what the one-line error says (the value itself is never printed)
BAD = {
    "path": ("[workspace]\npath = 5\n", "[workspace] path must be a string, not an integer"),
    "batch_size": (
        '[ingest]\nbatch_size = "many"\n',
        "[ingest] batch_size must be an integer, not a string",
    ),
    "regex": (
        '[reddit]\nbot_author_pattern = "(?i)(^bot_"\n',
        "[reddit] bot_author_pattern must be a valid regular expression (missing ),",
    ),
    "extra_cultures": (
        '[taxonomy]\nextra_cultures = "Persian"\n',
        "[taxonomy] extra_cultures must be an array, not a string",
    ),
    "typo": (
        "[ingest]\nbatchsize = 20\n",
        "unknown setting [ingest] batchsize (did you mean batch_size?)",
    ),
    "table typo": (
        "[ingset]\nbatch_size = 20\n",
        "unknown table [ingset] (did you mean [ingest]?)",
    ),
    "bound": ("[langid]\nmin_confidence = 2\n", "[langid] min_confidence must be at most 1"),
    "choice": (
        '[reddit]\nresponse_rule = "best"\n',
        "[reddit] response_rule must be one of top_score, earliest",
    ),
}  # fmt: skip


def _toml(tmp_path: Path, body: str | bytes) -> Path:
    """A curate.toml whose workspace is tmp_path/ws (unless the body sets it)."""
    path = tmp_path / "curate.toml"
    head = f'[workspace]\npath = "{tmp_path / "ws"}"\n'.encode()
    data = body if isinstance(body, bytes) else body.encode()
    path.write_bytes(data if b"[workspace]" in data else head + data)
    return path


def _one_line_error(proc) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_setting_is_one_line_naming_file_and_setting(tmp_path: Path, case: str) -> None:
    """Through the real CLI, on the command that would use the setting (ingest)."""
    body, expected = BAD[case]
    toml = _toml(tmp_path, body)
    dump = write_lines(tmp_path / "RS.ndjson", [submission("a1")])
    line = _one_line_error(
        run_cli("--config", str(toml), "ingest", str(dump), "--no-progress", "--no-deid")
    )
    assert str(toml) in line and expected in line, line
    for value in ("many", "Persian", "(^bot_", "best"):
        assert value not in line  # settings are named, values never printed
    assert not (tmp_path / "ws").exists()  # refused before anything was made


def test_a_config_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    toml = _toml(tmp_path, b'[release]\nname = "caf\xe9"\n')  # Latin-1
    line = _one_line_error(run_cli("--config", str(toml), "stats"))
    assert str(toml) in line and "not UTF-8" in line


def test_every_problem_is_named_on_the_one_line() -> None:
    data = tomllib.loads(DEFAULTS.read_text("utf-8"))
    data["ingest"]["batch_size"] = 5.0  # TOML tells a float from an integer
    data["reddit"]["skip_bodies"] = ["[deleted]", 3]
    data["reddit"]["skip_bots"] = 1
    data["annotate"] = {"projects": "one", "timeout": 0}
    assert config_problems(data) == [
        "[annotate] projects must be one of per-culture, single",
        "[annotate] timeout must be above 0",
        "[ingest] batch_size must be an integer, not a float",
        "[reddit] skip_bodies[1] must be a string, not an integer",
        "[reddit] skip_bots must be true or false, not an integer",
    ]


def test_valid_settings_without_a_default_and_free_keys_load(tmp_path: Path) -> None:
    toml = _toml(
        tmp_path,
        '[taxonomy]\nextra_cultures = ["Persian"]\n'
        '[reddit.culture_map.culture_subreddits]\niran = "Persian"\n'
        '[reddit.culture_map.culture_keywords]\nPersian = ["iran", "tehran"]\n'
        '[annotate]\nprojects = "single"\ntimeout = 30\n'
        '[deid]\npolicy = "my_policy.yaml"\n',
    )
    config = load_config(toml)
    assert config.extra_cultures == ("Persian",)
    assert config.section("reddit")["culture_map"]["culture_keywords"]["Persian"] == [
        "iran",
        "tehran",
    ]


def _leaves(schema: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    props = schema.get("properties") or {}
    if not props:
        return [(path, schema)]
    return [leaf for key, sub in props.items() for leaf in _leaves(sub, f"{path}.{key}")]


def test_the_defaults_satisfy_the_schema_and_every_setting_has_a_type() -> None:
    """A refinement in config.schema.json of a name that is not in defaults.toml (a typo)
    would declare a setting without a type: every setting must have one."""
    assert config_problems(tomllib.loads(DEFAULTS.read_text("utf-8"))) == []
    untyped = [p for p, s in _leaves(config_schema()) if "type" not in s and "enum" not in s]
    assert untyped == []


def test_a_workspace_that_is_a_file_is_refused(tmp_path: Path) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    for cmd in (["stats"], ["ingest", str(afile), "--no-progress"]):
        line = _one_line_error(run_cli("-w", str(afile), *cmd))
        assert f"--workspace {afile} is a file" in line
    line = _one_line_error(run_cli("-w", str(afile / "sub"), "stats"))
    assert f"is below the file {afile}" in line
    toml = _toml(tmp_path, f'[workspace]\npath = "{afile}"\n')
    with pytest.raises(ConfigError, match=r"curate\.toml: \[workspace\] path .* is a file"):
        load_config(toml)
