"""The aembed model file: what ``save`` writes and :func:`load` reads.

A model file is a ``torch.save`` archive of a dict that holds nothing but
plain data (str, int, float, bool, None, lists, tuples, dicts) and tensors,
read back with ``torch.load(weights_only=True)``: loading never runs code
from the file, whoever wrote it. Estimator classes are looked up in a
whitelist, never imported by a name read from the file.

The envelope is the same in every format version, so that any aembed can
tell a damaged file from a newer one: a dict with ``format="aembed"``,
``format_version``, ``aembed_version``, ``torch_version``, ``body`` and
``sha256``, a digest of all the other entries. The digest catches files
damaged in storage or transfer, which the zip container does not check by
itself.

What goes into the body (parameters, fitted attributes, network and
optimizer state) is the estimator's business (``_BaseEmbedder._to_body``);
this module owns the container and the conversions to plain data.
"""

import errno
import hashlib
import math
import os
import pickle
import stat
import warnings

import numpy as np
import torch

from ._devices import resolve_device
from ._file_checks import (
    check_archive,
    check_regular,
    check_sizes,
    is_pickle,
    refusal,
    unreadable,
)
from ._files import atomic_path
from ._registry import ESTIMATORS
from ._version import __version__

FORMAT = "aembed"
FORMAT_VERSION = 1

# Fitted attributes that are stored in their own entries of the body, or
# rebuilt from them, rather than as attributes.
DERIVED_ATTRIBUTES = frozenset({"net_", "history_", "n_iter_"})
# The fitted attributes a file may set: a file must not give an estimator
# attributes that no fit gives it.
FITTED_ATTRIBUTES = frozenset(
    {
        "n_features_in_",
        "feature_names_in_",
        "n_samples_seen_",
        "max_epochs_",
        "scaling_",
        "input_offset_",
        "input_scale_",
        "reconstruction_loss_",
        "labels_",
        "classes_",
        "_network_",
        "_module_args_",
        "_checkpoint_id_",
    }
)


# -- plain data -----------------------------------------------------------------


def to_plain(value):
    """``value`` as plain Python data, or raise ``TypeError``.

    NumPy scalars and arrays become Python scalars and tuples, paths and
    torch devices become strings; anything else that is not a str, int,
    float, bool, None, list, tuple or dict with str keys is refused.
    ``torch.load(weights_only=True)`` reads back exactly these types (and
    tensors).
    """
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, np.generic):
        return to_plain(value.item())
    if isinstance(value, np.ndarray):
        return to_plain(tuple(value.tolist()))
    if isinstance(value, os.PathLike):
        return to_plain(os.fspath(value))
    if isinstance(value, torch.device):
        return str(value)
    if isinstance(value, tuple):
        return tuple(to_plain(v) for v in value)
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict) and all(type(k) is str for k in value):
        return {k: to_plain(v) for k, v in value.items()}
    raise TypeError(f"{type(value).__name__} is not plain data")


def plain_params(params):
    """Parameters as plain data; those that are not become None.

    Returns
    -------
    params : dict
    dropped : list of str
        Names of the parameters set to None (callbacks, a ``RandomState``).
    """
    plain, dropped = {}, []
    for name, value in params.items():
        try:
            plain[name] = to_plain(value)
        except TypeError:
            plain[name] = None
            dropped.append(name)
    return plain, dropped


def encode_attributes(attributes):
    """Fitted attributes as ``{"arrays", "strings", "values"}``.

    Numeric arrays become tensors, arrays of str (feature names) lists of
    str, everything else plain data (``TypeError`` otherwise: a new fitted
    attribute needs a conversion here before it can be saved).
    """
    arrays, strings, values = {}, {}, {}
    for name, value in attributes.items():
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            arrays[name] = torch.from_numpy(np.array(value, order="C"))
        elif isinstance(value, np.ndarray) and all(
            isinstance(v, str) for v in value.ravel()
        ):
            strings[name] = [str(v) for v in value.tolist()]
        else:
            try:
                values[name] = to_plain(value)
            except TypeError as exc:
                raise TypeError(f"cannot save fitted attribute {name}: {exc}") from None
    return {"arrays": arrays, "strings": strings, "values": values}


