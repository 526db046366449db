"""The estimators under Dask's own APIs: Incremental, map_blocks, ParallelPostFit."""

import numpy as np
import pandas as pd
import pytest
from conftest import TINY
from sklearn.model_selection import GridSearchCV

from aembed import DenoisingAEEmbedder, VAEEmbedder

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
wrappers = pytest.importorskip("dask_ml.wrappers")

FAST = TINY


@pytest.fixture
def memmapped(digit_rows, tmp_path):
    out = np.lib.format.open_memmap(
        tmp_path / "X.npy", mode="w+", dtype=np.float32, shape=digit_rows.shape
    )
    out[:] = digit_rows
    out.flush()
    return da.from_array(np.load(tmp_path / "X.npy", mmap_mode="r"), chunks=(100, -1))


@pytest.fixture(autouse=True)
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


def test_incremental_trains_block_by_block_through_partial_fit(digit_rows, memmapped):
    inc = wrappers.Incremental(DenoisingAEEmbedder(**FAST), shuffle_blocks=False)
    inc.fit(memmapped)
    est = inc.estimator_
    assert est.n_iter_ == 4 and est.n_samples_seen_ == len(digit_rows)
    by_hand = DenoisingAEEmbedder(**FAST)
    for block in np.split(digit_rows, 4):
        by_hand.partial_fit(block)
    np.testing.assert_array_equal(
        est.transform(digit_rows), by_hand.transform(digit_rows)
    )
    # More passes: Incremental.partial_fit, one pass over the blocks per call.
    inc.partial_fit(memmapped)
    assert inc.estimator_.n_iter_ == 8


def test_map_blocks_transform_equals_in_memory(digit_rows, memmapped):
    est = VAEEmbedder(max_epochs=2, **FAST).fit(digit_rows)
    lazy = memmapped.map_blocks(
        est.transform,
        chunks=(memmapped.chunks[0], (est.n_components,)),
        dtype=np.float32,
    )
    assert lazy.shape == (400, 2)
    np.testing.assert_allclose(lazy.compute(), est.transform(digit_rows), atol=1e-6)
    # the estimator's own transform of a Dask array computes it
    np.testing.assert_allclose(est.transform(memmapped), est.transform(digit_rows))


def test_parallel_post_fit_transform_equals_in_memory(digit_rows, memmapped):
    wrapped = wrappers.ParallelPostFit(DenoisingAEEmbedder(max_epochs=2, **FAST))
    wrapped.fit(digit_rows)
    out = wrapped.transform(memmapped).compute()
    np.testing.assert_allclose(out, wrapped.estimator.transform(digit_rows), atol=1e-6)


def test_dask_dataframe_transform_keeps_names(digit_rows):
    frame = pd.DataFrame(digit_rows, columns=[f"px{i}" for i in range(64)])
    est = DenoisingAEEmbedder(max_epochs=2, **FAST).set_output(transform="pandas")
    est.fit(frame)
    ddf = dd.from_pandas(frame, npartitions=4)
    out = ddf.map_partitions(est.transform).compute()
    expected = est.transform(frame)
    assert list(out.columns) == ["denoisingaeembedder0", "denoisingaeembedder1"]
    pd.testing.assert_frame_equal(out, expected, atol=1e-6)
    post = wrappers.ParallelPostFit(est).fit(frame).transform(ddf).compute()
    pd.testing.assert_frame_equal(post, expected, atol=1e-6)


@pytest.mark.slow
def test_on_a_local_cluster_of_two_processes(digit_rows, memmapped):
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_backend

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            worker_dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster, timeout="60s") as client,
        dask.config.set(scheduler=client.get),
    ):
        X = da.from_array(digit_rows, chunks=(100, -1))
        inc = wrappers.Incremental(DenoisingAEEmbedder(**FAST), shuffle_blocks=False)
        inc.fit(X)
        local = DenoisingAEEmbedder(**FAST)
        for block in np.split(digit_rows, 4):
            local.partial_fit(block)
        np.testing.assert_allclose(
            inc.estimator_.transform(digit_rows), local.transform(digit_rows), atol=1e-6
        )
        lazy = X.map_blocks(
            local.transform, chunks=(X.chunks[0], (2,)), dtype=np.float32
        )
        np.testing.assert_allclose(
            lazy.compute(), local.transform(digit_rows), atol=1e-6
        )
        search = GridSearchCV(
            DenoisingAEEmbedder(max_epochs=2, **FAST),
            {"n_components": [2, 4]},
            cv=2,
        )
        with parallel_backend("dask"):
            search.fit(digit_rows)
        serial = GridSearchCV(
            DenoisingAEEmbedder(max_epochs=2, **FAST), {"n_components": [2, 4]}, cv=2
        ).fit(digit_rows)
        np.testing.assert_allclose(
            search.cv_results_["mean_test_score"],
            serial.cv_results_["mean_test_score"],
            rtol=1e-5,
        )
