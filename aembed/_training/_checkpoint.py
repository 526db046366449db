"""Checkpoints: the file a fit writes after every epoch, when asked to."""

import os
import tempfile
import warnings
from uuid import uuid4

from .. import _persistence

CHECKPOINT_FILE = "checkpoint.aembed"


def checkpoint_id(path):
    """The training a checkpoint file belongs to, or None if it cannot tell."""
    try:
        return _persistence.read(path)["attributes"]["values"].get("_checkpoint_id_")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def checkpoint_path(est, parallel=None):
    """The checkpoint file of a fit of ``est``, checked before any training.

    The folder must be writable, and may hold only a checkpoint of the
    estimator's own training: its earlier fits, or the fit it was loaded
    from (``_checkpoint_id_`` names the training a file belongs to). None
    without ``checkpoint_dir``, and on every process of a data-parallel run
    but the first, which alone writes.
    """
    if est.checkpoint_dir is None or (parallel is not None and not parallel.is_main):
        return None
    folder = os.fspath(est.checkpoint_dir)
    if not folder:
        raise ValueError(
            "checkpoint_dir='' is empty; give a folder ('.' for the current "
            "one), or None."
        )
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise ValueError(
            f"checkpoint_dir={folder!r} is a file; it must be a folder (made "
            "if missing)."
        )
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise type(exc)(
            f"checkpoint_dir={folder!r} cannot be written ({exc.strerror or exc})"
            "; choose a writable folder, or checkpoint_dir=None."
        ) from None
    path = os.path.join(folder, CHECKPOINT_FILE)
    est._checkpoint_id_ = getattr(est, "_checkpoint_id_", None) or uuid4().hex
    if os.path.exists(path) and checkpoint_id(path) != est._checkpoint_id_:
        raise ValueError(
            f"checkpoint_dir={folder!r} holds the checkpoint of another fit "
            f"({CHECKPOINT_FILE}), which this fit would replace. Choose another "
            "folder, delete that file, or continue its training: "
            f"est = aembed.load({path!r}), then "
            f"est.set_params(warm_start=True, checkpoint_dir={folder!r}).fit(X)."
        )
    return path


def checkpoint_writer(path, write):
    """``write(path, net, state)`` as a writer that warns, once, when it fails.

    Training goes on, and fit returns the trained model: losing the
    checkpoint must not lose the model. None when ``path`` is None.
    """
    if path is None:
        return None
    failures = []

    def writer(net, state):
        try:
            write(path, net, state)
        except OSError as exc:
            if not failures:
                warnings.warn(
                    f"fit could not write the checkpoint {path!r} ({exc}); "
                    "training goes on, and fit returns the trained model "
                    "(save it with save).",
                    UserWarning,
                    stacklevel=2,
                )
            failures.append(exc)

    return writer
