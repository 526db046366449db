"""Every check of the estimators' parameters and data, one entry point per phase.

- :func:`check_fit`: the data and the parameters of a fit or a
  ``partial_fit`` call, before anything is built;
- :func:`check_warm_start`: that a warm start or a later ``partial_fit``
  can continue the fitted network on this data;
- :func:`check_inference` and :func:`check_embedding`: the rows given to a
  fitted estimator, in the input space or in the embedding space.

Parameters are first checked by scikit-learn's declared
``_parameter_constraints``; what is here is what constraints cannot say:
the relations between parameters and data, and the loopholes of
``Interval(Integral, ...)`` and ``"array-like"``.
"""

import os
import warnings
from numbers import Integral

import numpy as np
import torch
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch.callbacks import Callback, PassthroughScoring
from skorch.callbacks.scoring import ScoringBase

from ._inputs import as_array, reject_bools
from ._persistence import to_plain
from ._scaling import ColumnStats, coarse_columns
from ._streaming import BlockReader, is_out_of_core, load_memmap

# partial_fit warns below this many rows per neighbour in a block.
MIN_GRAPH_BLOCK = 10


def check_memory(n_bytes, needs, fix):
    """Refuse, before allocating, more than the machine's physical memory.

    The message reads ``f"{needs} {size} GiB, more than ...; {fix}"``.
    """
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # the platform does not say
        return
    if n_bytes > memory:
        raise MemoryError(
            f"{needs} {n_bytes / 2**30:.3g} GiB, more than this machine's "
            f"{memory / 2**30:.3g} GiB of memory; {fix}"
        )


def image_shape(value, name="image_shape"):
    """``image_shape`` (or ``name``) as ``(channels, height, width)``, or None."""
    if value is None:
        return None
    shape = tuple(value)
    if len(shape) == 2:
        shape = (1, *shape)
    if len(shape) != 3 or any(not isinstance(s, Integral) or s < 1 for s in shape):
        raise ValueError(
            f"{name} must be (height, width) or (channels, height, width) "
            f"of positive integers, got {value!r}."
        )
    return shape


def augment_shape(augment, image_shape_):
    """The image geometry ``augment`` transforms (``"auto"``: ``image_shape_``)."""
    if isinstance(augment, str):
        return image_shape(image_shape_)
    return image_shape(augment, "augment")


def resolve_loss(requested, low, high):
    """The reconstruction loss, given the range ``[low, high]`` of the scaled data."""
    if requested != "auto":
        if requested == "bce" and (low < 0 or high > 1):
            raise ValueError(
                "reconstruction_loss='bce' needs data in [0, 1] after scaling, "
                f"got values in [{low:.3g}, {high:.3g}]; use "
                "scaling='minmax' or reconstruction_loss='mse'."
            )
        return requested
    return "bce" if low >= 0 and high <= 1 else "mse"


def network_from_params(est):
    """``est._network_params`` as its current parameters set them, as plain data."""
    network = {}
    for name in est._network_params:
        value = getattr(est, name)
        if name == "image_shape":
            value = image_shape(value)
        elif isinstance(value, tuple | list | np.ndarray):
            value = tuple(int(v) for v in value)
        network[name] = to_plain(value)
    return network


# -- fit ------------------------------------------------------------------------


def check_fit(est, X, first, incremental):
    """Validated training data and its column statistics.

    ``first`` says whether this fit fixes the features (a cold fit or the
    first ``partial_fit``). An out-of-core array (a memory map, zarr, HDF5,
    Dask) comes back as a :class:`~._streaming.BlockReader`, after one pass
    that checks its values and computes the statistics; anything else as a
    C-contiguous, writable float32 or float64 array in memory.
    """
    X = as_array(X)
    if is_out_of_core(X):
        if est.neighbor_weight > 0 and not incremental:
            raise ValueError(
                "neighbor_weight > 0 needs the training rows in memory, but "
                f"X is a {type(X).__name__} read in blocks. Fit on an "
                "in-memory sample (e.g. np.asarray(X[rows])), or train with "
                "partial_fit on blocks, each of which gets its own graph."
            )
        validate_data(est, X, skip_check_array=True, reset=first)
        data = BlockReader(
            X, min_blocks=10 if est.early_stopping and not incremental else 1
        )
        stats = data.statistics()
    else:
        X = load_memmap(X)
        # float64 data stay float64 until scaled: cast first, data such as
        # 1e6 plus small variations would lose their variations.
        data = validate_data(est, X, dtype=[np.float32, np.float64], reset=first)
        data = np.require(data, requirements=["C", "W"])
        stats = ColumnStats.of(data)
    _check_params(est, data.shape, incremental)
    return data, stats


