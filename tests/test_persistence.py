"""Saving and loading, pickling, interrupted fits, warm starts and checkpoints."""

import errno
import os
import pickle
import stat
import tempfile
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from conftest import TINY
from numpy.testing import assert_array_equal
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback

import aembed
from aembed import DenoisingAEEmbedder, VAEEmbedder, _persistence
from aembed._model_io import to_body
from aembed._training import CHECKPOINT_FILE
from aembed.utils import all_estimators

ESTIMATORS = [cls for _, cls in all_estimators()]
# tol=None: no stopping rule, so that every fit runs exactly max_epochs.
# A constant learning rate: interrupted, resumed and warm-started fits are
# then the same training as one uninterrupted fit (a cosine schedule is
# planned over each fit's own epochs).
FAST = dict(TINY, max_epochs=3, lr_schedule=None)


@pytest.fixture(scope="module")
def fitted(small_digits):
    return {cls: cls(**FAST).fit(small_digits) for cls in ESTIMATORS}


def assert_same_model(a, b, X):
    """Every output of the two estimators agrees exactly."""
    Z = a.transform(X)
    assert_array_equal(Z, b.transform(X))
    assert_array_equal(a.inverse_transform(Z), b.inverse_transform(Z))
    assert_array_equal(a.reconstruct(X), b.reconstruct(X))
    assert a.score(X) == b.score(X)
    if hasattr(a, "sample"):
        assert_array_equal(a.sample(5, random_state=0), b.sample(5, random_state=0))
        assert_array_equal(a.score_samples(X), b.score_samples(X))
    if hasattr(a, "predict"):
        assert_array_equal(a.predict(X), b.predict(X))
        assert_array_equal(a.codebook_, b.codebook_)


def save_and_load(est, path, **kwargs):
    est.save(path)
    return aembed.load(path, **kwargs)


class TrainingSpy(Callback):
    """Records whether training started."""

    started = False

    def on_train_begin(self, net, **kwargs):
        self.started = True


class InterruptAt(Callback):
    """Raise ``error`` after the first batch of epoch ``epoch``.

    The batch has updated the weights, so the epoch's weights are not
    those of the previous epoch any more.
    """

    def __init__(self, epoch, error=KeyboardInterrupt):
        self.epoch = epoch
        self.error = error

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == self.epoch:
            raise self.error("stop")


# -- save and load ---------------------------------------------------------------


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_save_load_round_trip(cls, fitted, small_digits, tmp_path):
    est = fitted[cls]
    loaded = save_and_load(est, tmp_path / "model.aembed")
    assert type(loaded) is cls
    assert loaded.get_params() == est.get_params()
    assert_same_model(est, loaded, small_digits)
    pd.testing.assert_frame_equal(loaded.history_, est.history_)
    assert loaded.n_iter_ == est.n_iter_
    assert loaded.scaling_ == est.scaling_
    assert loaded.input_scale_.dtype == np.float32
    assert_array_equal(loaded.input_offset_, est.input_offset_)
    assert_array_equal(loaded.input_scale_, est.input_scale_)
    assert loaded.net_.module_.training is False


@pytest.mark.parametrize("verbose", [0, 1])
def test_a_model_trained_by_partial_fit_loads(verbose, small_digits, tmp_path, capsys):
    # It has no max_epochs_ (fit's budget), which a verbose model's progress
    # bar used to read when the file was loaded.
    est = DenoisingAEEmbedder(**{**FAST, "verbose": verbose}).partial_fit(small_digits)
    assert not hasattr(est, "max_epochs_")
    loaded = save_and_load(est, tmp_path / "model.aembed")
    assert_same_model(est, loaded, small_digits)
    assert loaded.net_.max_epochs == 1
    loaded.partial_fit(small_digits)
    assert loaded.n_iter_ == 2


