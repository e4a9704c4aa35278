// Minqing field app: my targets, visits, deeds and check-ins, also without a signal.
// Records are saved first in IndexedDB with a UUID made here, then sent to
// PUT /api/v1/sync/<kind>/<uuid>; the server recognises a retry by its UUID, so a
// record is never stored twice, and one made offline is sent when the phone is online.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("app-data").textContent);
  var labels = data.labels;
  var DB = "minqing-field", VERSION = 1, syncing = false;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("outbox")) { db.createObjectStore("outbox", { keyPath: "uuid" }); }
        if (!db.objectStoreNames.contains("sent")) { db.createObjectStore("sent", { keyPath: "uuid" }); }
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(store, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode), result;
        result = work(t.objectStore(store));
        t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function all(store) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var request = db.transaction(store, "readonly").objectStore(store).getAll();
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    });
  }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function status(text, kind) {
    var el = document.getElementById("sync-status");
    el.hidden = !text;
    el.textContent = text || "";
    el.className = "notice" + (kind ? " notice-" + kind : "");
  }

  function refreshStatus() {
    return all("outbox").then(function (items) {
      items = items.filter(function (i) { return i.cadre === data.cadre; });
      var waiting = items.filter(function (i) { return !i.error; }).length;
      var parts = [];
      if (!navigator.onLine) { parts.push(labels.offline); }
      if (waiting) { parts.push(fmt(labels.pending, { n: waiting })); }
      items.filter(function (i) { return i.error; }).forEach(function (i) { parts.push(fmt(labels.failed, { why: i.error })); });
      status(parts.join(" "), items.some(function (i) { return i.error; }) ? "error" : "");
      return all("sent");
    }).then(function (sent) {
      var list = document.getElementById("synced");
      list.innerHTML = "";
      sent = sent.filter(function (i) { return i.cadre === data.cadre; });
      sent.sort(function (a, b) { return a.at < b.at ? 1 : -1; }).slice(0, 20).forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = item.summary;
        li.dataset.uuid = item.uuid;
        list.appendChild(li);
      });
    });
  }

  function queue(kind, payload, summary) {
    var item = { uuid: uuid4(), kind: kind, payload: payload, summary: summary, at: new Date().toISOString(),
                 cadre: data.cadre };
    return tx("outbox", "readwrite", function (store) { store.put(item); }).then(function () {
      status(labels.saved);
      return sync();
    });
  }

  function sync() {
    if (syncing || !navigator.onLine) { return refreshStatus(); }
    syncing = true;
    return all("outbox").then(function (items) {
      // Only this cadre's records go out under this account; each is tried on its own, so one
      // that the server cannot take now does not hold back the others.
      var chain = Promise.resolve();
      items.filter(function (i) { return !i.error && i.cadre === data.cadre; }).forEach(function (item) {
        chain = chain.then(function () { return send(item); }).catch(function (error) {
          if (error && error.signedOut) { throw error; }
        });
      });
      return chain;
    }).catch(function (error) {
      if (error && error.signedOut) { status(labels.signin, "error"); }
    })
      .then(function () { syncing = false; return refreshStatus(); });
  }

  function send(item) {
    return fetch("/api/v1/sync/" + item.kind + "/" + item.uuid, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ payload: item.payload })
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return tx("outbox", "readwrite", function (store) { store.delete(item.uuid); }).then(function () {
          return tx("sent", "readwrite", function (store) { store.put(item); });
        });
      }
      if (response.status === 409 || response.status === 422) {
        return response.json().then(function (body) {
          var reasons = [];
          Object.keys(body.errors || {}).forEach(function (key) { reasons = reasons.concat(body.errors[key]); });
          item.error = response.status === 409 ? labels.conflict : reasons.join(" ");
          return tx("outbox", "readwrite", function (store) { store.put(item); });
        });
      }
      if (response.status === 401 || response.status === 403) {
        var signedOut = new Error("signed out");
        signedOut.signedOut = true;
        throw signedOut;
      }
      throw new Error("server " + response.status);  // try again later
    });
  }

  function today() {
    var now = new Date();
    return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }

  function openDialog(id, li) {
    var dialog = document.getElementById(id);
    var form = dialog.querySelector("form");
    form.reset();
    form.elements.date.value = today();
    dialog.querySelector(".target-name").textContent = li.querySelector(".who strong").textContent;
    if (form.elements.form) {
      var forms = (data.campaigns[li.dataset.campaign] || {}).forms || [];
      form.elements.form.innerHTML = "";
      forms.forEach(function (f) {
        var option = document.createElement("option");
        option.value = f.key; option.textContent = f.name;
        form.elements.form.appendChild(option);
      });
    }
    dialog.dataset.target = JSON.stringify({ type: li.dataset.targetType, id: Number(li.dataset.targetId) });
    var facts = dialog.querySelector(".found-facts");
    if (facts) { facts.hidden = li.dataset.targetType === "point"; }
    dialog.dataset.campaign = li.dataset.campaign;
    dialog.dataset.name = li.querySelector(".who strong").textContent;
    dialog.showModal();
  }

  document.getElementById("visit-form").addEventListener("submit", function (event) {
    var dialog = document.getElementById("visit-dialog");
    if (event.submitter && event.submitter.value === "cancel") { return; }
    var f = event.target.elements;
    var problems = f.problems.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    var payload = {
      campaign: Number(dialog.dataset.campaign), date: f.date.value, form: f.form.value,
      target: JSON.parse(dialog.dataset.target), content: f.content.value, outcome: f.outcome.value, problems: problems
    };
    // What the visit found about the household, when anything was filled in.
    var found = {};
    if (f.size.value) { found.size = Number(f.size.value); }
    if (f.economic_status.value) { found.economic_status = f.economic_status.value; }
    var sources = Array.prototype.filter.call(event.target.querySelectorAll("input[name=income_sources]"),
      function (box) { return box.checked; }).map(function (box) { return box.value; });
    if (sources.length) { found.income_sources = sources; }
    if (Object.keys(found).length && payload.target.type !== "point") { payload.found = found; }
    queue("visit", payload, f.date.value + " " + labels.visit + " · " + dialog.dataset.name);
  });

  document.getElementById("deed-form").addEventListener("submit", function (event) {
    var dialog = document.getElementById("deed-dialog");
    if (event.submitter && event.submitter.value === "cancel") { return; }
    var f = event.target.elements;
    var target = JSON.parse(dialog.dataset.target);
    queue("deed", {
      campaign: Number(dialog.dataset.campaign), date: f.date.value, kind: f.kind.value, title: f.title.value,
      value_yuan: f.value_yuan.value || "0", target: target
    }, f.date.value + " " + labels.deed + " · " + dialog.dataset.name + "：" + f.title.value);
  });

  document.getElementById("targets").addEventListener("click", function (event) {
    var li = event.target.closest("li.target");
    if (!li) { return; }
    if (event.target.classList.contains("do-visit")) { openDialog("visit-dialog", li); }
    if (event.target.classList.contains("do-deed")) { openDialog("deed-dialog", li); }
    if (event.target.classList.contains("do-checkin")) {
      queue("attendance", { point: Number(li.dataset.targetId), date: today() },
            today() + " " + labels.checkin + " · " + li.querySelector(".who strong").textContent);
    }
  });

  window.addEventListener("online", sync);
  window.addEventListener("offline", refreshStatus);
  setInterval(sync, 30000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" }).catch(function () { /* pages still work online */ });
  }
  sync();
}());
