"""The audit report as Markdown, self-contained HTML or JSON, and its charts.

The HTML report must open anywhere, offline, as one file: its style is inline and its
charts are PNGs (matplotlib, drawn without pyplot so no GUI backend or global state is
involved) embedded as ``data:`` URIs. Every string that comes from a document (names,
quotes, file labels) goes through ``html.escape``, since names and quotes can contain
markup. Chart labels are the agencies' names when a font with Chinese glyphs is installed
(``fc-list :lang=zh``); otherwise they are the rank numbers of the load table, because a
font without those glyphs would draw empty boxes (and warn once per missing glyph).
"""

from __future__ import annotations

import base64
import html
import io
import json
import shutil
import subprocess
import warnings
from collections.abc import Iterable
from functools import cache

from graph.audit import CHECKS, SEVERITIES, AuditFinding, AuditReport, Evidence

_TOP = 20  # agencies drawn in the load chart
_TIES = 15  # strongest co-responsibility ties listed

_SEVERITY_TITLE = {"error": "Errors", "warning": "Warnings", "info": "Information"}
_COLOURS = {"error": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}


def render(report: AuditReport, fmt: str) -> str:
    """The report as ``md``, ``html`` or ``json`` text."""
    if fmt == "json":
        return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        return render_html(report)
    if fmt == "md":
        return render_md(report)
    raise ValueError(f"unknown report format {fmt!r}")


def _by_check(findings: list[AuditFinding]) -> list[tuple[str, list[AuditFinding]]]:
    groups: dict[str, list[AuditFinding]] = {}
    for f in findings:
        groups.setdefault(f.check, []).append(f)
    order = list(CHECKS)
    return sorted(groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))


def _span(e: Evidence) -> str:
    return f" @{e.start}–{e.end}" if e.start is not None and e.end is not None else ""


# ---------------------------------------------------------------------------- Markdown

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*[]<>|"})


def _md(text: str) -> str:
    """Text as literal Markdown: markup characters escaped, lines joined."""
    return " ".join(str(text).split("\n")).translate(_MD_SPECIAL)


