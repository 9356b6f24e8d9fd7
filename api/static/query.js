// The query page: YASGUI on /sparql, with the saved queries as one-click examples.
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

  function show(saved) {
    var tab = yasgui.getTab();
    tab.setQuery(saved.query.split("\n").filter(function (l) { return l.indexOf("#+") !== 0; }).join("\n").trim());
  }

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
        button.addEventListener("click", function () { show(saved); });
        li.appendChild(button);
        list.appendChild(li);
      });
    });
})();