def test_save_load_keeps_feature_names_and_pandas_output(small_digits, tmp_path):
    frame = pd.DataFrame(small_digits, columns=[f"px{i}" for i in range(64)])
    est = DenoisingAEEmbedder(**FAST).set_output(transform="pandas").fit(frame)
    loaded = save_and_load(est, tmp_path / "model.aembed")
    assert list(loaded.feature_names_in_) == list(frame.columns)
    assert loaded.feature_names_in_.dtype == object
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        loaded.transform(small_digits)
    out = loaded.transform(frame)
    pd.testing.assert_frame_equal(out, est.transform(frame))
    assert list(out.columns) == ["denoisingaeembedder0", "denoisingaeembedder1"]


def test_loading_leaves_the_global_random_state_alone(fitted, tmp_path):
    est = fitted[DenoisingAEEmbedder]
    est.save(tmp_path / "model.aembed")
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    aembed.load(tmp_path / "model.aembed")
    assert_array_equal(torch.rand(3), expected)


def test_parameters_that_are_not_plain_data_are_dropped_with_a_warning(
    small_digits, tmp_path
):
    params = {
        **FAST,
        "random_state": np.random.RandomState(0),
        "hidden_layer_sizes": np.array([16]),
    }
    est = DenoisingAEEmbedder(
        **params, callbacks=[Callback()], checkpoint_dir=tmp_path / "ckpt"
    ).fit(small_digits)
    with pytest.warns(UserWarning, match="callbacks, random_state cannot be saved"):
        est.save(tmp_path / "model.aembed")
    loaded = aembed.load(tmp_path / "model.aembed")
    assert loaded.callbacks is None and loaded.random_state is None
    # Converted, not dropped: the same values as plain data.
    assert loaded.hidden_layer_sizes == (16,)
    # A folder on the author's machine: a later fit must not write there.
    assert loaded.checkpoint_dir is None
    assert_array_equal(loaded.transform(small_digits), est.transform(small_digits))


def test_save_of_an_unfitted_estimator_is_refused(tmp_path):
    with pytest.raises(NotFittedError):
        DenoisingAEEmbedder().save(tmp_path / "model.aembed")
    assert not os.listdir(tmp_path)


