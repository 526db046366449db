"""Fits side by side in worker processes give what one process gives."""

import re

import numpy as np
import pandas as pd
import pytest
import torch

from aembed.compare import fit_method, make_method
from aembed.compare._pool import FitPool, Task, n_workers
from aembed.datasets import load_dataset
from aembed.report import run_report


@pytest.fixture(scope="module")
def digits_bunch():
    return load_dataset("digits")


def test_a_pooled_report_equals_one_in_one_process(digits_bunch, tmp_path):
    # Every number but the times: the trained maps (the teacher mode, with its
    # layout and augmentation), the sweep's models, t-SNE, UMAP and PCA.
    methods = ["pca", "dae", "vae-nb", "tsne", "umap"]
    kwargs = dict(methods=methods, max_epochs=2, sweep_sizes=(2, 5), verbose=0)
    one = run_report(digits_bunch, tmp_path / "one", n_jobs=1, **kwargs)
    pooled = run_report(digits_bunch, tmp_path / "pooled", n_jobs=2, **kwargs)
    timed = one["metric"].isin(["fit_time", "transform_time"])
    pd.testing.assert_frame_equal(one[~timed], pooled[~timed])
    for name in ("latent_sweep.csv", "per_class.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(tmp_path / "one" / name),
            pd.read_csv(tmp_path / "pooled" / name),
        )
    # The animations' recorded embeddings came back from the workers.
    frames = [
        re.findall(
            r'class="anim-data">(.*?)</script>',
            (tmp_path / d / "index.html").read_text(),
        )
        for d in ("one", "pooled")
    ]
    assert len(frames[1]) == 2 and frames[0] == frames[1]


def test_a_pool_counts_every_epoch_and_raises_worker_warnings(digit_pixels):
    class Bar:  # what the pool uses of a tqdm bar
        n = 0

        def update(self, steps):
            self.n += steps

    X, y = digit_pixels
    data = dict(X_train=X[:200], X_test=X[200:], y_train=y[:200], y_test=y[200:])
    tasks = [
        Task("vae", "vae", {"max_epochs": 3, "kl_warmup_epochs": 5}),
        Task(("sweep", 3), "dae", {"max_epochs": 4, "n_components": 3}, score=False),
    ]
    bar = Bar()
    with pytest.warns(Warning, match="kl_warmup_epochs"):
        got = {k: (r, rows) for k, r, rows in FitPool(data, 2, progress=bar).run(tasks)}
    assert bar.n == 7
    fitted, rows = got["vae"]
    assert fitted.Z_test.shape == (100, 2) and rows[0]["method"] == "vae"
    estimator, rows = got[("sweep", 3)]
    assert rows is None and estimator.transform(X).shape == (300, 3)
    # The progress callback came back inert: a refit counts nothing.
    estimator.set_params(max_epochs=1).fit(X)


def test_the_workers_share_the_cores_out():
    assert n_workers(None, 5) == (1, None)
    assert n_workers(1, 5) == (1, None)
    assert n_workers(3, 5) == (3, 1)
    assert n_workers(8, 2) == (2, 1)
    assert n_workers(2, 1) == (1, None)
    assert n_workers(4, 5, device="cuda") == (1, None)
    workers, threads = n_workers(-1, 100)
    assert threads == 1 and workers >= 1


@pytest.mark.parametrize("n_jobs", [0, 1.5, "2", True])
def test_a_bad_n_jobs_is_refused_before_any_fitting(digits_bunch, tmp_path, n_jobs):
    with pytest.raises(ValueError, match="n_jobs must be a non-zero integer"):
        run_report(digits_bunch, tmp_path / "r", methods=["pca"], n_jobs=n_jobs)
    assert not (tmp_path / "r").exists()


def test_maps_do_not_depend_on_the_thread_count(digit_pixels):
    # The teacher layout takes powers of a whole tensor of edges, and the
    # neighbour search meets tied distances (grey levels are integers):
    # neither may change with the number of threads, nor may t-SNE.
    X, _ = digit_pixels
    before = torch.get_num_threads()
    maps, tsne = [], []
    try:
        for n_threads in (1, 3):
            torch.set_num_threads(n_threads)
            est = make_method("dae-nb", max_epochs=2, augment=(8, 8))
            maps.append(est.fit(X).transform(X))
            tsne.append(
                fit_method("tsne", make_method("tsne"), X[:200], X[200:]).Z_train
            )
    finally:
        torch.set_num_threads(before)
    np.testing.assert_array_equal(maps[0], maps[1])
    np.testing.assert_array_equal(tsne[0], tsne[1])
