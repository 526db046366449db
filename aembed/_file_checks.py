"""What ``load`` checks of a model file before trusting what it declares.

Each check refuses a crafted or damaged file at a cost of about the file's
own size: a device or a pipe, a compressed or oversized archive member,
content larger than the file, and a pickle that asks for code. The errors
never pass on torch's advice to load a file with ``weights_only=False``.
"""

import errno
import os
import pickle
import re
import stat
import zipfile

import torch


def check_regular(name, info):
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(
            f"Cannot read {name!r}: it is a device, a pipe or a socket, not a "
            "file; an aembed model file is a file written by save."
        )


def is_pickle(head):
    return head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05")


def check_archive(name, f, size):
    """Refuse a zip archive whose members do not fit in the file as stored.

    ``torch.save`` stores every member uncompressed; a member that inflates
    is a decompression bomb, and one that reaches past the end of the file
    (or members that together do) declares more than the file holds.
    """
    try:
        members = zipfile.ZipFile(f).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise unreadable(name, exc) from None
    total = 0
    for m in members:
        total += m.file_size
        if m.file_size > m.compress_size or m.header_offset + m.compress_size > size:
            raise ValueError(
                f"Refusing to load {name!r}: its member {m.filename!r} declares "
                f"{m.file_size:,} bytes in {m.compress_size:,} stored bytes of a "
                f"{size:,}-byte file. aembed model files are not compressed: this "
                "file was crafted or damaged."
            )
    if total > size:
        raise ValueError(
            f"Refusing to load {name!r}: its members declare {total:,} bytes in a "
            f"{size:,}-byte file; the file was crafted or damaged."
        )


def check_sizes(name, data, size):
    """Refuse content that would cost more than the file's size to inspect.

    Every value an intact file describes is in it: the values, counted once
    each, and the bytes of its tensors, each tensor contiguous in its own
    storage, add up to less than the file's size. A pickle that refers to
    one list from many places (so that walking it would take exponential
    time) or a tensor stored with a zero stride (which expands when its
    checksum is computed) exceeds that.
    """
    budget = size
    stack = [data]
    while stack:
        obj = stack.pop()
        budget -= 1
        if isinstance(obj, torch.Tensor):
            if obj.layout != torch.strided or obj.is_quantized or obj.is_nested:
                raise ValueError(
                    f"Refusing to load {name!r}: it holds a {obj.layout} tensor; "
                    "aembed model files hold dense tensors only."
                )
            if (
                not obj.is_contiguous()
                or obj.untyped_storage().nbytes()
                < (obj.storage_offset() + obj.numel()) * obj.element_size()
            ):
                raise ValueError(
                    f"Refusing to load {name!r}: it holds a tensor of shape "
                    f"{tuple(obj.shape)} with strides {obj.stride()} over "
                    f"{obj.untyped_storage().nbytes():,} stored bytes; aembed "
                    "model files hold contiguous tensors only. The file was "
                    "crafted or damaged."
                )
            budget -= obj.numel() * obj.element_size()
        elif isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple)):
            stack.extend(obj)
        if budget < 0:
            raise ValueError(
                f"Refusing to load {name!r}: what it describes exceeds its "
                f"{size:,} bytes (values referred to from many places, or tensors "
                "sharing their storage); the file was crafted or damaged."
            )


def refusal(name, exc, head):
    """The error for a file that ``weights_only`` loading refused.

    Raised unchained and without torch's message, whose advice to load with
    ``weights_only=False`` is exactly what must not be done with such a file.
    """
    if is_pickle(head):
        return ValueError(
            f"Refusing to load {name!r}: it is a pickle (or joblib) file, which "
            "aembed never loads, because unpickling can execute arbitrary code. "
            "Open it with joblib.load or pickle.load only if you trust its "
            "source, then save it with the estimator's save method."
        )
    message = str(exc)
    # torch's wordings: "Unsupported global: GLOBAL x.y was not an allowed
    # global" (torch < 2.13) and "Trying to load unsupported GLOBAL x.y whose
    # module x is blocked" (torch 2.13).
    wanted = re.search(r"GLOBAL ([\w.]*\w)", message)
    builds = re.search(
        r"Can only (create new object|build)|Unsupported operand|persistent_load",
        message,
    )
    if wanted or builds:
        asks = f" (it asks for {wanted.group(1)})" if wanted else ""
        # An archive like ours whose pickle asks for a Python object.
        return ValueError(
            f"Refusing to load {name!r}: it holds code and will not be loaded"
            f"{asks}. An aembed model file holds nothing but plain data and "
            "tensors; this one was tampered with, and nothing in it was run."
        )
    return unreadable(name, exc)


def unreadable(name, exc):
    detail = str(exc)
    if isinstance(exc, pickle.UnpicklingError):
        # Drop torch's advice to load with weights_only=False: keep its last
        # paragraph that is not a pointer to the documentation.
        parts = [
            p.strip()
            for p in detail.split("\n\n")
            if p.strip() and "weights_only" not in p
        ]
        detail = parts[0] if parts else ""
    detail = detail.splitlines()[0] if detail else ""
    return ValueError(
        f"Cannot read {name!r}: the file is truncated or corrupted, or is not an "
        f"aembed model file ({type(exc).__name__}: {detail})."
    )