def render_md(report: AuditReport) -> str:
    out = [
        "# policy-graph audit",
        "",
        f"Store `{report.store}`, {len(report.documents)} document(s): {report.summary()}.",
        "",
        "## Findings",
        "",
    ]
    if not report.findings:
        out += ["No findings.", ""]
    for severity in SEVERITIES:
        findings = report.of(severity)
        if not findings:
            continue
        out += [f"### {_SEVERITY_TITLE[severity]} ({len(findings)})", ""]
        for check, group in _by_check(findings):
            out += [f"#### {CHECKS.get(check, check)} ({len(group)})", ""]
            for f in group:
                out.append(f"- **{_md(f.subject)}**: {_md(f.message)}")
                for e in f.evidence:
                    quote = f"«{_md(e.quote)}» " if e.quote else ""
                    note = f" ({_md(e.note)})" if e.note else ""
                    out.append(f"  - {quote}— {_md(e.document)}{_span(e)}{note}")
            out.append("")
    out += ["## Responsibility load", ""]
    if report.load:
        out += [
            "Measures led, measures shared (responsible but not lead) and documents naming the agency.",
            "",
            "| # | Agency | Class | Led | Shared | Documents |",
            "|---:|---|---|---:|---:|---:|",
        ]
        for i, a in enumerate(report.load, 1):
            out.append(f"| {i} | {_md(a.name)} | {a.cls} | {a.led} | {a.shared} | {a.documents} |")
    else:
        out.append("No measure names a lead or responsible unit.")
    out += ["", "## Co-responsibility network", ""]
    net = report.network
    if net.nodes:
        out += [
            f"{len(net.nodes)} agencies, {len(net.edges)} links (agencies responsible for a common measure), "
            f"{len(net.communities)} communities (greedy modularity).",
            "",
            "| Agency | Degree | Shared measures | Betweenness | Participation | Community | Links to |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for n in net.nodes:
            bridges = ", ".join(map(str, n.bridges_to))
            out.append(
                f"| {_md(n.name)} | {n.degree} | {n.weighted_degree} | {n.betweenness:.3f} "
                f"| {n.participation:.2f} | {n.community} | {bridges} |"
            )
        out += ["", "Communities:", ""]
        for i, c in enumerate(net.communities, 1):
            out.append(f"{i}. {'、'.join(_md(x) for x in c)}")
        out += [
            "",
            "Bridging agencies (linked to another community, betweenness above the mean):",
            "",
        ]
        out += [f"- {_md(n.name)} ({n.betweenness:.3f})" for n in net.bridges] or ["- none"]
    else:
        out.append("No measure has two responsible agencies.")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- charts


@cache
def cjk_font() -> str | None:
    """A font family with Chinese glyphs that matplotlib can use, or None.

    Asks fontconfig (``fc-list :lang=zh``) and keeps the first family matplotlib knows.
    """
    from matplotlib import font_manager

    fc = shutil.which("fc-list")
    if fc is None:
        return None
    try:
        listing = subprocess.run(
            [fc, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families = sorted({f.strip() for line in listing.splitlines() for f in line.split(",") if f.strip()})
    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in families if f in known), None)


def _png(fig: object) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a glyph a CJK font lacks would warn once per character
        fig.savefig(buf, format="png", metadata={"Software": None})  # type: ignore[attr-defined]
    return buf.getvalue()


def _labels(names: Iterable[str], ranks: Iterable[int]) -> tuple[list[str], bool]:
    """Names when a CJK font is available, else ``#rank`` (rank in the load table)."""
    names, ranks = list(names), list(ranks)
    if cjk_font():
        return names, True
    return [f"#{r}" for r in ranks], False


def load_chart(report: AuditReport) -> bytes | None:
    """A horizontal stacked bar chart of measures led and shared, for the top agencies."""
    if not report.load:
        return None
    from matplotlib.figure import Figure

    top = report.load[:_TOP]
    labels, named = _labels((a.name for a in top), range(1, len(top) + 1))
    font = {"family": cjk_font()} if named else {}
    fig = Figure(figsize=(8, 0.9 + 0.32 * len(top)), dpi=110, layout="constrained")
    ax = fig.subplots()
    y = list(range(len(top)))[::-1]
    ax.barh(y, [a.led for a in top], color="#c62828", label="led")
    ax.barh(y, [a.shared for a in top], left=[a.led for a in top], color="#90a4ae", label="shared")
    ax.set_yticks(y, labels, fontdict=font)
    ax.set_xlabel("measures")
    ax.xaxis.get_major_locator().set_params(integer=True)
    title = "Responsibility load: measures led and shared"
    ax.set_title(title if named else title + " (labels: rank in the table)", fontsize=10)
    ax.legend(loc="lower right")
    return _png(fig)


def network_chart(report: AuditReport) -> bytes | None:
    """The co-responsibility network, nodes coloured by community, edge width by shared measures."""
    net = report.network
    if len(net.nodes) < 2 or not net.edges:
        return None
    import networkx as nx
    from matplotlib.figure import Figure

    rank = {a.name: i for i, a in enumerate(report.load, 1)}
    graph = nx.Graph()
    for n in sorted(net.nodes, key=lambda n: rank.get(n.name, 0)):
        graph.add_node(n.name, community=n.community)
    for a, b, w in net.edges:
        graph.add_edge(a, b, weight=w)
    pos = nx.spring_layout(graph, seed=7, weight="weight")
    names = list(graph.nodes)
    labels, named = _labels(names, (rank.get(n, 0) for n in names))
    fig = Figure(figsize=(8, 6), dpi=110, layout="constrained")
    ax = fig.subplots()
    ax.set_axis_off()
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    colours = [palette[(graph.nodes[n]["community"] - 1) % len(palette)] for n in names]
    widths = [0.4 + 0.6 * graph.edges[e]["weight"] for e in graph.edges]
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="#b0bec5")
    sizes = [120 + 60 * graph.degree(n) for n in names]
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, node_size=sizes)
    nx.draw_networkx_labels(
        graph,
        pos,
        labels=dict(zip(names, labels, strict=True)),
        ax=ax,
        font_size=7,
        font_family=cjk_font() or "DejaVu Sans",
    )
    title = "Co-responsibility network (colour: community)"
    ax.set_title(title if named else title + "; labels: rank in the load table", fontsize=10)
    return _png(fig)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# ---------------------------------------------------------------------------- HTML

