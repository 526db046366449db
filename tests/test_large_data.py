"""partial_fit, out-of-core fit and transform, and the Dask recipes."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import TINY
from skorch.callbacks import Callback

import aembed._streaming as streaming
from aembed import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder
from aembed._scaling import ColumnStats
from aembed.utils import all_estimators

ESTIMATORS = [cls for _, cls in all_estimators()]
FAST = TINY


@pytest.fixture
def stream_everything(monkeypatch):
    """Stream every out-of-core array, in blocks of 64 rows of digit_rows."""
    monkeypatch.setattr(streaming, "STREAM_ABOVE_BYTES", 0)
    monkeypatch.setattr(streaming, "BLOCK_BYTES", 64 * 64 * 4)


def memmap_of(X, path):
    out = np.lib.format.open_memmap(path, mode="w+", dtype=X.dtype, shape=X.shape)
    out[:] = X
    out.flush()
    return np.load(path, mmap_mode="r")


# -- partial_fit ----------------------------------------------------------------


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_partial_fit_counts_passes_and_rows(cls, digit_rows):
    est = cls(**FAST)
    blocks = np.array_split(digit_rows, 4)
    for _ in range(3):
        for block in blocks:
            est.partial_fit(block, ("", 0))  # Dask's placeholder y is ignored
    assert est.n_iter_ == 12 and len(est.history_) == 12
    assert est.n_samples_seen_ == 3 * len(digit_rows)
    losses = est.history_["train_loss"].to_numpy()
    assert losses[-4:].mean() < losses[:4].mean()


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_partial_fit_passes_equal_fit_epochs(cls, digit_rows):
    # One call is one shuffled epoch with the optimizer's state kept: two
    # calls train exactly as a two-epoch fit at partial_fit's constant rate.
    fitted = cls(max_epochs=2, lr_schedule=None, **FAST).fit(digit_rows)
    incremental = cls(**FAST).partial_fit(digit_rows).partial_fit(digit_rows)
    np.testing.assert_array_equal(
        fitted.transform(digit_rows), incremental.transform(digit_rows)
    )


def test_partial_fit_freezes_the_first_blocks_scaling(digit_rows):
    est = DenoisingAEEmbedder(**FAST).partial_fit(digit_rows[:200])
    offset, scale = est.input_offset_.copy(), est.input_scale_.copy()
    est.partial_fit(digit_rows[200:] * 0.5)
    np.testing.assert_array_equal(est.input_offset_, offset)
    np.testing.assert_array_equal(est.input_scale_, scale)
    with pytest.raises(ValueError, match="keep the input scaling .* outside"):
        est.partial_fit(digit_rows[200:] * 4)


def test_partial_fit_checks_later_blocks_against_the_first(digit_rows):
    est = DenoisingAEEmbedder(**FAST).partial_fit(digit_rows)
    with pytest.raises(ValueError, match="X has 10 features, but .* expecting 64"):
        est.partial_fit(digit_rows[:, :10])
    assert est.n_iter_ == 1


def test_partial_fit_continues_a_fit(digit_rows):
    est = DenoisingAEEmbedder(max_epochs=3, **FAST).fit(digit_rows)
    before = est.transform(digit_rows)
    est.partial_fit(digit_rows)
    assert est.n_iter_ == 4 and est.n_samples_seen_ == 2 * len(digit_rows)
    assert not np.array_equal(est.transform(digit_rows), before)
    # and fit starts afresh
    assert DenoisingAEEmbedder(max_epochs=3, **FAST).fit(digit_rows).n_iter_ == 3
    assert est.fit(digit_rows).n_iter_ == 3


class InterruptMidEpoch(Callback):
    def __init__(self, at_call):
        self.at_call = at_call
        self.calls = 0

    def on_train_begin(self, net, **kwargs):
        self.calls += 1

    def on_batch_end(self, net, **kwargs):
        if self.calls == self.at_call:
            raise KeyboardInterrupt


def test_interrupted_partial_fit_leaves_the_model_as_before(digit_rows):
    est = DenoisingAEEmbedder(callbacks=[InterruptMidEpoch(2)], **FAST)
    est.partial_fit(digit_rows)
    before = est.transform(digit_rows)
    with pytest.raises(KeyboardInterrupt):
        est.partial_fit(digit_rows)
    assert est.n_iter_ == 1 and est.n_samples_seen_ == len(digit_rows)
    np.testing.assert_array_equal(est.transform(digit_rows), before)
    est.partial_fit(digit_rows)  # and training goes on
    assert est.n_iter_ == 2

    first = DenoisingAEEmbedder(callbacks=[InterruptMidEpoch(1)], **FAST)
    with pytest.raises(KeyboardInterrupt):
        first.partial_fit(digit_rows)
    assert not hasattr(first, "net_") and not hasattr(first, "n_features_in_")


def test_partial_fit_with_the_neighbour_term_uses_each_block(digit_rows):
    est = DenoisingAEEmbedder(neighbor_weight=0.5, n_neighbors=5, **FAST)
    with pytest.warns(UserWarning, match="graph of each block"):
        est.partial_fit(digit_rows[:40])
    est.partial_fit(digit_rows[:200]).partial_fit(digit_rows[200:])
    assert "train_neighbor" in est.history_ and est.n_iter_ == 3
    assert est.net_.neighbor_term_ is None  # no data kept in the fitted net


# -- out-of-core fit and transform ------------------------------------------------


def test_small_memmaps_are_loaded_like_arrays(digit_rows, tmp_path):
    mm = memmap_of(digit_rows, tmp_path / "X.npy")
    assert not streaming.is_out_of_core(mm)
    a = DenoisingAEEmbedder(max_epochs=2, **FAST).fit(digit_rows)
    b = DenoisingAEEmbedder(max_epochs=2, **FAST).fit(mm)
    np.testing.assert_array_equal(a.transform(digit_rows), b.transform(mm))


def test_column_statistics_merge_blocks_exactly():
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(1000, 5)) * [1, 10, 100, 1e-3, 1e4] + 7).astype(np.float32)
    whole = ColumnStats.of(X)
    np.testing.assert_array_equal(whole.mean, X.mean(axis=0, dtype=np.float64))
    np.testing.assert_array_equal(np.sqrt(whole.var), X.std(axis=0, dtype=np.float64))
    merged = ColumnStats(5)
    for start in range(0, 1000, 137):
        merged.update(X[start : start + 137])
    np.testing.assert_allclose(merged.mean, whole.mean, rtol=1e-12)
    np.testing.assert_allclose(merged.var, whole.var, rtol=1e-10)
    np.testing.assert_array_equal(merged.min, X.min(0))
    np.testing.assert_array_equal(merged.max, X.max(0))


class ReadSpy:
    """Wraps a reader's ``read`` to record the rows of every read."""

    def __init__(self, monkeypatch):
        self.reads = []
        original = streaming.BlockReader.read

        def read(reader, start, stop, out=None):
            self.reads.append(stop - start)
            return original(reader, start, stop, out)

        monkeypatch.setattr(streaming.BlockReader, "read", read)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_out_of_core_fit_reads_blocks_only(
    cls, digit_rows, tmp_path, stream_everything, monkeypatch
):
    X = digit_rows * 16  # pixels in [0, 256]: scaled by the streamed statistics
    mm = memmap_of(X, tmp_path / "X.npy")
    assert streaming.is_out_of_core(mm)
    spy = ReadSpy(monkeypatch)
    est = cls(max_epochs=2, **FAST).fit(mm)
    assert max(spy.reads) == 64  # never more than a block at a time
    # one statistics pass and two epochs, each reading every row once (and
    # the VQ-VAE's labels_ of the training rows)
    assert sum(spy.reads) == (4 if cls is VQVAEEmbedder else 3) * len(X)
    in_memory = cls(max_epochs=2, **FAST).fit(X)
    assert est.scaling_ == in_memory.scaling_ == "minmax"
    np.testing.assert_allclose(est.input_scale_, in_memory.input_scale_)
    assert est.n_samples_seen_ == len(X) and est.n_iter_ == 2
    # transform streams as well and equals the in-memory transform
    spy.reads.clear()
    Z = est.transform(mm)
    assert max(spy.reads) == 64
    np.testing.assert_allclose(Z, est.transform(X), rtol=1e-5, atol=1e-6)
    assert est.score(mm) == pytest.approx(est.score(X), rel=1e-6)
    np.testing.assert_allclose(
        est.reconstruct(mm), est.reconstruct(X), rtol=1e-5, atol=1e-4
    )


