"""The report end to end on tiny data: files, labels, tables, provenance, page."""

import base64
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sklearn.datasets import load_digits, load_wine
from sklearn.utils import Bunch

from aembed import plotting
from aembed._files import atomic_path, write_text
from aembed.cli import main
from aembed.compare import FittedMethod, available_methods
from aembed.report import (
    _figures,
    _inputs,
    _interactive,
    _run,
    _summary,
    _tables,
    run_report,
)

FAST = ["--max-epochs", "2", "--sweep", "2,3", "--seed", "0"]
HAS_UMAP = "umap" in available_methods()


@pytest.fixture(scope="module")
def wine_csvs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wine")
    wine = load_wine(as_frame=True)
    names = np.array(["barolo", "grignolino", "barbera"])
    strings = wine.data.assign(cultivar=names[wine.target])
    strings.to_csv(folder / "strings.csv", index=False)
    one_to_k = wine.data.assign(target=wine.target + 1)
    one_to_k.to_csv(folder / "one_to_k.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def image_npz(tmp_path_factory):
    X, y = load_digits(return_X_y=True)
    path = tmp_path_factory.mktemp("images") / "digits.npz"
    images = (X[:400] * 15).astype(np.uint8).reshape(-1, 8, 8)
    np.savez(path, X=images, y=y[:400])
    return path


def _check_png(path):
    assert path.stat().st_size > 3_000, path
    with Image.open(path) as img:
        assert img.format == "PNG"
        assert 150 <= img.width <= 6000 and 150 <= img.height <= 6000


TABLE_FILES = ["results.csv", "per_class.csv", "latent_sweep.csv", "results.md"]
COMMON_FIGURES = [
    "embeddings.png",
    "training_curves.png",
    "per_class_mse.png",
    "latent_sweep_mse.png",
    "codebook_usage.png",
]


def _inlined_images(page):
    """The bytes of every image inlined in the page as a data URI."""
    return [
        base64.b64decode(data)
        for data in re.findall(r'src="data:image/[a-z+]+;base64,([^"]+)"', page)
    ]


def _check_report(out, methods, *, images):
    for name in [*TABLE_FILES, "run.json", "index.html"]:
        assert (out / name).stat().st_size > 0, name
    pngs = list(COMMON_FIGURES)
    if images:
        pngs += [
            "reconstructions.png",
            "vae_samples.png",
            *(f"latent_grid_{m}.png" for m in methods if m in ("dae", "vae", "vqvae")),
        ]
    for name in pngs:
        _check_png(out / name)
    # The page draws the animations itself: no GIF, and no PSNR bars, which
    # would repeat the MSE bars.
    assert not list(out.glob("*.gif")) and not list(out.glob("*psnr.png"))
    page = (out / "index.html").read_text()
    inlined = _inlined_images(page)
    # Every figure is inside the page, and nothing is fetched beside it.
    for name in pngs:
        if name == "embeddings.png" and _interactive.bokeh_available():
            continue  # the interactive maps replace it
        if name == "training_curves.png" and _interactive.bokeh_available():
            continue
        assert (out / name).read_bytes() in inlined, name
    markup = re.sub(r"<script.*?</script>", "", page, flags=re.DOTALL)
    assert not re.search(r'(src|href)="(?!data:|#)', markup)
    trained = [m for m in methods if m.split("-")[0] in ("dae", "vae", "vqvae")]
    animated = re.findall(r'<div class="anim" data-method="([^"]+)"', page)
    assert animated == trained
    table = pd.read_csv(out / "results.csv", index_col="method")
    assert list(table.index) == methods
    assert table["knn_accuracy"].between(0, 1).all()
    assert table["psnr"].notna().any() == images
    # No leftover temporary files from the atomic writes.
    assert not list(out.glob(".aembed-*"))
    return table, page


def test_a_csv_with_string_labels(wine_csvs, tmp_path):
    out = tmp_path / "report"
    methods = ["dae", "vae-nb", "vqvae", "pca", "tsne"]
    args = ["--dataset", str(wine_csvs / "strings.csv"), "--methods", ",".join(methods)]
    assert (
        main(["compare", *args, *FAST, "--label-column", "cultivar", "--out", str(out)])
        == 0
    )
    table, page = _check_report(out, methods, images=False)
    classes = pd.read_csv(out / "per_class.csv")
    assert set(classes["class"]) == {"barolo", "grignolino", "barbera"}
    assert "barbera" in page and "grignolino" in page
    run = json.loads((out / "run.json").read_text())
    assert run["dataset"]["classes"] == ["barbera", "barolo", "grignolino"]
    assert table.loc["pca", "knn_accuracy"] > 0.85  # standardised wine separates


def test_a_csv_with_labels_one_to_k(wine_csvs, tmp_path):
    out = tmp_path / "report"
    methods = ["dae", "vae", "vqvae", "pca"]
    args = [
        "--dataset",
        str(wine_csvs / "one_to_k.csv"),
        "--methods",
        ",".join(methods),
    ]
    assert main(["compare", *args, *FAST, "--out", str(out)]) == 0
    _check_report(out, methods, images=False)
    classes = pd.read_csv(out / "per_class.csv")
    assert sorted(classes["class"].unique()) == [1, 2, 3]
    run = json.loads((out / "run.json").read_text())
    assert run["dataset"]["classes"] == ["1", "2", "3"]


def test_an_npz_of_images(image_npz, tmp_path):
    out = tmp_path / "report"
    methods = ["dae", "vae", "vqvae", "dae-nb", "pca", "tsne"]
    if HAS_UMAP:
        methods.append("umap")
    args = ["--dataset", str(image_npz), "--methods", ",".join(methods)]
    assert main(["compare", *args, *FAST, "--out", str(out)]) == 0
    table, page = _check_report(out, methods, images=True)
    assert table.loc["dae", "psnr"] > 0
    run = json.loads((out / "run.json").read_text())
    assert run["dataset"]["image_shape"] == [8, 8]


def test_labels_that_are_sparse_codes(tmp_path):
    X, y = load_digits(return_X_y=True)
    codes = np.array([3, 17, 101, 250, 999, 4, 8, 15, 16, 42])[y]
    data = Bunch(
        data=X[:300] / 16, target=codes[:300], image_shape=(8, 8), name="codes"
    )
    results = run_report(
        data,
        tmp_path,
        methods=["pca", "dae"],
        max_epochs=1,
        sweep_sizes=(),
        animate=False,
        verbose=0,
    )
    assert set(results.loc[results["class"] != "all", "class"]) == set(codes[:300])
    assert "999" in (tmp_path / "index.html").read_text()


def test_label_names_index_target_names_only_when_they_can():
    assert _inputs.label_names([0, 1], ["zero", "one"]) == {0: "zero", 1: "one"}
    assert _inputs.label_names([1, 2, 3], [1, 2, 3]) == {1: "1", 2: "2", 3: "3"}
    assert _inputs.label_names(["b", "a"], ["a", "b"]) == {"a": "a", "b": "b"}
    assert _inputs.label_names([5, 9], None) == {5: "5", 9: "9"}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return Bunch(data=X[:300] / 16, target=y[:300], image_shape=(8, 8), name="digits")


def _report(data, out, **kwargs):
    params = dict(
        methods=["vae", "pca"], max_epochs=2, sweep_sizes=(), animate=False, verbose=0
    )
    return run_report(data, out, **{**params, **kwargs})


def test_a_failed_figure_is_a_warning_and_the_page_is_written(
    digits, tmp_path, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(_figures, "draw_embeddings", broken)
    monkeypatch.setattr(_interactive, "page_maps", broken)
    with pytest.warns(UserWarning, match="maps of the embeddings could not be drawn"):
        _report(digits, tmp_path, sweep_sizes=(2, 3))
    page = (tmp_path / "index.html").read_text()
    assert "interactive maps could not be drawn" in page
    inlined = _inlined_images(page)
    assert (tmp_path / "training_curves.png").read_bytes() in inlined
    assert not (tmp_path / "embeddings.png").exists()
    table = pd.read_csv(tmp_path / "results.csv", index_col="method")
    assert list(table.index) == ["vae", "pca"]
    assert (tmp_path / "per_class.csv").exists()
    assert sorted(
        pd.read_csv(tmp_path / "latent_sweep.csv")["n_components"].unique()
    ) == [2, 3]
    assert json.loads((tmp_path / "run.json").read_text())["methods"]


def test_the_results_table_is_written_after_every_method(digits, tmp_path, monkeypatch):
    seen = []
    real = _tables.TableWriter.results

    def spy(self, results):
        table = real(self, results)
        seen.append(list(pd.read_csv(self.out / "results.csv")["method"]))
        return table

    monkeypatch.setattr(_tables.TableWriter, "results", spy)
    _report(digits, tmp_path)
    assert seen == [["vae"], ["vae", "pca"]]


def test_overwrite(digits, tmp_path):
    _report(digits, tmp_path, methods=["pca"])
    with pytest.raises(FileExistsError, match="overwrite=True"):
        _report(digits, tmp_path, methods=["pca"])
    _report(digits, tmp_path, methods=["pca"], overwrite=True)


def test_files_are_written_atomically(tmp_path):
    path = tmp_path / "results.csv"
    write_text(path, "old")
    with pytest.raises(RuntimeError):
        with atomic_path(path) as tmp:
            tmp.write_text("half")
            raise RuntimeError
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]


def test_a_failed_figure_leaves_no_file(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    def half_written(self, path, **kwargs):
        Path(path).write_bytes(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", half_written)
    ax = plotting.plot_embedding(np.zeros((3, 2)))
    with pytest.raises(OSError, match="disk full"):
        _figures.Figures(tmp_path).save(ax.figure, "embeddings.png", "caption")
    assert list(tmp_path.iterdir()) == []


def test_provenance(digits, tmp_path):
    _report(digits, tmp_path, methods=["dae-nb", "pca"], command="aembed compare")
    run = json.loads((tmp_path / "run.json").read_text())
    for package in ("aembed", "torch", "scikit-learn", "skorch", "umap-learn"):
        assert package in run["versions"]
    assert run["versions"]["torch"] and run["versions"]["skorch"]
    assert run["dataset"]["name"] == "digits" and run["dataset"]["n_rows"] == 300
    split = run["split"]
    assert split["n_train"] + split["n_validation"] + split["n_test"] == 300
    assert run["device"] == "cpu" and run["seed"] == 0 and run["wall_time_s"] > 0
    dae = run["methods"][0]
    assert dae["name"] == "DenoisingAEEmbedder (neighbor_weight=1)"
    assert dae["params"]["neighbor_weight"] == 1.0 and dae["params"]["max_epochs"] == 2
    assert dae["epochs_run"] == 2 and dae["device"] == "cpu"
    assert dae["params"]["callbacks"] == ["ValidationLoss"]
    assert run["methods"][1]["params"]["n_components"] == 2
    page = (tmp_path / "index.html").read_text()
    assert 'id="provenance"' in page and run["versions"]["skorch"] in page
    assert "neighbor_weight=1.0" in page and "2 epochs run" in page


def test_validation_curves_from_rows_no_method_is_fitted_on(digits, tmp_path):
    # That watching them leaves the model alone: tests/test_callbacks.py.
    _report(digits, tmp_path, methods=["vae"])
    run = json.loads((tmp_path / "run.json").read_text())
    split = run["split"]
    assert split["n_validation"] == 24 and split["n_train"] == 216
    assert run["methods"][0]["params"]["callbacks"][0] == "ValidationLoss"
    assert "validation dashed" in (tmp_path / "index.html").read_text()
    other = tmp_path / "none"
    _report(digits, other, methods=["vae"], validation_size=0)
    assert json.loads((other / "run.json").read_text())["split"]["n_train"] == 240
    assert "training rows only" in (other / "index.html").read_text()


def test_the_results_table_reads_well():
    table = pd.DataFrame(
        {
            "evaluation": ["held-out", "held-out", "transductive"],
            "knn_accuracy": [0.91234, 0.5, 0.99],
            "trustworthiness": [0.8, 0.9, 0.99],
            "silhouette": [0.1, 0.2, 0.3],
            "ari": [0.1, 0.2, 0.3],
            "nmi": [0.1, 0.2, 0.3],
            "mse": [0.0123456, np.nan, np.nan],
            "psnr": [np.nan] * 3,
            "fit_time": [12.3456, 0.01, 3.0],
            "transform_time": [0.001, 0.0002, np.nan],
        },
        index=["vae", "pca", "tsne"],
    )
    metrics = _tables.metrics_for("standard")
    fragment = _tables.results_html(
        table, metrics, links=[("results.csv", "results.csv")]
    )
    assert "VAEEmbedder" in fragment and "t-SNE" in fragment and "PCA" in fragment
    assert "5-NN accuracy ↑" in fragment and "MSE ↓" in fragment
    assert "standardised units²" in fragment and "fit time ↓" in fragment
    assert "PSNR" not in fragment  # no value: no column
    assert '<strong class="best">0.912</strong>' in fragment  # t-SNE not ranked
    assert '<strong class="best">0.900</strong>' in fragment
    assert "0.0123" in fragment and "12.3" in fragment and "0.0100" in fragment
    assert "<code>results.csv</code>" in fragment and "href=" not in fragment
    markdown = _tables.results_markdown(table, metrics)
    assert "| VAEEmbedder | held-out | **0.912** |" in markdown
    reading = _tables.reading(table)
    assert reading.count(". ") == 1 and reading.endswith(".")
    assert reading.startswith("VAEEmbedder separates the held-out classes best")


def test_format_value_keeps_three_significant_digits():
    values = [0.91234, 12.345, 0.0426, 0.5, 1234.5, 0.000123456, np.nan]
    assert [_tables.format_value(v) for v in values] == [
        "0.912",
        "12.3",
        "0.0426",
        "0.500",
        "1,234",
        "0.000123",
        "—",
    ]


def _fitted(name, X_rec):
    Z = np.zeros((len(X_rec), 2))
    return FittedMethod(name, None, "held-out", Z, Z, X_rec, 0.0, 0.0)


def test_a_note_when_reconstructions_are_close_to_the_mean_image():
    rng = np.random.default_rng(0)
    X_train, X_test = rng.random((50, 16)), rng.random((20, 16))
    mean = X_train.mean(axis=0)
    fitted = {
        "vae": _fitted("vae", mean + 0.01 * rng.normal(size=X_test.shape)),
        "dae": _fitted("dae", X_test + 0.01),
    }
    notes = _summary.mean_image_notes(fitted, X_train, X_test, image_shape=(4, 4))
    assert len(notes) == 1 and notes[0].startswith("VAEEmbedder's reconstructions")
    assert "mean image" in notes[0]


def test_tables_get_no_psnr_and_everyone_the_same_input(wine_csvs, tmp_path):
    from aembed.datasets import load_table

    data = load_table(wine_csvs / "one_to_k.csv")
    results = _report(data, tmp_path, methods=["pca"])
    assert results.query("metric == 'psnr'")["value"].isna().all()
    run = json.loads((tmp_path / "run.json").read_text())
    assert "standardised" in run["input_scaling"]
    assert "PSNR" not in (tmp_path / "index.html").read_text().split('id="maps"')[0]


def test_the_sweep_stops_at_the_number_of_features(tmp_path, capsys):
    X, y = load_wine(return_X_y=True)
    data = Bunch(data=X[:, :6], target=y, name="six columns")
    _report(data, tmp_path, methods=["pca"], sweep_sizes=(2, 5, 10, 20), verbose=1)
    sweep = pd.read_csv(tmp_path / "latent_sweep.csv")
    assert sorted(sweep["n_components"].unique()) == [2, 5]
    assert json.loads((tmp_path / "run.json").read_text())["sweep_sizes"] == [2, 5]
    assert "latent sizes 10, 20 left out" in capsys.readouterr().err


def test_the_maps_subsample_and_say_so(digits, tmp_path, monkeypatch):
    monkeypatch.setattr(_interactive, "MAX_POINTS", 25)
    _report(digits, tmp_path, methods=["pca"])
    page = (tmp_path / "index.html").read_text()
    assert "The maps draw 25 of the 60 held-out rows" in page


def test_without_bokeh_the_page_says_how_to_get_the_maps(digits, tmp_path, monkeypatch):
    monkeypatch.setattr(_interactive, "bokeh_available", lambda: False)
    _report(digits, tmp_path, methods=["pca"])
    page = (tmp_path / "index.html").read_text()
    assert "pip install &#x27;aembed[report]&#x27;" in page or "aembed[report]" in page
    assert "Bokeh" in page and "BokehJS" not in page[:5000]
    with pytest.raises(ImportError, match=r"pip install 'aembed\[report\]'"):
        _report(digits, tmp_path / "again", methods=["pca"], interactive=True)


def test_the_page_needs_no_network(digits, tmp_path):
    _report(digits, tmp_path, methods=["vae", "pca"])
    page = (tmp_path / "index.html").read_text()
    assert "<script src=" not in page and "<link " not in page
    markup = re.sub(r"<script.*?</script>", "", page, flags=re.DOTALL)
    assert "http" not in re.sub(r'"data:[^"]*"', "", markup)
    assert page.count('class="map"') == 2  # the browser test runs the scripts


def test_csv_cells_that_spreadsheets_would_run_are_quoted(tmp_path):
    rng = np.random.default_rng(0)
    names = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "plain"]
    y = np.repeat(names, 30)
    data = Bunch(data=rng.normal(size=(150, 4)), target=y, name="data")
    _report(data, tmp_path, methods=["pca"])
    cells = pd.read_csv(tmp_path / "per_class.csv", dtype=str)["class"].unique()
    assert {"'" + n for n in names[:4]} | {"plain"} <= set(cells)
    assert not any(c[0] in "=+-@" for c in cells)


def test_atomic_write_errors_name_the_callers_path(tmp_path):
    import errno

    path = tmp_path / "results.csv"
    with pytest.raises(OSError) as info:
        with atomic_path(path) as tmp:
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
    assert info.value.filename == str(path) and info.value.errno == errno.ENOSPC


def test_an_unwritable_out_fails_before_any_fitting(digits, tmp_path, monkeypatch):
    def fit_all(*args, **kwargs):
        raise AssertionError("fitted before the folder was checked")

    monkeypatch.setattr(_run, "fit_all", fit_all)
    out = tmp_path / "out"
    out.mkdir()
    real = _inputs.tempfile.TemporaryFile

    def read_only(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == out:
            import errno

            raise OSError(errno.EROFS, "Read-only file system", str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(_inputs.tempfile, "TemporaryFile", read_only)
    match = "Read-only file system.*cannot be written"
    with pytest.raises(OSError, match=match) as info:
        _report(digits, out, methods=["pca"])
    assert info.value.filename == str(out)


def test_an_empty_out_is_refused(digits, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="out='' is empty"):
        _report(digits, "", methods=["pca"])
    assert list(tmp_path.iterdir()) == []


def test_interactive_false_does_not_claim_bokeh_is_missing(digits, tmp_path):
    _report(digits, tmp_path, methods=["pca"], interactive=False)
    page = (tmp_path / "index.html").read_text()
    assert "not installed" not in page and "turned off" in page


def test_labels_with_dollar_signs_make_a_whole_report(tmp_path):
    rng = np.random.default_rng(0)
    y = np.repeat(["range_$5_to_$10", "$0-$50", "x" * 42], 40)
    data = Bunch(data=rng.normal(size=(120, 4)), target=y, name="prices")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        _report(data, tmp_path, methods=["pca"])
    assert (tmp_path / "index.html").exists()


def test_every_method_has_a_colour_of_its_own():
    from aembed.compare._methods import METHOD_NAMES
    from aembed.report._colors import METHOD_COLORS, display_colors

    assert set(METHOD_COLORS) == set(METHOD_NAMES)
    assert len(set(METHOD_COLORS.values())) == len(METHOD_COLORS)
    assert display_colors(["vae-nb"]) == {
        "VAEEmbedder (neighbor_weight=1)": METHOD_COLORS["vae-nb"]
    }


def test_the_static_figures_give_each_method_its_colour(digits, tmp_path, monkeypatch):
    from matplotlib.colors import to_hex

    from aembed.compare._methods import method_name
    from aembed.report._colors import METHOD_COLORS

    drawn = {}
    real = plotting.save_figure

    def keep(fig, path, **kwargs):
        drawn[Path(path).name] = [
            (
                text.get_text() if hasattr(text, "get_text") else text.get_label(),
                to_hex(text.get_color()),
            )
            for ax in fig.axes
            for text in [*ax.get_lines(), ax.title]
        ]
        return real(fig, path, **kwargs)

    monkeypatch.setattr(plotting, "save_figure", keep)
    methods = ["vae", "dae-nb", "pca"]
    _report(digits, tmp_path, methods=methods)
    for figure, trained_only in (
        ("training_curves.png", True),
        ("embeddings.png", False),
    ):
        for m in methods:
            if trained_only and m == "pca":
                continue
            colours = {
                colour
                for label, colour in drawn[figure]
                if label.startswith(method_name(m) + ":")
                or label.startswith(method_name(m) + " (held-out)")
            }
            assert colours == {METHOD_COLORS[m]}, (figure, m, drawn[figure])
