"""render_html: the reviewer's plan as one self-contained HTML file (inline CSS and JS, no
network): the summary, filters by kind and department, and each item's field diff."""

from __future__ import annotations

from html import escape

from .review import KINDS, OBJECTS, Review, ReviewItem

__all__ = ["render_html"]

_CSS = """
body{font-family:"WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif;margin:24px;
color:#1f2328;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 8px}
.meta{color:#656d76;font-size:12px}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.kind{font-weight:600;padding:1px 6px;border-radius:4px;font-size:12px}
.k-create{background:#dafbe1}.k-update{background:#ddf4ff}.k-move{background:#fff8c5}
.k-disable{background:#ffebe9}.k-delete{background:#ff8182;color:#fff}
.risk{color:#cf222e;font-weight:600}
.filters{margin:12px 0;display:flex;gap:12px;align-items:center;font-size:13px}
tr.item.hidden{display:none}
.old{color:#cf222e;text-decoration:line-through}.new{color:#1a7f37}
details summary{cursor:pointer}
.warn{color:#9a6700}
"""

_JS = """
(function(){
  var kind=document.getElementById('filter-kind');
  var dept=document.getElementById('filter-department');
  var risky=document.getElementById('filter-risky');
  var shown=document.getElementById('shown');
  function apply(){
    var n=0;
    document.querySelectorAll('tr.item').forEach(function(row){
      var ok=(!kind.value||row.dataset.kind===kind.value)
        &&(!dept.value||row.dataset.top===dept.value)
        &&(!risky.checked||row.dataset.risky==='1');
      row.classList.toggle('hidden',!ok);
      if(ok){n++;}
    });
    shown.textContent=String(n);
  }
  [kind,dept].forEach(function(e){e.addEventListener('change',apply);});
  risky.addEventListener('change',apply);
  apply();
})();
"""


def render_html(review: Review, *, title: str = "wecom-contacts sync plan",
                caps_message: str = "") -> str:
    """One HTML document; every value is escaped, nothing is fetched."""
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # no network: a CSP that forbids every fetch (styles and scripts are inline)
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<div class="meta">source: {escape(review.source or "-")} · made at '
        f"{escape(review.created_at or '-')} · live fingerprint {escape(review.fingerprint)}"
        "</div>",
    ]
    if caps_message:
        parts.append(f'<p class="risk" id="caps">{escape(caps_message)}</p>')
    parts += _summary(review)
    parts += _filters(review)
    parts += _items(review)
    for warning in review.warnings:
        parts.append(f'<p class="warn">warning: {escape(warning)}</p>')
    parts.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(parts) + "\n"


def _summary(review: Review) -> list[str]:
    counts, totals = review.counts(), review.totals()
    rows = ["<h2>Summary</h2>",
            f'<p>{len(review.items)} change(s), <span id="total-risky">{len(review.risky)}'
            f"</span> risky, {review.api_calls} API calls.</p>",
            '<table id="summary"><tr><th>kind</th>'
            + "".join(f"<th>{o}</th>" for o in OBJECTS) + "<th>total</th></tr>"]
    for kind in KINDS:
        cells = "".join(f'<td class="n">{counts[kind][o]}</td>' for o in OBJECTS)
        rows.append(f'<tr><th>{kind}</th>{cells}<td class="n" id="total-{kind}" '
                    f'data-count="{totals[kind]}">{totals[kind]}</td></tr>')
    rows.append("</table>")
    by_dept = review.by_department()
    if by_dept:
        rows.append('<h2>By top-level department</h2><table id="departments"><tr>'
                    "<th>department</th>" + "".join(f"<th>{k}</th>" for k in KINDS) + "</tr>")
        for top, row in by_dept.items():
            cells = "".join(f'<td class="n">{row[k]}</td>' for k in KINDS)
            rows.append(f"<tr><td>{escape(top)}</td>{cells}</tr>")
        rows.append("</table>")
    return rows


def _filters(review: Review) -> list[str]:
    kinds = "".join(f'<option value="{k}">{k}</option>' for k in KINDS)
    tops = "".join(f'<option value="{escape(t, quote=True)}">{escape(t)}</option>'
                   for t in review.by_department())
    return [
        '<h2>Changes</h2><div class="filters">',
        f'<label>kind <select id="filter-kind"><option value="">all</option>{kinds}'
        "</select></label>",
        f'<label>department <select id="filter-department"><option value="">all</option>'
        f"{tops}</select></label>",
        '<label><input type="checkbox" id="filter-risky"> risky only</label>',
        f'<span>showing <b id="shown">{len(review.items)}</b> of {len(review.items)}</span>',
        "</div>",
    ]


def _items(review: Review) -> list[str]:
    rows = ['<table id="items"><tr><th>kind</th><th>what</th><th>department</th>'
            "<th>risk</th><th>changes</th></tr>"]
    # risky first, then the rest in the review's order (as the text plan shows them)
    ordered = review.risky + [i for _, _, items in review.groups() for i in items]
    for item in ordered:
        rows.append(_row(item))
    rows.append("</table>")
    return rows


def _row(item: ReviewItem) -> str:
    risky = "1" if item.risks else "0"
    notes = f"<br><small>{escape('; '.join(item.notes))}</small>" if item.notes else ""
    return (
        f'<tr class="item" data-kind="{item.kind}" data-object="{item.object}" '
        f'data-top="{escape(item.top, quote=True)}" data-risky="{risky}" '
        f'data-steps="{",".join(str(s) for s in item.steps)}">'
        f'<td><span class="kind k-{item.kind}">{item.kind}</span> {item.object}</td>'
        f"<td>{escape(item.title)}{notes}</td><td>{escape(item.top)}</td>"
        f'<td class="risk">{escape(", ".join(item.risks))}</td>'
        f"<td>{_diff(item)}</td></tr>"
    )


def _diff(item: ReviewItem) -> str:
    if not item.changes:
        return ""
    lines = []
    for change in item.changes:
        old = f'<span class="old">{escape(change.old)}</span> → ' if change.old else ""
        new = (f'<span class="new">{escape(change.new)}</span>' if change.new
               else '<span class="old">(none)</span>')
        lines.append(f"<tr><td>{escape(change.label)}</td><td>{old}{new}</td></tr>")
    # a create lists every field of the new member: folded; a change shows its diff open
    fold = "" if item.kind == "create" else " open"
    return (f"<details{fold}><summary>{len(item.changes)} field(s)</summary><table "
            f'class="diff">{"".join(lines)}</table></details>')
