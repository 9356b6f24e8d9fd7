// The entity page: /entities/describe and /entities/neighbourhood drawn as HTML and a small graph.
(function () {
  "use strict";
  var iri = document.body.getAttribute("data-iri");
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function $(id) { return document.getElementById(id); }
  function link(label, href) { return href ? el("a", { href: href }, label) : el("span", {}, label); }
  function claimMark(who, how) { return el("span", { "class": "claim-mark" }, "claim" + (who ? " by " + who : "") + (how ? " (" + how + ")" : "")); }

  function value(o) {
    var span = el("span");
    if (o.quantity) {
      span.appendChild(el("span", { "class": "quantity" }, o.text));
      if (o.stated_as) { span.appendChild(el("span", { "class": "stated" }, "“" + o.stated_as + "”")); }
    } else if (o.iri) {
      span.appendChild(link(o.label, o.href));
    } else {
      span.textContent = o.value;
    }
    return span;
  }

  function graphSection(g) {
    var sec = el("section", { "class": "graph " + g.kind, "data-graph": g.graph || "", "data-kind": g.kind });
    var head = el("h4");
    head.appendChild(link(g.label || g.graph || "default graph", g.href));
    if (g.kind === "claim") { head.appendChild(claimMark(g.claimant_label, g.attribution_label)); }
    else { head.appendChild(el("span", { "class": "kind" }, g.kind === "fact" ? "fact" : g.kind)); }
    sec.appendChild(head);
    var meta = [];
    if (g.source_label) { meta.push("source: " + g.source_label); }
    if (g.reported_on) { meta.push("reported " + g.reported_on); }
    if (g.kind === "inferred") { meta.push("inferred by reasoning, not stated by a source"); }
    if (meta.length) { sec.appendChild(el("p", { "class": "meta" }, meta.join(" · "))); }
    var table = el("table");
    g.facts.forEach(function (f) {
      var tr = el("tr");
      tr.appendChild(el("td", { "class": "p" }, f.predicate_label));
      var td = el("td");
      td.appendChild(value(f.object));
      tr.appendChild(td);
      table.appendChild(tr);
    });
    g.incoming.forEach(function (f) {
      var tr = el("tr");
      tr.appendChild(el("td", { "class": "p", title: "the other entity points here" }, "← " + f.predicate_label));
      var td = el("td");
      td.appendChild(value(f.subject));
      tr.appendChild(td);
      table.appendChild(tr);
    });
    sec.appendChild(table);
    return sec;
  }

  function render(d) {
    document.title = "conflictkg — " + d.label;
    $("title").textContent = d.label;
    var summary = $("summary");
    summary.textContent = "";
    summary.appendChild(el("span", { "class": "kind" }, d.kind || "entity"));
    if (d.aliases.length) { summary.appendChild(document.createTextNode(" Also called: " + d.aliases.join(", ") + ".")); }
    if (d.graph_info && d.graph_info.kind === "claim") {
      summary.appendChild(document.createTextNode(" "));
      summary.appendChild(claimMark(d.graph_info.claimant_label, d.graph_info.attribution_label));
    }
    var rels = $("relationships");
    if (!d.relationships.length) { rels.appendChild(el("p", {}, "None recorded.")); }
    d.relationships.forEach(function (r) {
      var div = el("div", { "class": "rel " + (r.sign > 0 ? "pos" : "neg") });
      div.appendChild(el("span", { "class": "sign" }, r.sign > 0 ? "+ " : "− "));
      div.appendChild(link(r.label, r.href));
      div.appendChild(el("span", { "class": "kind" }, r.kind));
      var with_ = el("span", {}, " with ");
      r.others.forEach(function (o, i) { if (i) { with_.appendChild(document.createTextNode(", ")); } with_.appendChild(link(o.label, o.href)); });
      div.appendChild(with_);
      var span = " · " + (r.start ? "from " + r.start.date : "start not stated") + " " + (r.end ? "to " + r.end.date : "(ongoing)");
      div.appendChild(document.createTextNode(span));
      if (r.end && r.end.claim) { div.appendChild(claimMark(r.end.claim.claimant_label, "its end")); }
      if (r.start && r.start.claim) { div.appendChild(claimMark(r.start.claim.claimant_label, "its start")); }
      if (r.evidence.length) {
        var ul = el("ul");
        r.evidence.forEach(function (e) {
          var li = el("li", { "class": e.claim ? "claim" : "" });
          if (e.date) { li.appendChild(el("span", { "class": "date" }, e.date + " ")); }
          li.appendChild(link(e.label, e.href));
          if (e.claim) { li.appendChild(claimMark(e.claimant_label, e.attribution)); }
          ul.appendChild(li);
        });
        div.appendChild(ul);
      }
      rels.appendChild(div);
    });
    var timeline = $("timeline");
    if (!d.events.length) { $("events").appendChild(el("p", {}, "None recorded.")); }
    d.events.forEach(function (e) {
      var li = el("li", { "class": e.claim ? "claim" : "" });
      li.appendChild(el("span", { "class": "date" }, e.date || "undated"));
      li.appendChild(link(e.label, e.href));
      li.appendChild(el("span", { "class": "kind" }, e.kind + " · " + e.roles.join(", ")));
      e.quantities.forEach(function (q) {
        li.appendChild(document.createTextNode(" — " + q.predicate_label + ": "));
        li.appendChild(value(q));
      });
      if (e.claim) { li.appendChild(claimMark(e.claimants.join(", "))); }
      timeline.appendChild(li);
    });
    if (d.caps.events_truncated) { $("events").appendChild(el("p", {}, "The newest " + d.events.length + " of " + d.events_total + " events.")); }
    var made = $("claims-made-list");
    if (!d.claims_made.length) { $("claims-made").style.display = "none"; }
    d.claims_made.forEach(function (c) {
      var li = el("li", { "class": "claim" });
      li.appendChild(link(c.label, c.href));
      li.appendChild(claimMark(d.label, c.attribution));
      made.appendChild(li);
    });
    var graphs = $("graphs");
    d.graphs.forEach(function (g) { graphs.appendChild(graphSection(g)); });
  }

  function drawNeighbourhood(n) {
    if (typeof cytoscape === "undefined") { $("ncap").textContent = "Cytoscape.js is not installed: run make install."; return; }
    var cy = cytoscape({
      container: $("ncy"),
      elements: n.elements.nodes.concat(n.elements.edges),
      style: [
        { selector: "node", style: { "label": "data(label)", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 120,
          "background-color": "#95a5a6", "width": 14, "height": 14 } },
        { selector: "node[distance = 0]", style: { "background-color": "#e67e22", "width": 24, "height": 24 } },
        { selector: "edge", style: { "width": 1.2, "line-color": "#bbb", "curve-style": "bezier", "target-arrow-shape": "triangle",
          "target-arrow-color": "#bbb", "arrow-scale": 0.6 } },
        { selector: "edge[?claim]", style: { "line-style": "dotted", "line-color": "#b07000" } }
      ],
      layout: { name: "concentric", concentric: function (node) { return 10 - node.data("distance"); }, levelWidth: function () { return 1; },
                minNodeSpacing: 50, animate: false }
    });
    cy.fit(undefined, 20);
    if (cy.zoom() > 1) { cy.zoom(1); cy.center(); }
    cy.on("tap", "node", function (ev) { var href = ev.target.data("href"); if (href) { window.location.href = href; } });
    $("ncap").textContent = n.elements.nodes.length + " entities within " + n.depth + " link" + (n.depth > 1 ? "s" : "") +
      (n.cap.truncated ? " (cut at " + n.cap.nodes + ")" : "") + "; dotted links only a claim makes.";
  }

  var q = "iri=" + encodeURIComponent(iri);
  fetch("/entities/describe?" + q, { headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (d) { if (d.error) { $("summary").textContent = d.error.message; return; } render(d); });
  fetch("/entities/neighbourhood?depth=1&limit=60&" + q, { headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (n) { if (!n.error) { drawNeighbourhood(n); } });
})();