def test_out_of_core_standard_scaling_matches_in_memory(tmp_path, stream_everything):
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(500, 6)) * [1, 5, 50, 1, 2, 3] - 4).astype(np.float32)
    est = DenoisingAEEmbedder(max_epochs=1, **FAST).fit(
        memmap_of(X, tmp_path / "X.npy")
    )
    assert est.scaling_ == "standard"
    np.testing.assert_allclose(est.input_offset_, X.mean(0), rtol=1e-5)
    np.testing.assert_allclose(est.input_scale_, X.std(0), rtol=1e-5)


def test_out_of_core_values_are_checked_before_training(
    digit_rows, tmp_path, stream_everything
):
    X = digit_rows.copy()
    X[300, 5] = np.nan
    spy = []

    class Spy(Callback):
        def on_train_begin(self, net, **kwargs):
            spy.append(True)

    with pytest.raises(ValueError, match=r"NaN or infinity \(in rows 256 to 319\)"):
        DenoisingAEEmbedder(callbacks=[Spy()], **FAST).fit(
            memmap_of(X, tmp_path / "X.npy")
        )
    assert not spy


def test_out_of_core_fit_refuses_the_neighbour_term(
    digit_rows, tmp_path, stream_everything
):
    mm = memmap_of(digit_rows, tmp_path / "X.npy")
    with pytest.raises(ValueError, match="needs the training rows in memory"):
        DenoisingAEEmbedder(neighbor_weight=1.0, **FAST).fit(mm)


