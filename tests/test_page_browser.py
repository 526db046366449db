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
from contextlib import contextmanager

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.utils import Bunch

from aembed.report import run_report
from aembed.report._colors import METHOD_COLORS
from aembed.report._page import PAGE_BUDGET_MB

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
    if (view.model.type !== "Figure" || !view.el.closest(".map")) continue;
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
def report_folder(tmp_path_factory):
    """A small report's folder."""
    X, y = load_digits(return_X_y=True)
    data = Bunch(data=X[:300] / 16, target=y[:300], image_shape=(8, 8), name="digits")
    out = tmp_path_factory.mktemp("report")
    run_report(
        data,
        out,
        methods=["dae", "vae-nb", "pca", "tsne"],
        max_epochs=2,
        sweep_sizes=(2, 3),
        verbose=0,
    )
    return out


@pytest.fixture(scope="module")
def page_folder(report_folder, tmp_path_factory):
    """The report's page, copied alone into a folder of its own."""
    alone = tmp_path_factory.mktemp("alone")
    out = report_folder
    shutil.copy(out / "index.html", alone / "index.html")
    return alone


@contextmanager
def _browser_page(path):
    """The page at ``path`` in headless Chromium, offline; with the URLs it
    requested and the errors it logged, checked on the way out."""
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
            page.goto(path.as_uri())
            page.wait_for_function(
                "() => window.Bokeh && Bokeh.index"
                " && [...Bokeh.index].some((v) => v.model.type === 'Figure')"
            )
            yield page
        finally:
            context.close()
    assert console == []
    # Nothing but the page itself: no figure or script beside it.
    assert all(url == path.as_uri() or url.startswith("data:") for url in requests), (
        requests
    )


def _is_drawn(png):
    """Whether a screenshot shows a scatter: many colours, not a blank canvas."""
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    colours = np.unique(pixels, axis=0)
    inked = (pixels.astype(int).sum(axis=1) < 600).mean()
    return len(colours) > 30 and inked > 0.01


def test_the_page_works_offline_in_a_browser(page_folder):
    with _browser_page(page_folder / "index.html") as page:
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


def test_the_page_alone_shows_every_figure_within_its_budget(
    report_folder, page_folder
):
    path = page_folder / "index.html"
    assert [p.name for p in page_folder.iterdir()] == ["index.html"]
    assert path.stat().st_size <= PAGE_BUDGET_MB * 1e6
    with _browser_page(path) as page:
        page.locator("button[data-open='1']").click()  # unfold every section
        images = page.evaluate(
            """async () => {
              const all = [...document.images];
              await Promise.all(all.map((img) => img.decode().catch(() => null)));
              return all.map((img) => [img.alt, img.naturalWidth]);
            }"""
        )
        # Every figure of the folder but the static maps and curves (the
        # interactive ones replace them), and one strip of reconstructions
        # per animated model.
        pngs = {p.name for p in report_folder.glob("*.png")}
        pngs -= {"embeddings.png", "training_curves.png"}
        alts = [alt for alt, _ in images]
        assert alts.count("originals above, reconstructions below") == 2, alts
        assert len(images) == len(pngs) + 2, (alts, pngs)
        assert all(width > 0 for _, width in images), images
        # The animations are drawn: a canvas with points, a slider that moves.
        anim = page.locator(".anim").first
        anim.scroll_into_view_if_needed()
        assert _has_dots(anim.locator("canvas").screenshot())
        assert anim.locator(".epoch").inner_text() == "epoch 2"
        anim.locator("input").fill("0")
        assert anim.locator(".epoch").inner_text() == "epoch 1"
        # A link of the contents unfolds its section.
        page.locator("button[data-open='0']").click()
        page.locator(".toc a[href='#provenance']").click()
        assert page.locator("details#provenance").evaluate("d => d.open")


# Each method's colour on the page: the maps' and the animations' data
# attributes, and the colour of each line Bokeh draws in the curves.
COLOURS_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll(".map, .anim"))
    out.push([el.className, el.dataset.method, el.dataset.color]);
  for (const view of Bokeh.index) {
    if (view.model.type !== "Figure" || !view.el.closest(".curve")) continue;
    for (const r of view.model.renderers) {
      if (!r.name) continue;
      const c = r.glyph.line_color;
      out.push(["curve", r.name.split(":")[0], typeof c === "object" ? c.value : c]);
    }
  }
  return out;
}"""


def test_one_colour_per_method_across_maps_curves_and_animations(page_folder):
    with _browser_page(page_folder / "index.html") as page:
        seen = page.evaluate(COLOURS_JS)
    colours = {}
    for _, method, colour in seen:
        colours.setdefault(method, set()).add(colour.lower())
    assert set(colours) == {"dae", "vae-nb", "pca", "tsne"}
    assert all(len(c) == 1 for c in colours.values()), colours
    assert len({c for cs in colours.values() for c in cs}) == len(colours)
    assert {k for k, m, _ in seen if m == "vae-nb"} == {"map", "anim", "curve"}
    assert colours["dae"] == {METHOD_COLORS["dae"]}


# Whether the named model's lines are visible, in every panel of the curves.
VISIBLE_JS = """(method) => {
  const out = [];
  for (const view of Bokeh.index) {
    if (view.model.type !== "Figure" || !view.el.closest(".curve")) continue;
    for (const r of view.model.renderers)
      if (r.name && r.name.split(":")[0] === method) out.push(r.visible);
  }
  return out;
}"""


def test_a_click_on_a_legend_hides_the_model_in_every_panel(page_folder):
    with _browser_page(page_folder / "index.html") as page:
        before = page.evaluate(VISIBLE_JS, "vae-nb")
        # Reconstruction and KL, training and validation; the neighbour term.
        assert before == [True] * 5
        first = page.locator(".curve").first
        first.scroll_into_view_if_needed()
        item = first.locator(".bk-item", has_text="VAEEmbedder (neighbor_weight=1)")
        item.click()
        assert page.evaluate(VISIBLE_JS, "vae-nb") == [False] * 5
        assert page.evaluate(VISIBLE_JS, "dae") == [True] * 2
        item.click()
        assert page.evaluate(VISIBLE_JS, "vae-nb") == before


def _has_dots(png, n_colours=5):
    """Whether a screenshot shows dots of at least ``n_colours`` colours."""
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    inked = pixels[pixels.astype(int).sum(axis=1) < 600]
    return len(inked) > 100 and len(np.unique(inked, axis=0)) >= n_colours


def test_a_blank_canvas_does_not_count_as_drawn():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buffer, format="PNG")
    assert not _is_drawn(buffer.getvalue()) and not _has_dots(buffer.getvalue())
