"""Tests of aembed.plotting: what each figure draws, and the files it saves."""

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.animation import PillowWriter  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from aembed import plotting  # noqa: E402
from aembed.metrics import per_class_reconstruction  # noqa: E402
from aembed.plotting import (  # noqa: E402
    plot_codebook_usage,
    plot_embedding,
    plot_history,
    plot_image_grid,
    plot_latent_grid,
    plot_latent_strip,
    plot_loss_and_kl,
    plot_per_class_bars,
    plot_reconstructions,
    save_animation,
    save_figure,
    save_image_animation,
)

Image = pytest.importorskip("PIL.Image")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def blobs():
    """Three separated blobs of 40 points in 3-d, labelled 0, 1, 2."""
    rng = np.random.RandomState(0)
    labels = np.repeat([0, 1, 2], 40)
    centers = np.array([[0.0, 0.0, 0.0], [6.0, 0.0, 1.0], [0.0, 6.0, -1.0]])
    return centers[labels] + rng.normal(size=(120, 3)), labels


@pytest.fixture
def images():
    """Twelve 6x5 images: image k is a bright bar in row k % 6."""
    X = np.zeros((12, 6, 5))
    for k in range(12):
        X[k, k % 6] = 1.0
    return X.reshape(12, -1)


@pytest.fixture
def history():
    epoch = pd.Index(np.arange(1, 6), name="epoch")
    t = np.arange(1.0, 6.0)
    return pd.DataFrame(
        {
            "train_loss": 10 / t,
            "valid_loss": 11 / t,
            "train_kl": np.log1p(t),
            "valid_kl": np.log1p(t) + 0.1,
            "train_reconstruction": 9 / t,
            "valid_reconstruction": 10 / t,
            "dur": 0.1,
        },
        index=epoch,
    )


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def check_png(path, min_kb=5):
    assert path.exists()
    assert path.stat().st_size > min_kb * 1024
    with Image.open(path) as im:
        assert im.format == "PNG"
        width, height = im.size
    assert 200 <= width <= 4000
    assert 150 <= height <= 4000
    return width, height


def test_all_names_exist():
    for name in plotting.__all__:
        assert callable(getattr(plotting, name))


def test_import_does_not_load_pyplot():
    code = "import sys, aembed.plotting; print('matplotlib.pyplot' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# plot_embedding -------------------------------------------------------------


def test_plot_embedding_draws_every_point_coloured_by_class(blobs):
    Z, labels = blobs
    ax = plot_embedding(Z[:, :2], labels, title="blobs")
    (points,) = ax.collections
    assert points.get_offsets().shape == (120, 2)
    # Each drawn point keeps its own coordinates (they are only reordered).
    drawn = np.asarray(points.get_offsets())
    np.testing.assert_allclose(
        np.sort(drawn, axis=0), np.sort(Z[:, :2], axis=0), rtol=0, atol=1e-12
    )
    colors = np.unique(points.get_facecolors()[:, :3], axis=0)
    assert len(colors) == 3
    assert legend_texts(ax) == ["0", "1", "2"]
    assert ax.get_legend().get_title().get_text() == "class"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("dim 1", "dim 2")
    assert ax.get_title() == "blobs"


def test_plot_embedding_point_colour_matches_its_legend_entry(blobs):
    Z, labels = blobs
    ax = plot_embedding(Z, labels, class_names={0: "zero", 1: "one", 2: "two"})
    points = ax.collections[0]
    offsets = np.asarray(points.get_offsets())
    handles = ax.get_legend().legend_handles
    by_name = {h.get_label(): to_rgba(h.get_color())[:3] for h in handles}
    # The point nearest the centre of class 1's blob is a class-1 point.
    i = np.argmin(np.linalg.norm(offsets - [6.0, 0.0], axis=1))
    np.testing.assert_allclose(points.get_facecolors()[i, :3], by_name["one"])
    assert list(by_name) == ["zero", "one", "two"]


def test_plot_embedding_says_when_only_two_of_more_dims_are_shown(blobs):
    Z, labels = blobs
    ax = plot_embedding(Z, labels)
    assert ax.get_xlabel() == "dim 1 (of 3)"
    assert ax.get_ylabel() == "dim 2 (of 3)"
    ax = plot_embedding(pd.DataFrame(Z[:, :2], columns=["vae0", "vae1"]))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("vae0", "vae1")


def test_plot_embedding_draws_on_the_given_axes(blobs):
    Z, labels = blobs
    fig, (ax1, ax2) = plt.subplots(1, 2)
    assert plot_embedding(Z, labels, ax=ax2) is ax2
    assert not ax1.collections
    assert len(fig.axes) == 2


def test_plot_embedding_without_labels_has_no_legend(blobs):
    Z, _ = blobs
    ax = plot_embedding(Z)
    assert ax.get_legend() is None
    assert len(np.unique(ax.collections[0].get_facecolors(), axis=0)) == 1


