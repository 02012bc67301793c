"""A Label Studio connection that survives a slow or restarting server.

Every call goes through `call`, which retries transport errors, 5xx and 429 answers
with exponential backoff, and turns a server that stays down into one clear
`CurateError` (never a stack trace, never the token)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from curate.config import Config
from curate.errors import CurateError

T = TypeVar("T")
TOKEN_ENV = "CURATE_LS_TOKEN"
URL_ENV = "CURATE_LS_URL"


class NotFound(CurateError):
    """The server answered 404: the project or task is gone (e.g. deleted in the UI)."""


@dataclass
class LabelStudio:
    url: str
    sdk: Any  # label_studio_sdk.LabelStudio
    retries: int = 6
    backoff: float = 0.5

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        import httpx
        from label_studio_sdk.core.api_error import ApiError

        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                return fn(*args, **kwargs)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}"
            except ApiError as exc:
                if exc.status_code in (401, 403):
                    raise CurateError(
                        f"Label Studio at {self.url} refused the API token "
                        f"(HTTP {exc.status_code}); check {TOKEN_ENV}"
                    ) from None
                if exc.status_code == 404:
                    raise NotFound(f"Label Studio at {self.url}: not found") from None
                if exc.status_code is not None and exc.status_code < 500 and exc.status_code != 429:
                    raise CurateError(
                        f"Label Studio at {self.url} answered HTTP {exc.status_code}: "
                        f"{str(exc.body)[:300]}"
                    ) from None
                problem = f"HTTP {exc.status_code}"
            if attempt < self.retries:
                time.sleep(delay)
                delay = min(delay * 2, 8.0)
        raise CurateError(
            f"Label Studio at {self.url} is not answering ({problem}, {self.retries + 1} tries); "
            "is it running? (`curate annotate serve start`)"
        )


def connect(config: Config, url: str | None = None, token: str | None = None) -> LabelStudio:
    """Connect with the URL and token from arguments, the environment, the managed
    server's credentials in the workspace, or curate.toml `[annotate] url`."""
    from label_studio_sdk import LabelStudio as Sdk

    section = config.section("annotate")
    url = url or os.environ.get(URL_ENV) or section.get("url")
    token = token or os.environ.get(TOKEN_ENV)
    if not url or not token:
        managed = _managed_server(config)
        if managed is not None:
            url, token = url or managed[0], token or managed[1]
    if not url:
        raise CurateError(
            f"no Label Studio URL: set {URL_ENV} or [annotate] url, "
            "or start one with `curate annotate serve start`"
        )
    if not token:
        raise CurateError(f"no Label Studio API token: set {TOKEN_ENV}")
    timeout = float(section.get("timeout", 120))
    return LabelStudio(url=url.rstrip("/"), sdk=Sdk(base_url=url, api_key=token, timeout=timeout))


def _managed_server(config: Config) -> tuple[str, str] | None:
    """URL and token of the server that `curate annotate serve` runs for this workspace."""
    import json

    data_dir = config.workspace / "label-studio"
    try:
        server = json.loads((data_dir / "server.json").read_text())
        creds = json.loads((data_dir / "credentials.json").read_text())
    except (OSError, ValueError):
        return None
    return server.get("url"), creds.get("token")
