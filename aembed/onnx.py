"""Export fitted estimators to ONNX, alone or inside scikit-learn pipelines.

:func:`to_onnx` writes the graph of a fitted estimator's ``transform``,
``predict`` (VQ-VAE) or ``inverse_transform``, to be served by
``onnxruntime`` or any ONNX runtime, without PyTorch. The graph is written
node by node from the network's weights: no PyTorch exporter is used, so
it does not depend on the torch version.

Importing this module registers converters with ``skl2onnx`` (when it is
installed; :func:`register` does it explicitly), so that
``skl2onnx.to_onnx`` converts whole pipelines that contain an aembed
estimator. Needs the ``onnx`` extra: ``pip install "aembed[onnx]"``.
"""

import importlib.util
import numbers
import os
import warnings

import numpy as np

try:
    import onnx
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "aembed.onnx needs the onnx package: pip install 'aembed[onnx]'"
    ) from exc
from onnx import TensorProto
from sklearn.utils.validation import check_is_fitted

from . import _onnx_graph
from ._dae import DenoisingAEEmbedder
from ._files import atomic_path
from ._vae import VAEEmbedder
from ._version import __version__
from ._vqvae import VQVAEEmbedder

__all__ = ["DEFAULT_OPSET", "register", "to_onnx"]

#: The opset :func:`to_onnx` targets by default: the first with a ``Gelu``
#: operator, run by onnxruntime 1.17 and later.
DEFAULT_OPSET = 20

_ESTIMATORS = (DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder)
_DTYPES = {
    np.dtype(np.float32): TensorProto.FLOAT,
    np.dtype(np.float64): TensorProto.DOUBLE,
}


def _check_exportable(est, method):
    if not isinstance(est, _ESTIMATORS):
        raise TypeError(
            "to_onnx exports DenoisingAEEmbedder, VAEEmbedder and VQVAEEmbedder, "
            f"got {type(est).__name__}."
        )
    check_is_fitted(est)
    methods = ["transform", "inverse_transform"]
    if isinstance(est, VQVAEEmbedder):
        methods.insert(1, "predict")
    if method not in methods:
        raise ValueError(
            f"method must be one of {methods} for {type(est).__name__}, got {method!r}."
        )
    if getattr(est.net_, "mixed_precision_", False):  # how transform computes
        warnings.warn(
            "This model was fitted with mixed_precision=True: its transform "
            "computes in bfloat16, the ONNX graph in float32, so their outputs "
            "differ by bfloat16's rounding (about 1e-2 relative).",
            UserWarning,
            stacklevel=3,
        )


def _check_opset(target_opset):
    latest = onnx.defs.onnx_opset_version()
    if (
        not isinstance(target_opset, numbers.Integral)
        or isinstance(target_opset, bool)
        or not _onnx_graph.MIN_OPSET <= target_opset <= latest
    ):
        raise ValueError(
            f"target_opset must be an integer from {_onnx_graph.MIN_OPSET} to "
            f"{latest} (the newest this onnx knows), got {target_opset!r}."
        )
    return int(target_opset)


def to_onnx(
    estimator, path=None, *, method="transform", target_opset=None, dtype=np.float32
):
    """The ONNX model of a fitted estimator's ``transform``, ``predict`` or decoder.

    The graph computes exactly what the method does: the input scaling
    fitted in ``fit``, the encoder (multilayer perceptron or convolutional),
    the VAE's posterior mean, the VQ-VAE's nearest code with
    ``quantize=True``; or, for ``inverse_transform``, the VQ-VAE's snap to
    the codebook, the decoder, the Bernoulli likelihood's sigmoid and the
    inverse scaling. It takes one input ``"X"`` of shape
    ``(N, n_features_in_)`` (``(N, n_components)`` for
    ``inverse_transform``), any number of rows ``N``, and gives one output:
    ``"embedding"`` (float32), ``"label"`` (int64) or ``"reconstruction"``
    (float32). No PyTorch is needed to run it.

    Parameters
    ----------
    estimator : DenoisingAEEmbedder, VAEEmbedder or VQVAEEmbedder
        A fitted estimator.
    path : str or path-like, default=None
        Where to write the model as well (written whole or not at all).
    method : {"transform", "predict", "inverse_transform"}, default="transform"
        The method the graph computes; ``"predict"`` for
        :class:`~aembed.VQVAEEmbedder` only. ``VAEEmbedder.sample`` is
        ``inverse_transform`` of standard normal draws.
    target_opset : int, default=None
        The ONNX opset of the graph, from 13 on; None means
        ``DEFAULT_OPSET`` (20). Below 20, GELU is written with ``Erf``.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        The type of the input ``"X"``; an ONNX runtime refuses any other.
        A float64 input is scaled in float64 and then rounded to float32,
        as ``transform`` does with float64 data; outputs are float32 either
        way.

    Returns
    -------
    model : onnx.ModelProto
        The model, checked by ``onnx.checker.check_model``.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.
    TypeError
        If it is not an aembed estimator, or its network holds a layer
        with no ONNX counterpart here (the message names it).
    ValueError
        For an unknown ``method``, ``target_opset`` or ``dtype``.

    Notes
    -----
    ``transform`` checks that its output is finite; the graph does not.
    The VQ-VAE's graphs compare each row with every code at once: they
    hold ``N * n_codes * n_components`` floats, so feed large inputs in
    batches.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from sklearn.datasets import load_digits
    >>> from aembed import VAEEmbedder
    >>> from aembed.onnx import to_onnx
    >>> X, _ = load_digits(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> emb = VAEEmbedder(max_epochs=2, random_state=0).fit(X[:300])
    >>> session = ort.InferenceSession(
    ...     to_onnx(emb).SerializeToString(), providers=["CPUExecutionProvider"]
    ... )
    >>> Z = session.run(None, {"X": X[300:305]})[0]
    >>> Z.shape, bool(np.allclose(Z, emb.transform(X[300:305]), atol=1e-5))
    ((5, 2), True)
    """
    _check_exportable(estimator, method)
    opset = _check_opset(DEFAULT_OPSET if target_opset is None else target_opset)
    try:
        elem_type = _DTYPES[np.dtype(dtype)]
    except (TypeError, KeyError):
        raise ValueError(
            f"dtype must be numpy.float32 or numpy.float64, got {dtype!r}."
        ) from None
    model = _onnx_graph.build(estimator, (method,), opset, elem_type)
    model.producer_name = "aembed"
    model.producer_version = __version__
    model.doc_string = f"{type(estimator).__name__}.{method}"
    onnx.checker.check_model(model)
    if path is not None:
        with atomic_path(os.fspath(path)) as tmp:
            onnx.save_model(model, tmp)
    return model