def test_plot_embedding_sequence_class_names_are_indexed_by_label():
    Z = np.random.RandomState(0).normal(size=(20, 2))
    labels = np.array([3, 7] * 10)
    names = [f"digit {k}" for k in range(10)]
    ax = plot_embedding(Z, labels, class_names=names)
    assert legend_texts(ax) == ["digit 3", "digit 7"]


def test_plot_embedding_many_classes_stay_distinct():
    rng = np.random.RandomState(0)
    labels = np.repeat(np.arange(15), 4)
    ax = plot_embedding(rng.normal(size=(60, 2)), labels)
    assert len(legend_texts(ax)) == 15
    colors = np.unique(ax.collections[0].get_facecolors()[:, :3], axis=0)
    assert len(colors) == 15


def test_plot_embedding_uses_a_colorbar_past_30_classes():
    rng = np.random.RandomState(0)
    labels = np.repeat(np.arange(40), 2)
    ax = plot_embedding(rng.normal(size=(80, 2)), labels)
    assert ax.get_legend() is None
    assert len(ax.figure.axes) == 2  # the axes and its colorbar


def test_plot_embedding_continuous_labels_get_a_colorbar():
    rng = np.random.RandomState(0)
    ax = plot_embedding(rng.normal(size=(30, 2)), rng.rand(30))
    assert ax.get_legend() is None
    assert len(ax.figure.axes) == 2


def test_plot_embedding_rejects_bad_input(blobs):
    Z, labels = blobs
    with pytest.raises(ValueError, match="at least two columns"):
        plot_embedding(Z[:, :1])
    with pytest.raises(ValueError, match="one entry per row"):
        plot_embedding(Z, labels[:-1])


# images ---------------------------------------------------------------------


def test_plot_reconstructions_rows_and_shared_scale(images):
    recs = {"AE": images * 0.5, "VAE": images * 0.25}
    fig = plot_reconstructions(
        images, recs, image_shape=(6, 5), n=4, titles=list("abcd")
    )
    assert len(fig.axes) == 12
    assert all(len(ax.images) == 1 for ax in fig.axes)
    assert [ax.get_ylabel() for ax in fig.axes[::4]] == ["original", "AE", "VAE"]
    assert [ax.get_title() for ax in fig.axes[:4]] == list("abcd")
    assert all(not ax.get_xticks().size for ax in fig.axes)
    # Rows share the originals' scale, so a half-bright reconstruction shows
    # as half bright rather than being stretched back to full contrast.
    assert {ax.images[0].get_clim() for ax in fig.axes} == {(0.0, 1.0)}
    np.testing.assert_array_equal(
        fig.axes[5].images[0].get_array(), images[1].reshape(6, 5) * 0.5
    )
    assert fig.axes[0].images[0].get_cmap().name == "gray"


def test_plot_reconstructions_scale_of_data_outside_unit_range(images):
    dim = plot_reconstructions(images * 0.5, images, image_shape=(6, 5), n=2)
    # Pixels in [0, 1] keep that scale even when the originals are dim ...
    assert dim.axes[0].images[0].get_clim() == (0.0, 1.0)
    # ... while other data span the originals' range, in every row.
    X = images * 4.0 - 1.0
    fig = plot_reconstructions(X, X * 0.5, image_shape=(6, 5), n=2)
    assert {ax.images[0].get_clim() for ax in fig.axes} == {(-1.0, 3.0)}


def test_plot_reconstructions_single_array_and_reused_figure(images):
    fig = plt.figure()
    fig.add_subplot()  # cleared, not kept
    out = plot_reconstructions(images, images, image_shape=(6, 5), n=20, fig=fig)
    assert out is fig
    assert len(fig.axes) == 24  # n is capped at the 12 images available
    assert fig.axes[12].get_ylabel() == "reconstruction"


def test_plot_reconstructions_channels_first_rgb():
    X = np.random.RandomState(0).rand(3, 3 * 4 * 5)
    fig = plot_reconstructions(X, X, image_shape=(3, 4, 5), n=3)
    shown = fig.axes[0].images[0].get_array()
    assert shown.shape == (4, 5, 3)
    np.testing.assert_allclose(shown[..., 1], X[0].reshape(3, 4, 5)[1])


def test_rgb_images_keep_their_colours(tmp_path, recorded_frames):
    # Values outside [0, 1] are mapped linearly onto it, once.
    X = np.random.RandomState(0).rand(4, 3 * 4 * 5) * 2.0 + 1.0
    scaled = (X - X.min()) / (X.max() - X.min())
    expected = [row.reshape(3, 4, 5).transpose(1, 2, 0) for row in scaled]
    ax = plot_image_grid(X, image_shape=(3, 4, 5), n_cols=2)
    mosaic = ax.images[0].get_array()
    assert mosaic.shape == (9, 11, 3)
    np.testing.assert_allclose(mosaic[5:, :5], expected[2])
    np.testing.assert_allclose(mosaic[4], 1.0)  # white gap
    save_image_animation([X, X], tmp_path / "rgb.gif", image_shape=(3, 4, 5))
    np.testing.assert_allclose(recorded_frames[1]["image"][:4, :5], expected[0])


