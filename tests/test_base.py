"""Behaviour shared by every estimator through the base class."""

import threading
import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import (
    BatchScoring,
    Callback,
    Checkpoint,
    EarlyStopping,
    EpochScoring,
    PassthroughScoring,
)

import aembed
from aembed import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder
from aembed._inference import MIN_INFERENCE_BATCH as _MIN_INFERENCE_BATCH
from aembed._scaling import apply_scaling, fit_scaling, undo_scaling
from aembed.utils import all_estimators
from conftest import FAST

ESTIMATORS = [cls for _, cls in all_estimators()]


class TrainingSpy(Callback):
    """Records whether training started."""

    def __init__(self):
        self.started = False

    def on_train_begin(self, net, **kwargs):
        self.started = True


# -- bad input ---------------------------------------------------------------


BAD_FIT_INPUT = [
    (np.array([[1.0, np.nan], [2.0, 3.0]]), ValueError, "NaN"),
    (np.array([[1.0, np.inf], [2.0, 3.0]]), ValueError, "infinity"),
    (np.array([["a", "b"], ["c", "d"]]), ValueError, "convert string to float"),
    (np.empty((0, 4)), ValueError, "0 sample"),
    (np.zeros((4, 3, 2)), ValueError, "dim 3"),
    (np.zeros(4), ValueError, "Expected 2D array"),
]


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize(("X", "error", "match"), BAD_FIT_INPUT)
def test_bad_fit_input_is_named_before_training(cls, X, error, match):
    spy = TrainingSpy()
    with pytest.raises(error, match=match):
        cls(callbacks=[spy], **FAST).fit(X)
    assert not spy.started


BAD_PARAMS = [
    ({"n_components": 0}, "n_components"),
    ({"n_components": "two"}, "n_components"),
    ({"batch_size": 0}, "batch_size"),
    ({"max_epochs": 0}, "max_epochs"),
    ({"lr": -1.0}, "lr"),
    ({"device": "tpu"}, "device"),
    ({"scaling": "log"}, "scaling"),
    ({"validation_fraction": 1.0}, "validation_fraction"),
    ({"hidden_layer_sizes": (16, 0)}, "hidden_layer_sizes"),
    ({"image_shape": (3, 3)}, "image_shape"),
    ({"image_shape": (2, 0, 4)}, "image_shape"),
    ({"weight_decay": 1e3}, "lr \\* weight_decay must be below 1"),
]


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize(("params", "match"), BAD_PARAMS)
def test_invalid_parameters_are_named_before_training(cls, params, match, digits):
    X, _ = digits
    spy = TrainingSpy()
    with pytest.raises(ValueError, match=match):
        cls(callbacks=[spy], **{**FAST, **params}).fit(X)
    assert not spy.started


NOT_SEQUENCES = [
    {"hidden_layer_sizes": {16: 1}},
    {"hidden_layer_sizes": {16, 8}},
    {"hidden_layer_sizes": np.array([[16]])},
    {"image_shape": {8: 8}},
]


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("params", NOT_SEQUENCES)
def test_sizes_must_be_sequences(cls, params, digits):
    # sklearn's "array-like" admits dicts and sets; their saved files did
    # not load.
    (name,) = params
    spy = TrainingSpy()
    with pytest.raises(TypeError, match=f"{name} must be a tuple or list"):
        cls(callbacks=[spy], **{**FAST, **params}).fit(digits[0])
    assert not spy.started


@pytest.mark.parametrize(
    ("cls", "params"),
    [
        (DenoisingAEEmbedder, {"hidden_layer_sizes": (10**9,)}),
        (VAEEmbedder, {"n_components": 10**9}),
        (VQVAEEmbedder, {"n_codes": 10**11}),
    ],
)
def test_a_network_too_large_for_memory_is_refused_before_allocating(
    cls, params, digits
):
    with pytest.raises(MemoryError, match="network .* needs at least .* GiB"):
        cls(**{**FAST, **params}).fit(digits[0])