def test_save_is_atomic(fitted, small_digits, tmp_path, monkeypatch):
    est = fitted[DenoisingAEEmbedder]
    path = tmp_path / "model.aembed"
    est.save(path)

    def crash(obj, f):
        f.write(b"half a model")
        raise RuntimeError("disk full")

    monkeypatch.setattr(_persistence.torch, "save", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        est.save(path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["model.aembed"]  # no temporary file left
    assert_array_equal(
        aembed.load(path).transform(small_digits), est.transform(small_digits)
    )


def test_save_takes_the_longest_legal_file_name(fitted, small_digits, tmp_path):
    path = tmp_path / ("m" * (255 - len(".aembed")) + ".aembed")
    est = fitted[DenoisingAEEmbedder]
    assert_same_model(est, save_and_load(est, path), small_digits)


def test_save_keeps_the_files_permissions(fitted, tmp_path):
    est = fitted[DenoisingAEEmbedder]
    path = tmp_path / "model.aembed"
    est.save(path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask
    os.chmod(path, 0o640)
    est.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_save_writes_through_a_symlink(fitted, small_digits, tmp_path):
    est = fitted[DenoisingAEEmbedder]
    (tmp_path / "models").mkdir()
    target = tmp_path / "models" / "v1.aembed"
    fitted[VAEEmbedder].save(target)
    link = tmp_path / "latest.aembed"
    link.symlink_to(target)
    est.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert_same_model(est, aembed.load(target), small_digits)
    assert sorted(os.listdir(tmp_path / "models")) == ["v1.aembed"]


def test_save_takes_a_bytes_path(fitted, small_digits, tmp_path):
    est = fitted[DenoisingAEEmbedder]
    path = os.fsencode(tmp_path / "model.aembed")
    assert_same_model(est, save_and_load(est, path), small_digits)


@pytest.mark.parametrize("where", ["missing/model.aembed", "folder"])
def test_save_errors_name_the_callers_path(fitted, tmp_path, where):
    (tmp_path / "folder").mkdir()
    path = tmp_path / where
    with pytest.raises(OSError) as info:
        fitted[DenoisingAEEmbedder].save(path)
    assert str(path) in str(info.value) and ".tmp" not in str(info.value)


def test_a_model_saved_on_a_gpu_loads_on_the_cpu(
    fitted, small_digits, tmp_path, monkeypatch
):
    est = fitted[DenoisingAEEmbedder]
    body = to_body(est, est.net_.training_state(), "cuda:0")[0]
    body["params"]["device"] = "cuda"
    path = tmp_path / "gpu.aembed"
    # Record every tensor as stored on a GPU, as torch.save does for CUDA
    # tensors: loading it without a map to the CPU needs CUDA.
    monkeypatch.setattr(torch.serialization, "location_tag", lambda s: "cuda:0")
    _persistence.write(body, path)
    monkeypatch.undo()
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA"):
            torch.load(path, weights_only=True)
    loaded = aembed.load(path)
    assert loaded.device == "cpu" and str(loaded.net_.device) == "cpu"
    assert loaded.net_.module_.encoder[0].weight.device.type == "cpu"
    assert_same_model(est, loaded, small_digits)


def test_load_refuses_a_device_it_does_not_have(fitted, tmp_path):
    fitted[DenoisingAEEmbedder].save(tmp_path / "model.aembed")
    with pytest.raises(ValueError, match="device='tpu' is not a device"):
        aembed.load(tmp_path / "model.aembed", device="tpu")


def test_load_refuses_cuda_without_a_gpu(fitted, tmp_path, without_cuda):
    fitted[DenoisingAEEmbedder].save(tmp_path / "model.aembed")
    with pytest.raises(ValueError, match="device='cuda' was requested"):
        aembed.load(tmp_path / "model.aembed", device="cuda")


@pytest.mark.gpu
def test_a_model_saved_on_the_cpu_loads_onto_a_gpu(fitted, small_digits, tmp_path):
    est = fitted[DenoisingAEEmbedder]
    est.save(tmp_path / "model.aembed")
    loaded = aembed.load(tmp_path / "model.aembed", device="cuda")
    assert loaded.net_.module_.encoder[0].weight.device.type == "cuda"
    np.testing.assert_allclose(
        loaded.transform(small_digits), est.transform(small_digits), atol=1e-5
    )


def test_persistence_imports_neither_the_estimators_nor_utils():
    # The container and the estimators import the shared pieces (devices,
    # the class whitelist) from modules of their own, not from each other.
    import ast

    tree = ast.parse(open(_persistence.__file__).read())
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & {"_base", "utils", "_dae", "_vae", "_vqvae"}


# -- files that must not load ----------------------------------------------------

EXECUTED = []


def _payload_ran():
    EXECUTED.append(True)
    return {}


class Payload:
    """Unpickling this object calls ``_payload_ran``: arbitrary code."""

    def __reduce__(self):
        return (_payload_ran, ())


def test_a_tampered_file_is_refused_without_running_its_code(fitted, tmp_path):
    path = tmp_path / "model.aembed"
    fitted[DenoisingAEEmbedder].save(path)
    data = torch.load(path, weights_only=True)
    data["body"]["params"]["callbacks"] = Payload()
    torch.save(data, path)
    # The file really would run code if it were unpickled...
    EXECUTED.clear()
    torch.load(path, weights_only=False)
    assert EXECUTED == [True]
    # ...and load refuses it without doing so.
    EXECUTED.clear()
    with pytest.raises(ValueError, match="Refusing .* asks for .*_payload_ran.* tam"):
        aembed.load(path)
    assert EXECUTED == []


def test_pickle_and_joblib_files_are_refused(fitted, tmp_path):
    est = fitted[DenoisingAEEmbedder]
    joblib.dump(est, tmp_path / "model.joblib")
    with pytest.raises(ValueError, match="Refusing .* a pickle \\(or joblib\\) file"):
        aembed.load(tmp_path / "model.joblib")
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        (tmp_path / "model.pkl").write_bytes(pickle.dumps(est, protocol=protocol))
        with pytest.raises(ValueError, match="Refusing .* a pickle"):
            aembed.load(tmp_path / "model.pkl")


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, 0.999])
def test_a_truncated_file_is_refused(fitted, tmp_path, fraction):
    path = tmp_path / "model.aembed"
    fitted[DenoisingAEEmbedder].save(path)
    content = path.read_bytes()
    path.write_bytes(content[: int(fraction * len(content))])
    with pytest.raises(ValueError, match="truncated or corrupted"):
        aembed.load(path)


def test_a_corrupted_weight_is_caught_by_the_checksum(fitted, tmp_path):
    est = fitted[DenoisingAEEmbedder]
    path = tmp_path / "model.aembed"
    est.save(path)
    content = bytearray(path.read_bytes())
    weight = est.net_.module_.state_dict()["encoder.0.weight"].numpy().tobytes()
    at = bytes(content).index(weight) + len(weight) // 2
    content[at] ^= 0xFF
    path.write_bytes(bytes(content))
    # The archive itself does not notice: torch loads the damaged weights.
    torch.load(path, weights_only=True)
    with pytest.raises(ValueError, match="is corrupted: .* checksum"):
        aembed.load(path)


def test_damage_anywhere_is_refused_or_harmless(fitted, small_digits, tmp_path):
    est = fitted[DenoisingAEEmbedder]
    path = tmp_path / "model.aembed"
    est.save(path)
    content = path.read_bytes()
    rng = np.random.default_rng(0)
    n_refused = 0
    for at in rng.choice(len(content), size=40, replace=False):
        damaged = bytearray(content)
        damaged[at] ^= 0xFF
        path.write_bytes(bytes(damaged))
        try:
            loaded = aembed.load(path)
        except ValueError as exc:
            message = str(exc)
            assert any(
                clear in message
                for clear in ("corrupted", "not an aembed model file", "Refusing")
            ), message
            n_refused += 1
        else:
            # Zip fields that no reader looks at (timestamps, padding).
            assert_same_model(est, loaded, small_digits)
    assert n_refused > 30


def rewrite(path, checksum=True, **changes):
    """Change entries of a model file's envelope, as a later aembed might."""
    data = torch.load(path, weights_only=True)
    data.update(changes)
    if checksum:
        content = {k: v for k, v in data.items() if k != "sha256"}
        data["sha256"] = _persistence._digest(content)
    torch.save(data, path)


def test_a_file_from_a_newer_format_version_is_refused(fitted, tmp_path):
    path = tmp_path / "model.aembed"
    fitted[DenoisingAEEmbedder].save(path)
    rewrite(path, format_version=_persistence.FORMAT_VERSION + 1, aembed_version="9")
    with pytest.raises(ValueError, match="written by aembed 9 .* Upgrade aembed"):
        aembed.load(path)
    rewrite(path, format_version="1")
    with pytest.raises(ValueError, match="invalid format version"):
        aembed.load(path)
    # A damaged version number is damage, not a message from the future.
    rewrite(path, checksum=False, format_version=254)
    with pytest.raises(ValueError, match="is corrupted"):
        aembed.load(path)


def test_files_that_are_not_aembed_models_are_refused(fitted, tmp_path):
    path = tmp_path / "weights.pt"
    torch.save(fitted[DenoisingAEEmbedder].net_.module_.state_dict(), path)
    with pytest.raises(ValueError, match="not an aembed model file"):
        aembed.load(path)
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ValueError, match="truncated or corrupted, or is not an"):
        aembed.load(tmp_path / "notes.txt")
    with pytest.raises(FileNotFoundError):
        aembed.load(tmp_path / "missing.aembed")