def test_plot_reconstructions_rejects_wrong_image_shape(images):
    with pytest.raises(ValueError, match="image_shape|shape"):
        plot_reconstructions(images, images, image_shape=(5, 5))


def test_plot_latent_strip_2d_marks_each_code(images):
    Z = np.random.RandomState(0).normal(size=(12, 2))
    fig = plot_latent_strip(images, Z, images * 0.5, image_shape=(6, 5), n=3)
    axes = np.array(fig.axes).reshape(3, 3)
    assert [ax.get_title() for ax in axes[0]] == [
        "original",
        "latent point",
        "reconstruction",
    ]
    for i, (ax_in, ax_z, ax_out) in enumerate(axes):
        np.testing.assert_array_equal(
            ax_in.images[0].get_array(), images[i].reshape(6, 5)
        )
        np.testing.assert_array_equal(
            ax_out.images[0].get_array(), images[i].reshape(6, 5) * 0.5
        )
        background, marker = ax_z.collections
        assert len(background.get_offsets()) == 12
        np.testing.assert_allclose(marker.get_offsets(), Z[i : i + 1])
        assert ax_z.get_xlabel() == "dim 1"


def test_plot_latent_strip_bars_share_a_scale(images):
    Z = np.random.RandomState(0).normal(size=(12, 6))
    fig = plot_latent_strip(images, Z, images, image_shape=(6, 5), n=4)
    bar_axes = fig.axes[1::3]
    assert len(bar_axes) == 4
    for i, ax in enumerate(bar_axes):
        np.testing.assert_allclose([p.get_height() for p in ax.patches], Z[i])
    assert len({ax.get_ylim() for ax in bar_axes}) == 1
    assert fig.axes[1].get_title() == "latent code"


def test_plot_latent_strip_rejects_mismatched_rows(images):
    with pytest.raises(ValueError, match="one row per sample"):
        plot_latent_strip(images, np.zeros((5, 2)), images, image_shape=(6, 5))


def test_plot_latent_grid_decodes_cell_centres_in_plot_orientation():
    seen = []

    def decode(Z):
        seen.append(Z)
        # Each 2x2 image: top row holds x, bottom row y.
        return np.repeat(Z, 2, axis=1)

    ax = plot_latent_grid(decode, extent=(0, 4, -2, 2), n=4, image_shape=(2, 2))
    (Z,) = seen
    assert Z.shape == (16, 2)
    np.testing.assert_allclose(np.unique(Z[:, 0]), [0.5, 1.5, 2.5, 3.5])
    np.testing.assert_allclose(np.unique(Z[:, 1]), [-1.5, -0.5, 0.5, 1.5])
    mosaic = ax.images[0].get_array()
    assert mosaic.shape == (8, 8)
    # Top-left tile: smallest x, largest y; bottom-right: largest x, smallest y.
    np.testing.assert_allclose(mosaic[0, :2], 0.5)
    np.testing.assert_allclose(mosaic[1, :2], 1.5)
    np.testing.assert_allclose(mosaic[6, 6:], 3.5)
    np.testing.assert_allclose(mosaic[7, 6:], -1.5)
    assert ax.images[0].get_extent() == [0, 4, -2, 2]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("dim 1", "dim 2")


def test_plot_latent_grid_checks_the_decoder_output():
    with pytest.raises(ValueError, match="decode"):
        plot_latent_grid(
            lambda Z: np.zeros((len(Z), 3)), extent=(0, 1, 0, 1), image_shape=(2, 2)
        )
    with pytest.raises(ValueError, match="extent"):
        plot_latent_grid(lambda Z: Z, extent=(1, 0, 0, 1), image_shape=(1, 2))


def test_plot_image_grid_tiles_with_gaps(images):
    ax = plot_image_grid(images[:7], image_shape=(6, 5), n_cols=3, title="samples")
    mosaic = np.ma.filled(ax.images[0].get_array(), np.nan)
    assert mosaic.shape == (3 * 6 + 2, 3 * 5 + 2)
    np.testing.assert_array_equal(mosaic[7:13, 6:11], images[4].reshape(6, 5))
    assert np.isnan(mosaic[6, :]).all()  # gap between the first two rows
    assert np.isnan(mosaic[14:, 6:]).all()  # the two missing images
    assert ax.get_title() == "samples"


def test_plot_codebook_usage_sorted_with_share_and_perplexity():
    ax = plot_codebook_usage([5, 0, 5, 5, 5, 0, 0, 0])
    assert [p.get_height() for p in ax.patches] == [5, 5, 5, 5, 0, 0, 0, 0]
    # Four codes used equally: perplexity 4.
    assert ax.get_title() == "codes used: 4 of 8 (50%), perplexity 4.00"
    assert ax.get_ylabel() == "count"
    with pytest.raises(ValueError, match="non-negative"):
        plot_codebook_usage([1, -1])


