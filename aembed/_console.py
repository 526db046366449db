"""What training writes to the terminal: the epoch table, and warnings
printed above a progress bar instead of through it.

skorch's ``PrintLog`` colours the best values with terminal codes, which
end up as ``\\x1b[32m`` in a log file; :class:`EpochTable` colours only a
terminal. :func:`warnings_above` routes warnings through ``tqdm.write``
while a bar is showing, so each warning gets its own lines and the bar is
drawn again below it.
"""

import re
import sys
import warnings
from contextlib import contextmanager

from skorch.callbacks import PrintLog

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _is_terminal(stream):
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class EpochTable(PrintLog):
    """skorch's ``PrintLog``, with colours only on a terminal and its lines
    written above any progress bar (``tqdm.write``)."""

    def format_row(self, row, key, color):
        text = super().format_row(row, key, color)
        if isinstance(text, str) and not _is_terminal(sys.stdout):
            return _ANSI.sub("", text)
        return text

    def _sink(self, text, verbose):
        if self.sink is not print:
            self.sink(text)
        elif verbose:
            from tqdm.auto import tqdm

            tqdm.write(text, file=sys.stdout)


def _shows_warnings_itself():
    """Whether warnings reach Python's own printer (not a recorder's list,
    as in ``warnings.catch_warnings(record=True)`` or pytest)."""
    impl = warnings._showwarnmsg_impl
    return getattr(impl, "__module__", None) == "warnings"


@contextmanager
def warnings_above(bar):
    """While ``bar`` (a tqdm bar) shows, print warnings above it.

    Warnings that are being recorded, or meant for a file of their own,
    go where they went before.
    """
    if getattr(bar, "disable", True):
        yield
        return
    original = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if original is not warnings._showwarning_orig:  # someone else's printer
            original(message, category, filename, lineno, file, line)
            return
        if file is not None or not _shows_warnings_itself():
            warnings._showwarnmsg_impl(
                warnings.WarningMessage(message, category, filename, lineno, file, line)
            )
            return
        text = warnings.formatwarning(message, category, filename, lineno, line)
        bar.write(text.rstrip("\n"), file=sys.stderr)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = original
