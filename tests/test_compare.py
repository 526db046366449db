"""compare(), the report and the command line, end to end on tiny data."""

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from aembed import metrics
from aembed.__main__ import main
from aembed.compare import (
    available_methods,
    compare,
    default_methods,
    make_method,
    per_class,
    summary,
)


@pytest.fixture(scope="module")
def split():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X[:400] / 16, y[:400], random_state=0, stratify=y[:400])


def test_default_methods_include_the_three_autoencoders_and_baselines():
    assert default_methods()[:5] == ["dae", "vae", "vqvae", "pca", "tsne"]
    assert set(default_methods()) <= set(available_methods())


def test_unknown_method_is_named(split):
    X_tr, X_te, y_tr, y_te = split
    with pytest.raises(ValueError, match="'lle'"):
        compare(X_tr, y_tr, X_te, y_te, methods=["pca", "lle"])
    with pytest.raises(ValueError, match="Unknown method 'lle'"):
        make_method("lle")


def test_compare_scores_match_the_metrics_module(split):
    X_tr, X_te, y_tr, y_te = split
    results, fitted = compare(
        X_tr,
        y_tr,
        X_te,
        y_te,
        methods=["pca", "dae", "tsne"],
        max_epochs=3,
        return_fitted=True,
    )
    assert list(results.columns) == ["method", "evaluation", "class", "metric", "value"]
    table = summary(results)
    assert list(table.index) == ["pca", "dae", "tsne"]
    assert table.loc["tsne", "evaluation"] == "transductive"
    assert np.isnan(table.loc["tsne", "mse"]) and np.isnan(table.loc["tsne", "psnr"])

    pca = fitted["pca"]
    expected_knn = metrics.knn_accuracy(pca.Z_train, y_tr, pca.Z_test, y_te)
    assert table.loc["pca", "knn_accuracy"] == pytest.approx(expected_knn)
    X_rec = pca.estimator.inverse_transform(pca.estimator.transform(X_te))
    assert table.loc["pca", "mse"] == pytest.approx(np.mean((X_te - X_rec) ** 2))

    classes = per_class(results)
    assert set(classes["method"]) == {"pca", "dae"}
    assert len(classes) == 2 * 10
    dae_rows = classes[classes["method"] == "dae"]
    weights = np.bincount(y_te)
    overall = np.average(
        dae_rows["mse"], weights=weights[dae_rows["class"].astype(int)]
    )
    assert overall == pytest.approx(table.loc["dae", "mse"], rel=1e-5)


def _check_png(path):
    assert path.stat().st_size > 5_000, path
    with Image.open(path) as img:
        assert img.format == "PNG"
        assert 200 <= img.width <= 6000 and 200 <= img.height <= 6000


def test_cli_writes_every_file_of_the_report(tmp_path):
    out = tmp_path / "report"
    code = main(
        [
            "compare",
            "--dataset",
            "digits",
            "--max-samples",
            "300",
            "--max-epochs",
            "2",
            "--methods",
            "dae,vae,vqvae,pca,tsne",
            "--sweep",
            "2,3",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out / "results.csv", index_col="method")
    assert list(table.index) == ["dae", "vae", "vqvae", "pca", "tsne"]
    assert table["knn_accuracy"].between(0, 1).all()
    assert "| method |" in (out / "results.md").read_text()
    sweep = pd.read_csv(out / "latent_sweep.csv")
    assert sorted(sweep["n_components"].unique()) == [2, 3]

    pngs = [
        "embeddings.png",
        "reconstructions.png",
        "training_curves.png",
        "per_class_mse.png",
        "per_class_psnr.png",
        "latent_sweep_mse.png",
        "latent_sweep_psnr.png",
        "latent_grid_dae.png",
        "latent_grid_vae.png",
        "latent_grid_vqvae.png",
        "vae_samples.png",
        "codebook_usage.png",
    ]
    for name in pngs:
        _check_png(out / name)
    for model in ("dae", "vae", "vqvae"):
        for kind in ("latent_evolution", "reconstruction_evolution"):
            with Image.open(out / f"{kind}_{model}.gif") as gif:
                assert gif.n_frames == 2  # one frame per epoch
    page = (out / "index.html").read_text()
    for name in pngs:
        assert f'src="{name}"' in page
    assert "<table" in page and "http" not in page  # readable offline


def test_cli_on_a_table_without_images(tmp_path):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (60, 5)), rng.normal(4, 1, (60, 5))]) * 100
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    frame["label"] = np.repeat([0, 1], 60)
    path = tmp_path / "table.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "report"
    args = ["compare", "--dataset", str(path), "--methods", "dae,pca", "--sweep", ""]
    assert main([*args, "--max-epochs", "2", "--out", str(out)]) == 0
    assert (out / "embeddings.png").exists()
    assert not (out / "reconstructions.png").exists()
    table = pd.read_csv(out / "results.csv", index_col="method")
    assert table.loc["pca", "knn_accuracy"] > 0.9


def test_cli_reports_bad_input_without_a_traceback(tmp_path, capsys):
    assert main(["compare", "--dataset", "nope", "--out", str(tmp_path)]) == 2
    assert "aembed: error:" in capsys.readouterr().err


def test_an_empty_method_list_is_refused(split, capsys):
    X_tr, X_te, y_tr, y_te = split
    with pytest.raises(ValueError, match="methods is empty"):
        compare(X_tr, y_tr, X_te, y_te, methods=[])
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", "--methods", ","])
    assert exit_info.value.code == 2
    assert "no method names" in capsys.readouterr().err