# curves and bars ------------------------------------------------------------


def test_plot_history_default_is_train_and_valid_loss(history):
    ax = plot_history(history)
    lines = ax.get_lines()
    assert legend_texts(ax) == ["train loss", "valid loss"]
    np.testing.assert_allclose(lines[0].get_xdata(), [1, 2, 3, 4, 5])
    np.testing.assert_allclose(lines[1].get_ydata(), history["valid_loss"])
    assert [ln.get_linestyle() for ln in lines] == ["-", "--"]
    assert lines[0].get_color() == lines[1].get_color()
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "loss")


def test_plot_history_one_colour_per_term(history):
    ax = plot_history(history, keys=["loss", "train_kl", "valid_kl"], title="t")
    colors = [ln.get_color() for ln in ax.get_lines()]
    assert colors[0] == colors[1] != colors[2] == colors[3]
    assert ax.get_ylabel() == "value"
    assert ax.get_title() == "t"


def test_plot_history_accepts_skorch_style_list(history):
    rows = history.reset_index().to_dict("records")
    ax = plot_history(rows, keys=["kl"])
    assert legend_texts(ax) == ["train kl", "valid kl"]
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), history.index)


def test_plot_history_unknown_key(history):
    with pytest.raises(KeyError, match="perplexity"):
        plot_history(history, keys=["perplexity"])


def test_plot_loss_and_kl_two_panels(history):
    fig = plot_loss_and_kl(history)
    rec, kl = fig.axes
    assert rec.get_title() == "reconstruction"
    assert kl.get_title() == "KL divergence"
    np.testing.assert_allclose(
        rec.get_lines()[0].get_ydata(), history["train_reconstruction"]
    )
    np.testing.assert_allclose(kl.get_lines()[1].get_ydata(), history["valid_kl"])
    assert [ln.get_linestyle() for ln in kl.get_lines()] == ["-", "--"]
    assert all(ax.get_xlabel() == "epoch" for ax in fig.axes)


def test_plot_loss_and_kl_without_kl_or_valid(history):
    ae = history[["train_loss"]]
    fig = plot_loss_and_kl(ae)
    (ax,) = fig.axes
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), history["train_loss"])
    assert line.get_linestyle() == "-"


def test_plot_loss_and_kl_compares_models(history):
    fig = plot_loss_and_kl(
        {"AE": history[["train_loss", "valid_loss"]], "VAE": history}
    )
    rec, kl = fig.axes
    assert legend_texts(rec) == [
        "AE: train loss",
        "AE: valid loss",
        "VAE: train reconstruction",
        "VAE: valid reconstruction",
    ]
    assert legend_texts(kl) == ["VAE: train kl", "VAE: valid kl"]
    ae_color, vae_color = rec.get_lines()[0].get_color(), rec.get_lines()[2].get_color()
    assert ae_color != vae_color
    assert kl.get_lines()[0].get_color() == vae_color
    with pytest.raises(KeyError, match="no reconstruction or loss"):
        plot_loss_and_kl(history[["dur"]])


def test_plot_per_class_bars_heights_and_groups():
    table = pd.DataFrame(
        {
            "latent size": [20, 20, 5, 5, 10, 10],
            "class": ["a", "b", "a", "b", "a", "b"],
            "mse": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        }
    )
    ax = plot_per_class_bars(table, group="latent size", title="MSE")
    # Groups keep their order of appearance; bars are laid out group by group.
    assert legend_texts(ax) == ["20", "5", "10"]
    assert ax.get_legend().get_title().get_text() == "latent size"
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    xs = [p.get_x() + p.get_width() / 2 for p in ax.patches]
    # Class "a"'s three bars sit around x=0, class "b"'s around x=1.
    np.testing.assert_allclose(np.mean(xs[0::2]), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.mean(xs[1::2]), 1.0, atol=1e-12)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("class", "MSE")


def test_plot_per_class_bars_from_per_class_reconstruction(images):
    labels = np.arange(12) % 3
    table = pd.concat(
        {
            "good": per_class_reconstruction(images, images * 0.9, labels),
            "bad": per_class_reconstruction(images, images * 0.5, labels),
        },
        names=["model"],
    )
    ax = plot_per_class_bars(table, metric="psnr")
    assert len(ax.patches) == 6
    assert legend_texts(ax) == ["good", "bad"]
    assert ax.get_ylabel() == "PSNR (dB)"
    good = [p.get_height() for p in ax.patches[:3]]
    np.testing.assert_allclose(good, table.loc["good", "psnr"])


def test_plot_per_class_bars_skips_infinite_scores():
    table = pd.DataFrame({"model": ["m", "m"], "class": [0, 1], "psnr": [np.inf, 12.0]})
    ax = plot_per_class_bars(table, metric="psnr")
    heights = [p.get_height() for p in ax.patches]
    assert np.isnan(heights[0]) and heights[1] == 12.0
    with pytest.raises(KeyError, match="mse"):
        plot_per_class_bars(table)