@pytest.mark.parametrize("name", ["_BaseEmbedder", "load", "PCA"])
def test_only_aembed_estimators_are_rebuilt(fitted, tmp_path, name):
    path = tmp_path / "model.aembed"
    fitted[DenoisingAEEmbedder].save(path)
    body = _persistence.read(path)
    _persistence.write({**body, "class": name}, path)
    with pytest.raises(ValueError, match=f"unknown class '{name}'"):
        aembed.load(path)


@pytest.mark.parametrize(
    "edit",
    [
        lambda b: b["module"].pop("encoder.0.weight"),
        lambda b: b["attributes"]["values"]["_network_"].update(n_components=3),
        lambda b: b["params"].update(bogus=1),
        lambda b: b["attributes"]["values"].update(fit=1),
        lambda b: b["attributes"]["values"].update(net_=1),
        lambda b: b["history"]["dur"].pop(),
    ],
    ids=["missing_weight", "wrong_shape", "unknown_param", "method", "net", "ragged"],
)
def test_consistent_but_wrong_content_is_refused(fitted, tmp_path, edit):
    path = tmp_path / "model.aembed"
    fitted[DenoisingAEEmbedder].save(path)
    body = _persistence.read(path)
    edit(body)
    _persistence.write(body, path)
    with pytest.raises(ValueError, match="cannot be rebuilt"):
        aembed.load(path)


