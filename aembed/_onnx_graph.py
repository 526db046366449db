"""ONNX graphs of a fitted estimator, written node by node from its weights.

Every layer the aembed networks use (``Linear``, ``Conv2d``, nearest
upsampling to a fixed size, flattening and the activations) has an ONNX
operator, so no PyTorch exporter takes part: the graph is the same whatever
the torch version, and the weights are read once, as arrays. A layer this
module does not know is refused by name, never approximated.
"""

import math

import numpy as np
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

from .nn import (
    ConvDecoder,
    ConvEncoder,
    VariationalAutoEncoder,
    VectorQuantizedAutoEncoder,
)

# The oldest opset the graphs are tested with. Every operator they use
# exists in it; only ReduceSumSquare's axes move to an input in opset 18,
# and GELU gets an operator in opset 20.
MIN_OPSET = 13

# The graph's outputs, by the estimator method whose result they give.
OUTPUT_NAMES = {
    "transform": "embedding",
    "predict": "label",
    "inverse_transform": "reconstruction",
}


class _Graph:
    """Nodes and initializers, with fresh names for everything added."""

    def __init__(self, opset, elem_type):
        self.opset = opset
        self.elem_type = elem_type
        self.nodes, self.initializers = [], []
        self._count = 0

    def _fresh(self, base):
        self._count += 1
        return f"aembed_{base}_{self._count}"

    def const(self, array, base="const"):
        name = self._fresh(base)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type, *inputs, output=None, **attrs):
        output = output or self._fresh(op_type.lower())
        name = self._fresh(op_type)
        self.nodes.append(
            helper.make_node(op_type, list(inputs), [output], name=name, **attrs)
        )
        return output


def _array(tensor):
    return tensor.detach().to("cpu", torch.float32).numpy()


def _linear(g, x, layer, rows=None):
    weight = _array(layer.weight)[:rows]
    if layer.bias is None:
        return g.op("MatMul", x, g.const(np.ascontiguousarray(weight.T), "weight"))
    bias = _array(layer.bias)[:rows]
    return g.op("Gemm", x, g.const(weight, "weight"), g.const(bias, "bias"), transB=1)


def _conv(g, x, layer):
    if layer.padding_mode != "zeros" or isinstance(layer.padding, str):
        raise TypeError(
            f"Cannot export {layer!r} to ONNX: only numeric zero padding is supported."
        )
    inputs = [x, g.const(_array(layer.weight), "weight")]
    if layer.bias is not None:
        inputs.append(g.const(_array(layer.bias), "bias"))
    return g.op(
        "Conv",
        *inputs,
        kernel_shape=list(layer.kernel_size),
        strides=list(layer.stride),
        pads=[*layer.padding, *layer.padding],
        dilations=list(layer.dilation),
        group=layer.groups,
    )


def _upsample(g, x, layer, in_shape):
    """Nearest upsampling as two ``Gather`` s of torch's own source indices.

    ONNX's ``Resize`` computes its source coordinates in its own floating
    point, which can round a coordinate to the neighbouring pixel where
    torch does not; indices read from torch itself cannot differ.
    """
    if layer.mode != "nearest" or layer.size is None:
        raise TypeError(
            f"Cannot export {layer!r} to ONNX: only nearest upsampling to a "
            "fixed size is supported."
        )
    size = layer.size if isinstance(layer.size, tuple) else (layer.size,) * 2
    for axis, (n_in, n_out) in enumerate(zip(in_shape[-2:], size, strict=True)):
        grid = torch.arange(n_in, dtype=torch.float32).reshape(1, 1, n_in)
        index = nn.functional.interpolate(grid, size=n_out, mode="nearest")
        index = index.reshape(-1).to(torch.int64).numpy()
        x = g.op("Gather", x, g.const(index, "index"), axis=2 + axis)
    return x


def _gelu(g, x, approximate):
    if g.opset >= 20:
        return g.op("Gelu", x, approximate=approximate)
    if approximate != "none":
        raise ValueError(f"GELU(approximate={approximate!r}) needs target_opset >= 20.")
    # x * 0.5 * (1 + erf(x / sqrt(2))), as torch computes it.
    erf = g.op("Erf", g.op("Mul", x, g.const(np.float32(1 / math.sqrt(2)))))
    half = g.op("Mul", x, g.const(np.float32(0.5)))
    return g.op("Mul", half, g.op("Add", erf, g.const(np.float32(1.0))))


