// The ops table's few behaviours, in plain JavaScript: live cells (polling the table's
// version), "Sync now" with a progress indicator, in-place editing of the Step N cells, the
// wizard's mode cards, and the simulated sending of the embedded fake workspace.
(function () {
  "use strict";
  var version = null;
  var busy = false;

  function post(url, data) {
    var body = new URLSearchParams(data || {});
    return fetch(url, { method: "POST", body: body, headers: { "Accept": "application/json" } });
  }

  function cellTexts() {
    var out = {};
    document.querySelectorAll("#table-wrap [data-key]").forEach(function (td) {
      out[td.dataset.key] = td.textContent.trim();
    });
    return out;
  }

  function refreshTable() {
    var active = document.activeElement;
    if (busy || (active && active.isContentEditable) || document.querySelector("details.menu[open]")) {
      return Promise.resolve();
    }
    busy = true;
    var checked = Array.from(document.querySelectorAll("input[name=row]:checked")).map(function (i) { return i.value; });
    var before = cellTexts();
    return fetch("/fragment/table").then(function (r) { return r.text(); }).then(function (html) {
      var wrap = document.getElementById("table-wrap");
      wrap.innerHTML = html;
      checked.forEach(function (id) {
        var box = wrap.querySelector("input[name=row][value='" + CSS.escape(id) + "']");
        if (box) { box.checked = true; }
      });
      wrap.querySelectorAll("[data-key]").forEach(function (td) {
        var old = before[td.dataset.key];
        if (old !== undefined && old !== td.textContent.trim()) {
          td.classList.add("flash-cell");
          td.dataset.changed = "1";
        }
      });
      bindTable();
    }).finally(function () { busy = false; });
  }

  function poll() {
    fetch("/version").then(function (r) { return r.json(); }).then(function (data) {
      document.getElementById("live").classList.remove("stale");
      if (version !== null && data.version !== version) { refreshTable(); }
      version = data.version;
    }).catch(function () {
      document.getElementById("live").classList.add("stale");
    });
  }

  function showSync(link, state) {
    document.querySelectorAll(".sync-status[data-link='" + link + "']").forEach(function (box) {
      var bar = box.querySelector("progress") || document.createElement("progress");
      if (!bar.parentNode) { box.appendChild(bar); }
      if (state.running) { bar.removeAttribute("value"); } else { bar.value = 1; bar.max = 1; }
      var msg = box.querySelector(".sync-message") || document.createElement("span");
      msg.className = "sync-message" + (state.error ? " error" : "");
      msg.textContent = " " + (state.error || state.message || "");
      if (!msg.parentNode) { box.appendChild(msg); }
    });
  }

  function watchSync(link) {
    fetch("/links/" + link + "/sync").then(function (r) { return r.json(); }).then(function (state) {
      showSync(link, state);
      if (state.running) { setTimeout(function () { watchSync(link); }, 300); } else { refreshTable(); }
    });
  }

  function bindTable() {
    document.querySelectorAll(".sync-now").forEach(function (button) {
      button.onclick = function () {
        var link = button.dataset.link;
        button.closest("details").open = false;
        showSync(link, { running: true, message: "syncing…" });
        post("/links/" + link + "/sync").then(function () { watchSync(link); });
      };
    });
    var all = document.getElementById("select-all");
    if (all) {
      all.onchange = function () {
        document.querySelectorAll("input[name=row]").forEach(function (box) { box.checked = all.checked; });
      };
    }
    document.querySelectorAll("td.editable").forEach(function (td) {
      td.dataset.original = td.textContent;
      td.onkeydown = function (event) {
        if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); td.blur(); }
        if (event.key === "Escape") { td.textContent = td.dataset.original; td.blur(); }
      };
      td.onblur = function () {
        if (td.textContent === td.dataset.original) { return; }
        post("/cells", { row: td.dataset.row, column: td.dataset.column, value: td.textContent }).then(function (r) {
          if (r.ok) { td.dataset.original = td.textContent; td.classList.add("saved"); version = null; }
          else { r.json().then(function (e) { td.title = e.error; td.classList.add("error"); }); }
        });
      };
    });
  }

  function bindWizard() {
    var wizard = document.getElementById("wizard");
    if (!wizard) { return; }
    function showMode() {
      var chosen = wizard.querySelector("input[name=mode]:checked");
      wizard.querySelectorAll(".card").forEach(function (card) {
        card.classList.toggle("selected", !!chosen && card.dataset.mode === chosen.value);
      });
      wizard.querySelectorAll(".mode-panel").forEach(function (panel) {
        panel.classList.toggle("shown", !!chosen && panel.dataset.for === chosen.value);
      });
    }
    wizard.querySelectorAll("input[name=mode]").forEach(function (input) { input.onchange = showMode; });
    showMode();
    var count = document.getElementById("step-count");
    function names() {
      var n = Math.max(0, Math.min(20, parseInt(count.value, 10) || 0)), out = [];
      for (var i = 1; i <= n; i++) { out.push("Step " + i + " Subject", "Step " + i + " Body"); }
      document.getElementById("scaffold-names").textContent = out.join(", ");
    }
    if (count) { count.oninput = names; names(); }
    wizard.querySelectorAll("#variables select").forEach(function (select) {
      select.onchange = function () { document.getElementById("update-preview").click(); };
    });
    var create = document.getElementById("choice-create");
    ["new-name", "new-timezone"].forEach(function (id) {
      var input = document.getElementById(id);
      if (input && create) { input.oninput = function () { create.checked = true; }; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bindTable();
    bindWizard();
    var simulate = document.getElementById("simulate");
    if (simulate) {
      simulate.onclick = function () {
        var status = document.getElementById("simulate-status");
        simulate.disabled = true;
        status.textContent = "Sending in the fake workspace…";
        post("/simulate", { days: simulate.dataset.days }).then(function (r) { return r.json(); }).then(function (data) {
          status.textContent = data.message;
        }).finally(function () { simulate.disabled = false; });
      };
    }
    document.querySelectorAll(".sync-status progress:not([value])").forEach(function (bar) {
      watchSync(bar.closest(".sync-status").dataset.link);
    });
    poll();
    setInterval(poll, 1000);
  });
})();