# -- pickle and joblib -------------------------------------------------------------


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_pickle_and_joblib_round_trips(cls, fitted, small_digits, tmp_path):
    est = fitted[cls]
    assert_same_model(est, pickle.loads(pickle.dumps(est)), small_digits)
    joblib.dump(est, tmp_path / "model.joblib")
    assert_same_model(est, joblib.load(tmp_path / "model.joblib"), small_digits)


def test_a_fitted_estimator_pickles_without_training_leftovers(fitted):
    # The per-epoch copies and the checkpoint writer are dropped after fit.
    est = fitted[DenoisingAEEmbedder]
    assert est.net_.last_epoch_ is None and est.net_.checkpoint_ is None


# -- interrupted fits ----------------------------------------------------------------


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_an_interrupted_fit_keeps_the_last_completed_epoch(cls, small_digits):
    with pytest.warns(UserWarning, match="during epoch 3.* weights of epoch 2") as w:
        est = cls(**{**FAST, "max_epochs": 5}, callbacks=[InterruptAt(3)]).fit(
            small_digits
        )
    [warning] = [r for r in w if "interrupted" in str(r.message)]
    assert warning.filename == __file__  # it points at the caller of fit
    assert "warm_start=True" in str(warning.message)
    two_epochs = cls(**{**FAST, "max_epochs": 2}).fit(small_digits)
    assert_same_model(two_epochs, est, small_digits)
    assert est.n_iter_ == 2 and list(est.history_.index) == [1, 2]
    pd.testing.assert_frame_equal(
        est.history_.drop(columns="dur"), two_epochs.history_.drop(columns="dur")
    )


def test_an_interrupt_warning_made_an_error_keeps_the_model(small_digits):
    est = DenoisingAEEmbedder(**{**FAST, "max_epochs": 5}, callbacks=[InterruptAt(3)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="interrupted"):
            est.fit(small_digits)
    assert est.n_iter_ == 2  # fitted, with the completed epochs


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_warm_start_after_an_interrupt_finishes_the_same_model(cls, small_digits):
    with pytest.warns(UserWarning, match="interrupted"):
        est = cls(**{**FAST, "max_epochs": 4}, callbacks=[InterruptAt(3)]).fit(
            small_digits
        )
    est.set_params(callbacks=None, warm_start=True, max_epochs=2).fit(small_digits)
    uninterrupted = cls(**{**FAST, "max_epochs": 4}).fit(small_digits)
    assert_same_model(uninterrupted, est, small_digits)
    assert list(est.history_.index) == [1, 2, 3, 4]


def test_an_interrupt_with_early_stopping_keeps_the_best_epoch(small_digits):
    class Sabotage(Callback):
        """Wreck the weights before epoch 2 and later: epoch 1 stays best."""

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
        early_stopping=True,
        n_iter_no_change=5,
        callbacks=[sabotage, InterruptAt(4)],
    )
    with pytest.warns(UserWarning, match="epoch 1, the best validation epoch"):
        est.fit(small_digits)
    assert est.n_iter_ == 3
    for name, value in est.net_.module_.state_dict().items():
        assert_array_equal(value, sabotage.best[name])


