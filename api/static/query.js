// The query page: YASGUI on /sparql, with the saved queries as one-click examples.
// A saved query with parameters gets a small form; the server binds the values
// (GET /queries/NAME?param=value, Accept: application/sparql-query) and the
// bound text goes into the editor, so what runs is what the editor shows.
(function () {
  "use strict";
  if (typeof Yasgui === "undefined") { return; }
  var endpoint = window.location.origin + "/sparql";
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: null
  });
  window.conflictkgYasgui = yasgui;

  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var form = document.getElementById("saved-params");
  var fields = form.querySelector(".fields");
  var error = form.querySelector(".error");
  var current = null;

  function withoutDecorators(text) {
    return text.split("\n").filter(function (l) { return l.indexOf("#+") !== 0; }).join("\n").trim();
  }

  function typeName(param) {
    if (param.type === "iri") { return "IRI"; }
    return param.type.indexOf(XSD) === 0 ? "xsd:" + param.type.slice(XSD.length) : param.type;
  }

  function inputType(param) {
    var local = param.type.indexOf(XSD) === 0 ? param.type.slice(XSD.length) : "";
    if (local === "date") { return "date"; }
    if (/^(integer|int|long|short|decimal|double|float|nonNegativeInteger|positiveInteger)$/.test(local)) { return "number"; }
    return "text";
  }

  function renderForm(saved) {
    fields.textContent = "";
    error.textContent = "";
    form.querySelector(".title").textContent = saved.title;
    form.querySelector(".description").textContent = saved.description || "";
    saved.parameters.forEach(function (param) {
      var label = document.createElement("label");
      var name = document.createElement("span");
      name.className = "name";
      name.textContent = param.name;
      var hint = document.createElement("small");
      var fallback = param["default"] == null ? ", optional" : ", default " + param["default"];
      hint.textContent = typeName(param) + (param.required ? ", required" : fallback);
      var input = document.createElement("input");
      input.name = param.name;
      input.type = inputType(param);
      if (input.type === "number") { input.step = "any"; }
      input.value = param["default"] == null ? "" : param["default"];
      input.required = param.required;
      input.placeholder = param.type === "iri" ? "https://…" : "";
      input.setAttribute("aria-describedby", "saved-params-error");
      label.appendChild(name);
      label.appendChild(hint);
      label.appendChild(input);
      fields.appendChild(label);
    });
    form.hidden = saved.parameters.length === 0;
  }

  function values() {
    var params = new URLSearchParams();
    Array.prototype.forEach.call(fields.querySelectorAll("input"), function (input) {
      input.removeAttribute("aria-invalid");
      if (input.value.trim() !== "") { params.append(input.name, input.value.trim()); }
    });
    return params;
  }

  function bind(saved, run) {
    error.textContent = "";
    return fetch("/queries/" + encodeURIComponent(saved.name) + "?" + values().toString(), {
      headers: { Accept: "application/sparql-query" }
    }).then(function (r) {
      if (r.ok) { return r.text(); }
      return r.json().then(function (body) { throw body.error || { message: "HTTP " + r.status }; });
    }).then(function (text) {
      var tab = yasgui.getTab();
      tab.setQuery(withoutDecorators(text));
      if (run) { tab.query(); }
    }).catch(function (err) {
      error.textContent = err.message || String(err);
      var bad = err.parameter && fields.querySelector('input[name="' + CSS.escape(err.parameter) + '"]');
      if (bad) { bad.setAttribute("aria-invalid", "true"); bad.focus(); }
    });
  }

  function show(saved) {
    current = saved;
    renderForm(saved);
    if (saved.parameters.length === 0) {
      yasgui.getTab().setQuery(withoutDecorators(saved.query));
      return;
    }
    // The defaults bound at once: even the editor's own run button never runs an unbound slot.
    bind(saved, false);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (current) { bind(current, true); }
  });

  fetch("/queries", { headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : { queries: [] }; })
    .then(function (body) {
      var list = document.getElementById("example-list");
      body.queries.forEach(function (saved) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = saved.title;
        button.title = saved.description || saved.name;
        button.dataset.name = saved.name;
        if (saved.parameters.length) { button.classList.add("has-params"); }
        button.addEventListener("click", function () { show(saved); });
        li.appendChild(button);
        list.appendChild(li);
      });
    });
})();
