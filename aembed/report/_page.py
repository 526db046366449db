"""The report's ``index.html``: one self-contained page that works offline.

Everything the page needs is in the file or beside it in the folder: the
styles are inline, the interactive maps carry BokehJS inline, and the
figures are the PNG and GIF files next to it. No request leaves the machine.
"""

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
"""


def _escape(text):
    return html.escape(str(text))


def figure_block(filename, caption):
    """A linked image (PNG or GIF) with its caption."""
    name, text = _escape(filename), _escape(caption)
    return (
        f'<figure><a href="{name}"><img src="{name}" alt="{text}" loading="lazy">'
        f'</a><figcaption>{text} <a href="{name}">{name}</a></figcaption></figure>'
    )


def maps_block(maps, headings, note):
    """The interactive maps' section, or the note on why there are none."""
    if maps is None:
        return f'<p class="note">{note}</p>'
    _, script, divs, _ = maps
    cells = "".join(
        f'<div class="map" data-method="{_escape(name)}"><h3>{headings[name]}</h3>'
        f"{div}</div>"
        for name, div in divs.items()
    )
    return f'<p class="caption">{note}</p><div class="maps">{cells}</div>{script}'


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
        + '<p>All of this, machine-readable: <a href="run.json">run.json</a>.</p>'
    )


def render(
    *,
    title,
    lead,
    reading,
    notes,
    results,
    maps,
    curves,
    figures,
    sweep,
    provenance,
    head="",
):
    """The whole page as one string."""
    notes_html = "".join(f'<p class="note">{n}</p>' for n in notes)
    nav = (
        '<nav><a href="#results">Results</a><a href="#maps">Maps</a>'
        '<a href="#curves">Training curves</a><a href="#figures">Figures</a>'
        '<a href="#provenance">Provenance</a></nav>'
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_escape(title)}</title><style>{_CSS}</style>{head}</head><body><main>",
        f"<h1>{_escape(title)}</h1>",
        nav,
        f'<p class="lead">{lead}</p>',
        f'<p class="reading">{_escape(reading)}</p>' if reading else "",
        notes_html,
        '<h2 id="results">Results</h2>',
        results,
        '<h2 id="maps">Maps of the held-out rows</h2>',
        maps,
        '<h2 id="curves">Training curves</h2>',
        curves,
        '<h2 id="figures">Figures</h2>',
        figures,
        sweep,
        '<h2 id="provenance">Provenance</h2>',
        provenance,
        "</main></body></html>",
    ]
    return "\n".join(p for p in parts if p)