# files ------------------------------------------------------------------------


def test_save_figure_png(tmp_path, blobs):
    Z, labels = blobs
    ax = plot_embedding(Z, labels)
    fig = ax.figure
    path = save_figure(ax, tmp_path / "embedding.png", dpi=100)
    assert path == tmp_path / "embedding.png"
    width, height = check_png(path)
    assert width > height  # the legend sits beside a roughly square plot
    assert not plt.fignum_exists(fig.number)


def test_save_figure_of_a_figure(tmp_path, images):
    fig = plot_reconstructions(images, images, image_shape=(6, 5), n=8)
    check_png(save_figure(fig, tmp_path / "rec.png"), min_kb=3)


@pytest.fixture
def recorded_frames(monkeypatch):
    """Axis limits and titles at each grabbed animation frame."""
    seen = []
    grab = PillowWriter.grab_frame

    def recording_grab(self, **kwargs):
        fig = self.fig
        ax = fig.axes[-1]  # the scatter, or the animated images
        seen.append(
            {
                "xlim": ax.get_xlim(),
                "ylim": ax.get_ylim(),
                "title": ax.get_title(),
                "suptitle": fig.get_suptitle(),
                "offsets": np.array(ax.collections[0].get_offsets())
                if ax.collections
                else None,
                "image": np.array(ax.images[0].get_array()) if ax.images else None,
            }
        )
        return grab(self, **kwargs)

    monkeypatch.setattr(PillowWriter, "grab_frame", recording_grab)
    return seen


def test_save_animation_fixed_limits_and_titles(tmp_path, blobs, recorded_frames):
    Z, labels = blobs
    frames = [Z[:, :2] * scale + shift for scale, shift in [(0.2, 0), (1, 3), (3, -5)]]
    path = save_animation(frames, tmp_path / "latent.gif", labels=labels, fps=5)
    assert [f["title"] for f in recorded_frames] == ["epoch 1", "epoch 2", "epoch 3"]
    assert len({f["xlim"] for f in recorded_frames}) == 1
    assert len({f["ylim"] for f in recorded_frames}) == 1
    (xmin, xmax), (ymin, ymax) = recorded_frames[0]["xlim"], recorded_frames[0]["ylim"]
    every = np.concatenate(frames)
    assert xmin < every[:, 0].min() and every[:, 0].max() < xmax
    assert ymin < every[:, 1].min() and every[:, 1].max() < ymax
    for frame, Zk in zip(recorded_frames, frames, strict=True):
        np.testing.assert_allclose(np.sort(frame["offsets"], 0), np.sort(Zk, 0))

    with Image.open(path) as im:
        assert im.format == "GIF"
        assert im.n_frames == 3
        assert 300 <= im.size[0] <= 2000 and 300 <= im.size[1] <= 2000
    assert path.stat().st_size > 5 * 1024


def test_save_animation_custom_titles_and_checks(tmp_path, blobs, recorded_frames):
    Z, labels = blobs
    frames = [Z, Z + 1]
    save_animation(frames, tmp_path / "a.gif", titles=["epoch 5", "epoch 10"])
    assert [f["title"] for f in recorded_frames] == ["epoch 5", "epoch 10"]
    with pytest.raises(ValueError, match="titles"):
        save_animation(frames, tmp_path / "b.gif", titles=["one"])
    with pytest.raises(ValueError, match="same number"):
        save_animation([Z, Z[:10]], tmp_path / "c.gif")
    with pytest.raises(ValueError, match="empty"):
        save_animation([], tmp_path / "d.gif")


def test_save_image_animation(tmp_path, images, recorded_frames):
    frames = [images[:6] * k / 4 for k in range(1, 5)]
    path = save_image_animation(
        frames, tmp_path / "rec.gif", image_shape=(6, 5), originals=images[:6]
    )
    assert [f["suptitle"] for f in recorded_frames] == [
        f"epoch {k}" for k in range(1, 5)
    ]
    for frame, images_k in zip(recorded_frames, frames, strict=True):
        np.testing.assert_array_equal(frame["image"][:6, :5], images_k[0].reshape(6, 5))
    with Image.open(path) as im:
        assert im.n_frames == 4
        assert 100 <= im.size[0] <= 2000 and 50 <= im.size[1] <= 2000
    with pytest.raises(ValueError, match="originals"):
        save_image_animation(
            frames, tmp_path / "x.gif", image_shape=(6, 5), originals=images
        )


# bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draw", "match"),
    [
        (lambda X, path: plot_embedding(np.empty((0, 2))), "Z must hold at least one"),
        (
            lambda X, path: plot_image_grid(X[:0], image_shape=(6, 5)),
            "images must hold at least one image",
        ),
        (
            lambda X, path: plot_reconstructions(X[:0], X[:0], image_shape=(6, 5)),
            "X must hold at least one image",
        ),
        (
            lambda X, path: plot_latent_strip(
                X[:0], np.empty((0, 2)), X[:0], image_shape=(6, 5)
            ),
            "X must hold at least one image",
        ),
        (
            lambda X, path: plot_latent_strip(
                X, np.empty((len(X), 0)), X, image_shape=(6, 5)
            ),
            r"at least one column; got shapes .*\(12, 0\)",
        ),
        (lambda X, path: plot_loss_and_kl({}), "history is an empty dict"),
        (
            lambda X, path: plot_per_class_bars(
                pd.DataFrame({"model": [], "class": [], "mse": []})
            ),
            "table has no rows",
        ),
        (
            lambda X, path: save_animation([np.empty((0, 2))], path),
            r"frames\[0\] must hold at least one sample",
        ),
        (
            lambda X, path: save_image_animation([X[:0]], path, image_shape=(6, 5)),
            r"frames\[0\] must hold at least one image",
        ),
    ],
    ids=[
        "embedding",
        "image_grid",
        "reconstructions",
        "latent_strip",
        "latent_strip_no_columns",
        "loss_and_kl",
        "per_class_bars",
        "animation",
        "image_animation",
    ],
)
def test_empty_input_is_rejected(images, tmp_path, draw, match):
    with pytest.raises(ValueError, match=match):
        draw(images, tmp_path / "empty.gif")
    assert not (tmp_path / "empty.gif").exists()


@pytest.mark.parametrize(
    ("labels", "bad"),
    [([0, 2], "2"), ([-1, 0], "-1"), (["a", "b"], "'a'"), ([0.0, 1.5], None)],
    ids=["too_large", "negative", "strings", "continuous"],
)
def test_sequence_class_names_need_labels_that_index_them(tmp_path, labels, bad):
    Z = np.random.RandomState(0).normal(size=(10, 2))
    labels = np.repeat(labels, 5)
    if bad is None:
        # Measurements are shown on a colorbar; class_names does not apply.
        plot_embedding(Z, labels, class_names=["zero", "one"])
        return
    match = rf"integers from 0 to 1 to index class_names.*got label {bad}\."
    with pytest.raises(ValueError, match=match):
        plot_embedding(Z, labels, class_names=["zero", "one"])
    with pytest.raises(ValueError, match=match):
        save_animation([Z], tmp_path / "a.gif", labels=labels, class_names=["z", "o"])


def test_sequence_class_names_accept_whole_float_bool_and_digit_string_labels():
    # fetch_openml("mnist_784") gives the digits as strings.
    Z = np.random.RandomState(0).normal(size=(4, 2))
    for labels in ([1.0, 0.0, 1.0, 0.0], [True, False, True, False], list("1010")):
        ax = plot_embedding(Z, labels, class_names=["zero", "one"])
        assert legend_texts(ax) == ["zero", "one"]


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("n_components", [2, 6])
def test_plot_latent_strip_rejects_non_finite_codes(images, bad, n_components):
    Z = np.random.RandomState(0).normal(size=(12, n_components))
    Z[3, 1] = bad
    with pytest.raises(ValueError, match=r"Z must be finite.*rows \[3\]"):
        plot_latent_strip(images, Z, images, image_shape=(6, 5))


@pytest.mark.parametrize(
    "extent",
    [(-np.inf, 1, -1, 1), (0, 1, np.nan, 1), (0, 1, 0), None, (1, 0, 0, 1)],
)
def test_plot_latent_grid_rejects_bad_extent(extent):
    with pytest.raises(ValueError, match="extent must be four finite numbers"):
        plot_latent_grid(lambda Z: Z, extent=extent, image_shape=(1, 2), n=2)


def test_save_animation_limits_ignore_non_finite_points(tmp_path, recorded_frames):
    Z = np.random.RandomState(0).normal(size=(20, 2))
    drifting = Z.copy()
    drifting[0] = [np.inf, -np.inf]
    frames = [Z, np.full_like(Z, np.nan), drifting]
    save_animation(frames, tmp_path / "a.gif")
    (xmin, xmax), (ymin, ymax) = recorded_frames[0]["xlim"], recorded_frames[0]["ylim"]
    assert np.isfinite([xmin, xmax, ymin, ymax]).all()
    assert xmin < Z[:, 0].min() and Z[:, 0].max() < xmax
    assert xmax - xmin < 2 * np.ptp(Z[:, 0])
    with pytest.raises(ValueError, match="no finite value to draw in column 0"):
        save_animation([np.full_like(Z, np.nan), Z * [np.inf, 1]], tmp_path / "b.gif")