_CSS = """
body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #212121; line-height: 1.5; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ddd; margin-top: 2rem; }
.badge { display: inline-block; padding: 0.1rem 0.6rem; border-radius: 1rem; color: #fff;
         margin-right: 0.4rem; font-weight: 600; }
.error { background: #c62828; } .warning { background: #ef6c00; } .info { background: #1565c0; }
details { margin: 0.4rem 0 0.8rem; } summary { cursor: pointer; font-weight: 600; }
li.finding { margin: 0.5rem 0; } .check { color: #555; font-size: 0.85rem; }
blockquote { margin: 0.2rem 0 0.2rem 1rem; padding: 0.1rem 0.6rem; border-left: 3px solid #bbb;
             background: #fafafa; }
cite { color: #555; font-style: normal; font-size: 0.85rem; }
code { font-size: 0.8rem; color: #666; word-break: break-all; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; height: auto; display: block; margin: 0.5rem 0; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _row(*cells: object, header: bool = False) -> str:
    """A table row; numbers right-aligned, everything else escaped."""
    tag = "th" if header else "td"
    out = []
    for c in cells:
        cls = ' class="n"' if isinstance(c, int | float) and not header else ""
        text = f"{c:.3f}" if isinstance(c, float) else _e(c)
        out.append(f"<{tag}{cls}>{text}</{tag}>")
    return "<tr>" + "".join(out) + "</tr>"


def _finding_html(f: AuditFinding) -> str:
    parts = [f'<li class="finding"><b>{_e(f.subject)}</b>: {_e(f.message)}']
    for ev in f.evidence:
        if ev.quote:
            parts.append(f"<blockquote>{_e(ev.quote)}</blockquote>")
        note = f" ({_e(ev.note)})" if ev.note else ""
        parts.append(f"<cite>— {_e(ev.document)}{_e(_span(ev))}{note}</cite><br>")
    if f.nodes:
        parts.append("<code>" + " ".join(_e(n) for n in f.nodes) + "</code>")
    parts.append("</li>")
    return "".join(parts)


def render_html(report: AuditReport) -> str:
    body = [
        "<h1>policy-graph audit</h1>",
        f"<p>Store <code>{_e(report.store)}</code>, {len(report.documents)} document(s): "
        + "、".join(_e(d) for d in report.documents)
        + "</p>",
        "<p>"
        + "".join(
            f'<span class="badge {s}">{_e(text)}</span>'
            for s, text in zip(SEVERITIES, report.summary().split(", "), strict=True)
        )
        + "</p>",
        "<h2>Findings</h2>",
    ]
    if not report.findings:
        body.append("<p>No findings.</p>")
    for severity in SEVERITIES:
        findings = report.of(severity)
        if not findings:
            continue
        body.append(
            f'<h3><span class="badge {severity}">{len(findings)}</span>{_SEVERITY_TITLE[severity]}</h3>'
        )
        for check, group in _by_check(findings):
            opened = " open" if severity != "info" or len(group) <= 10 else ""
            body.append(
                f"<details{opened}><summary>{_e(CHECKS.get(check, check))} ({len(group)}) "
                f'<span class="check">{_e(check)}</span></summary><ul>'
            )
            body += [_finding_html(f) for f in group]
            body.append("</ul></details>")

    body.append("<h2>Responsibility load</h2>")
    chart = load_chart(report)
    if chart:
        body.append(f'<img src="{_data_uri(chart)}" alt="Bar chart: measures led and shared per agency">')
    if report.load:
        body.append(
            "<p>Measures led, measures shared (responsible but not lead) and documents naming the agency, "
            "most leads first.</p><table>"
            + _row("#", "Agency", "Class", "Led", "Shared", "Documents", header=True)
        )
        body += [_row(i, a.name, a.cls, a.led, a.shared, a.documents) for i, a in enumerate(report.load, 1)]
        body.append("</table>")
    else:
        body.append("<p>No measure names a lead or responsible unit.</p>")

    body.append("<h2>Co-responsibility network</h2>")
    net = report.network
    if net.nodes:
        body.append(
            f"<p>{len(net.nodes)} agencies, {len(net.edges)} links (agencies responsible for a common "
            f"measure), {len(net.communities)} communities (greedy modularity).</p>"
        )
        chart = network_chart(report)
        if chart:
            body.append(f'<img src="{_data_uri(chart)}" alt="Co-responsibility network">')
        body.append(
            "<table>"
            + _row(
                "Agency", "Degree", "Shared measures", "Betweenness", "Community", "Bridges to", header=True
            )
        )
        body += [
            _row(
                n.name,
                n.degree,
                n.weighted_degree,
                n.betweenness,
                n.community,
                ", ".join(map(str, n.bridges_to)),
            )
            for n in net.nodes
        ]
        body.append("</table><h3>Communities</h3><ol>")
        body += [f"<li>{'、'.join(_e(x) for x in c)}</li>" for c in net.communities]
        body.append("</ol><h3>Bridging agencies</h3>")
        if net.bridges:
            body.append(
                "<p>Linked to a community other than their own and on more shortest paths than the "
                "average agency (betweenness above the mean).</p><ul>"
            )
            body += [
                f"<li>{_e(n.name)} ({n.betweenness:.3f}; community {n.community}, links to "
                f"{_e(', '.join(map(str, n.bridges_to)))})</li>"
                for n in net.bridges
            ]
            body.append("</ul>")
        else:
            body.append("<p>None.</p>")
        if net.edges:
            body.append(
                "<h3>Strongest ties</h3><table>" + _row("Agency", "Agency", "Shared measures", header=True)
            )
            body += [_row(a, b, w) for a, b, w in net.edges[:_TIES]]
            body.append("</table>")
    else:
        body.append("<p>No measure has two responsible agencies.</p>")

    return (
        '<!DOCTYPE html>\n<html lang="zh-Hans">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>policy-graph audit</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
