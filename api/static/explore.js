// The network explorer: the actor network over time, from /network/elements and /network/edge only.
(function () {
  "use strict";
  var statusLine = document.getElementById("status");
  function say(text) { statusLine.textContent = text; }
  if (typeof cytoscape === "undefined") { say("Cytoscape.js is not installed: run make install."); return; }

  var DAY = 86400000;
  var SHAPES = { ArmedGroup: "ellipse", StateForce: "round-rectangle", State: "rectangle", Coalition: "hexagon",
    MilitaryCommand: "diamond", Person: "triangle", Government: "barrel", GovernmentBody: "barrel", Detainees: "vee" };
  var COLOURS = { ArmedGroup: "#e67e22", StateForce: "#2c3e50", State: "#2980b9", Coalition: "#16a085",
    MilitaryCommand: "#34495e", Person: "#8e44ad", Government: "#1f618d", GovernmentBody: "#5d6d7e", Detainees: "#7f8c8d" };
  var state = { data: null, start: null, end: null, date: null, focus: null, positions: {}, timer: null, filtersMade: false };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function time(iso) { return Date.parse(iso + "T00:00:00Z"); }
  function iso(t) { return new Date(t).toISOString().slice(0, 10); }
  function $(id) { return document.getElementById(id); }

  var cy = cytoscape({
    container: $("cy"),
    minZoom: 0.2, maxZoom: 3,
    style: [
      { selector: "node", style: { "label": "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 110,
        "background-color": "data(colour)", "shape": "data(shape)", "width": "mapData(degree, 0, 12, 18, 44)",
        "height": "mapData(degree, 0, 12, 18, 44)", "text-valign": "bottom", "text-margin-y": 3 } },
      { selector: "node.idle", style: { "opacity": 0.3 } },
      { selector: "node.focus", style: { "border-width": 3, "border-color": "#f1c40f" } },
      { selector: "edge", style: { "width": "mapData(w, 0, 6, 1.5, 8)", "curve-style": "bezier", "line-color": "data(colour)",
        "line-style": "data(lineStyle)", "label": "data(note)", "font-size": 9, "color": "#6c3483", "text-rotation": "autorotate" } },
      { selector: "edge.off", style: { "display": "none" } },
      { selector: ":selected", style: { "overlay-color": "#f1c40f", "overlay-opacity": 0.3 } }
    ]
  });

  function params() {
    var p = new URLSearchParams();
    if ($("f-start").value) { p.set("start", $("f-start").value); }
    if ($("f-end").value) { p.set("end", $("f-end").value); }
    p.set("window", $("f-window").value);
    p.set("limit", $("f-limit").value || "150");
    if ($("f-claims").checked) { p.set("include_claims", "true"); }
    if (state.focus) { p.set("focus", state.focus); p.set("depth", "2"); }
    if (state.filtersMade) {
      var kinds = checked("f-kinds"), all = document.querySelectorAll("#f-kinds input").length;
      if (kinds.length < all) { p.set("kinds", kinds.join(",") || "none"); }
      var actors = checked("f-actor-kinds"), allActors = document.querySelectorAll("#f-actor-kinds input").length;
      if (actors.length < allActors) { p.set("actor_kinds", actors.join(",") || "none"); }
    }
    return p;
  }
  function checked(id) {
    return Array.prototype.map.call(document.querySelectorAll("#" + id + " input:checked"), function (i) { return i.value; });
  }
  function makeFilters(id, names) {
    var box = $(id);
    names.forEach(function (name) {
      var label = el("label");
      var input = el("input", { type: "checkbox", value: name });
      input.checked = true;
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + name));
      box.appendChild(label);
    });
  }

  function load() {
    say("Loading the network …");
    return fetch("/network/elements?" + params().toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (answer) {
        if (!answer.ok) { say("The network could not be read: " + answer.body.error.message); return; }
        build(answer.body);
      })
      .catch(function (err) { say("The network could not be read: " + err); });
  }

  function build(data) {
    state.data = data;
    if (!state.filtersMade) {
      makeFilters("f-kinds", data.kinds);
      makeFilters("f-actor-kinds", data.actor_kinds);
      state.filtersMade = true;
    }
    cy.resize();  // the filters above may have moved the drawing: Cytoscape caches where its container is
    cy.nodes().forEach(function (n) { state.positions[n.id()] = Object.assign({}, n.position()); });
    cy.elements().remove();
    var nodes = data.elements.nodes.map(function (n) {
      var d = n.data;
      return { group: "nodes", data: Object.assign({}, d, { colour: COLOURS[d.kind] || "#95a5a6", shape: SHAPES[d.kind] || "ellipse" }),
               position: state.positions[d.id] ? Object.assign({}, state.positions[d.id]) : undefined };
    });
    var edges = data.elements.edges.map(function (e) {
      return { group: "edges", data: Object.assign({}, e.data, { w: Math.log(1 + e.data.weight), colour: "#999", lineStyle: "solid", note: "" }) };
    });
    cy.add(nodes);
    cy.add(edges);
    var unplaced = cy.nodes().filter(function (n) { return !state.positions[n.id()]; });
    if (unplaced.length === cy.nodes().length) {
      // The one layout: positions are kept from here on, so nodes never jump while the date moves.
      // Start from a circle in IRI order, not at random: the same data gets the same picture on every load.
      var ids = cy.nodes().map(function (n) { return n.id(); }).sort();
      var r = 60 * Math.sqrt(ids.length) + 80;
      ids.forEach(function (id, i) {
        var a = 2 * Math.PI * i / ids.length;
        cy.getElementById(id).position({ x: r * Math.cos(a), y: r * Math.sin(a) });
      });
      cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: function () { return 400000; },
        idealEdgeLength: function () { return 140; }, nodeOverlap: 40, gravity: 0.2, componentSpacing: 120, numIter: 2000 }).run();
    } else {
      unplaced.forEach(function (n) {
        var near = n.neighborhood("node").filter(function (m) { return !!state.positions[m.id()]; });
        var p = near.length ? near[0].position() : { x: 0, y: 0 };
        n.position({ x: p.x + 40 * Math.cos(n.degree() + 1), y: p.y + 40 * Math.sin(n.degree() + 1) });
      });
    }
    cy.nodes().forEach(function (n) { state.positions[n.id()] = Object.assign({}, n.position()); });
    cy.fit(undefined, 40);
    if (cy.zoom() > 1.1) { cy.zoom(1.1); cy.center(); }
    if (state.focus) { cy.getElementById(state.focus).addClass("focus"); }

    state.start = time(data.start || data.span.start || iso(Date.now()));
    state.end = time(data.end || data.span.horizon || iso(Date.now()));
    var slider = $("slider");
    slider.min = 0;
    slider.max = Math.max(0, Math.round((state.end - state.start) / DAY));
    drawMarks(data.breakdowns);
    var note = data.elements.nodes.length + " actors, " + data.elements.edges.length + " ties";
    if (data.cap.truncated) { note += " — capped: the " + data.cap.nodes + " most connected of " + data.cap.total_nodes + " actors, at most " + data.cap.edges + " of " + data.cap.total_edges + " ties"; }
    if (data.read.mode === "aggregated") { note += " — aggregated view: " + data.read.note; }
    say(note);
    var keep = state.date !== null && state.date >= state.start && state.date <= state.end;
    setDate(keep ? state.date : state.start);
  }

  function drawMarks(breakdowns) {
    var marks = $("marks");
    marks.innerHTML = "";
    var range = Math.max(1, state.end - state.start);
    breakdowns.forEach(function (b) {
      var t = time(b.date);
      if (t < state.start || t > state.end) { return; }
      var mark = el("button", { type: "button", "class": "breakdown-mark", "data-date": b.date,
        title: "Breakdown: " + b.actors.join(" – ") + ", " + b.date }, "⚡ " + b.actors.join(" – "));
      mark.style.left = (100 * (t - state.start) / range) + "%";
      mark.addEventListener("click", function () { stop(); setDate(t); });
      marks.appendChild(mark);
    });
  }

  function spellAt(edge, day) {
    var spells = edge.data("timeline");
    for (var i = 0; i < spells.length; i++) {
      if (spells[i].start <= day && day <= spells[i].end) { return spells[i]; }
    }
    return null;
  }

  function setDate(t) {
    t = Math.min(Math.max(t, state.start), state.end);
    state.date = t;
    var day = iso(t);
    $("slider").value = Math.round((t - state.start) / DAY);
    $("date-label").textContent = day;
    $("ties-date").textContent = day;
    var list = $("tie-list");
    list.innerHTML = "";
    var active = {};
    cy.batch(function () {
      cy.edges().forEach(function (e) {
        var s = spellAt(e, day);
        if (!s) { e.addClass("off"); e.data("sign", 0); return; }
        e.removeClass("off");
        active[e.data("source")] = active[e.data("target")] = true;
        e.data({ sign: s.sign, spellKind: s.kind, claimOnly: s.claim_only,
          colour: s.claim_only ? "#8e44ad" : (s.sign > 0 ? "#2a8a2a" : "#c0392b"),
          lineStyle: s.claim_only ? "dotted" : (s.kind === "Strain" ? "dashed" : "solid"),
          note: s.claim_only ? "claim: " + s.claimants.join(", ") : "" });
        var li = el("li", { "class": s.sign > 0 ? "pos" : "neg", "data-source": e.data("source"), "data-target": e.data("target"),
          "data-sign": String(s.sign), "data-kind": s.kind, "data-claim-only": String(s.claim_only) });
        var button = el("button", { type: "button" }, cy.getElementById(e.data("source")).data("label") + " — " + cy.getElementById(e.data("target")).data("label"));
        button.addEventListener("click", function () { showEdge(e); });
        li.appendChild(button);
        var what = (s.sign > 0 ? "cooperation" : (s.kind === "Strain" ? "strained" : "hostility")) + " (" + s.kind + (s.basis === "events" ? ", from events" : "") + ", " + s.start + " – " + s.end + ")";
        li.appendChild(document.createTextNode(": " + what + (s.claim_only ? " — only a claim, by " + s.claimants.join(", ") : "")));
        list.appendChild(li);
      });
      cy.nodes().forEach(function (n) { n.toggleClass("idle", !active[n.id()]); });
    });
  }

  function showEdge(e) {
    var d = e.data ? e.data() : e;
    var box = $("details");
    box.innerHTML = "";
    box.appendChild(el("h3", {}, cy.getElementById(d.source).data("label") + " — " + cy.getElementById(d.target).data("label")));
    var p = new URLSearchParams({ source: d.source, target: d.target, at: iso(state.date), window: $("f-window").value });
    if ($("f-claims").checked) { p.set("include_claims", "true"); }
    fetch("/network/edge?" + p.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.error) { box.appendChild(el("p", {}, body.error.message)); return; }
        if (!body.timeline.length) { box.appendChild(el("p", {}, "No tie on " + iso(state.date) + ".")); }
        body.timeline.forEach(function (s) {
          var div = el("div", { "class": "spell " + (s.sign > 0 ? "pos" : "neg") });
          div.appendChild(el("p", { "class": "spell-head" }, (s.sign > 0 ? "Cooperation" : "Hostility / strain") + " — " + s.kind + ", " + s.start + " to " + s.end +
            (s.claim_only ? " (only a claim, by " + s.claimants.join(", ") + ")" : "")));
          var ul = el("ul", { "class": "evidence" });
          s.evidence.forEach(function (x) {
            var li = el("li", { "class": x.claim ? "claim" : "fact", "data-type": x.type || "" });
            var name = x.label || x.iri;
            if (x.href) { li.appendChild(el("a", { href: x.href }, name)); } else { li.appendChild(document.createTextNode(name)); }
            if (x.claim) { li.appendChild(el("span", { "class": "claim-mark" }, "claim" + (x.claimant_label ? " by " + x.claimant_label : "") + (x.attribution_label ? " (" + x.attribution_label + ")" : ""))); }
            var meta = [x.type === "event" ? (x.kind || "event") : x.type, x.date, x.source_label ? "source: " + x.source_label : null].filter(Boolean).join(" · ");
            li.appendChild(el("span", { "class": "meta" }, meta));
            ul.appendChild(li);
          });
          if (s.evidence_total > s.evidence.length) { ul.appendChild(el("li", {}, "… and " + (s.evidence_total - s.evidence.length) + " more")); }
          div.appendChild(ul);
          box.appendChild(div);
        });
      });
  }

  function showNode(n) {
    var box = $("details");
    box.innerHTML = "";
    box.appendChild(el("h3", {}, n.data("label")));
    box.appendChild(el("p", {}, (n.data("kind") || "actor") + (n.data("aliases").length ? " — also " + n.data("aliases").join(", ") : "")));
    if (n.data("href")) { box.appendChild(el("p", {})).appendChild(el("a", { href: n.data("href") }, "Everything about it")); }
    var focus = el("button", { type: "button" }, state.focus === n.id() ? "Show everyone again" : "Focus on its neighbourhood");
    focus.addEventListener("click", function () { state.focus = state.focus === n.id() ? null : n.id(); load(); });
    box.appendChild(focus);
  }

  cy.on("tap", "edge", function (ev) { showEdge(ev.target); });
  cy.on("tap", "node", function (ev) { showNode(ev.target); });
  $("slider").addEventListener("input", function () { stop(); setDate(state.start + Number($("slider").value) * DAY); });
  function stop() { if (state.timer) { clearInterval(state.timer); state.timer = null; $("play").textContent = "▶"; } }
  $("play").addEventListener("click", function () {
    if (state.timer) { stop(); return; }
    if (state.date >= state.end) { setDate(state.start); }
    var step = Math.max(1, Math.round((state.end - state.start) / DAY / 150)) * DAY;
    $("play").textContent = "⏸";
    state.timer = setInterval(function () {
      if (state.date >= state.end) { stop(); return; }
      setDate(state.date + step);
    }, 80);
  });
  $("filters").addEventListener("submit", function (ev) { ev.preventDefault(); load(); });
  window.conflictkgExplorer = { cy: cy, state: state, setDate: function (day) { setDate(time(day)); }, load: load };
  load();
})();
