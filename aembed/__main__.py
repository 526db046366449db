"""Command line: ``aembed compare ...`` or ``python -m aembed compare ...``."""

import argparse
import sys


def _csv_ints(text):
    return [int(v) for v in text.split(",") if v.strip()]


def _csv_names(text):
    names = [v.strip() for v in text.split(",") if v.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"no method names in {text!r}")
    return names


def build_parser():
    parser = argparse.ArgumentParser(
        prog="aembed",
        description="Autoencoder embeddings as scikit-learn transformers.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    cmp = commands.add_parser(
        "compare",
        help="fit autoencoders and baselines on a dataset and write a report",
        description=(
            "Fit the aembed estimators next to PCA, t-SNE and UMAP on a "
            "stratified train/held-out split, score the embeddings, and write "
            "results.csv, results.md, figures and index.html to --out."
        ),
    )
    cmp.add_argument(
        "--dataset",
        default="mnist-5k",
        help="mnist-5k (default, offline), mnist (70,000 digits, downloads once), "
        "fashion-mnist (Debian's dataset-fashion-mnist), digits, or a "
        ".npy/.npz/.csv file with a label column",
    )
    cmp.add_argument("--label-column", default=None, help="label column of a CSV")
    cmp.add_argument("--n-components", type=int, default=2)
    cmp.add_argument(
        "--methods",
        type=_csv_names,
        default=None,
        help="comma-separated: dae,vae,vqvae,pca,tsne,umap,opentsne, and "
        "dae-nb,vae-nb,vqvae-nb for the autoencoders with a neighbour-preserving "
        "term (default: the three autoencoders, pca, tsne, and umap if installed)",
    )
    cmp.add_argument("--max-epochs", type=int, default=None)
    cmp.add_argument("--out", default="aembed-report", help="output folder")
    cmp.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    cmp.add_argument("--seed", type=int, default=0)
    cmp.add_argument("--test-size", type=float, default=0.2)
    cmp.add_argument(
        "--max-samples",
        type=int,
        default=None,
        help="use a stratified subset of this many rows (for quick runs)",
    )
    cmp.add_argument(
        "--sweep",
        type=_csv_ints,
        default=[2, 5, 10, 15, 20],
        help="latent sizes of the VAE sweep, comma-separated; '' to skip",
    )
    cmp.add_argument(
        "--no-animation", action="store_true", help="skip the training GIFs"
    )
    return parser


def _subsample(dataset, max_samples, seed):
    from sklearn.model_selection import train_test_split

    if max_samples is None or max_samples >= len(dataset.data):
        return dataset
    keep, _ = train_test_split(
        range(len(dataset.data)),
        train_size=max_samples,
        stratify=dataset.target,
        random_state=seed,
    )
    dataset.data = dataset.data[keep]
    dataset.target = dataset.target[keep]
    return dataset


def main(argv=None):
    args = build_parser().parse_args(argv)
    from .datasets import load_dataset, load_table
    from .report import run_report

    try:
        if args.label_column is not None:
            dataset = load_table(args.dataset, label_column=args.label_column)
        else:
            dataset = load_dataset(args.dataset)
        dataset = _subsample(dataset, args.max_samples, args.seed)
        run_report(
            dataset,
            args.out,
            methods=args.methods,
            n_components=args.n_components,
            max_epochs=args.max_epochs,
            device=args.device,
            seed=args.seed,
            test_size=args.test_size,
            sweep_sizes=args.sweep,
            animate=not args.no_animation,
        )
    except (ValueError, OSError, ImportError) as exc:
        print(f"aembed: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
