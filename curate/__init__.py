"""curate: curate and publish sensitive, span-annotated text datasets.

Importing the package is cheap on purpose: every stage imports its heavy dependencies
itself, so that `curate --help` stays fast.
"""

__version__ = "0.1.0"