BOOLEAN_SIZES = [
    {"n_components": True},
    {"batch_size": True},
    {"hidden_layer_sizes": (True,)},
    {"image_shape": (True, 64)},
]


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("params", BOOLEAN_SIZES)
def test_booleans_are_not_taken_for_sizes(cls, params, digits):
    # sklearn's Integral constraint admits bools; PyTorch would not.
    (name,) = params
    with pytest.raises(TypeError, match=f"{name} must"):
        cls(**{**FAST, **params}).fit(digits[0])


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_numpy_scalars_work_as_parameters(cls, digits):
    # As GridSearchCV passes them from np.arange or np.array grids.
    X, _ = digits
    emb = cls(
        **{**FAST, "n_components": np.int64(3), "batch_size": np.int32(64)},
        mixed_precision=np.bool_(False),
    )
    assert emb.fit(X).transform(X).shape == (len(X), 3)


@pytest.mark.parametrize(
    "callbacks", [[1], [("spy", "not a callback")], [(1, Callback())]]
)
def test_callbacks_that_are_not_callbacks_are_named(callbacks, digits):
    with pytest.raises(TypeError, match="callbacks must hold skorch Callback"):
        DenoisingAEEmbedder(callbacks=callbacks, **FAST).fit(digits[0])


def test_callbacks_may_be_named_by_tuples_or_lists(digits):
    # skorch accepts both forms of a (name, callback) pair.
    spies = [TrainingSpy(), TrainingSpy()]
    callbacks = [("tuple_spy", spies[0]), ["list_spy", spies[1]]]
    DenoisingAEEmbedder(callbacks=callbacks, **FAST).fit(digits[0])
    assert all(spy.started for spy in spies)


def test_skorch_checkpoint_on_the_training_loss(tmp_path, digits):
    checkpoint = Checkpoint(monitor="train_loss_best", dirname=str(tmp_path))
    est = DenoisingAEEmbedder(callbacks=[checkpoint], **FAST).fit(digits[0])
    flags = [row["train_loss_best"] for row in est.net_.history]
    losses = est.history_["train_loss"].to_numpy()
    assert flags == [
        bool(loss < losses[:i].min(initial=np.inf)) for i, loss in enumerate(losses)
    ]
    assert (tmp_path / "params.pt").exists()
    assert "train_loss_best" not in est.history_  # skorch's flags stay in the net


def test_skorch_early_stopping_on_the_validation_loss(digits):
    stopper = EarlyStopping(patience=1, threshold=1e9)  # never improves enough
    est = DenoisingAEEmbedder(
        callbacks=[stopper], early_stopping=True, **{**FAST, "max_epochs": 10}
    )
    assert est.fit(digits[0]).n_iter_ == 2


@pytest.mark.parametrize(
    ("callback", "error", "match"),
    [
        (EpochScoring("r2"), TypeError, "EpochScoring scores a net's predictions"),
        (BatchScoring("r2"), TypeError, "BatchScoring scores"),
        (PassthroughScoring("train_loss"), TypeError, "net.history.record"),
        (EarlyStopping(), ValueError, "monitors 'valid_loss', .* early_stopping=True"),
        (Checkpoint(), ValueError, "or monitor 'train_loss_best'"),
    ],
)
def test_skorch_callbacks_that_cannot_work_say_what_to_do(
    callback, error, match, digits
):
    spy = TrainingSpy()
    with pytest.raises(error, match=match):
        DenoisingAEEmbedder(callbacks=[spy, callback], **FAST).fit(digits[0])
    assert not spy.started


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_the_names_of_aembeds_callbacks_are_refused(cls, digits):
    for name in cls._callback_names:
        with pytest.raises(ValueError, match=f"'{name}' names one of aembed's own"):
            cls(callbacks=[(name, Callback())], **FAST).fit(digits[0])
    assert {"kl_warmup", "codebook_usage"} & set(cls._callback_names) == {
        VAEEmbedder: {"kl_warmup"},
        VQVAEEmbedder: {"codebook_usage"},
    }.get(cls, set())


def test_checkpoint_dir_that_is_a_file_is_named(tmp_path, digits):
    path = tmp_path / "a_file"
    path.write_text("")
    with pytest.raises(ValueError, match="is a file"):
        DenoisingAEEmbedder(checkpoint_dir=path, **FAST).fit(digits[0])


def test_feature_names_need_a_fitted_estimator(digits):
    emb = DenoisingAEEmbedder(**FAST)
    with pytest.raises(NotFittedError):
        emb.get_feature_names_out()
    names = emb.fit(digits[0]).get_feature_names_out()
    assert names.tolist() == ["denoisingaeembedder0", "denoisingaeembedder1"]


