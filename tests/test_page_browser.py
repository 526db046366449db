"""The report's page in a real headless browser, loaded from disk offline.

Needs Playwright (installed by ``tools/setup.sh``) and a Chromium; it uses
the system's (Debian's ``chromium``, which ``.ci/run`` installs) rather than
downloading one. Skipped where either is missing, except on CI, where a
missing browser is a failure.
"""

import io
import os
import shutil
import tempfile

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.utils import Bunch

from aembed.report import run_report

CHROMIUM = next(
    (
        p
        for p in ("/usr/bin/chromium", shutil.which("chromium") or "")
        if os.path.exists(p)
    ),
    None,
)
# Quiet and offline: no first-run pages, no background or component traffic.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Each browser step waits at most this long (milliseconds).
STEP_TIMEOUT_MS = 15_000

# For each map: the page position of one drawn point, from Bokeh's own scales.
POINTS_JS = """() => {
  const points = [];
  for (const view of Bokeh.index) {
    if (view.model.type !== "Figure") continue;
    const r = view.model.renderers.find(
      (r) => r.data_source.data.row !== undefined && r.data_source.data.row.length);
    const data = r.data_source.data, k = Math.floor(data.row.length / 2);
    const box = view.canvas_view.el.getBoundingClientRect();
    points.push({
      method: view.el.closest(".map").dataset.method,
      source: r.data_source.id,
      x: box.left + view.frame.x_scale.compute(data[r.glyph.x.field][k]),
      y: box.top + view.frame.y_scale.compute(data[r.glyph.y.field][k]),
    });
  }
  return points;
}"""


def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or CHROMIUM is None:
        missing = "Playwright" if sync_playwright is None else "chromium"
        if os.environ.get("CI"):
            pytest.fail(f"{missing} is missing on CI; .ci/run installs it")
        pytest.skip(f"{missing} is not installed")
    return sync_playwright


@pytest.fixture(scope="module")
def page_folder(tmp_path_factory):
    X, y = load_digits(return_X_y=True)
    data = Bunch(data=X[:300] / 16, target=y[:300], image_shape=(8, 8), name="digits")
    out = tmp_path_factory.mktemp("report")
    run_report(
        data,
        out,
        methods=["dae", "vae-nb", "pca", "tsne"],
        max_epochs=2,
        sweep_sizes=(),
        animate=False,
        verbose=0,
    )
    return out


def _is_drawn(png):
    """Whether a screenshot shows a scatter: many colours, not a blank canvas."""
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    colours = np.unique(pixels, axis=0)
    inked = (pixels.astype(int).sum(axis=1) < 600).mean()
    return len(colours) > 30 and inked > 0.01


def test_the_page_works_offline_in_a_browser(page_folder):
    sync_playwright = _playwright()
    console, requests = [], []
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1300, "height": 900},
        )
        try:
            context.set_default_timeout(STEP_TIMEOUT_MS)

            def route(request_route):
                requests.append(request_route.request.url)
                if request_route.request.url.startswith(("file:", "data:")):
                    request_route.continue_()
                else:
                    request_route.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on(
                "console",
                lambda m: console.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: console.append(str(e)))
            page.goto((page_folder / "index.html").as_uri())
            page.wait_for_function(
                "() => window.Bokeh && Bokeh.index"
                " && [...Bokeh.index].some((v) => v.model.type === 'Figure')"
            )

            maps = page.locator(".map")
            assert maps.count() == 4
            for i in range(maps.count()):
                canvas = maps.nth(i).locator("canvas").first
                canvas.scroll_into_view_if_needed()
                assert _is_drawn(canvas.screenshot()), maps.nth(i).get_attribute(
                    "data-method"
                )

            for i in range(maps.count()):
                method = maps.nth(i).get_attribute("data-method")
                maps.nth(i).scroll_into_view_if_needed()
                points = {p["method"]: p for p in page.evaluate(POINTS_JS)}
                page.mouse.move(points[method]["x"], points[method]["y"])
                tip = page.locator(".aembed-tip >> visible=true").first
                tip.wait_for()
                images = tip.locator("img")
                # The row itself, and its reconstruction where there is one.
                assert images.count() == (1 if method == "tsne" else 2), method
                assert images.first.evaluate("img => img.complete && img.naturalWidth")
                page.mouse.move(0, 0)
                tip.wait_for(state="hidden")
            # One shared source: a selection in one map selects in all.
            assert len({p["source"] for p in points.values()}) == 1
        finally:
            context.close()
    assert console == []
    assert all(url.startswith(("file:", "data:")) for url in requests), requests


def test_a_blank_canvas_does_not_count_as_drawn():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buffer, format="PNG")
    assert not _is_drawn(buffer.getvalue())
