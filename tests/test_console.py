"""What training writes to the terminal: the epoch table and warnings."""

import subprocess
import sys
import textwrap

from aembed import DenoisingAEEmbedder
from aembed._console import EpochTable, warnings_above


def test_the_epoch_table_has_no_colour_codes_outside_a_terminal(digit_pixels, capsys):
    X, _ = digit_pixels
    DenoisingAEEmbedder(max_epochs=3, verbose=2, random_state=0).fit(X[:100])
    out = capsys.readouterr().out
    assert "train_loss" in out and "\x1b[" not in out


def test_the_epoch_table_keeps_its_colours_on_a_terminal(monkeypatch):
    class Terminal:
        def isatty(self):
            return True

    row = {"train_loss": 0.5, "train_loss_best": True}
    colour = "\x1b[32m"
    assert EpochTable().format_row(row, "train_loss", colour) == "0.5000"
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert EpochTable().format_row(row, "train_loss", colour).startswith(colour)


# A bar on stderr and a warning while it shows, as a user's terminal sees
# them (pytest records warnings, so this runs in a process of its own).
_SCRIPT = textwrap.dedent(
    """
    import sys, warnings
    from tqdm import tqdm
    from aembed._console import warnings_above

    bar = tqdm(total=4, file=sys.stderr, ascii=True, desc="bar", mininterval=0)
    with warnings_above(bar):
        bar.update()
        warnings.warn("the loss rose", UserWarning)
        bar.update()
    bar.close()
    """
)


def test_warnings_print_above_the_progress_bar_not_through_it():
    err = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, check=True
    ).stderr
    line = next(line for line in err.split("\n") if "the loss rose" in line)
    # The bar was cleared first: the warning starts its own line.
    assert "UserWarning: the loss rose" in line
    assert line.split("\r")[-1].startswith("<string>:")
    assert "bar:" not in line.split("\r")[-1]
    # And the bar is drawn again below it.
    assert "2/4" in err.split("the loss rose", 1)[1]


def test_warnings_being_recorded_stay_recorded():
    import warnings

    from tqdm import tqdm

    bar = tqdm(total=1, disable=False)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with warnings_above(bar):
            warnings.warn("kept", UserWarning, stacklevel=1)
    bar.close()
    assert [str(w.message) for w in seen] == ["kept"]
