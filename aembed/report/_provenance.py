"""What was run: versions, data, split, parameters, epochs, device, times."""

import datetime
import json
import platform
from importlib import metadata

import numpy as np

from .._devices import cpu_generation
from .._files import write_text
from .._persistence import to_plain
from .._training._callbacks import EpochTicks
from ..compare._methods import TRAINED_METHODS, method_name

# The packages whose versions decide the numbers, by distribution name.
PACKAGES = ("aembed", "torch", "scikit-learn", "skorch", "umap-learn", "openTSNE")


def versions():
    """Installed versions of the packages in ``PACKAGES`` (None: not installed)."""
    found = {}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    if found["aembed"] is None:  # a source checkout that was never installed
        from .._version import __version__

        found["aembed"] = __version__
    found["python"] = platform.python_version()
    # Seeded results are bit-identical on one CPU generation.
    found["cpu"] = cpu_generation()
    return found


def _plain(value):
    """``value`` as JSON data: plain values as they are, others by their repr."""
    try:
        return to_plain(value)
    except TypeError:
        return repr(value)


def estimator_params(estimator):
    """An estimator's parameters as JSON data; callbacks by their class names."""
    if not hasattr(estimator, "get_params"):  # openTSNE's fitted embedding
        return {}
    params = estimator.get_params(deep=False)
    if params.get("callbacks"):
        callbacks = [c[1] if isinstance(c, tuple) else c for c in params["callbacks"]]
        # The progress bar's callback only counts epochs: not the user's.
        params["callbacks"] = [
            type(c).__name__ for c in callbacks if not isinstance(c, EpochTicks)
        ]
    return {k: _plain(v) for k, v in params.items()}


def method_record(name, fitted):
    """One method's entry in ``run.json``."""
    estimator = fitted.estimator
    record = {
        "name": method_name(name),
        "estimator": type(estimator).__name__,
        "evaluation": fitted.evaluation,
        "params": estimator_params(estimator),
        "fit_time_s": float(fitted.fit_time),
    }
    if name in TRAINED_METHODS:
        record["epochs_run"] = int(estimator.n_iter_)
        record["device"] = str(estimator.net_.device)
    else:
        record["device"] = "cpu"
    return record


def write_run_json(path, record):
    """Write ``record`` to ``path`` as indented JSON, atomically."""

    def default(value):
        if isinstance(value, np.generic):
            return value.item()
        return repr(value)

    return write_text(path, json.dumps(record, indent=2, default=default) + "\n")


SCALING_TEXT = {
    "none": "used as given, already within [0, 1]",
    "minmax": "mapped onto [0, 1] by one offset and scale for all columns",
    "standard": "every column standardised (zero mean, unit variance)",
}


def run_record(data, fit, command, n_components, device, seed, sweep_sizes):
    """The provenance: what ``run.json`` holds and the page shows."""
    now = datetime.datetime.now(datetime.timezone.utc)
    image_shape = data.image_shape
    return {
        "created": now.isoformat(timespec="seconds"),
        "command": command,
        "versions": versions(),
        "dataset": {
            "name": data.name,
            "n_rows": int(data.n_rows),
            "n_features": int(data.n_features),
            "n_classes": len(data.label_names),
            "classes": list(data.label_names.values()),
            "image_shape": None if image_shape is None else list(image_shape),
        },
        "split": {
            "n_train": len(data.X_train),
            "n_validation": len(data.X_valid),
            "n_test": len(data.X_test),
            "test_size": data.test_size,
            "validation_size": data.validation_size,
            "stratified": True,
            "seed": seed,
        },
        "input_scaling": SCALING_TEXT[data.scaling[0]]
        + ("" if data.scaling[0] == "none" else ", fitted on the training rows")
        + ", the same for every method",
        "n_components": n_components,
        "device": device,
        "seed": seed,
        "warm_up": "each method fitted once on 200 rows before the timed fits",
        "fitting": (
            f"side by side in {fit.n_processes} worker processes of "
            f"{fit.threads} thread{'s' if fit.threads > 1 else ''} each"
            if fit.n_processes > 1
            else "one method after another in one process"
        ),
        "methods": [method_record(m, r) for m, r in fit.fitted.items()],
        "sweep_sizes": sweep_sizes,
        "wall_time_s": None,
    }