def test_out_of_core_early_stopping_validates_on_whole_blocks(
    digit_rows, tmp_path, stream_everything
):
    est = VAEEmbedder(max_epochs=3, early_stopping=True, **FAST)
    est.fit(memmap_of(digit_rows, tmp_path / "X.npy"))
    assert est.history_["valid_loss"].notna().all() and est.n_iter_ == 3


def test_out_of_core_fit_is_deterministic(digit_rows, tmp_path, stream_everything):
    mm = memmap_of(digit_rows, tmp_path / "X.npy")
    a = DenoisingAEEmbedder(max_epochs=2, **FAST).fit(mm).transform(digit_rows)
    b = DenoisingAEEmbedder(max_epochs=2, **FAST).fit(mm).transform(digit_rows)
    np.testing.assert_array_equal(a, b)


def test_memmap_views_are_read_at_the_right_rows(digit_rows, tmp_path):
    mm = memmap_of(digit_rows, tmp_path / "X.npy")
    reader = streaming.BlockReader(mm[100:300], block_bytes=50 * 64 * 4)
    assert reader._file is not None  # read with plain file reads
    np.testing.assert_array_equal(
        np.concatenate([b for _, b in reader.blocks()]), digit_rows[100:300]
    )
    # a view that skips rows is read through the map
    skipping = streaming.BlockReader(mm[::2])
    assert skipping._file is None
    np.testing.assert_array_equal(skipping.read(0, 10), digit_rows[::2][:10])


def test_zarr_and_hdf5_inputs(digit_rows, tmp_path, stream_everything):
    zarr = pytest.importorskip("zarr")
    h5py = pytest.importorskip("h5py")
    z = zarr.create_array(
        store=str(tmp_path / "X.zarr"),
        shape=digit_rows.shape,
        chunks=(50, 64),
        dtype="f4",
    )
    z[:] = digit_rows
    with h5py.File(tmp_path / "X.h5", "w") as f:
        f.create_dataset("X", data=digit_rows, chunks=(50, 64))
    reference = DenoisingAEEmbedder(max_epochs=1, **FAST).fit(digit_rows)
    with h5py.File(tmp_path / "X.h5", "r") as f:
        for X in (z, f["X"]):
            assert streaming.is_out_of_core(X)
            reader = streaming.BlockReader(X, block_bytes=64 * 64 * 4)
            assert reader.block_rows == 50  # whole storage chunks
            est = DenoisingAEEmbedder(max_epochs=1, **FAST).fit(X)
            assert est.n_features_in_ == 64 and est.n_iter_ == 1
            np.testing.assert_allclose(est.input_scale_, reference.input_scale_)
            np.testing.assert_allclose(
                reference.transform(X),
                reference.transform(digit_rows),
                rtol=1e-5,
                atol=1e-6,
            )


PEAK_MEMORY = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    import aembed._streaming as streaming
    from aembed import DenoisingAEEmbedder

    X = np.load(sys.argv[1], mmap_mode="r")
    streaming.STREAM_ABOVE_BYTES = 0
    streaming.BLOCK_BYTES = 8 * 2**20
    params = dict(max_epochs=1, hidden_layer_sizes=(8,), batch_size=4096, tol=None,
                  random_state=0)
    # PyTorch's own first allocations are not the data's.
    DenoisingAEEmbedder(**params).fit(np.asarray(X[:5000]))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    est = DenoisingAEEmbedder(**params).fit(X)
    Z = est.transform(X)
    # slices of the map, as a loop or dask_ml's Incremental hands them over
    streaming.STREAM_ABOVE_BYTES = 2**30
    for start in range(0, len(X), 25_000):
        est.partial_fit(X[start : start + 25_000])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(peak - before)
    """
)


def test_out_of_core_memory_stays_bounded(tmp_path):
    # 400 MB on disk; fit, transform and partial_fit over slices must not
    # hold it in memory (through the map, it would all become resident).
    path = tmp_path / "big.npy"
    X = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(500_000, 200)
    )
    rng = np.random.default_rng(0)
    for start in range(0, len(X), 100_000):
        X[start : start + 100_000] = rng.random((100_000, 200), dtype=np.float32)
    X.flush()
    del X
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=True,
    )
    grown_mb = float(out.stdout.split()[-1])
    assert grown_mb < 120, out.stdout


def test_import_aembed_does_not_import_the_engines():
    code = (
        "import sys, aembed; "
        "print(sorted(m for m in ('dask', 'distributed', 'dask_ml', 'zarr', 'h5py', "
        "'pynndescent', 'accelerate') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
