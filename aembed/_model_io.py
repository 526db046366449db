"""The body of a model file: a fitted estimator as plain data and tensors.

:mod:`._persistence` is the file container (format version, checksum,
refusal of anything but plain data); this module says what goes in it and
rebuilds an estimator from it.
"""

import warnings

import pandas as pd
import torch

from . import _persistence
from ._devices import resolve_device
from ._torch_state import float32_autograd
from ._training import make_net, training_callbacks
from .nn._random import random_stream


def history_frame(history):
    """skorch's history rows as ``history_``: one row per epoch, ``dur`` last."""
    skip = {"batches", "train_batch_count", "valid_batch_count"}
    # The *_best flags are for skorch's callbacks (Checkpoint, PrintLog).
    rows = [
        {k: v for k, v in row.items() if k not in skip and not k.endswith("_best")}
        for row in history
    ]
    frame = pd.DataFrame(rows).set_index("epoch")
    first = ["train_loss", "valid_loss"]
    ordered = [c for c in first if c in frame] + sorted(
        c for c in frame if c not in first and c != "dur"
    )
    return frame[ordered + ["dur"]]


def write(est, path, net, state, warn):
    """Write ``est`` with the training state ``state`` of its net to ``path``."""
    body, dropped = to_body(est, state, str(net.device), net.mixed_precision_)
    if dropped and warn:
        warnings.warn(
            f"{', '.join(dropped)} cannot be saved as plain data: the loaded "
            "estimator has None for such parameters and lacks such history "
            "columns.",
            UserWarning,
            stacklevel=3,
        )
    _persistence.write(body, path)


def to_body(est, state, device, mixed_precision=False):
    """The file's body, and the names of what could not be saved."""
    params, dropped = _persistence.plain_params(est.get_params(deep=False))
    history, dropped_columns = _persistence.encode_history(
        history_frame(state["history"])
    )
    attributes = {
        k: v
        for k, v in vars(est).items()
        if k.endswith("_")
        and k[:2] != "__"
        and k not in _persistence.DERIVED_ATTRIBUTES
    }
    body = {
        "class": type(est).__name__,
        "params": params,
        "attributes": _persistence.encode_attributes(attributes),
        "history": history,
        "module": state["module"],
        "optimizer": state["optimizer"],
        "rng": state["rng"],
        "device": device,
        # As fit chose it: inference runs in the precision it was fitted in.
        "mixed_precision": bool(mixed_precision),
        # set_output's choice, which sklearn keeps outside the parameters.
        "output": getattr(est, "_sklearn_output_config", {}).get("transform"),
    }
    return body, dropped + dropped_columns


def from_body(cls, body, device):
    """Rebuild a fitted ``cls`` from a file's body, its net on ``device``."""
    # The author's checkpoint folder is a place on the author's machine: a
    # later fit writes checkpoints only where its caller asks.
    est = cls(**{**body["params"], "device": device, "checkpoint_dir": None})
    est._validate_params()
    if body["output"] is not None:
        est.set_output(transform=body["output"])
    for name, value in _persistence.decode_attributes(body["attributes"]).items():
        setattr(est, name, value)
    est._network_ = {
        k: tuple(v) if isinstance(v, list) else v for k, v in est._network_.items()
    }
    if body["rng"] is not None:
        torch.Generator().set_state(body["rng"])  # refuse a bad state now
    _check_stored_module(est, body["module"])
    # A new module's random initial weights are overwritten at once; they
    # must not consume the caller's random stream.
    with random_stream(), float32_autograd():
        # A model trained by partial_fit has no max_epochs_: one per call.
        max_epochs = getattr(est, "max_epochs_", 1)
        callbacks = training_callbacks(est)
        net = make_net(est, resolve_device(device), callbacks, max_epochs)
    net.restore(
        {
            "module": body["module"],
            "optimizer": body["optimizer"],
            "rng": body["rng"],
            "history": _persistence.decode_history(body["history"]),
        }
    )
    net.mixed_precision_ = bool(body["mixed_precision"])
    net.module_.eval()
    est.net_ = net
    est.history_ = history_frame(net.history)
    est.n_iter_ = len(est.history_)
    return est


def _check_stored_module(est, state):
    """Refuse a recorded network that the stored weights do not fill.

    Compared on the meta device, before the network is built: a file whose
    recorded layer sizes were edited must not allocate a network of that
    size.
    """
    with torch.device("meta"):
        module = est._build_module(est._network_, **est._module_args_)
    expected = {k: v.shape for k, v in module.state_dict().items()}
    stored = {
        k: v.shape
        for k, v in (state.items() if isinstance(state, dict) else ())
        if isinstance(v, torch.Tensor)
    }
    if stored != expected:
        n_expected = sum(s.numel() for s in expected.values())
        n_stored = sum(s.numel() for s in stored.values())
        raise ValueError(
            f"the recorded network has {n_expected:,} values in "
            f"{len(expected)} tensors, the stored weights {n_stored:,} in "
            f"{len(stored)}"
        )