def _activation(g, x, layer):
    if isinstance(layer, nn.ReLU):
        return g.op("Relu", x)
    if isinstance(layer, nn.LeakyReLU):
        return g.op("LeakyRelu", x, alpha=float(layer.negative_slope))
    if isinstance(layer, nn.ELU):
        return g.op("Elu", x, alpha=float(layer.alpha))
    if isinstance(layer, nn.Tanh):
        return g.op("Tanh", x)
    if isinstance(layer, nn.Sigmoid):
        return g.op("Sigmoid", x)
    if isinstance(layer, nn.SiLU):
        return g.op("Mul", x, g.op("Sigmoid", x))
    if isinstance(layer, nn.GELU):
        return _gelu(g, x, layer.approximate)
    return None


def _steps(network):
    """The layers of an encoder or decoder, in order, with reshapes as tuples."""
    if isinstance(network, ConvEncoder):
        return [("reshape", network.image_shape), *network.features, *network.head]
    if isinstance(network, ConvDecoder):
        return [
            *network.head,
            ("reshape", network._grid),
            *network.features,
            nn.Flatten(),
        ]
    if isinstance(network, nn.Sequential):  # MLPEncoder, MLPDecoder
        return list(network)
    raise TypeError(
        f"Cannot export a {type(network).__name__} network to ONNX: aembed "
        "exports its MLP and convolutional encoders and decoders."
    )


def _input_shapes(network, n_inputs):
    """The input shape of every upsampling layer, from one pass of a zero row."""
    shapes = {}

    def record(module, args):
        shapes[module] = tuple(args[0].shape)  # returns None: args unchanged

    hooks = [
        layer.register_forward_pre_hook(record)
        for layer in network.modules()
        if isinstance(layer, nn.Upsample)
    ]
    try:
        if hooks:
            param = next(network.parameters())
            with torch.inference_mode():
                network(torch.zeros(1, n_inputs, device=param.device))
    finally:
        for hook in hooks:
            hook.remove()
    return shapes


def _network(g, x, network, n_inputs, rows=None):
    """Emit ``network``; ``rows`` keeps only the first outputs of the last layer."""
    steps = _steps(network)
    shapes = _input_shapes(network, n_inputs)
    for i, step in enumerate(steps):
        if isinstance(step, tuple):
            x = g.op("Reshape", x, g.const(np.array([-1, *step[1]], dtype=np.int64)))
        elif isinstance(step, nn.Linear) and i == len(steps) - 1:
            x, rows = _linear(g, x, step, rows), None
        elif isinstance(step, nn.Linear):
            x = _linear(g, x, step)
        elif isinstance(step, nn.Conv2d):
            x = _conv(g, x, step)
        elif isinstance(step, nn.Upsample):
            x = _upsample(g, x, step, shapes[step])
        elif (
            isinstance(step, nn.Flatten) and step.start_dim == 1 and step.end_dim == -1
        ):
            x = g.op("Flatten", x, axis=1)
        elif isinstance(step, nn.Identity | nn.Dropout):
            continue
        else:
            out = _activation(g, x, step)
            if out is None:
                raise TypeError(
                    f"Cannot export the layer {step!r} to ONNX: aembed exports "
                    "Linear, Conv2d, nearest Upsample, Flatten and the "
                    "activations of aembed.nn.ACTIVATIONS."
                )
            x = out
    if rows is not None:  # the last layer was not a Linear one
        x = g.op(
            "Slice",
            x,
            g.const(np.array([0], dtype=np.int64)),
            g.const(np.array([rows], dtype=np.int64)),
            g.const(np.array([1], dtype=np.int64)),
        )
    return x