def check_resolution(est, stats):
    """Warn when outputs in X's units cannot resolve some of its columns."""
    coarse = coarse_columns(stats, est.input_offset_, est.input_scale_)
    if coarse.size:
        warnings.warn(
            f"{coarse.size} column(s) of X (the first: {coarse[0]}) vary by "
            "less than a hundred float32 steps at their magnitude (such as "
            "1e6 plus variations of 0.01). The model learns them, scaled in "
            "float64; but its outputs in X's units (inverse_transform, "
            "sample) are float32 and resolve them coarsely. Subtract their "
            "offset from X to keep them.",
            UserWarning,
            stacklevel=7,
        )


def _check_params(est, shape, incremental):
    n_samples, n_features = shape
    # sklearn's Interval(Integral, ...) admits True and False, which
    # PyTorch would take for sizes 1 and 0 or reject with its own error.
    for name, constraints in est._parameter_constraints.items():
        if any(getattr(c, "type", None) is Integral for c in constraints):
            reject_bools(**{name: getattr(est, name)})
    for name in ("hidden_layer_sizes", "image_shape", "augment"):
        sizes = getattr(est, name)
        if sizes is None or isinstance(sizes, str):
            continue
        # sklearn's "array-like" admits dicts and sets, whose order (and
        # what a saved file can hold) is not that of a sequence.
        if not isinstance(sizes, tuple | list | np.ndarray) or np.ndim(sizes) != 1:
            raise TypeError(
                f"{name} must be a tuple or list of integers, got {sizes!r}."
            )
        if any(isinstance(h, bool | np.bool_) for h in sizes):
            raise TypeError(f"{name} must hold integers, got {sizes!r}.")
    check_callbacks(est)
    shape = image_shape(est.image_shape)
    if shape is not None and int(np.prod(shape)) != n_features:
        raise ValueError(
            f"image_shape={tuple(est.image_shape)} holds {int(np.prod(shape))} "
            f"values per image, but X has {n_features} features."
        )
    shape = augment_shape(est.augment, None)
    if shape is not None and int(np.prod(shape)) != n_features:
        raise ValueError(
            f"augment={tuple(est.augment)} holds {int(np.prod(shape))} "
            f"values per image, but X has {n_features} features."
        )
    sizes = est.hidden_layer_sizes
    if any(not isinstance(h, Integral) or h < 1 for h in sizes):
        raise ValueError(
            f"hidden_layer_sizes must be positive integers, got {sizes!r}."
        )
    if incremental and est.neighbor_weight > 0:
        if n_samples < MIN_GRAPH_BLOCK * est.n_neighbors:
            warnings.warn(
                "partial_fit with neighbor_weight > 0 builds the neighbour "
                f"graph of each block alone; a block of {n_samples} rows "
                "holds little neighbourhood structure. Pass blocks of at "
                f"least {MIN_GRAPH_BLOCK * est.n_neighbors} rows "
                f"({MIN_GRAPH_BLOCK} x n_neighbors; 10,000 or more work "
                "well).",
                UserWarning,
                stacklevel=7,
            )
    if est.lr * est.weight_decay >= 1:
        raise ValueError(
            f"weight_decay={est.weight_decay} with lr={est.lr}: AdamW "
            "multiplies the weights by 1 - lr * weight_decay at every step, so "
            "lr * weight_decay must be below 1 (it is usually below 1e-3)."
        )
    if est.early_stopping and n_samples < 2:
        raise ValueError(
            "early_stopping=True needs at least 2 samples to hold out a "
            f"validation set, got {n_samples}; set early_stopping=False."
        )
    est._check_objective_params()


def check_callbacks(est):
    """Refuse, before training, callbacks that cannot work in this estimator."""
    for i, callback in enumerate(est.callbacks or []):
        # skorch takes a (name, callback) pair as a tuple or a list.
        name = None
        if isinstance(callback, tuple | list) and len(callback) == 2:
            name, callback = callback
            if not isinstance(name, str):
                callback = None
        if not (
            isinstance(callback, Callback)
            or (isinstance(callback, type) and issubclass(callback, Callback))
        ):
            raise TypeError(
                "callbacks must hold skorch Callback instances or "
                f"(name, callback) pairs, got {est.callbacks[i]!r} at "
                f"position {i}."
            )
        _check_callback(est, name, callback)