@pytest.mark.parametrize("counts", [[np.nan, 1, 0], [np.inf, 1, 0], [2, -1]])
def test_plot_codebook_usage_rejects_non_finite_or_negative_counts(counts):
    with pytest.raises(ValueError, match="counts must be finite and non-negative"):
        plot_codebook_usage(counts)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("fps", float("nan")),
        ("fps", float("inf")),
        ("fps", 0),
        ("fps", "4"),
        ("dpi", 0),
        ("dpi", -100),
        ("dpi", float("nan")),
    ],
)
def test_animations_check_fps_and_dpi(tmp_path, images, name, value):
    match = rf"{name} must be a positive finite number; got {value!r}"
    Z = np.random.RandomState(0).normal(size=(5, 2))
    with pytest.raises(ValueError, match=match):
        save_animation([Z], tmp_path / "a.gif", **{name: value})
    with pytest.raises(ValueError, match=match):
        save_image_animation(
            [images], tmp_path / "b.gif", image_shape=(6, 5), **{name: value}
        )


@pytest.mark.parametrize("dpi", [0, float("nan")])
def test_save_figure_checks_dpi(tmp_path, dpi):
    with pytest.raises(ValueError, match="dpi must be a positive finite number"):
        save_figure(plt.figure(), tmp_path / "x.png", dpi=dpi)
    assert not (tmp_path / "x.png").exists()


def test_image_shape_must_be_a_tuple(images):
    with pytest.raises(TypeError, match="image_shape must be a tuple.*got 30"):
        plot_image_grid(images, image_shape=30)


@pytest.mark.parametrize(
    "image_shape",
    [(-6, -5), (0, 5), (6.0, 5), (True, 6, 5), (30,), (2, 3, 5), (1, 1, 6, 5)],
)
def test_image_shape_must_hold_positive_ints(images, image_shape):
    match = r"image_shape must be \(height, width\) or \(channels, height, width\)"
    with pytest.raises(ValueError, match=match):
        plot_image_grid(images, image_shape=image_shape)
    with pytest.raises(ValueError, match=match):
        plot_reconstructions(images, images, image_shape=image_shape)


def test_epoch_axes_have_whole_ticks():
    short = pd.DataFrame({"train_loss": [3.0, 2.0, 1.5]}, index=[1, 2, 3])
    ax = plot_history(short)
    ax.figure.canvas.draw()
    ticks = [t for t in ax.get_xticks() if 1 <= t <= 3]
    assert ticks and all(float(t).is_integer() for t in ticks)


def test_plot_history_single_string_key_is_one_key(history):
    ax = plot_history(history, keys="kl")
    assert legend_texts(ax) == ["train kl", "valid kl"]


# clear errors for bad input -------------------------------------------------


def test_mixed_labels_are_rejected_by_name(tmp_path, blobs):
    Z, labels = blobs
    mixed = labels.astype(object)
    mixed[0] = None
    match = r"labels must hold labels of one comparable type.*NoneType, int"
    with pytest.raises(TypeError, match=match):
        plot_embedding(Z, mixed)
    with pytest.raises(TypeError, match=match):
        save_animation([Z], tmp_path / "a.gif", labels=mixed)
    assert not (tmp_path / "a.gif").exists()


def test_sparse_embeddings_are_rejected(tmp_path, images):
    sparse = pytest.importorskip("scipy.sparse")
    Z = sparse.csr_matrix(np.eye(12, 2))
    match = r"Sparse data was passed for {}, but dense data is required"
    with pytest.raises(TypeError, match=match.format("Z")):
        plot_embedding(Z)
    with pytest.raises(TypeError, match=match.format("Z")):
        plot_latent_strip(images, Z, images, image_shape=(6, 5))
    with pytest.raises(TypeError, match=match.format(r"frames\[0\]")):
        save_animation([Z], tmp_path / "a.gif")


def test_plot_history_rejects_none_and_non_string_columns(history):
    with pytest.raises(TypeError, match="history must be a DataFrame.*got NoneType"):
        plot_history(None)
    numbered = history.set_axis(range(history.shape[1]), axis=1)
    with pytest.raises(TypeError, match=r"str column names.*got 0 \(int\)"):
        plot_history(numbered, keys=[0])