def decode_attributes(encoded):
    """The inverse of :func:`encode_attributes`, checking the names."""
    decoded = {
        **{k: v.numpy() for k, v in encoded["arrays"].items()},
        **{k: np.asarray(v, dtype=object) for k, v in encoded["strings"].items()},
        **encoded["values"],
    }
    for name in decoded:
        # Only fitted attributes: a file must not replace methods or params.
        if name not in FITTED_ATTRIBUTES:
            raise ValueError(f"{name!r} is not a fitted attribute")
    # The per-feature attributes must describe as many features as the
    # network reads: a length-1 offset would broadcast silently.
    n_features = decoded.get("n_features_in_")
    if type(n_features) is not int or n_features < 1:
        raise ValueError(f"n_features_in_ is {n_features!r}")
    module_args = decoded.get("_module_args_")
    width = module_args.get("n_features") if isinstance(module_args, dict) else None
    if width not in (None, n_features):
        raise ValueError(f"the network reads {width!r} features, not {n_features}")
    for name in ("input_offset_", "input_scale_", "feature_names_in_"):
        if name in decoded and np.shape(decoded[name]) != (n_features,):
            raise ValueError(
                f"{name} has shape {np.shape(decoded[name])}, not ({n_features},)"
            )
    return decoded


def encode_history(frame):
    """An estimator's ``history_`` as a dict of columns, ``epoch`` first.

    Returns
    -------
    columns : dict of list
    dropped : list of str
        Columns left out because they hold values other than plain data
        (recorded by a user's callback).
    """
    columns, dropped = {"epoch": [int(e) for e in frame.index]}, []
    for name in frame:
        try:
            columns[str(name)] = [to_plain(v) for v in frame[name].tolist()]
        except TypeError:
            dropped.append(f"history_[{name!r}]")
    return columns, dropped


def decode_history(columns):
    """skorch history rows (dicts) from :func:`encode_history`'s columns.

    A NaN marks an epoch in which the column was not recorded.
    """
    names = list(columns)
    rows = []
    for values in zip(*(columns[k] for k in names), strict=True):
        row = {
            k: v
            for k, v in zip(names, values, strict=True)
            if not (isinstance(v, float) and math.isnan(v))
        }
        rows.append(row)
    return rows


# -- the container --------------------------------------------------------------


def _check_contents(obj, where="file"):
    """Refuse to write anything that ``weights_only`` loading would refuse."""
    if isinstance(obj, torch.Tensor):
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            if type(k) not in (str, int):
                raise TypeError(f"{where} has a key of type {type(k).__name__}")
            _check_contents(v, f"{where}[{k!r}]")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            _check_contents(v, f"{where}[{i}]")
    elif not (obj is None or type(obj) in (bool, int, float, str)):
        raise TypeError(f"{where} is a {type(obj).__name__}, not plain data")


def _to_cpu(obj):
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {k: _to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_cpu(v) for v in obj)
    return obj


def _is_str(value, expected):
    # Values read from a file may be tensors, whose == is elementwise.
    return isinstance(value, str) and value == expected


def _digest(content):
    """SHA-256 of the content: its structure, plain values and tensor bytes.

    Returns None for content no intact file holds (e.g. sparse tensors).
    """
    try:
        return _sha256(content)
    except (RuntimeError, TypeError, ValueError):
        return None


def _sha256(content):
    h = hashlib.sha256()

    def feed(obj):
        if isinstance(obj, torch.Tensor):
            t = obj.detach().cpu().contiguous()
            h.update(f"T{t.dtype}{tuple(t.shape)}".encode())
            h.update(t.reshape(-1).view(torch.uint8).numpy())
        elif isinstance(obj, dict):
            h.update(f"D{len(obj)}".encode())
            for k, v in obj.items():
                feed(k)
                feed(v)
        elif isinstance(obj, (list, tuple)):
            h.update(f"{type(obj).__name__[0]}{len(obj)}".encode())
            for v in obj:
                feed(v)
        else:
            h.update(f"{type(obj).__name__}:{obj!r};".encode())

    feed(content)
    return h.hexdigest()


