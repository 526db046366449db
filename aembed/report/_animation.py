"""The page's training animations, drawn by the page itself.

Instead of a GIF per method (megabytes each), the page carries each
method's recorded embeddings as bytes and draws them on a canvas, with a
slider over the epochs and a play button; the reconstructions of a few
rows are one small PNG per recorded epoch. Nothing here needs Bokeh.
"""

import base64
import html
import json

import numpy as np

from ..compare._methods import method_name
from ._colors import class_colors
from ._interactive import _as_images, _pixel_range, _png_data_uri

# The most epochs an animation shows (evenly spaced, the last one kept).
MAX_FRAMES = 40
_CANVAS_PX = (320, 280)

PLAYER_JS = """
(function () {
  function bytes(text) {
    const raw = atob(text), out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  document.querySelectorAll(".anim").forEach(function (el) {
    const d = JSON.parse(el.querySelector("script.anim-data").textContent);
    const xy = bytes(d.xy), n = d.labels.length, last = d.epochs.length - 1;
    const canvas = el.querySelector("canvas"), ctx = canvas.getContext("2d");
    const img = el.querySelector("img.rec"), slider = el.querySelector("input");
    const label = el.querySelector(".epoch"), button = el.querySelector("button");
    const pad = 8, w = canvas.width - 2 * pad, h = canvas.height - 2 * pad;
    let k = last, timer = null;
    function draw() {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      const start = k * n * 2;
      for (let i = 0; i < n; i++) {
        ctx.fillStyle = d.colors[d.labels[i]];
        ctx.fillRect(pad + xy[start + 2 * i] / 255 * w - 1.5,
                     pad + h - xy[start + 2 * i + 1] / 255 * h - 1.5, 3, 3);
      }
      if (img) img.src = d.images[k];
      label.textContent = "epoch " + d.epochs[k];
      slider.value = k;
    }
    function stop() {
      clearInterval(timer);
      timer = null;
      button.textContent = "\\u25B6 play";
    }
    slider.addEventListener("input", function () {
      stop();
      k = +slider.value;
      draw();
    });
    button.addEventListener("click", function () {
      if (timer) return stop();
      if (k === last) k = 0;
      button.textContent = "\\u275A\\u275A pause";
      draw();
      timer = setInterval(function () {
        if (k === last) return stop();
        k += 1;
        draw();
      }, 250);
    });
    draw();
  });
})();
"""


def frame_indices(n_frames, max_frames=MAX_FRAMES):
    """At most ``max_frames`` evenly spaced frames, the first and last kept."""
    if n_frames <= max_frames:
        return np.arange(n_frames)
    return np.unique(np.round(np.linspace(0, n_frames - 1, max_frames)).astype(int))


def _scaled_bytes(frames):
    """Each frame's (x, y) scaled to 0..255 within its own box, as base64.

    The box spans the 1st to 99th percentiles, so that a few far points do
    not squeeze the rest into a corner; those beyond sit on its edge.
    """
    out = []
    for z in frames:
        z = np.nan_to_num(np.asarray(z, dtype=np.float64)[:, :2])
        low, high = np.percentile(z, [1, 99], axis=0)
        span = np.where(high > low, high - low, 1.0)
        scaled = np.clip((z - low) / span, 0, 1)
        out.append(np.round(scaled * 255).astype(np.uint8))
    return base64.b64encode(np.concatenate(out).tobytes()).decode()


def _mosaic(rows, image_shape, value_range):
    """Images of ``rows`` side by side, one pixel of padding between them."""
    low, high = value_range
    images = _as_images(
        (np.asarray(rows, dtype=float) - low) / (high - low), image_shape
    )
    pad = [(0, 0), (0, 1)] + [(0, 0)] * (images.ndim - 3)
    images = np.pad(images, [(0, 0), *pad], constant_values=1.0)
    return np.concatenate(list(images), axis=1)[:, :-1]


def _reconstruction_frames(snapshot, keep, image_shape):
    """One PNG data URI per kept frame: originals above, reconstructions below."""
    originals = np.asarray(snapshot.X, dtype=float)[: snapshot.n_reconstructions]
    frames = [np.asarray(snapshot.reconstructions_[k], dtype=float) for k in keep]
    value_range = _pixel_range(np.concatenate([originals, *frames]))
    top = _mosaic(originals, image_shape, value_range)
    gap = np.ones((1, *top.shape[1:]))
    return [
        _png_data_uri(
            np.concatenate([top, gap, _mosaic(f, image_shape, value_range)], axis=0)
        )
        for f in frames
    ]


def animation_block(name, snapshot, labels, label_names, image_shape, color):
    """One method's animation: its canvas, reconstructions, slider and data."""
    keep = frame_indices(len(snapshot.epochs_))
    classes = sorted(label_names)
    index = {c: i for i, c in enumerate(classes)}
    data = {
        "epochs": [int(snapshot.epochs_[k]) for k in keep],
        "labels": [index[c] for c in labels],
        "colors": class_colors(len(classes)),
        "xy": _scaled_bytes([snapshot.embeddings_[k] for k in keep]),
    }
    has_images = image_shape is not None and snapshot.n_reconstructions > 0
    if has_images:
        data["images"] = _reconstruction_frames(snapshot, keep, image_shape)
    width, height = _CANVAS_PX
    title = html.escape(method_name(name))
    rec = (
        '<img class="rec" alt="originals above, reconstructions below">'
        if has_images
        else ""
    )
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return (
        f'<div class="anim" data-method="{html.escape(name)}" '
        f'data-color="{color}"><h3 style="border-color:{color}">{title}</h3>'
        f'<canvas width="{width}" height="{height}"></canvas>{rec}'
        '<div class="controls"><button type="button">\u25b6 play</button>'
        f'<input type="range" min="0" max="{len(keep) - 1}" step="1" '
        f'aria-label="epoch"><span class="epoch"></span></div>'
        f'<script type="application/json" class="anim-data">{payload}</script></div>'
    )


def animations_html(snapshots, labels, label_names, image_shape, colors):
    """Every method's animation and the player, or "" without snapshots."""
    blocks = [
        animation_block(name, snap, labels, label_names, image_shape, colors[name])
        for name, snap in snapshots.items()
        if snap.epochs_ and np.shape(snap.embeddings_[0])[1] >= 2
    ]
    if not blocks:
        return ""
    return (
        '<p class="caption">Each model\'s map of the same held-out rows after each '
        "recorded epoch (scaled to its central 98% at every epoch) and, for images, "
        "the reconstructions of one row per class (originals above). Drag the "
        f"slider or press play; at most {MAX_FRAMES} epochs are shown, evenly "
        "spaced.</p>"
        f'<div class="anims">{"".join(blocks)}</div><script>{PLAYER_JS}</script>'
    )
