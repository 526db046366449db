"""Doctest collection: leave out modules whose optional dependencies are missing."""

from importlib.util import find_spec

collect_ignore = []
if any(find_spec(name) is None for name in ("onnx", "onnxruntime", "skl2onnx")):
    collect_ignore.append("aembed/onnx.py")