@pytest.mark.parametrize("early_stopping", [False, True])
def test_early_stopping_is_not_mistaken_for_an_interrupt(small_digits, early_stopping):
    # skorch's EarlyStopping stops by raising KeyboardInterrupt too.
    params = {**FAST, "max_epochs": 50, "tol": 1e9}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = DenoisingAEEmbedder(
            **params, n_iter_no_change=2, early_stopping=early_stopping
        ).fit(small_digits)
    assert est.n_iter_ == 3


def test_an_interrupt_in_the_first_epoch_is_raised(small_digits):
    est = DenoisingAEEmbedder(**FAST, callbacks=[InterruptAt(1)])
    with pytest.raises(KeyboardInterrupt):
        est.fit(small_digits)
    with pytest.raises(NotFittedError):
        est.transform(small_digits)


def test_an_interrupted_warm_fit_keeps_the_previous_model(small_digits):
    est = DenoisingAEEmbedder(**FAST).fit(small_digits)
    before = est.transform(small_digits)
    est.set_params(warm_start=True, callbacks=[InterruptAt(FAST["max_epochs"] + 1)])
    with pytest.warns(UserWarning, match="epoch 3, as before this fit"):
        est.fit(small_digits)
    assert_array_equal(est.transform(small_digits), before)
    assert est.n_iter_ == 3


def test_a_failed_fit_leaves_no_half_replaced_model(small_digits):
    est = DenoisingAEEmbedder(**FAST).fit(small_digits)
    with pytest.raises(ValueError, match="too high"):
        est.set_params(lr=1e8, scaling="standard").fit(small_digits)
    with pytest.raises(NotFittedError):
        est.transform(small_digits)


# -- the fitted network ------------------------------------------------------------

NETWORK_CHANGES = [
    {"activation": "tanh"},
    {"hidden_layer_sizes": (8,)},
    {"n_components": 3},
    {"image_shape": (8, 8)},
]


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize(
    "change", NETWORK_CHANGES + [{"n_codes": 4}, {"mixed_precision": True}]
)
def test_parameters_changed_after_fit_do_not_change_the_fitted_model(
    cls, change, fitted, small_digits, tmp_path
):
    if "n_codes" in change and "n_codes" not in cls().get_params():
        pytest.skip("only the VQ-VAE has a codebook")
    est = fitted[cls]
    names = est.get_feature_names_out()
    changed = joblib.load(joblib.dump(est, tmp_path / "e.joblib")[0])
    changed.set_params(**change)
    assert_same_model(est, changed, small_digits)
    assert_array_equal(changed.get_feature_names_out(), names)
    # The file holds the network fit trained, not the changed parameters.
    assert_same_model(est, save_and_load(changed, tmp_path / "m.aembed"), small_digits)


@pytest.mark.parametrize("change", NETWORK_CHANGES)
def test_warm_start_refuses_a_changed_network_and_keeps_the_model(change, small_digits):
    est = DenoisingAEEmbedder(**FAST, warm_start=True).fit(small_digits)
    before = est.transform(small_digits)
    spy = TrainingSpy()
    with pytest.raises(ValueError, match=f"{next(iter(change))} from .* to"):
        est.set_params(callbacks=[spy], **change).fit(small_digits)
    assert not spy.started
    assert_array_equal(est.transform(small_digits), before)
    assert est.n_iter_ == 3


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_a_warm_fit_that_fails_midway_changes_nothing(cls, small_digits):
    est = cls(**{**FAST, "max_epochs": 2}, warm_start=True).fit(small_digits)
    untouched = pickle.loads(pickle.dumps(est))
    with pytest.raises(RuntimeError, match="stop"):
        est.set_params(callbacks=[InterruptAt(4, error=RuntimeError)]).fit(small_digits)
    assert_same_model(est, untouched, small_digits)
    pd.testing.assert_frame_equal(est.history_, untouched.history_)
    # Nor does it change what the next warm fit trains.
    est.set_params(callbacks=None).fit(small_digits)
    assert_same_model(est, untouched.fit(small_digits), small_digits)


