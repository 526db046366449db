"""Write, or check, the README's result table from a run of its own command.

The table sits in README.md between two markers; the first names the
command that produces it::

    <!-- results-table: aembed compare -->
    ...
    <!-- /results-table -->

``python tools/readme_table.py`` runs that command (``aembed`` run as
``python -m aembed``, into a temporary ``--out``) and rewrites the block
from the run's ``results.csv``, ``latent_sweep.csv`` and ``results.md``:
the held-out scores of every method (times are left out: they depend on
the machine), the VAE's latent-size sweep and the error of predicting the
mean row. ``--check`` rewrites nothing and exits with status 1, printing
the difference, when the committed block is not what a fresh run gives.
``--from FOLDER`` reads a finished report folder instead of running one,
and ``--readme PATH`` works on another copy of the README.

Seeded results are bit-identical on one machine and software stack, not
across them: a different instruction set or library version changes the
last bits of a training step, and training amplifies them. The block
therefore ends with the stack it was made on (PyTorch and its CPU kernel
level, NumPy, SciPy, scikit-learn, umap-learn, pynndescent, numba), and
``--check`` on another stack says so and compares nothing (exit status
0), rather than fail on a difference that is not a defect.
"""

import argparse
import difflib
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aembed._devices import cpu_generation  # noqa: E402
from aembed.compare._methods import method_name  # noqa: E402
from aembed.report._tables import Metric, best_rows, format_value  # noqa: E402

BLOCK = re.compile(
    r"(<!-- results-table: (?P<command>[^\n]*?) -->\n)(?P<body>.*?)"
    r"(<!-- /results-table -->)",
    re.DOTALL,
)
# The README's columns: the page's, shorter, without the times.
COLUMNS = [
    Metric("knn_accuracy", "5-NN accuracy", "", True),
    Metric("trustworthiness", "trustworthiness", "", True),
    Metric("silhouette", "silhouette", "", True),
    Metric("ari", "ARI", "", True),
    Metric("nmi", "NMI", "", True),
    Metric("mse", "MSE", "", False),
    Metric("psnr", "PSNR (dB)", "", True),
]
MEAN_MSE = re.compile(
    r"predicting the training mean for every row gives MSE (\d[\d,]*(?:\.\d+)?)"
)


STACK = re.compile(r"^Made with (?P<stack>.*)\.$", re.MULTILINE)
PACKAGES = ("numpy", "scipy", "scikit-learn", "umap-learn", "pynndescent", "numba")


def software_stack():
    """The machine and libraries a seeded result depends on, in words."""
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"PyTorch {torch.__version__} ({cpu_generation()})"]
    for name in PACKAGES:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"no {name}")
    return ", ".join(parts)


def find_block(readme_text):
    """The markers' match; a clear error when the README has none."""
    match = BLOCK.search(readme_text)
    if match is None:
        raise SystemExit(
            "README has no '<!-- results-table: COMMAND -->' ... "
            "'<!-- /results-table -->' block."
        )
    return match


def run(command, out):
    """Run the block's command (``aembed ...``) with ``--out out``."""
    args = shlex.split(command)
    if not args or args[0] != "aembed":
        raise SystemExit(f"the block's command must start with 'aembed': {command!r}")
    subprocess.run(
        [sys.executable, "-m", "aembed", *args[1:], "--out", str(out)],
        check=True,
        cwd=ROOT,
    )


def table_markdown(folder):
    """The block's text from a finished report folder."""
    folder = Path(folder)
    table = pd.read_csv(folder / "results.csv", index_col="method")
    columns = [m for m in COLUMNS if m.key in table and table[m.key].notna().any()]
    best = {m.key: best_rows(table, m) for m in columns}
    header = ["method", "evaluation", *(f"{m.name} {m.arrow}" for m in columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for method, row in table.iterrows():
        cells = [method_name(method), str(row["evaluation"])]
        for m in columns:
            text = format_value(float(row[m.key]))
            cells.append(f"**{text}**" if method in best[m.key] else text)
        lines.append("| " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    words = []
    mean = MEAN_MSE.search((folder / "results.md").read_text())
    if mean:
        words.append(
            f"Predicting the mean training row for every row gives MSE {mean[1]}."
        )
    sweep_path = folder / "latent_sweep.csv"
    if sweep_path.exists():
        sweep = pd.read_csv(sweep_path)
        overall = sweep[sweep["class"].astype(str) == "all"]
        overall = overall.sort_values("n_components")
        sizes = ", ".join(
            f"{format_value(float(v))} ({int(n)})"
            for n, v in zip(overall["n_components"], overall["mse"], strict=True)
        )
        words.append(f"The VAE's latent-size sweep gives held-out MSE {sizes}.")
    words.append(f"Made with {software_stack()}.")
    text += "\n" + "\n".join(words) + "\n"
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument(
        "--from",
        dest="folder",
        type=Path,
        help="a finished report folder to read instead of running the command",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit with status 1 when the README's block differs; write nothing",
    )
    args = parser.parse_args(argv)
    readme = args.readme.read_text()
    block = find_block(readme)
    made = STACK.search(block["body"])
    if args.check and made and made["stack"] != software_stack():
        print(
            f"{args.readme.name}: the result table was made with {made['stack']}; "
            f"this machine has {software_stack()}. Seeded results are "
            "bit-identical only on one stack, so nothing is compared here."
        )
        return 0
    if args.folder is not None:
        fresh = table_markdown(args.folder)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(block["command"], Path(tmp) / "report")
            fresh = table_markdown(Path(tmp) / "report")
    if args.check:
        if block["body"] == fresh:
            print(f"{args.readme.name}: the result table is what the command gives.")
            return 0
        diff = difflib.unified_diff(
            block["body"].splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            f"{args.readme.name} (committed)",
            f"{block['command']} (fresh run)"
            if args.folder is None
            else f"{args.folder} (report folder)",
        )
        sys.stdout.writelines(diff)
        print(
            f"{args.readme.name}: the result table differs from a fresh run of "
            f"'{block['command']}'; rewrite it with python tools/readme_table.py."
        )
        return 1
    start, end = block.span("body")
    args.readme.write_text(readme[:start] + fresh + readme[end:])
    print(f"{args.readme.name}: result table written from '{block['command']}'.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