def test_save_figure_rejects_a_non_figure(tmp_path):
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure or Axes"):
        save_figure(None, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("counts", [["10", "0", "3"], ["a", "b"], [1, None]])
def test_plot_codebook_usage_rejects_non_numeric_counts(counts):
    with pytest.raises(TypeError, match="counts must hold numbers"):
        plot_codebook_usage(counts)


def test_save_figure_dpi_figure_uses_the_figures_own_dpi(tmp_path):
    sizes = []
    for dpi in (50, 100):
        fig, ax = plt.subplots(figsize=(4, 3), dpi=dpi)
        ax.plot([0, 1], [0, 1])
        path = save_figure(fig, tmp_path / f"{dpi}.png", dpi="figure")
        with Image.open(path) as im:
            sizes.append(im.size[0])
    assert 1.8 < sizes[1] / sizes[0] < 2.2
    with pytest.raises(ValueError, match="dpi must be a positive finite number"):
        save_figure(plt.figure(), tmp_path / "x.png", dpi="screen")


@pytest.mark.parametrize(
    ("labels", "class_names", "error"),
    [
        ([None, 1, 2] * 40, None, TypeError),
        (np.repeat([0, 1, 5], 40), ["a", "b", "c"], ValueError),
    ],
)
def test_rejected_calls_leave_no_figure_open(
    tmp_path, blobs, labels, class_names, error
):
    Z, _ = blobs
    images = np.random.RandomState(0).rand(120, 4)
    before = plt.get_fignums()
    with pytest.raises(error, match="labels"):
        plot_embedding(Z, np.array(labels, dtype=object), class_names=class_names)
    with pytest.raises(error, match="labels"):
        save_animation([Z], tmp_path / "a.gif", labels=labels, class_names=class_names)
    if error is TypeError:
        with pytest.raises(TypeError, match="labels"):
            plot_latent_strip(
                images, Z[:, :2], images, image_shape=(2, 2), labels=labels
            )
    assert plt.get_fignums() == before


DOLLAR_NAMES = ["range_$5_to_$10", "$0-$50", "a $ b", "$x$"]


def shown(text):
    """What matplotlib draws for a Text: its string after maths parsing."""
    rendered, is_math = text._preprocess_math(text.get_text())
    return None if is_math else rendered


def test_labels_with_dollar_signs_are_shown_verbatim():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(40, 2))
    labels = np.array(DOLLAR_NAMES * 10)
    ax = plot_embedding(Z, labels)
    ax.figure.canvas.draw()  # the maths parser crashed on range_$5_to_$10
    assert sorted(shown(t) for t in ax.get_legend().get_texts()) == sorted(DOLLAR_NAMES)
    table = pd.DataFrame(
        {"class": DOLLAR_NAMES * 2, "$group": ["$dae"] * 4 + ["v$ae"] * 4, "mse": 1.0}
    )
    ax = plot_per_class_bars(table, group="$group")
    ax.figure.canvas.draw()
    assert sorted(shown(t) for t in ax.get_xticklabels()) == sorted(DOLLAR_NAMES)
    assert [shown(t) for t in ax.get_legend().get_texts()] == ["$dae", "v$ae"]
    assert shown(ax.get_legend().get_title()) == "$group"
    history = pd.DataFrame({"train_$cost$": [1.0, 0.5]}, index=[1, 2])
    ax = plot_history(history, keys="$cost$")
    ax.figure.canvas.draw()
    assert shown(ax.get_legend().get_texts()[0]) == "train $cost$"
    assert shown(ax.yaxis.label) == "$cost$"


def test_long_class_names_do_not_shrink_the_plot():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(60, 2))
    names = [f"a_very_long_class_name_of_42_characters_{i:02d}" for i in range(6)]
    assert len(names[0]) == 42
    widths = []
    for labels in (np.arange(60) % 6, np.array(names * 10)):
        ax = plot_embedding(Z, labels)
        fig = ax.figure
        fig.canvas.draw()
        tight = fig.get_tightbbox(fig.canvas.get_renderer())
        # The share of the saved figure (bbox_inches="tight") the plot takes.
        widths.append(ax.get_window_extent().width / (tight.width * fig.dpi))
    assert widths[1] > 0.75 * widths[0]
    # Each name is still told apart by its start and end.
    texts = [shown(t) for t in ax.get_legend().get_texts()]
    assert len(set(texts)) == 6
    assert all(t.endswith(f"_{i:02d}") for i, t in enumerate(texts))


def test_plot_latent_grid_refuses_a_huge_n_before_allocating():
    calls = []
    match = "n=1000000 asks for a mosaic .* n=1024 or less"
    with pytest.raises(ValueError, match=match):
        plot_latent_grid(
            lambda Z: calls.append(1), extent=(0, 1, 0, 1), n=10**6, image_shape=(8, 8)
        )
    assert calls == []


def test_bars_and_curves_take_a_colour_per_model():
    table = pd.DataFrame(
        {"model": ["a", "a", "b", "b"], "class": [0, 1, 0, 1], "mse": [1, 2, 3, 4.0]}
    )
    ax = plot_per_class_bars(table, colors={"b": "#00ff00"})
    faces = [to_rgba(p.get_facecolor()) for p in ax.patches]
    assert faces[2:] == [to_rgba("#00ff00")] * 2
    assert faces[0] == to_rgba(plt.get_cmap("tab10").colors[0])  # the default
    epoch = pd.Index([1, 2], name="epoch")
    history = pd.DataFrame({"train_loss": [2.0, 1.0]}, index=epoch)
    fig = plot_loss_and_kl({"a": history, "b": history}, colors={"a": "#ff0000"})
    lines = {line.get_label(): line.get_color() for line in fig.axes[0].get_lines()}
    assert to_rgba(lines["a: train loss"]) == to_rgba("#ff0000")
    assert to_rgba(lines["b: train loss"]) != to_rgba("#ff0000")
    with pytest.raises(TypeError, match="colors must be a dict"):
        plot_per_class_bars(table, colors="red")
    plt.close("all")
