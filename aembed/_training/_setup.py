"""What a fit sets up before skorch runs: the net, the data, the random context."""

import contextlib
import hashlib
import math

import numpy as np
import torch
from sklearn.utils import check_random_state

from .._devices import resolve_device
from .._distributed import data_parallel
from .._persistence import plain_params
from .._scaling import apply_scaling
from .._streaming import BlockReader, StreamedRows
from .._torch_state import float32_autograd, flush_denormal_enabled
from ..nn._random import drawing_from_stream, random_stream, set_stream_state
from ._callbacks import training_callbacks
from ._net import EmbedderNet


@contextlib.contextmanager
def training_context(seed, device):
    """A seeded random stream of the fit's own, and denormal-free floats.

    Every draw of the fit comes from generators seeded with ``seed``
    (:func:`~aembed.nn._random.random_stream`), so that fits in threads
    run side by side, each drawing what it would draw alone, while
    PyTorch's global stream, which the caller may be drawing from, is
    neither read nor moved. MNIST-like data (many exact zeros) drive
    Adam's moment estimates into subnormal floats, which make CPU epochs
    much slower; flushing them to zero costs no accuracy. This thread's
    flag is probed and restored.
    """
    with random_stream(seed, device), float32_autograd():
        flush = flush_denormal_enabled()
        torch.set_flush_denormal(True)
        try:
            yield
        finally:
            torch.set_flush_denormal(flush)


def device_and_parallel(est, stats):
    """The device to train ``est`` on, and the data-parallel engine or None.

    Started by a launcher on several processes (and unless
    ``distributed=False``), each process trains on its share through
    Accelerate; on GPUs each takes its local one. Every process must then
    fit the same data (``stats`` describes them) with the same parameters,
    which is checked before anything else is exchanged.
    """
    device = resolve_device(est.device)
    parallel = data_parallel(est.distributed, device)
    if parallel is None:
        return device, None
    params, _ = plain_params(est.get_params(deep=False))
    parallel.agree(
        {
            "rows": stats.n_samples,
            "features": len(stats.mean),
            # Identical data give identical sums, to the last bit.
            "column means": hashlib.sha256(stats.mean.tobytes()).hexdigest()[:12],
            **{
                f"parameter {k}": repr(v)
                for k, v in sorted(params.items())
                if k not in ("verbose", "checkpoint_dir", "device")
            },
        }
    )
    return parallel.device, parallel


def draw_seed(random_state, parallel):
    """The fit's seed; in a data-parallel run, rank 0's on every process."""
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    if parallel is not None:
        seed = parallel.broadcast_int(seed)
    return seed


def resolve_epochs(max_epochs, n_samples):
    """``max_epochs``, with ``"auto"`` resolved for ``n_samples`` rows.

    ``round(50 * sqrt(4000 / n_samples))`` between 1 and 100 epochs: 50
    for 4,000 rows, 13 for 60,000, 3 for a million. Larger data give
    each epoch more distinct rows to learn from, so the rows seen over
    a fit grow with the square root of the data, not linearly.
    """
    if max_epochs != "auto":
        return int(max_epochs)
    return int(min(100, max(1, round(50 * math.sqrt(4000 / n_samples)))))


def make_net(est, device, callbacks, max_epochs):
    """The skorch net around a new module of ``est``, initialised on ``device``.

    Used by ``fit``, ``partial_fit`` (one epoch per call) and
    :func:`aembed.load`, so that a loaded estimator's net is built exactly
    as a fitted one's. The module's initial weights are drawn from the
    fit's random stream.
    """
    with drawing_from_stream():
        module = est._new_module()
    net = EmbedderNet(
        module=module,
        criterion=torch.nn.Identity,
        optimizer=torch.optim.AdamW,
        optimizer__weight_decay=est.weight_decay,
        # PyTorch's fused AdamW kernel: the same update, in a third of the
        # time of its per-tensor loop on the CPU.
        optimizer__fused=torch.device(device).type in ("cpu", "cuda"),
        lr=est.lr,
        max_epochs=max_epochs,
        batch_size=est.batch_size,
        train_split=None,
        callbacks=callbacks,
        device=device,
        verbose=int(est.verbose >= 2),
    )
    net.input_scaling_ = (est.input_offset_, est.input_scale_)
    net.mixed_precision_ = bool(est.mixed_precision)
    return net.initialize()


def scaled_rows(data, offset, scale, device):
    """The scaled training rows: a tensor, or blocks scaled as they are read.

    Training data moved once per fit spares a host-to-device copy per batch;
    data too large for the device stay on the host and go batch by batch.
    """
    if isinstance(data, BlockReader):
        return StreamedRows(data, range(data.n_blocks), offset, scale)
    rows = torch.from_numpy(apply_scaling(data, offset, scale))
    return _to_device_if_room(rows, device)


def _to_device_if_room(tensor, device):
    """``tensor`` on ``device`` when it takes at most half the free memory there."""
    device = torch.device(device)
    if device.type != "cuda":
        return tensor
    free, _ = torch.cuda.mem_get_info(device)
    if tensor.nbytes > free // 2:
        return tensor
    return tensor.to(device)


def split(X, fraction, seed):
    """Training and validation rows, ``fraction`` of them held out.

    Rows read in blocks are split by whole blocks.
    """
    if isinstance(X, StreamedRows):
        n_valid = min(max(1, round(fraction * len(X.blocks))), len(X.blocks) - 1)
        order = np.random.default_rng(seed).permutation(X.blocks).tolist()
        return X.subset(order[n_valid:]), X.subset(order[:n_valid])
    n_valid = max(1, int(round(fraction * len(X))))
    n_valid = min(n_valid, len(X) - 1)
    order = np.random.default_rng(seed).permutation(len(X))
    order = torch.from_numpy(order).to(X.device)
    return X[order[n_valid:]], X[order[:n_valid]]


def training_split(rows, codes, est, seed, incremental):
    """The training rows, their class codes (or None), and the validation rows.

    With early stopping in ``fit``, ``est.validation_fraction`` of the rows
    are held out (None otherwise); the codes are split by the same draw, so
    that they stay the training rows' own, in the same order.
    """
    labels = None if codes is None else torch.from_numpy(codes)
    if not est.early_stopping or incremental:
        return rows, labels, None
    train, valid = split(rows, est.validation_fraction, seed)
    if labels is not None:
        labels, _ = split(labels, est.validation_fraction, seed)
    return train, labels, valid


def training_net(est, device, warm, incremental):
    """The net to train: the fitted one, or a new one (from its state, if warm).

    ``partial_fit`` keeps training the net it built; a net built by ``fit``
    carries fit's progress bar and early stopping, so a new net with the
    same state replaces it.
    """
    if warm and incremental and est.net_.incremental_:
        if est.net_.torch_rng_state_ is not None:
            set_stream_state(est.net_.torch_rng_state_)
        return est.net_
    net = make_net(
        est,
        device,
        training_callbacks(est, incremental),
        max_epochs=1 if incremental else est.max_epochs_,
    )
    net.incremental_ = incremental
    if warm:
        net.continue_from(est.net_.training_state())
    return net
