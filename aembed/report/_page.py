"""The report's ``index.html``: one file that works offline, alone.

Everything the page shows is inside it: the styles, BokehJS, the figures
(PNG as data URIs) and the training animations (drawn by the page from the
recorded embeddings). Sent on its own to someone else, it shows everything;
no request leaves the file. Its sections can be jumped to from the contents
and folded; it keeps within :data:`PAGE_BUDGET_MB`.
"""

import base64
import html

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;
 color:#1d232a;background:#fff;line-height:1.45}
main{max-width:1240px;margin:0 auto;padding:1.5em 2em 4em}
h1{font-size:1.7em;margin:.2em 0 .1em}h2{margin-top:2em;border-bottom:1px solid #dde;
 padding-bottom:.2em}
.lead{font-size:1.08em;color:#333;max-width:60em}
.reading{background:#f3f7fb;border-left:4px solid #3a78b5;padding:.7em 1em;
 max-width:60em}
.note{background:#fff7e6;border-left:4px solid #e0a100;padding:.5em 1em;
 max-width:60em}
nav a{margin-right:1em}
table{border-collapse:collapse;margin:.6em 0;font-variant-numeric:tabular-nums}
td,th{border:1px solid #d5d9de;padding:4px 8px;text-align:right;vertical-align:top}
thead th{background:#eef1f4;text-align:center;font-weight:600}
tbody th{text-align:left;font-weight:500;min-width:9em}
.scroll{overflow-x:auto}
td.evaluation{text-align:left;color:#555}
.unit{font-weight:400;color:#666;font-size:.82em}
strong.best{color:#0b5394}
.caption{color:#555;font-size:.92em;max-width:60em}
.maps{display:flex;flex-wrap:wrap;gap:18px}
.map h3{font-size:.98em;margin:.2em 0}
figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{color:#555;font-size:.92em}
details{margin:.4em 0}summary{cursor:pointer}
dl.prov{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1.2em}
dl.prov dt{font-weight:600}dl.prov dd{margin:0}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f6f8fa;padding:.6em;overflow-x:auto}
.aembed-tip{font-size:12px}.aembed-tip img.thumb{image-rendering:pixelated;
 border:1px solid #999;margin-right:4px;background:#000}
.aembed-tip table.tip{margin:0}.aembed-tip table.tip td,
.aembed-tip table.tip th{padding:0 4px;border:none;font-size:11px}
.toc{background:#f6f8fa;border:1px solid #e3e6ea;padding:.5em 1em;margin:1em 0;
 max-width:60em}.toc ol{margin:.3em 0;padding-left:1.4em;columns:2}
.toc button{font-size:.85em;margin-right:.5em}
details.section{margin:1.2em 0}details.section>summary{list-style:none}
details.section>summary::-webkit-details-marker{display:none}
details.section>summary h2{display:inline-block;margin:0;border:none}
details.section>summary::before{content:"\\25B8";color:#3a78b5;margin-right:.4em;
 font-size:1.3em}details.section[open]>summary::before{content:"\\25BE"}
details.section>summary{border-bottom:1px solid #dde;padding-bottom:.2em}
.map h3,.anim h3{border-left:6px solid;padding-left:6px}
.curves,.anims{display:flex;flex-wrap:wrap;gap:18px}
.anim{width:320px}.anim canvas{border:1px solid #ddd;display:block}
.anim img.rec{image-rendering:pixelated;width:320px;border:1px solid #eee}
.anim .controls{display:flex;gap:.6em;align-items:center;margin:.3em 0}
.anim input{flex:1}.figs{display:flex;flex-wrap:wrap;gap:12px}
.figs figure{margin:.5em 0;max-width:100%}
footer{color:#666;font-size:.88em;margin-top:3em;border-top:1px solid #dde;
 padding-top:.5em}
"""
# The page stays below this size; see write_page for what gives way.
PAGE_BUDGET_MB = 15
_MIME = {".png": "image/png", ".gif": "image/gif", ".svg": "image/svg+xml"}
# Following a link into a folded section unfolds it; the buttons fold all.
_SECTIONS_JS = """
(function () {
  function unfold() {
    const target = location.hash && document.getElementById(location.hash.slice(1));
    for (let el = target; el; el = el.parentElement)
      if (el.tagName === "DETAILS") el.open = true;
  }
  window.addEventListener("hashchange", unfold);
  document.querySelectorAll(".toc a").forEach(function (a) {
    a.addEventListener("click", function () { setTimeout(unfold, 0); });
  });
  unfold();
  document.querySelectorAll(".toc button").forEach(function (b) {
    b.addEventListener("click", function () {
      document.querySelectorAll("details.section").forEach(function (d) {
        d.open = b.dataset.open === "1";
      });
    });
  });
})();
"""


def _escape(text):
    return html.escape(str(text))


def data_uri(path):
    """The file at ``path`` as a ``data:`` URI."""
    mime = _MIME[path.suffix.lower()]
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()


def figure_block(out, filename, caption):
    """A figure of the folder, inlined, with its caption and file name."""
    text = _escape(caption)
    return (
        f'<figure><img src="{data_uri(out / filename)}" alt="{text}">'
        f"<figcaption>{text} (<code>{_escape(filename)}</code>)</figcaption></figure>"
    )


def figures_block(out, entries):
    """Several inlined figures side by side where they fit; "" for none."""
    if not entries:
        return ""
    return (
        '<div class="figs">'
        + "".join(figure_block(out, f, c) for f, c in entries)
        + "</div>"
    )


def maps_block(maps, headings, colors, note):
    """The interactive maps' section, or the note on why there are none."""
    if maps is None:
        return f'<p class="note">{note}</p>'
    _, script, divs, _ = maps
    cells = "".join(
        f'<div class="map" data-method="{_escape(name)}" data-color="{colors[name]}">'
        f'<h3 style="border-color:{colors[name]}">{headings[name]}</h3>{div}</div>'
        for name, div in divs.items()
    )
    return f'<p class="caption">{note}</p><div class="maps">{cells}</div>{script}'


def curves_block(curves, has_validation):
    """The interactive curves' panels and their script."""
    script, divs = curves
    lines = (
        "training solid, validation dashed (on rows held out from training, "
        "which no method was fitted on)"
        if has_validation
        else "on the training rows only"
    )
    return (
        '<p class="caption">Each term per epoch, one colour per model, '
        f"{lines}. Click a model in a legend to hide it in every panel; hover "
        "a line for its values.</p>"
        '<div class="curves">'
        + "".join(f'<div class="curve">{div}</div>' for div in divs)
        + f"</div>{script}"
    )


def provenance_block(record):
    """Versions, data, split, device, seed, times and every method's parameters."""
    versions = ", ".join(
        f"{_escape(k)} {_escape(v)}" for k, v in record["versions"].items() if v
    )
    missing = [k for k, v in record["versions"].items() if not v]
    data = record["dataset"]
    split = record["split"]
    items = [
        (
            "versions",
            versions + (f" (not installed: {', '.join(missing)})" if missing else ""),
        ),
        (
            "dataset",
            f"{_escape(data['name'])}: {data['n_rows']:,} rows, "
            f"{data['n_features']:,} features, {data['n_classes']} classes"
            + (
                f", images of shape {tuple(data['image_shape'])}"
                if data["image_shape"]
                else ""
            ),
        ),
        (
            "split",
            f"{split['n_train']:,} training rows, {split['n_validation']:,} "
            f"validation rows held out of them for the curves (no method is fitted "
            f"on them), {split['n_test']:,} held-out test rows; stratified by "
            f"class, seed {split['seed']}",
        ),
        ("input", _escape(record["input_scaling"])),
        ("device", _escape(record["device"])),
        ("seed", _escape(record["seed"])),
        ("wall time", f"{record['wall_time_s']:.0f} s in all"),
        (
            "command",
            f"<code>{_escape(record['command'])}</code>"
            if record.get("command")
            else "—",
        ),
    ]
    rows = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items)
    methods = []
    for m in record["methods"]:
        epochs = f", {m['epochs_run']} epochs run" if "epochs_run" in m else ""
        where = _escape(m.get("device", "cpu"))
        params = ", ".join(f"{k}={v!r}" for k, v in m["params"].items())
        kind = "" if m["estimator"] == m["name"] else f" ({_escape(m['estimator'])})"
        methods.append(
            f"<details><summary>{_escape(m['name'])}{kind}"
            f"{epochs}, fit {m['fit_time_s']:.1f} s on {where}"
            f"</summary><pre>{_escape(params)}</pre></details>"
        )
    return (
        f'<dl class="prov">{rows}</dl><h3>Parameters of every method</h3>'
        + "".join(methods)
        + "<p>All of this, machine-readable: <code>run.json</code> in the "
        "report's folder.</p>"
    )


def section(anchor, title, body, *, open=True):
    """A foldable section with its anchor, or "" when it has no body."""
    if not body:
        return ""
    return (
        f'<details class="section" id="{anchor}"{" open" if open else ""}>'
        f"<summary><h2>{_escape(title)}</h2></summary>{body}</details>"
    )


def _notes(notes):
    """The notes in one box: a paragraph, or a list when there are several."""
    if len(notes) <= 1:
        return "".join(f'<p class="note">{n}</p>' for n in notes)
    items = "".join(f"<li>{n}</li>" for n in notes)
    return f'<div class="note"><ul>{items}</ul></div>'


def render(*, title, lead, reading, notes, sections, footer, head=""):
    """The whole page as one string.

    ``sections`` is a list of ``(anchor, title, body, open)``; those with
    an empty body are left out, of the page and of its contents.
    """
    sections = [s for s in sections if s[2]]
    toc = "".join(
        f'<li><a href="#{anchor}">{_escape(name)}</a></li>'
        for anchor, name, _, _ in sections
    )
    nav = (
        '<nav class="toc" aria-label="contents"><b>Contents</b>'
        f"<ol>{toc}</ol>"
        '<button type="button" data-open="1">unfold all</button>'
        '<button type="button" data-open="0">fold all</button></nav>'
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_escape(title)}</title><style>{_CSS}</style>{head}</head><body><main>",
        f"<h1>{_escape(title)}</h1>",
        f'<p class="lead">{lead}</p>',
        nav,
        f'<p class="reading">{_escape(reading)}</p>' if reading else "",
        _notes(notes),
        *(section(a, t, b, open=o) for a, t, b, o in sections),
        f"<footer>{footer}</footer>",
        f"<script>{_SECTIONS_JS}</script>",
        "</main></body></html>",
    ]
    return "\n".join(p for p in parts if p)