def test_negative_noise_level_is_rejected():
    with pytest.raises(ValueError, match="noise_level"):
        DenoisingAEEmbedder(noise_level=-0.1).fit(np.zeros((4, 2)))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_a_row_is_embedded_alike_alone_and_among_others(cls):
    # A matrix product computes a few leftover rows with other kernels than
    # full blocks, which differ in the last bits; with 1,024 codes on one
    # dimension that moved a row to another code (scikit-learn's
    # check_methods_subset_invariance, with neighbor_weight > 0).
    X = 3 * np.random.RandomState(0).uniform(size=(20, 3))
    emb = cls(n_components=1, neighbor_weight=0.05, random_state=1).fit(X)
    methods = ["transform", "reconstruct", "score_samples"]
    methods += ["predict"] if hasattr(emb, "predict") else []
    for method in methods:
        together = getattr(emb, method)(X)
        alone = np.concatenate([getattr(emb, method)(row[None]) for row in X])
        np.testing.assert_array_equal(alone, together, err_msg=method)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_transform_input_errors(cls, digits):
    X, _ = digits
    with pytest.raises(NotFittedError):
        cls().transform(X)
    est = cls(**FAST).fit(X)
    with pytest.raises(ValueError, match="X has 5 features, but .* is expecting 64"):
        est.transform(X[:, :5])
    with pytest.raises(ValueError, match="NaN"):
        est.transform(np.where(X == 0, np.nan, X))
    with pytest.raises(ValueError, match="inverse_transform expects n_components=2"):
        est.inverse_transform(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="infinity"):
        est.inverse_transform(np.full((3, 2), np.inf))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_non_finite_network_output_is_refused(cls, digits):
    X, _ = digits
    est = cls(**FAST).fit(X)
    with pytest.raises(ValueError, match="non-finite"):
        est.transform(np.full((2, 64), 1e300))  # finite, beyond float32


def test_divergence_names_the_likely_cause(digits):
    X, _ = digits
    with pytest.raises(ValueError, match="learning rate .* too high"):
        DenoisingAEEmbedder(lr=1e8, scaling="standard", max_epochs=5).fit(X)


def test_a_loss_that_ends_far_above_its_start_is_reported(digits):
    # A constant lr=1 takes the loss from 44 to about 200 without reaching NaN.
    est = DenoisingAEEmbedder(
        lr=1.0, lr_schedule=None, batch_size=128, **{**FAST, "max_epochs": 10}
    )
    message = r"ended at .* times the .* \(lr=1.0\) is likely too high: lower it"
    with pytest.warns(UserWarning, match=message) as record:
        est.fit(digits[0])
    assert record[0].filename == __file__  # it points at the caller of fit
    assert est.n_iter_ == 10  # the model is kept
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match=message):
            est.fit(digits[0])
    assert est.n_iter_ == 10  # a warning turned into an error keeps it too


def test_a_loss_that_explodes_and_comes_back_is_reported(digits):
    # The loss rises a hundredfold in epoch 1, then settles.
    est = VQVAEEmbedder(lr=1.0, lr_schedule=None, **{**FAST, "max_epochs": 10})
    with pytest.warns(UserWarning, match="unstable: .* rose to .* in epoch 1"):
        est.fit(digits[0])


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_healthy_training_warns_of_nothing(cls, digits):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cls(**FAST).fit(digits[0])
        cls(**FAST, warm_start=True).fit(digits[0]).fit(digits[0])


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_fits_three_samples(cls):
    X = np.array([[0.0, 1.0, 2.0], [1.0, 0.5, 0.0], [2.0, 2.0, 1.0]])
    est = cls(**FAST).fit(X)
    assert est.transform(X).shape == (3, 2)


def test_cuda_request_without_a_gpu_is_explained(without_cuda):
    with pytest.raises(ValueError, match="device='cuda' was requested"):
        DenoisingAEEmbedder(device="cuda", **FAST).fit(np.zeros((4, 2)))


@pytest.mark.parametrize("device", [torch.device("cpu"), "cpu:0"])
def test_devices_as_pytorch_spells_them(device, tmp_path, digits):
    X, _ = digits
    est = DenoisingAEEmbedder(device=device, **FAST).fit(X)
    assert str(est.net_.device) == "cpu"
    assert clone(est).get_params()["device"] == device
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the device is saved, not dropped
        est.save(tmp_path / "m.aembed")


