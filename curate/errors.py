"""User errors: the CLI prints their message (never raw text) and exits 2, no traceback."""


class CurateError(Exception):
    """Base of every error caused by input, configuration or environment."""