def _quantize(g, z, quantizer):
    """``VectorQuantizer.nearest`` and ``quantize``: the codes and their vectors.

    The distances are direct differences, as torch computes them, not the
    matrix-product expansion, whose rounding could pick another code. They
    are laid out latent dimension first, ``(dim, n, n_codes)``, so that the
    sum over dimensions adds whole slabs: summing the short last axis of
    ``(n, n_codes, dim)`` instead runs several times slower in onnxruntime.
    """
    codebook = _array(quantizer.codebook)
    dim = codebook.shape[1]
    columns = g.op("Transpose", z, perm=[1, 0])
    columns = g.op("Reshape", columns, g.const(np.array([dim, -1, 1], np.int64)))
    codes_t = g.const(np.ascontiguousarray(codebook.T[:, None, :]), "codebook_t")
    diff = g.op("Sub", columns, codes_t)  # (dim, n, 1) - (dim, 1, n_codes)
    if g.opset >= 18:
        axes = g.const(np.array([0], dtype=np.int64))
        squared = g.op("ReduceSumSquare", diff, axes, keepdims=0)
    else:
        squared = g.op("ReduceSumSquare", diff, axes=[0], keepdims=0)
    # The root as torch.cdist takes it: two sums that round to one distance
    # tie, and ArgMin then picks the first code, as torch does.
    codes = g.op("ArgMin", g.op("Sqrt", squared), axis=1, keepdims=0)
    return codes, g.op("Gather", g.const(codebook, "codebook"), codes, axis=0)


def _scale_in(g, x, est, elem_type):
    """``apply_scaling``: in the input's precision, then float32."""
    if est.scaling_ != "none":
        dtype = np.float64 if elem_type == TensorProto.DOUBLE else np.float32
        x = g.op("Sub", x, g.const(est.input_offset_.astype(dtype), "offset"))
        x = g.op("Div", x, g.const(est.input_scale_.astype(dtype), "scale"))
    if elem_type == TensorProto.DOUBLE:
        x = g.op("Cast", x, to=TensorProto.FLOAT)
    return x


def _encoder_side(g, x, est, module, methods):
    """The outputs of ``transform`` and ``predict`` from one encoder pass."""
    x = _scale_in(g, x, est, g.elem_type)
    rows = module.n_latent if isinstance(module, VariationalAutoEncoder) else None
    z = _network(g, x, module.encoder, est.n_features_in_, rows)
    outputs = {}
    if isinstance(module, VectorQuantizedAutoEncoder) and (
        "predict" in methods or est.quantize
    ):
        outputs["predict"], z_q = _quantize(g, z, module.quantizer)
        if est.quantize:
            z = z_q
    outputs["transform"] = z
    return outputs


def _decoder_side(g, z, est, module):
    """``inverse_transform``: quantise (VQ-VAE), decode, undo the scaling."""
    if g.elem_type == TensorProto.DOUBLE:
        z = g.op("Cast", z, to=TensorProto.FLOAT)
    if isinstance(module, VectorQuantizedAutoEncoder):
        z = _quantize(g, z, module.quantizer)[1]
    x = _network(g, z, module.decoder, est._network_["n_components"])
    if module.likelihood == "bernoulli":
        x = g.op("Sigmoid", x)
    if est.scaling_ != "none":
        x = g.op("Mul", x, g.const(est.input_scale_.astype(np.float32), "scale"))
        x = g.op("Add", x, g.const(est.input_offset_.astype(np.float32), "offset"))
    return {"inverse_transform": x}


def build(est, methods, opset, elem_type=TensorProto.FLOAT, graph_name=None):
    """The ONNX model of ``est``'s ``methods``, on one input ``"X"``.

    ``methods`` is ``("inverse_transform",)``, or any of ``"transform"`` and
    ``"predict"`` (VQ-VAE only), which share one encoder pass; the outputs
    follow their order, named by ``OUTPUT_NAMES``. ``elem_type`` is the
    input's (float or double); the outputs are float32 (int64 labels), as
    the estimator's methods return them.
    """
    module = est.net_.module_
    g = _Graph(opset, elem_type)
    n_components = int(est._network_["n_components"])
    decode = methods == ("inverse_transform",)
    n_in = n_components if decode else est.n_features_in_
    if decode:
        results = _decoder_side(g, "X", est, module)
    else:
        results = _encoder_side(g, "X", est, module, methods)
    outputs = []
    for method in methods:
        name = OUTPUT_NAMES[method]
        g.op("Identity", results[method], output=name)
        if method == "predict":
            outputs.append(
                helper.make_tensor_value_info(name, TensorProto.INT64, ["N"])
            )
        else:
            width = est.n_features_in_ if decode else n_components
            outputs.append(
                helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", width])
            )
    graph = helper.make_graph(
        g.nodes,
        graph_name or type(est).__name__,
        [helper.make_tensor_value_info("X", elem_type, ["N", n_in])],
        outputs,
        initializer=g.initializers,
    )
    opsets = [helper.make_opsetid("", opset)]
    return helper.make_model(
        graph, opset_imports=opsets, ir_version=helper.find_min_ir_version_for(opsets)
    )