@pytest.mark.parametrize(
    ("device", "match"),
    [
        ("tpu", "device='tpu' is not a device PyTorch knows"),
        ("meta", "is a 'meta' device; aembed runs on"),
        ("mps", "MPS is not available"),
        (0, "device"),
    ],
)
def test_devices_it_cannot_use_are_named_before_training(device, match, digits):
    if device == "mps" and torch.backends.mps.is_available():
        pytest.skip("MPS is available here")
    spy = TrainingSpy()
    with pytest.raises(ValueError, match=match):
        DenoisingAEEmbedder(device=device, callbacks=[spy], **FAST).fit(digits[0])
    assert not spy.started


def test_a_missing_cuda_index_is_named(monkeypatch, digits):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ValueError, match="'cuda:1' was requested but PyTorch sees 1"):
        DenoisingAEEmbedder(device="cuda:1", **FAST).fit(digits[0])


def test_auto_device_is_the_cpu_without_a_gpu(without_cuda):
    X = np.random.default_rng(0).random((20, 4))
    est = DenoisingAEEmbedder(device="auto", **FAST).fit(X)
    assert str(est.net_.device) == "cpu"


@pytest.mark.gpu
def test_auto_device_is_the_gpu_where_there_is_one():
    X = np.random.default_rng(0).random((20, 4))
    est = DenoisingAEEmbedder(device="auto", **FAST).fit(X)
    assert est.net_.device.type == "cuda"
    assert est.transform(X).shape == (20, 2)


# -- inputs users have at hand --------------------------------------------------

TENSORS = {  # tensors, and the NumPy dtype of the same values
    "requires_grad": (
        lambda X: torch.tensor(X, dtype=torch.float32).requires_grad_(),
        np.float32,
    ),
    "bfloat16": (lambda X: torch.tensor(X, dtype=torch.bfloat16), np.float32),
    "float64": (lambda X: torch.tensor(X, dtype=torch.float64), np.float64),
    "rows": (
        lambda X: list(torch.tensor(X, dtype=torch.float32).requires_grad_()),
        np.float32,
    ),
}


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("kind", TENSORS)
def test_torch_tensors_are_taken_as_arrays(cls, kind, digits):
    X = digits[0][:100]  # small integers: exact in bfloat16
    as_tensor, dtype = TENSORS[kind]
    est = cls(**FAST).fit(as_tensor(X))
    X = X.astype(dtype)
    expected = cls(**FAST).fit(X)
    Z = expected.transform(X)
    np.testing.assert_array_equal(est.transform(as_tensor(X)), Z)
    if kind == "bfloat16":  # decode points that bfloat16 can hold
        Z = torch.tensor(Z).bfloat16().float().numpy()
    np.testing.assert_array_equal(
        est.inverse_transform(as_tensor(Z)), expected.inverse_transform(Z)
    )
    assert est.score(as_tensor(X)) == expected.score(X)
    for method in ("score_samples", "predict"):
        if hasattr(est, method):
            np.testing.assert_array_equal(
                getattr(est, method)(as_tensor(X)), getattr(expected, method)(X)
            )


def test_sparse_tensors_are_refused_by_name(digits):
    X = torch.tensor(digits[0][:50], dtype=torch.float32).to_sparse()
    message = r"X is a sparse torch tensor \(torch.sparse_coo\); .* X.to_dense"
    with pytest.raises(TypeError, match=message):
        DenoisingAEEmbedder(**FAST).fit(X)


# -- scaling -------------------------------------------------------------------


def test_scaling_modes_are_chosen_by_the_data():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(50, 20)).astype(np.float32)
    assert fit_scaling(pixels / 255, "auto")[0] == "none"
    assert fit_scaling(pixels, "auto")[0] == "minmax"
    mixed = np.column_stack([pixels[:, 0], pixels[:, 1] * 1000]).astype(np.float32)
    assert fit_scaling(mixed, "auto")[0] == "standard"
    assert fit_scaling(pixels - 128, "auto")[0] == "standard"


