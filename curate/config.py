"""Project configuration: `curate/defaults.toml` overlaid with the project's curate.toml,
checked against a JSON Schema before anything uses it.

Why a schema: a setting of the wrong type (`batch_size = "many"`, `extra_cultures =
"Persian"`, a broken regular expression) would otherwise surface as a traceback deep in a
stage, and a misspelt setting would be silently ignored. Every setting is typed once: by
its default value in defaults.toml (`config_schema` derives the types from it), with the
bounds, choices and optional settings a default cannot express in config.schema.json.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from curate.errors import CurateError

CONFIG_NAME = "curate.toml"
# A config file to use when --config is not given (before ./curate.toml): how a script
# (scripts/demo.sh) points every command, and the Python it runs, at its own project.
CONFIG_ENV = "CURATE_CONFIG"
HERE = Path(__file__).parent
DEFAULTS = HERE / "defaults.toml"
SCHEMA = HERE / "config.schema.json"
# JSON Schema type -> how a curate.toml author would call it
_EXPECTED = {
    "boolean": "true or false",
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "array": "an array",
    "object": "a table",
}


class ConfigError(CurateError):
    """A user error in curate.toml: reported without a stack trace."""


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Config:
    data: dict[str, Any]
    root: Path  # folder that relative paths are resolved against
    source: Path | None  # the curate.toml read, if any

    def section(self, name: str) -> dict[str, Any]:
        return self.data.get(name, {})

    @property
    def workspace(self) -> Path:
        path = Path(self.data["workspace"]["path"])
        # normpath: "../workspace" of demo/curate.toml prints as a plain path
        return path if path.is_absolute() else Path(os.path.normpath(self.root / path))

    @property
    def extra_cultures(self) -> tuple[str, ...]:
        return tuple(self.data.get("taxonomy", {}).get("extra_cultures", []))

    def taxonomy(self):  # -> curate.schema.Taxonomy
        from curate.schema import load_taxonomy

        return load_taxonomy(self.extra_cultures)


def load_config(path: Path | None = None, workspace: Path | None = None) -> Config:
    """Read defaults, then `path` (or ./curate.toml when present), and check the result
    (ConfigError: one line naming the file and the setting)."""
    defaults = tomllib.loads(DEFAULTS.read_text("utf-8"))
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    candidate = path or (Path.cwd() / CONFIG_NAME)
    data, source = defaults, None
    if path is not None and not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    if candidate.is_file():
        data = _merge(defaults, _read_toml(candidate))
        source = candidate.resolve()
    problems = config_problems(data)
    if problems:
        raise ConfigError(f"{source or DEFAULTS}: {'; '.join(problems)}")
    root = source.parent if source else Path.cwd()
    if workspace is not None:
        data = _merge(data, {"workspace": {"path": str(workspace.resolve())}})
    config = Config(data=data, root=root, source=source)
    _check_workspace(
        config, "--workspace" if workspace else f"{source or DEFAULTS}: [workspace] path"
    )
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start}); TOML files are UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _check_workspace(config: Config, where: str) -> None:
    """The workspace must be a folder, or a path where one can be made: not a file, and
    not below one. `where`: the option or setting it came from."""
    for path in (config.workspace, *config.workspace.parents):
        if path.exists():
            if not path.is_dir():
                what = "is a file" if path == config.workspace else f"is below the file {path}"
                raise ConfigError(f"{where} {config.workspace} {what}: a workspace is a folder")
            return


# -- the schema -----------------------------------------------------------------------------


def _typed(value: Any) -> dict[str, Any]:
    """The JSON Schema of a default value: its type, and for a table its keys (no others)."""
    if isinstance(value, dict):
        props = {k: _typed(v) for k, v in value.items()}
        return {"type": "object", "properties": props, "additionalProperties": False}
    if isinstance(value, list):
        return {"type": "array", **({"items": _typed(value[0])} if value else {})}
    names = {bool: "boolean", int: "integer", float: "number", str: "string"}
    return {"type": names[type(value)]}


def _refine(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` on top of `base`; "properties" merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in over.items():
        if key == "properties":
            props = dict(base.get("properties", {}))
            for name, sub in value.items():
                props[name] = _refine(props.get(name, {}), sub)
            out[key] = props
        else:
            out[key] = value
    return out


@cache
def config_schema() -> dict[str, Any]:
    """The JSON Schema of a merged configuration: the types of defaults.toml, refined by
    config.schema.json."""
    defaults = tomllib.loads(DEFAULTS.read_text("utf-8"))
    return _refine(_typed(defaults), json.loads(SCHEMA.read_text("utf-8")))


@cache
def _validator() -> Any:
    import jsonschema

    schema = config_schema()
    base = jsonschema.validators.validator_for(schema)
    base.check_schema(schema)
    # TOML tells 5 from 5.0: an integer setting takes only integers (jsonschema would
    # take 5.0, and `text[:5.0]` fails far from the config)
    checker = base.TYPE_CHECKER.redefine(
        "integer", lambda _, v: isinstance(v, int) and not isinstance(v, bool)
    )
    cls = jsonschema.validators.extend(base, type_checker=checker)
    return cls(schema, format_checker=base.FORMAT_CHECKER)


def config_problems(data: dict[str, Any]) -> list[str]:
    """Every way `data` breaks the schema, each naming the setting (never its value)."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.path])
    return [problem for error in errors for problem in _describe(error)]


def _setting(path: Iterable[Any]) -> str:
    """`[reddit.culture_map] distress_keywords[2]`, as the setting is written in TOML."""
    keys, index = [], ""
    for part in path:
        if isinstance(part, int):
            index += f"[{part}]"
        else:
            keys.append(str(part))
    if not keys:
        return "the top level"
    table = f"[{'.'.join(keys[:-1])}] " if len(keys) > 1 else ""
    return f"{table}{keys[-1]}{index}"


def _got(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    names = {int: "an integer", float: "a float", str: "a string", list: "an array"}
    return names.get(type(value), "a table" if isinstance(value, dict) else "a date or time")


def _describe(error: Any) -> Iterator[str]:
    where, kind, rule = _setting(error.path), error.validator, error.validator_value
    if kind == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        for key in (k for k in error.instance if k not in known):
            close = difflib.get_close_matches(key, known, n=1)
            if isinstance(error.instance[key], dict):  # a table: [name]
                table = ".".join(map(str, [*error.path, key]))
                name, close = f"table [{table}]", [f"[{table[: -len(key)]}{c}]" for c in close]
            else:
                name = f"setting {_setting([*error.path, key])}"
            hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"
            yield f"unknown {name}{hint}"
        return
    if kind == "type":
        expected = " or ".join(_EXPECTED[t] for t in ([rule] if isinstance(rule, str) else rule))
        message = f"must be {expected}, not {_got(error.instance)}"
    elif kind == "format" and rule == "regex":
        message = f"must be a valid regular expression ({error.cause})"
    elif kind == "enum":
        message = f"must be one of {', '.join(map(str, rule))}"
    elif kind in ("minimum", "maximum", "exclusiveMinimum"):
        bound = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "above"}
        message = f"must be {bound[kind]} {rule}"
    elif kind == "minLength":
        message = "must not be empty"
    elif kind == "required":
        missing = [k for k in rule if k not in error.instance]
        message = f"must set {', '.join(missing)}"
    elif kind == "uniqueItems":
        message = "must not name an item twice"
    else:
        message = f"does not satisfy {kind}"
    yield f"{where} {message}"