# -- skl2onnx ----------------------------------------------------------------


def _parser(scope, model, inputs, custom_parsers=None):
    """One output, the embedding; with the ``predict`` option, the label first.

    A VQ-VAE that ends a pipeline is a clusterer: the option gives the
    ``"label"`` output of scikit-learn's clusterer converters beside it.
    """
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType

    _check_exportable(model, "transform")
    operator = scope.declare_local_operator(_alias(type(model)), model)
    operator.inputs = inputs
    if (
        isinstance(model, VQVAEEmbedder)
        and scope.get_options(model, {"predict": False})["predict"]
    ):
        operator.outputs.append(
            scope.declare_local_variable("label", Int64TensorType())
        )
    operator.outputs.append(scope.declare_local_variable("variable", FloatTensorType()))
    return operator.outputs


def _shape_calculator(operator):
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
    )
    from skl2onnx.common.utils import check_input_and_output_numbers

    check_input_and_output_numbers(
        operator, input_count_range=1, output_count_range=[1, 2]
    )
    est = operator.raw_operator
    input_type = operator.inputs[0].type
    if not isinstance(input_type, FloatTensorType | DoubleTensorType):
        raise TypeError(
            f"{type(est).__name__} converts float or double inputs, got "
            f"{type(input_type).__name__}."
        )
    n = operator.inputs[0].get_first_dimension()
    *label, embedding = operator.outputs
    if label:
        label[0].type = Int64TensorType([n])
    # Float whatever the input: transform returns float32, as the graph does.
    embedding.type = FloatTensorType([n, int(est._network_["n_components"])])


def _converter(scope, operator, container):
    from skl2onnx.common.data_types import DoubleTensorType
    from skl2onnx.helpers import add_onnx_graph

    est = operator.raw_operator
    methods = ("predict", "transform") if len(operator.outputs) == 2 else ("transform",)
    double = isinstance(operator.inputs[0].type, DoubleTensorType)
    elem_type = TensorProto.DOUBLE if double else TensorProto.FLOAT
    opset = container.target_opset
    if opset < _onnx_graph.MIN_OPSET:
        raise ValueError(
            f"{type(est).__name__} needs target_opset >= {_onnx_graph.MIN_OPSET}, "
            f"got {opset}."
        )
    model = _onnx_graph.build(est, methods, opset, elem_type)
    add_onnx_graph(scope, operator, container, model)


def _alias(cls):
    return f"Aembed{cls.__name__}"


def register():
    """Register aembed's converters with ``skl2onnx``.

    Importing :mod:`aembed.onnx` calls it when ``skl2onnx`` is installed;
    call it again after anything that resets skl2onnx's registry. Then
    ``skl2onnx.to_onnx`` converts any pipeline holding a fitted
    :class:`~aembed.DenoisingAEEmbedder`, :class:`~aembed.VAEEmbedder` or
    :class:`~aembed.VQVAEEmbedder`: the estimator becomes its ``transform``,
    with float32 output whether the pipeline's input is float or double.
    The option ``{"predict": True}`` (``options={id(est): {"predict":
    True}}``) gives a VQ-VAE two outputs, its codes (``"label"``, as
    scikit-learn's clusterers have) then the embedding, for a pipeline that
    ends in one.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> import skl2onnx
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from aembed import VAEEmbedder
    >>> import aembed.onnx  # registers the converters
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> pipe = make_pipeline(VAEEmbedder(max_epochs=2, random_state=0),
    ...                      KNeighborsClassifier()).fit(X[:300], y[:300])
    >>> onx = skl2onnx.to_onnx(pipe, X[:1], options={"zipmap": False})
    >>> session = ort.InferenceSession(
    ...     onx.SerializeToString(), providers=["CPUExecutionProvider"]
    ... )
    >>> labels = session.run(["label"], {"X": X[300:310]})[0]
    >>> bool((labels == pipe.predict(X[300:310])).all())
    True
    """
    from skl2onnx import update_registered_converter

    for cls in _ESTIMATORS:
        vq = cls is VQVAEEmbedder
        update_registered_converter(
            cls,
            _alias(cls),
            _shape_calculator,
            _converter,
            parser=_parser,
            options={"predict": [False, True]} if vq else None,
        )


if importlib.util.find_spec("skl2onnx") is not None:
    register()