@pytest.mark.parametrize("factor", [1e-3, 1e-8])
def test_auto_scales_small_data_that_lie_in_the_unit_interval(factor, digits):
    # Small numbers, not pixels already in [0, 1]: they are brought to the
    # unit scale (the digits' own map is "minmax", the mixed table's
    # "standard"), and so train the models they train at their usual scale.
    X = digits[0].astype(np.float32)
    mixed = np.column_stack([X[:, :4], X[:, 4:8] / 16]).astype(np.float32)
    for data in (X, mixed):
        expected = fit_scaling(data, "auto")[0]
        mode, offset, scale = fit_scaling(data * factor, "auto")
        assert mode == expected
        Xs = apply_scaling(data * factor, offset, scale)
        np.testing.assert_allclose(
            Xs, apply_scaling(data, *fit_scaling(data, "auto")[1:]), atol=1e-5
        )


def test_standard_scaling_keeps_columns_of_small_spread():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3)).astype(np.float32)
    X[:, 0] *= 1e-7  # tiny, but not constant
    X[:, 1] = 1e6 + rng.integers(0, 2, size=100) * 0.0625  # float32 rounding
    X[:, 2] = 3.0
    _, offset, scale = fit_scaling(X, "standard")
    np.testing.assert_allclose(scale[0], X[:, 0].std(dtype=np.float64), rtol=1e-5)
    assert scale[1] == scale[2] == 1.0
    Xs = apply_scaling(X, offset, scale)
    np.testing.assert_allclose(Xs[:, 0].std(), 1.0, rtol=1e-4)


@pytest.mark.parametrize("mode", ["minmax", "standard", None])
def test_scaling_round_trips(mode):
    X = np.random.default_rng(0).normal(5, 3, size=(30, 4)).astype(np.float32)
    X[:, 2] = 7.0  # a constant column must not divide by zero
    _, offset, scale = fit_scaling(X, mode)
    Xs = apply_scaling(X, offset, scale)
    assert np.isfinite(Xs).all()
    np.testing.assert_allclose(undo_scaling(Xs, offset, scale), X, rtol=1e-5)
    if mode == "minmax":
        assert Xs.min() == 0 and Xs.max() == 1


def test_inverse_transform_speaks_the_callers_units(digits):
    X, _ = digits
    # [0, 1], [0, 16] and [0, 255] pixels all scale to the same training data,
    # so the models agree once their outputs are put back in the same units.
    reference = DenoisingAEEmbedder(**FAST).fit(X / 16).reconstruct(X / 16)
    assert reference.min() >= 0 and reference.max() <= 1
    for factor in (1.0, 255 / 16):
        est = DenoisingAEEmbedder(**FAST).fit(X * factor)
        assert (est.scaling_, est.reconstruction_loss_) == ("minmax", "bce")
        X_rec = est.reconstruct(X * factor)
        np.testing.assert_allclose(X_rec / (16 * factor), reference, atol=1e-5)
        Z = est.transform(X * factor)
        np.testing.assert_allclose(est.inverse_transform(Z), X_rec, rtol=1e-5)


def test_standardised_data_uses_mse(digits):
    X, _ = digits
    Xc = (X - X.mean(0)) / (X.std(0) + 1)
    est = DenoisingAEEmbedder(**FAST).fit(Xc)
    assert (est.scaling_, est.reconstruction_loss_) == ("standard", "mse")
    with pytest.raises(ValueError, match="needs data in \\[0, 1\\]"):
        DenoisingAEEmbedder(reconstruction_loss="bce", scaling=None, **FAST).fit(Xc)


# -- training --------------------------------------------------------------------


def test_global_torch_rng_is_untouched(digits):
    X, _ = digits
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    DenoisingAEEmbedder(**FAST).fit(X)
    np.testing.assert_array_equal(torch.rand(3), expected)


def _flushes_denormals():
    return (torch.full((1,), 1e-40) * 0.5).item() == 0.0


@pytest.mark.parametrize("flag", [True, False])
def test_the_callers_flush_denormal_flag_is_restored(flag, digits):
    if not torch.set_flush_denormal(True):
        pytest.skip("this CPU cannot flush denormals")
    torch.set_flush_denormal(flag)
    try:
        DenoisingAEEmbedder(**FAST).fit(digits[0])
        assert _flushes_denormals() is flag
    finally:
        torch.set_flush_denormal(False)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_the_callers_default_dtype_and_grad_mode_do_not_matter(cls, digits, tmp_path):
    X, _ = digits
    expected = cls(**FAST).fit(X)
    expected.save(tmp_path / "m.aembed")
    torch.set_default_dtype(torch.float64)
    try:
        with torch.inference_mode():
            est = cls(**FAST).fit(X)
            loaded = aembed.load(tmp_path / "m.aembed")
        assert torch.get_default_dtype() == torch.float64
    finally:
        torch.set_default_dtype(torch.float32)
    np.testing.assert_array_equal(est.transform(X), expected.transform(X))
    np.testing.assert_array_equal(loaded.transform(X), expected.transform(X))