def write(body, path):
    """Write ``body`` under an aembed header to ``path``, atomically.

    The file is written next to its destination under a short temporary
    name and moved into place with :func:`os.replace`, so that a crash
    mid-write never leaves a truncated model where a good one was. A file
    it replaces keeps its permissions; a symlink is written through, to
    its target, unless another user planted it in a shared folder; errors
    (a full disk, a quota) are ``OSError`` naming ``path``, not the
    temporary file.
    """
    body = _to_cpu(body)
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "aembed_version": __version__,
        "torch_version": str(torch.__version__),
        "body": body,
    }
    data["sha256"] = _sha256(data)
    _check_contents(data)
    path = os.fsdecode(os.fspath(path))
    if not path:
        raise ValueError("path='' is empty; give the file to write the model to.")
    target = path
    if os.path.islink(path):
        _check_symlink(path)
        target = os.path.realpath(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        mode = None  # a new file: open's default mode, under the umask
    else:
        mode = stat.S_IMODE(info.st_mode)
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            # Replacing it would remove a device node or a pipe (as root,
            # /dev/null itself), leaving a model file in its place.
            raise ValueError(
                f"Cannot save to {path!r}: it is a device, a pipe or a socket, "
                "which save would replace with a file. Give the path of a file."
            )
    try:
        # The temporary name is short: the longest legal file name works.
        with atomic_path(os.path.abspath(target)) as tmp:
            with open(tmp, "xb") as f:
                _save(data, f)
                f.flush()
                os.fsync(f.fileno())
            if mode is not None:
                os.chmod(tmp, mode)
    except OSError as exc:
        if exc.errno is not None:
            raise type(exc)(exc.errno, exc.strerror, path) from None
        raise


class _Sink:
    """A file's writer that remembers the error of a failed write.

    torch's archive writer turns an error of the file it writes to into a
    ``RuntimeError`` of its own ("enforce fail at inline_container.cc"),
    which says nothing about a full disk or a quota; the error is kept
    here to be raised instead.
    """

    def __init__(self, f):
        self.f = f
        self.error = None

    def write(self, data):
        try:
            return self.f.write(data)
        except OSError as exc:
            self.error = exc
            raise

    def flush(self):
        self.f.flush()


def _save(data, f):
    sink = _Sink(f)
    try:
        torch.save(data, sink)
    except RuntimeError as exc:
        if sink.error is not None:
            raise sink.error from None
        raise OSError(
            errno.EIO, f"writing the model failed ({str(exc).splitlines()[0]})"
        ) from None


def _check_symlink(path):
    """Refuse a symlink that the kernel's protected_symlinks would not follow.

    In a sticky world-writable folder (``/tmp``), anyone can plant a symlink
    under the name a program is about to write, pointing at a file of the
    program's user. Linux follows such a link only for its owner or the
    folder's; so does ``save``.
    """
    if not hasattr(os, "geteuid"):  # no such links, or owners, on Windows
        return
    link = os.lstat(path)
    folder = os.stat(os.path.dirname(os.path.abspath(path)))
    shared = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
    if shared and link.st_uid not in (os.geteuid(), folder.st_uid):
        raise PermissionError(
            errno.EACCES,
            "refusing to write through a symlink that another user owns, in a "
            "folder anyone can write to (it may point at any of your files); "
            "remove it or save elsewhere",
            path,
        )


def read(path):
    """The body of the model file at ``path``, checked; ``ValueError`` if bad.

    A file is checked before anything it declares is allocated: the zip
    archive's members must fit in the file and be stored, not compressed (a
    small archive could otherwise inflate to gigabytes), and what the pickle
    builds must be plain data and contiguous tensors whose bytes, with the
    number of values, fit in the file (a tensor stored with a zero stride
    would otherwise expand while its checksum is computed). Refusing a
    crafted file thus costs about its own size in memory.
    """
    name = os.fspath(path)
    # A device or a pipe is refused before it is opened: /dev/zero would be
    # read until memory runs out, and opening a pipe waits for a writer.
    check_regular(name, os.stat(name))
    # Opened here, so that a missing or unreadable file raises the OS's own
    # error; torch's reader raises OSError on damaged archives too.
    with open(name, "rb") as f:
        info = os.fstat(f.fileno())
        check_regular(name, info)
        head = f.read(2)
        size = info.st_size
        if is_pickle(head):
            raise refusal(name, None, head)
        f.seek(0)
        check_archive(name, f, size)
        f.seek(0)
        try:
            with warnings.catch_warnings():
                # torch warns about the pickle protocol of foreign files.
                warnings.simplefilter("ignore")
                data = torch.load(f, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as exc:
            raise refusal(name, exc, head) from None
        except Exception as exc:  # torch raises many types on damaged archives
            raise unreadable(name, exc) from None

    check_sizes(name, data, size)
    if not isinstance(data, dict) or not _is_str(data.get("format"), FORMAT):
        raise ValueError(
            f"{name!r} is not an aembed model file: it lacks the aembed header "
            "(aembed model files are written by an estimator's save method)."
        )
    content = {k: v for k, v in data.items() if k != "sha256"}
    if not _is_str(data.get("sha256"), _digest(content)):
        raise ValueError(
            f"{name!r} is corrupted: its content does not match the checksum "
            "written with it. Use an intact copy of the file."
        )
    version = data.get("format_version")
    if type(version) is not int or version < 1:
        raise ValueError(f"{name!r} has an invalid format version {version!r}.")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{name!r} was written by aembed {data.get('aembed_version')} in model "
            f"format version {version}; this aembed ({__version__}) reads format "
            f"versions up to {FORMAT_VERSION}. Upgrade aembed to load it."
        )
    if not isinstance(data.get("body"), dict):
        raise ValueError(f"{name!r} has no model in it.")
    return data["body"]


# -- the public entry point -----------------------------------------------------


def load(path, device="cpu"):
    """Load an estimator written by its ``save`` method.

    Nothing in the file is executed: it is read with
    ``torch.load(weights_only=True)``, which only rebuilds plain data and
    tensors, and the estimator class is chosen from aembed's own estimators
    by name. Models trained on a GPU load on machines without one.

    Parameters
    ----------
    path : str or path-like
        The model file.
    device : str or torch.device, default="cpu"
        Where to place the network, as an estimator's ``device`` (``"cpu"``,
        ``"cuda"``, ``"cuda:1"``, ``"mps"``, ``"auto"``); also becomes the
        estimator's ``device`` parameter, which a later ``fit`` uses.

    Returns
    -------
    estimator : DenoisingAEEmbedder, VAEEmbedder or VQVAEEmbedder
        The fitted estimator, transforming exactly as the saved one did.
        With ``warm_start=True`` its ``fit`` continues training where the
        saved one stopped, with the optimizer's state. Its parameters are
        the saved ones but ``device`` (the argument above) and
        ``checkpoint_dir``, which is None: a folder on the machine that
        saved the model is no place for this one to write to.

    Raises
    ------
    ValueError
        If the file is not an aembed model, is truncated or corrupted, was
        written in a newer format version, or holds anything but plain data
        and tensors (a tampered file).

    See Also
    --------
    DenoisingAEEmbedder.save : Write a fitted estimator (all have ``save``).

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_digits
    >>> import aembed
    >>> X, _ = load_digits(return_X_y=True)
    >>> emb = aembed.DenoisingAEEmbedder(max_epochs=2, random_state=0).fit(X[:200])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     emb.save(os.path.join(folder, "model.aembed"))
    ...     loaded = aembed.load(os.path.join(folder, "model.aembed"))
    >>> bool((loaded.transform(X[:5]) == emb.transform(X[:5])).all())
    True
    """
    resolve_device(device)  # fail before reading when the device is missing

    body = read(path)
    classes = ESTIMATORS
    class_name = body.get("class")
    if not isinstance(class_name, str) or class_name not in classes:
        raise ValueError(
            f"{os.fspath(path)!r} holds an estimator of unknown class "
            f"{class_name!r}; this aembed provides {', '.join(sorted(classes))}."
        )
    try:
        from ._model_io import from_body  # it imports this module

        return from_body(classes[class_name], body, device)
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError) as exc:
        raise ValueError(
            f"{os.fspath(path)!r} holds a {class_name} that cannot be rebuilt "
            f"({type(exc).__name__}: {exc}); the file was edited, or written by "
            f"an aembed whose {class_name} differs from this one's."
        ) from exc