# -- warm start --------------------------------------------------------------------


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_warm_start_continues_training(cls, small_digits):
    est = cls(**{**FAST, "max_epochs": 2}, warm_start=True).fit(small_digits)
    first = est.history_.copy()
    offset = est.input_offset_
    # Other data, other scale: the first fit's input scaling is kept.
    est.fit(small_digits[:100] * 0.5)
    assert est.input_offset_ is offset
    assert list(est.history_.index) == [1, 2, 3, 4] and est.n_iter_ == 4
    pd.testing.assert_frame_equal(est.history_.iloc[:2], first)
    uninterrupted = cls(**{**FAST, "max_epochs": 4}).fit(small_digits)
    assert not np.array_equal(
        est.transform(small_digits), uninterrupted.transform(small_digits)
    )


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_warm_fits_add_up_to_one_long_fit(cls, small_digits):
    est = (
        cls(**{**FAST, "max_epochs": 2}, warm_start=True)
        .fit(small_digits)
        .fit(small_digits)
    )
    assert_same_model(
        cls(**{**FAST, "max_epochs": 4}).fit(small_digits), est, small_digits
    )


def test_warm_start_on_an_unfitted_estimator_fits_from_scratch(small_digits):
    warm = DenoisingAEEmbedder(**FAST, warm_start=True).fit(small_digits)
    assert_same_model(DenoisingAEEmbedder(**FAST).fit(small_digits), warm, small_digits)


def test_warm_start_takes_new_hyperparameters(small_digits):
    est = DenoisingAEEmbedder(**FAST, warm_start=True).fit(small_digits)
    est.set_params(lr=1e-2, noise_level=0.3).fit(small_digits)
    assert est.net_.optimizer_.param_groups[0]["lr"] == 1e-2
    assert est.net_.module_.noise_level == 0.3
    assert est.net_.optimizer_.state  # Adam's moments came along


def test_warm_start_checks_the_data_and_the_network(small_digits):
    est = DenoisingAEEmbedder(**FAST, warm_start=True).fit(small_digits)
    before = est.transform(small_digits)
    with pytest.raises(ValueError, match="X has 10 features, but .* expecting 64"):
        est.fit(small_digits[:, :10])
    with pytest.raises(ValueError, match="describe a different one"):
        est.set_params(hidden_layer_sizes=(8,)).fit(small_digits)
    with pytest.raises(ValueError, match="keep the input scaling .* outside"):
        est.set_params(hidden_layer_sizes=(16,)).fit(small_digits * 2)
    # Failed warm fits leave the model as it was.
    assert_array_equal(est.transform(small_digits), before)
    assert est.n_iter_ == 3


# -- checkpoints -------------------------------------------------------------------


class CheckpointSpy(Callback):
    """Load the checkpoint at the start of every epoch."""

    def __init__(self, path):
        self.path = path

    def on_train_begin(self, net, **kwargs):
        self.seen = []

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) > 1:
            self.seen.append(aembed.load(self.path).n_iter_)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_checkpoints_are_written_every_epoch(cls, small_digits, tmp_path):
    folder = tmp_path / "new" / "folder"
    spy = CheckpointSpy(folder / CHECKPOINT_FILE)
    est = cls(**{**FAST, "max_epochs": 4}, checkpoint_dir=folder, callbacks=[spy])
    est.fit(small_digits)
    assert spy.seen == [1, 2, 3]
    assert os.listdir(folder) == [CHECKPOINT_FILE]
    assert_same_model(est, aembed.load(folder / CHECKPOINT_FILE), small_digits)


def _unwritable_folder(tmp_path):
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o500)
        return folder
    folder = "/sys/kernel"  # not writable even by root
    try:
        with tempfile.TemporaryFile(dir=folder):
            pytest.skip("no folder here refuses root's writes")
    except OSError:
        return folder


