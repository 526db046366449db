"""The estimators' ``to_onnx`` method; the export itself is :mod:`aembed.onnx`.

Kept apart from the base so that the estimator core stays free of the
export, whose packages (``onnx``, ``skl2onnx``) are imported only when a
model is exported.
"""

import numpy as np


class OnnxExportMixin:
    """Adds ``to_onnx`` to a fitted aembed estimator."""

    def to_onnx(
        self, path=None, *, method="transform", target_opset=None, dtype=np.float32
    ):
        """The ONNX model of the fitted ``transform``, ``predict`` or decoder.

        Calls :func:`aembed.onnx.to_onnx`, which describes the graph and
        needs the ``onnx`` extra (``pip install "aembed[onnx]"``).

        Parameters
        ----------
        path : str or path-like, default=None
            Where to write the model as well.
        method : {"transform", "predict", "inverse_transform"}, default="transform"
            The method the graph computes (``"predict"``: VQ-VAE only).
        target_opset : int, default=None
            The ONNX opset; None means ``aembed.onnx.DEFAULT_OPSET``.
        dtype : {numpy.float32, numpy.float64}, default=numpy.float32
            The type of the graph's input ``"X"``.

        Returns
        -------
        model : onnx.ModelProto
            The checked model, to serve with ``onnxruntime``.

        Examples
        --------
        With ``emb`` a fitted estimator:

        >>> model = emb.to_onnx("embedder.onnx")  # doctest: +SKIP
        """
        from .onnx import to_onnx

        return to_onnx(
            self, path, method=method, target_opset=target_opset, dtype=dtype
        )
