"""Command line: ``aembed compare ...`` or ``python -m aembed compare ...``.

Arguments are checked before any data is loaded or any model fitted, and
errors name the option as it is typed (``--label-column``, not
``label_column``).
"""

import argparse
import re
import shlex
import sys

from ._version import __version__

# Parameter names of the library, as the command line spells them, for the
# messages of errors raised below it.
_FLAGS = {
    "label_column": "--label-column",
    "n_components": "--n-components",
    "test_size": "--test-size",
    "validation_size": "--validation-size",
    "max_epochs": "--max-epochs",
    "sweep_sizes": "--sweep",
    "out": "--out",
    "overwrite=True": "--overwrite",
    "labelled_fraction": "--labelled-fraction",
}
_FLAG_PATTERN = re.compile(
    r"\b(overwrite=True|label_column|n_components|test_size|validation_size|"
    r"max_epochs|sweep_sizes|labelled_fraction|out(?==))(=?)"
)


def in_cli_terms(message):
    """``message`` with library parameter names replaced by their flags.

    Examples
    --------
    >>> in_cli_terms("label_column='y' is not a column; or pass overwrite=True")
    "--label-column 'y' is not a column; or pass --overwrite"
    """

    def flag(match):
        name, equals = match.groups()
        return _FLAGS[name] + (" " if equals else "")

    return _FLAG_PATTERN.sub(flag, message)


def _number(text, kind, what):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


def _folder(text):
    if not text:
        # An empty path is the current folder, which the report would fill.
        raise argparse.ArgumentTypeError("is empty; give the folder for the report")
    return text


def _int_at_least(low):
    def parse(text):
        value = _number(text, int, "a whole number")
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value

    return parse


def _components(text):
    value = _int_at_least(1)(text)
    if value < 2:
        raise argparse.ArgumentTypeError(
            f"must be at least 2, got {value}: the report draws 2-D maps of "
            "the embeddings"
        )
    return value


def _share(low_inclusive):
    def parse(text):
        value = _number(text, float, "a number")
        if not ((0 <= value if low_inclusive else 0 < value) and value < 1):
            bound = "[0, 1)" if low_inclusive else "(0, 1)"
            raise argparse.ArgumentTypeError(f"must lie in {bound}, got {value}")
        return value

    return parse


def _fraction(text):
    value = _number(text, float, "a number")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must lie in (0, 1], got {value}")
    return value


def _seed(text):
    value = _int_at_least(0)(text)
    if value >= 2**32:
        raise argparse.ArgumentTypeError(f"must be below 2**32, got {value}")
    return value


def _sweep(text):
    parse = _int_at_least(1)
    sizes = [parse(v) for v in text.split(",") if v.strip()]
    if len(set(sizes)) != len(sizes):
        raise argparse.ArgumentTypeError(f"names a latent size twice: {text!r}")
    return sizes


def _methods(text):
    from .compare._methods import check_methods

    names = [v.strip() for v in text.split(",") if v.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"no method names in {text!r}")
    try:
        return check_methods(names)
    except (ValueError, ImportError) as exc:
        message = str(exc).replace("methods names", "names")
        raise argparse.ArgumentTypeError(message) from None


def _device(text):
    from ._devices import resolve_device

    try:
        resolve_device(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("device=", "")) from None
    return text


