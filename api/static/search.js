// The search box on every page: entities by label or alias, as you type, from /entities/search.
(function () {
  "use strict";
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function install(host) {
    var form = el("form", { id: "search", role: "search", action: "#" });
    var input = el("input", { id: "search-input", type: "search", placeholder: "Search actors, places, events (ISIS, Daesh, QSD …)",
      autocomplete: "off", "aria-label": "Search entities", "aria-controls": "search-results", maxlength: "200" });
    var list = el("ul", { id: "search-results", role: "listbox", "aria-label": "Search results" });
    form.appendChild(input);
    form.appendChild(list);
    host.appendChild(form);
    var timer = null, asked = 0;
    function render(body, n) {
      if (n !== asked) { return; }  // an older answer arriving late
      list.innerHTML = "";
      if (body.error) { list.appendChild(el("li", { "class": "search-error" }, body.error.message)); return; }
      body.results.forEach(function (r) {
        var li = el("li", { role: "option", "data-iri": r.iri, "class": r.claim ? "claim" : "" });
        var a = el("a", { href: r.href || ("/entities/describe?iri=" + encodeURIComponent(r.iri)) });
        a.appendChild(el("span", { "class": "result-label" }, r.label));
        if (r.kind) { a.appendChild(el("span", { "class": "kind" }, r.kind)); }
        if (r.field === "alias" && r.matched !== r.label) { a.appendChild(el("span", { "class": "matched" }, "also " + r.matched)); }
        if (r.claim) { a.appendChild(el("span", { "class": "claim-mark" }, "claim" + (r.claimants.length ? " by " + r.claimants.join(", ") : ""))); }
        li.appendChild(a);
        list.appendChild(li);
      });
      if (!body.results.length && input.value.trim()) { list.appendChild(el("li", { "class": "none" }, "No entity is called that.")); }
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value;
      if (!text.trim()) { list.innerHTML = ""; return; }
      timer = setTimeout(function () {
        var n = ++asked;
        fetch("/entities/search?limit=8&q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (body) { render(body, n); })
          .catch(function () { render({ error: { message: "The search did not answer." } }, n); });
      }, 60);
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var first = list.querySelector("a");
      if (first) { window.location.href = first.getAttribute("href"); }
    });
  }
  var host = document.querySelector("header") || document.body;
  install(host);
})();