def _in_threads(function, n):
    results = [None] * n

    def run(i):
        results[i] = function()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_seeded_fits_in_threads_equal_fits_one_after_the_other(cls, digits):
    X, _ = digits
    expected = cls(**FAST).fit_transform(X)
    for Z in _in_threads(lambda: cls(**FAST).fit_transform(X), 3):
        np.testing.assert_array_equal(Z, expected)


@pytest.mark.parametrize(
    "est",
    [
        DenoisingAEEmbedder(**FAST, neighbor_weight=1.0, augment=(8, 8)),
        VAEEmbedder(**FAST, neighbor_weight=1.0, teacher_weight=1.0),
        VQVAEEmbedder(**FAST, n_codes=8, early_stopping=True),
    ],
    ids=["dae-augment", "vae-teacher", "vq-restarts"],
)
def test_a_fit_in_a_thread_leaves_the_global_random_stream_alone(est, digits):
    # The caller seeds torch's global stream and draws from it while a fit
    # runs in another thread: its draws must be the seeded sequence.
    X, _ = digits
    torch.manual_seed(123)
    expected = torch.rand(100_000)
    torch.manual_seed(123)
    thread = threading.Thread(target=est.fit, args=(X,))
    draws = []
    thread.start()
    while thread.is_alive() and len(draws) < 100_000:
        draws.append(torch.rand(1))
    thread.join()
    assert hasattr(est, "net_") and len(draws) > 10
    np.testing.assert_array_equal(torch.cat(draws), expected[: len(draws)])
    # And the fit drew what it draws alone.
    np.testing.assert_array_equal(est.transform(X), clone(est).fit(X).transform(X))


def test_a_threaded_grid_search_gives_the_sequential_scores(digits):
    X, _ = digits
    search = GridSearchCV(VAEEmbedder(**FAST), {"beta": [0.5, 1.0, 2.0]}, cv=2)
    expected = search.fit(X).cv_results_["mean_test_score"]
    with joblib.parallel_backend("threading"):
        search.set_params(n_jobs=3).fit(X)
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"], expected)


def test_history_records_every_epoch_and_term(digits):
    X, _ = digits
    est = DenoisingAEEmbedder(**{**FAST, "early_stopping": True, "tol": None}).fit(X)
    history = est.history_
    assert list(history.index) == [1, 2, 3] and est.n_iter_ == 3
    assert {"train_loss", "valid_loss", "train_reconstruction", "dur"} <= set(history)
    assert history["train_loss"].iloc[-1] < history["train_loss"].iloc[0]
    no_split = DenoisingAEEmbedder(**{**FAST, "tol": None}).fit(X).history_
    assert "valid_loss" not in no_split


@pytest.mark.parametrize("early_stopping", [False, True])
def test_stops_after_n_iter_no_change(early_stopping, digits):
    X, _ = digits
    est = DenoisingAEEmbedder(
        **{**FAST, "max_epochs": 50},
        early_stopping=early_stopping,
        n_iter_no_change=2,
        tol=1e9,  # no epoch counts as an improvement
    ).fit(X)
    assert est.n_iter_ == 3


def test_early_stopping_keeps_the_best_epoch(digits):
    X, _ = digits

    class Sabotage(Callback):
        """Wreck the weights before every epoch but the first: those are worse."""

        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == 1:
                self.best = {k: v.clone() for k, v in net.module_.state_dict().items()}

        def on_epoch_begin(self, net, **kwargs):
            if len(net.history) > 1:
                with torch.no_grad():
                    for p in net.module_.parameters():
                        p.add_(1.0)

    sabotage = Sabotage()
    est = DenoisingAEEmbedder(
        **{**FAST, "max_epochs": 10},
        callbacks=[sabotage],
        early_stopping=True,
        n_iter_no_change=2,
    ).fit(X)
    assert est.n_iter_ == 3
    for name, value in est.net_.module_.state_dict().items():
        np.testing.assert_array_equal(value, sabotage.best[name])