def _n_jobs(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError(
            "must not be 0 (1 for one process, -1 for every core)"
        )
    return value


def build_parser():
    """The ``aembed`` argument parser."""
    formatter = argparse.ArgumentDefaultsHelpFormatter
    parser = argparse.ArgumentParser(
        prog="aembed",
        description="Autoencoder embeddings as scikit-learn transformers. "
        "Run 'aembed compare' to compare them with PCA, t-SNE and UMAP and "
        "write a report.",
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"aembed {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    cmp = commands.add_parser(
        "compare",
        help="fit autoencoders and baselines on a dataset and write a report",
        description=(
            "Fit the aembed estimators (also with the neighbour-preserving "
            "term) next to PCA, t-SNE and UMAP on a stratified train/held-out "
            "split, score the embeddings, and write results.csv, results.md, "
            "run.json, figures and index.html to --out."
        ),
        formatter_class=formatter,
    )
    cmp.add_argument(
        "--dataset",
        default="mnist-5k",
        help="mnist-5k (offline), mnist (70,000 digits, downloads once), "
        "fashion-mnist (Debian's dataset-fashion-mnist), digits, or a "
        ".npy/.npz/.csv file (a .npz of images works too)",
    )
    cmp.add_argument(
        "--label-column",
        default=None,
        help="the label column of a .csv (or key of a .npz); by default the "
        "first of label, labels, target, y, class",
    )
    cmp.add_argument(
        "--n-components",
        type=_components,
        default=2,
        help="embedding dimension of every method (at least 2)",
    )
    cmp.add_argument(
        "--methods",
        type=_methods,
        default=None,
        help="comma-separated: dae,vae,vqvae,pca,tsne,umap,opentsne, and "
        "dae-nb,vae-nb,vqvae-nb for the autoencoders with the "
        "neighbour-preserving term; by default all but opentsne (umap when "
        "installed)",
    )
    cmp.add_argument(
        "--max-epochs",
        type=_int_at_least(1),
        default=None,
        help="training epochs of the autoencoders; by default each one's own "
        "max_epochs",
    )
    cmp.add_argument(
        "--out", default="aembed-report", type=_folder, help="output folder"
    )
    cmp.add_argument(
        "--overwrite",
        action="store_true",
        help="write into an --out folder that already holds files",
    )
    cmp.add_argument(
        "--device",
        type=_device,
        default="cpu",
        help="PyTorch device of the autoencoders: cpu, cuda, cuda:N, mps or auto",
    )
    cmp.add_argument(
        "--seed", type=_seed, default=0, help="seed of the splits and every method"
    )
    cmp.add_argument(
        "--test-size",
        type=_share(False),
        default=0.2,
        help="held-out share of the rows, on which every score is taken",
    )
    cmp.add_argument(
        "--validation-size",
        type=_share(True),
        default=0.1,
        help="share of the training rows held out for validation curves (no "
        "method is fitted on them); 0 for none",
    )
    cmp.add_argument(
        "--max-samples",
        type=_int_at_least(2),
        default=None,
        help="use a stratified subset of this many rows (for quick runs); by "
        "default all rows",
    )
    cmp.add_argument(
        "--sweep",
        type=_sweep,
        default=[2, 5, 10, 15, 20],
        help="latent sizes of the VAE sweep, comma-separated; '' to skip",
    )
    cmp.add_argument(
        "--labelled-fraction",
        type=_fraction,
        default=None,
        help="semi-supervised maps: fit the autoencoders (with "
        "aembed.compare.SUPERVISION_WEIGHT) and UMAP with this stratified "
        "share of the training labels (1 for all), the others unlabelled; "
        "by default no method sees labels",
    )
    cmp.add_argument(
        "--no-animation",
        action="store_true",
        help="skip the page's training animations",
    )
    cmp.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=-1,
        help="processes fitting the methods side by side on the CPU, one "
        "thread per core (-1: every core, 1: one process); the results are "
        "the same",
    )
    cmp.add_argument(
        "--no-interactive",
        action="store_true",
        help="skip the interactive maps (drawn with Bokeh when installed)",
    )
    return parser


def _subsample(dataset, max_samples, seed):
    import numpy as np
    from sklearn.model_selection import train_test_split

    if max_samples is None or max_samples >= len(dataset.data):
        return dataset
    y = dataset.target
    n_classes = 0 if y is None else len(np.unique(y))
    if max_samples < 2 * n_classes:
        raise ValueError(
            f"--max-samples {max_samples} is fewer than two rows for each of the "
            f"{n_classes} classes; use at least {2 * n_classes}."
        )
    keep, _ = train_test_split(
        np.arange(len(dataset.data)),
        train_size=max_samples,
        stratify=y,
        random_state=seed,
    )
    dataset.data = dataset.data[keep]
    if y is not None:
        dataset.target = y[keep]
    return dataset


def _load(args):
    from pathlib import Path

    from .datasets import load_dataset, load_table
    from .datasets._named import NAMED_LOADERS

    if args.label_column is None:
        return load_dataset(args.dataset)
    if args.dataset in NAMED_LOADERS or Path(args.dataset).suffix == ".npy":
        raise ValueError(
            f"--label-column applies to a .csv or .npz file; {args.dataset!r} "
            "brings its own labels."
        )
    return load_table(args.dataset, label_column=args.label_column)


def main(argv=None):
    """Run the command line; return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    if not argv:
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from .report import run_report

    try:
        dataset = _subsample(_load(args), args.max_samples, args.seed)
        run_report(
            dataset,
            args.out,
            methods=args.methods,
            n_components=args.n_components,
            max_epochs=args.max_epochs,
            device=args.device,
            seed=args.seed,
            test_size=args.test_size,
            validation_size=args.validation_size,
            sweep_sizes=args.sweep,
            animate=not args.no_animation,
            interactive=False if args.no_interactive else "auto",
            overwrite=args.overwrite,
            command=shlex.join(["aembed", *argv]),
            labelled_fraction=args.labelled_fraction,
            n_jobs=args.n_jobs,
        )
    except (ValueError, TypeError, OSError, ImportError) as exc:
        print(f"aembed: error: {in_cli_terms(str(exc))}", file=sys.stderr)
        return 2
    return 0
