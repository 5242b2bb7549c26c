"use strict";
// The explorer page's own script. Every text from the graph (names, quotes, titles) reaches
// the page through textContent or as a text node, never as markup: see graph/explore_page.py.
(function () {
  const data = JSON.parse(document.getElementById("graph-data").textContent);
  const state = { lang: "zh", hiddenClasses: new Set(), hiddenRelations: new Set(), shown: null };
  const classInfo = Object.fromEntries(data.classes.map(c => [c.name, c]));
  const relationInfo = Object.fromEntries(data.relations.map(r => [r.name, r]));
  const $ = id => document.getElementById(id);
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  };
  const UI = {
    zh: {
      classes: "类别", relations: "关系", evidence: "证据",
      status: (n, m) => n + " 个实体，" + m + " 条关系",
      notice: (n, t) => "仅显示 " + t + " 个实体中的 " + n + " 个（受 --max-nodes 限制）。",
      hint: "点击节点或连线，查看其依据的原文引文。",
      none: "此视图中没有与之相连的关系。",
      noMatch: q => "没有名为“" + q + "”的实体。",
      matches: (n, name) => n + " 个匹配，已定位到 " + name,
      layout: p => "正在布局… " + p + "%",
    },
    en: {
      classes: "Classes", relations: "Relations", evidence: "Evidence",
      status: (n, m) => n + " entities, " + m + " relations",
      notice: (n, t) => "Showing " + n + " of " + t + " entities: --max-nodes cut the graph.",
      hint: "Click a node or an edge to see the quotes behind it.",
      none: "No relation in this view.",
      noMatch: q => "No entity is named “" + q + "”.",
      matches: (n, name) => n + " matches; showing " + name,
      layout: p => "Laying out… " + p + "%",
    },
  };
  const ui = () => UI[state.lang];
  const label = info => (state.lang === "zh" ? info.zh : info.en);

  // ---- the network
  function tooltip(node) {
    const box = el("div", undefined, "tip");
    box.append(el("div", node.names[0], "name"));
    box.append(el("div", label(classInfo[node.cls]), "cls"));
    if (node.names.length > 1) box.append(el("div", "别名 / aliases: " + node.names.slice(1).join("、")));
    return box;
  }
  const nodes = new vis.DataSet(data.nodes.map(n => Object.assign({}, n, { title: tooltip(n) })));
  const edges = new vis.DataSet(data.edges);
  const nodeView = new vis.DataView(nodes, { filter: n => !state.hiddenClasses.has(n.cls) });
  const edgeView = new vis.DataView(edges, { filter: e => !state.hiddenRelations.has(e.relation) });
  const network = new vis.Network($("network"), { nodes: nodeView, edges: edgeView }, data.options);
  const api = { network, nodes, edges, ready: false, stabilisedIn: null, select: focusNode };
  window.policyGraph = api;
  const t0 = performance.now();

  // physics runs until the stabilisation iterations are done, then stops for good
  function settled() {
    if (api.ready) return;
    network.setOptions({ physics: false });
    api.ready = true;
    api.stabilisedIn = performance.now() - t0;
    $("layout-status").hidden = true;
    document.body.dataset.ready = "true"; // for tests and benchmarks: a selector, no eval under the CSP
  }
  if (data.options.physics.enabled && data.nodes.length) {
    network.on("stabilizationProgress", p => {
      $("layout-status").textContent = ui().layout(Math.round((100 * p.iterations) / p.total));
    });
    network.once("stabilizationIterationsDone", settled);
    network.once("stabilized", settled);
  } else {
    network.once("afterDrawing", settled);
    if (!data.nodes.length) settled();
  }

  // ---- legend and toggles
  function toggle(name, info, hidden, onChange, colour) {
    const row = el("label", undefined, "toggle");
    const box = el("input");
    box.type = "checkbox";
    box.checked = !hidden.has(name);
    box.value = name;
    box.addEventListener("change", () => {
      if (box.checked) hidden.delete(name);
      else hidden.add(name);
      onChange();
    });
    row.append(box);
    if (colour) {
      const swatch = el("span", undefined, "swatch");
      swatch.style.background = colour;
      row.append(swatch);
    }
    row.append(el("span", label(info) + " (" + name + ")"), el("span", String(info.count), "count"));
    return row;
  }
  function drawLegend() {
    $("classes").replaceChildren(
      ...data.classes.map(c => toggle(c.name, c, state.hiddenClasses, () => nodeView.refresh(), c.colour))
    );
    $("relations").replaceChildren(
      ...data.relations.map(r => toggle(r.name, r, state.hiddenRelations, () => edgeView.refresh()))
    );
  }

  // ---- language
  function setLanguage(lang) {
    state.lang = lang;
    document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";
    edges.update(data.edges.map(e => ({ id: e.id, label: label(relationInfo[e.relation]) })));
    nodes.update(data.nodes.map(n => ({ id: n.id, title: tooltip(n) })));
    $("classes-head").textContent = ui().classes;
    $("relations-head").textContent = ui().relations;
    $("details-head").textContent = ui().evidence;
    $("status").textContent = ui().status(data.shown, data.edges.length);
    if (data.shown < data.total) {
      $("notice").hidden = false;
      $("notice").textContent = ui().notice(data.shown, data.total);
    }
    drawLegend();
    redraw();
  }
  document.querySelectorAll("input[name=lang]").forEach(r => r.addEventListener("change", () => setLanguage(r.value)));

  // ---- evidence
  function source(ev) {
    const doc = data.documents[ev.document] || { title: ev.document, date: "" };
    return (doc.title || doc.label) + (doc.date ? " · " + doc.date : "") + " · @" + ev.start;
  }
  function nodeButton(node) {
    const button = el("button", node.names[0]);
    button.type = "button";
    button.addEventListener("click", () => focusNode(node.id));
    return button;
  }
  function factBlock(edge) {
    const block = el("div", undefined, "fact");
    const rel = el("div", undefined, "rel");
    const s = nodes.get(edge.from), o = nodes.get(edge.to);
    rel.append(nodeButton(s), document.createTextNode(" —" + label(relationInfo[edge.relation]) + "→ "), nodeButton(o));
    block.append(rel);
    edge.evidence.forEach(ev => block.append(el("div", ev.quote, "quote"), el("div", source(ev), "source")));
    return block;
  }
  function showNode(id) {
    const node = nodes.get(id), panel = $("details");
    state.shown = { node: id };
    panel.replaceChildren(el("div", node.names[0], "name"), el("div", label(classInfo[node.cls]), "cls"));
    if (node.names.length > 1) panel.append(el("div", "别名 / aliases: " + node.names.slice(1).join("、"), "aliases"));
    const incident = network.getConnectedEdges(id).map(e => edges.get(e)).filter(Boolean);
    if (!incident.length) panel.append(el("div", ui().none, "source"));
    incident.forEach(e => panel.append(factBlock(e)));
  }
  function showEdge(id) {
    state.shown = { edge: id };
    $("details").replaceChildren(factBlock(edges.get(id)));
  }
  function redraw() {
    if (state.shown && state.shown.node !== undefined) showNode(state.shown.node);
    else if (state.shown && state.shown.edge !== undefined) showEdge(state.shown.edge);
    else $("details").replaceChildren(el("div", ui().hint, "hint"));
  }
  network.on("click", params => {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
  });

  // ---- search by any name, in either script
  function focusNode(id) {
    const node = nodes.get(id);
    if (state.hiddenClasses.delete(node.cls)) {
      nodeView.refresh();
      drawLegend();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: false });
    showNode(id);
  }
  function matches(query) {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const rank = n => {
      const keys = n.keys || n.names;
      if (keys.some(k => k === q)) return 0;
      if (keys.some(k => k.startsWith(q))) return 1;
      if (keys.some(k => k.includes(q))) return 2;
      return 3;
    };
    return data.nodes
      .map(n => [rank(n), n])
      .filter(([r]) => r < 3)
      .sort((a, b) => a[0] - b[0] || a[1].names[0].length - b[1].names[0].length)
      .map(([, n]) => n);
  }
  function suggest() {
    const found = matches($("search").value).slice(0, 12);
    $("suggestions").replaceChildren(
      ...found.map(n => {
        const item = el("li"), button = el("button", n.names[0]);
        button.type = "button";
        button.append(el("span", " · " + label(classInfo[n.cls]), "cls"));
        button.addEventListener("click", () => focusNode(n.id));
        item.append(button);
        return item;
      })
    );
  }
  function search() {
    const q = $("search").value.trim();
    if (!q) return;
    const found = matches(q);
    $("suggestions").replaceChildren();
    if (!found.length) {
      $("search-status").textContent = ui().noMatch(q);
      return;
    }
    $("search-status").textContent = found.length > 1 ? ui().matches(found.length, found[0].names[0]) : "";
    focusNode(found[0].id);
  }
  $("go").addEventListener("click", search);
  $("search").addEventListener("input", suggest);
  $("search").addEventListener("keydown", e => {
    if (e.key === "Enter") search();
  });

  $("heading").textContent = document.title;
  setLanguage("zh");
})();