def test_user_callbacks_run(digits):
    X, _ = digits
    spy = TrainingSpy()
    DenoisingAEEmbedder(callbacks=[("spy", spy)], **FAST).fit(X)
    assert spy.started


def test_verbose_shows_progress(digits, capsys):
    X, _ = digits
    DenoisingAEEmbedder(**FAST, verbose=1).fit(X)
    assert "epoch" in capsys.readouterr().err
    DenoisingAEEmbedder(**FAST, verbose=0).fit(X)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_convolutional_networks_train_on_images(digits):
    X, _ = digits
    for shape in [(8, 8), (1, 8, 8)]:
        est = DenoisingAEEmbedder(image_shape=shape, **FAST).fit(X)
        assert type(est.net_.module_.encoder).__name__ == "ConvEncoder"
        assert est.reconstruct(X[:4]).shape == (4, 64)
    with pytest.raises(ValueError, match="image_shape=\\(7, 7\\) holds 49 values"):
        DenoisingAEEmbedder(image_shape=(7, 7), **FAST).fit(X)


def test_inference_is_chunked_and_chunking_changes_nothing(digits, monkeypatch):
    X, _ = digits
    est = DenoisingAEEmbedder(**FAST).fit(X)
    whole = est.transform(X)
    calls = []
    original = est.net_.module_.embed
    monkeypatch.setattr(est, "batch_size", 64)
    monkeypatch.setattr("aembed._inference.MIN_INFERENCE_BATCH", 64)
    monkeypatch.setattr(
        est.net_.module_, "embed", lambda x: calls.append(len(x)) or original(x)
    )
    np.testing.assert_allclose(est.transform(X), whole, rtol=1e-5, atol=1e-6)
    # The last chunk's 44 rows are padded to 64 (aembed._inference).
    assert calls == [64, 64, 64, 64, 64]
    assert _MIN_INFERENCE_BATCH >= 1024


def test_score_is_negative_reconstruction_error(digits):
    X, _ = digits
    est = DenoisingAEEmbedder(**FAST).fit(X)
    expected = -np.mean((X - est.reconstruct(X)) ** 2)
    assert est.score(X) == pytest.approx(expected, rel=1e-5)
    longer = DenoisingAEEmbedder(**{**FAST, "max_epochs": 30}).fit(X)
    assert longer.score(X) > est.score(X)


@pytest.mark.parametrize("cls", [cls for _, cls in all_estimators()])
def test_mixed_precision_trains_and_returns_float32(cls):
    X, _ = load_digits(return_X_y=True)
    params = dict(max_epochs=5, random_state=0)
    full = cls(**params).fit(X)
    mixed = cls(**params, mixed_precision=True).fit(X)
    assert mixed.net_.mixed_precision_ and not full.net_.mixed_precision_
    Z = mixed.transform(X)
    assert Z.dtype == np.float32 and np.isfinite(Z).all()
    assert mixed.inverse_transform(Z).dtype == np.float32
    assert np.isfinite(mixed.history_["train_loss"]).all()
    # bfloat16 forward passes learn about as well as float32 ones.
    assert mixed.score(X) == pytest.approx(full.score(X), rel=0.1)
    assert not np.array_equal(Z, full.transform(X))


@pytest.mark.parametrize("cls", [cls for _, cls in all_estimators()])
def test_mixed_precision_with_the_neighbour_term(cls):
    # The term's distances cancel badly in bfloat16 (its first version rose
    # for epochs under mixed precision): it is computed in float32.
    X, _ = load_digits(return_X_y=True)
    params = dict(max_epochs=5, neighbor_weight=0.05, random_state=0)
    full = cls(**params).fit(X[:500]).history_["train_neighbor"]
    mixed = cls(**params, mixed_precision=True).fit(X[:500])
    neighbor = mixed.history_["train_neighbor"]
    assert np.isfinite(neighbor).all()
    # It tracks float32 training epoch by epoch, and falls.
    np.testing.assert_allclose(neighbor, full, rtol=0.05)
    assert neighbor.iloc[-1] < neighbor.iloc[0] - 0.1
    assert mixed.transform(X).dtype == np.float32