def _check_callback(est, name, callback):
    reserved = est._callback_names
    if name in reserved:
        raise ValueError(
            f"callbacks: {name!r} names one of aembed's own callbacks "
            f"({', '.join(reserved)}); give yours another name."
        )
    kind = callback if isinstance(callback, type) else type(callback)
    if issubclass(kind, ScoringBase | PassthroughScoring):
        what = (
            "averages per-batch records, which this net does not keep"
            if issubclass(kind, PassthroughScoring)
            else "scores a net's predictions of a target, which an "
            "embedder's net does not make"
        )
        raise TypeError(
            f"callbacks: skorch's {kind.__name__} {what}. Record a score of "
            "your own in a callback's on_epoch_end with "
            "net.history.record(name, value); train_loss_best (and "
            "valid_loss_best with early_stopping=True) are recorded already."
        )
    monitor = getattr(callback, "monitor", None)
    if (
        isinstance(monitor, str)
        and monitor.startswith("valid_")
        and not est.early_stopping
    ):
        raise ValueError(
            f"callbacks: {kind.__name__} monitors {monitor!r}, which is "
            "recorded only with early_stopping=True (which holds out "
            "validation_fraction of the rows). Set early_stopping=True, or "
            f"monitor {monitor.replace('valid_', 'train_', 1)!r}."
        )


# -- warm start -------------------------------------------------------------------


def check_warm_start(est, stats):
    """That training can continue the fitted network on data of ``stats``.

    The current parameters must describe the fitted network, and the data,
    through the first fit's scaling, must suit its reconstruction loss.
    """
    current = network_from_params(est)
    changed = [
        f"{name} from {est._network_[name]!r} to {current[name]!r}"
        for name in current
        if current[name] != est._network_.get(name)
    ]
    if changed:
        raise ValueError(
            "warm_start=True continues training the fitted network, but the "
            f"current parameters describe a different one ({', '.join(changed)}"
            "). Set warm_start=False to train a new network, or set them back."
        )
    low, high = stats.scaled_range(est.input_offset_, est.input_scale_)
    if est.reconstruction_loss_ == "bce" and (low < 0 or high > 1):
        raise ValueError(
            "warm_start=True and partial_fit keep the input scaling of the "
            f"first fit, which maps this X to [{low:.3g}, {high:.3g}], outside "
            "the [0, 1] that reconstruction_loss 'bce' needs. Fit with "
            "warm_start=False to rescale."
        )


# -- inference --------------------------------------------------------------------


def check_inference(est, X):
    """``X`` validated against the fit: an array, or a block reader."""
    check_is_fitted(est)
    X = as_array(X)
    if is_out_of_core(X):
        validate_data(est, X, skip_check_array=True, reset=False)
        return BlockReader(X)
    X = load_memmap(X)
    return validate_data(est, X, reset=False, dtype=[np.float32, np.float64])


def check_embedding(est, X):
    """Points of the embedding space, as ``inverse_transform`` takes them."""
    check_is_fitted(est)
    X = check_array(as_array(X), dtype=[np.float32, np.float64], input_name="X")
    n_components = est._n_features_out
    if X.shape[1] != n_components:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(est).__name__}."
            f"inverse_transform expects n_components={n_components} "
            "(points in the embedding space)."
        )
    return X


def check_n_samples(n_samples):
    """A positive number of samples to draw."""
    if (
        not isinstance(n_samples, Integral)
        or isinstance(n_samples, bool | np.bool_)
        or n_samples < 1
    ):
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")


def check_network_memory(est):
    """Refuse a network too large to train here, before allocating it."""
    with torch.device("meta"):  # shapes only: no memory, no random draws
        module = est._new_module()
    n_weights = sum(p.numel() for p in module.parameters())
    n_buffers = sum(b.numel() for b in module.buffers())
    # Weights, gradients and Adam's two moments, in float32.
    check_memory(
        16 * n_weights + 4 * n_buffers,
        f"Training this network ({n_weights:,} weights) needs at least",
        "choose smaller hidden_layer_sizes, n_components or n_codes.",
    )