def test_an_unwritable_checkpoint_dir_is_named_before_training(small_digits, tmp_path):
    spy = TrainingSpy()
    folder = _unwritable_folder(tmp_path)
    with pytest.raises(OSError, match="checkpoint_dir=.* cannot be written"):
        DenoisingAEEmbedder(**FAST, checkpoint_dir=folder, callbacks=[spy]).fit(
            small_digits
        )
    assert not spy.started
    with pytest.raises(ValueError, match="checkpoint_dir='' is empty"):
        DenoisingAEEmbedder(**FAST, checkpoint_dir="").fit(small_digits)


def test_a_failed_checkpoint_write_keeps_the_trained_model(
    small_digits, tmp_path, monkeypatch
):
    def full(body, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(_persistence, "write", full)
    est = DenoisingAEEmbedder(**FAST, checkpoint_dir=tmp_path)
    with pytest.warns(UserWarning, match="could not write the checkpoint") as w:
        est.fit(small_digits)
    assert len([r for r in w if "checkpoint" in str(r.message)]) == 1
    monkeypatch.undo()
    assert_same_model(est, DenoisingAEEmbedder(**FAST).fit(small_digits), small_digits)


def test_another_fits_checkpoint_is_not_replaced(small_digits, tmp_path):
    first = DenoisingAEEmbedder(**FAST, checkpoint_dir=tmp_path).fit(small_digits)
    written = (tmp_path / CHECKPOINT_FILE).read_bytes()
    spy = TrainingSpy()
    other = DenoisingAEEmbedder(**FAST, checkpoint_dir=tmp_path, callbacks=[spy])
    with pytest.raises(ValueError, match="holds the checkpoint of another fit"):
        other.fit(small_digits)
    assert not spy.started
    assert (tmp_path / CHECKPOINT_FILE).read_bytes() == written
    # Its own fit, again or continued, and a fit loaded from it may replace it.
    first.fit(small_digits)
    first.set_params(warm_start=True).fit(small_digits)
    resumed = aembed.load(tmp_path / CHECKPOINT_FILE)
    resumed.set_params(warm_start=True, checkpoint_dir=tmp_path).fit(small_digits)
    assert aembed.load(tmp_path / CHECKPOINT_FILE).n_iter_ == 9


def test_a_loaded_model_does_not_write_to_the_authors_folder(small_digits, tmp_path):
    est = DenoisingAEEmbedder(**FAST, checkpoint_dir=tmp_path / "author").fit(
        small_digits
    )
    loaded = save_and_load(est, tmp_path / "model.aembed")
    assert loaded.checkpoint_dir is None
    os.remove(tmp_path / "author" / CHECKPOINT_FILE)
    loaded.set_params(warm_start=True).fit(small_digits)
    assert os.listdir(tmp_path / "author") == []


def test_the_checkpoint_ends_with_the_best_epoch(small_digits, tmp_path):
    est = DenoisingAEEmbedder(
        **{**FAST, "max_epochs": 50, "tol": 1e9},
        early_stopping=True,
        n_iter_no_change=2,
        checkpoint_dir=tmp_path,
    ).fit(small_digits)
    assert_same_model(est, aembed.load(tmp_path / CHECKPOINT_FILE), small_digits)


def test_a_crash_loses_at_most_one_epoch(small_digits, tmp_path):
    crashing = DenoisingAEEmbedder(
        **{**FAST, "max_epochs": 4},
        checkpoint_dir=tmp_path,
        callbacks=[InterruptAt(3, error=MemoryError)],
    )
    with pytest.raises(MemoryError):
        crashing.fit(small_digits)
    resumed = aembed.load(tmp_path / CHECKPOINT_FILE)
    assert resumed.n_iter_ == 2
    resumed.set_params(warm_start=True, max_epochs=4 - resumed.n_iter_).fit(
        small_digits
    )
    uninterrupted = DenoisingAEEmbedder(**{**FAST, "max_epochs": 4}).fit(small_digits)
    assert_same_model(uninterrupted, resumed, small_digits)
