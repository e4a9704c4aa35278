// Minqing's own script: htmx needs the CSRF token on its POSTs. No inline scripts anywhere (CSP).
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});

// A form that takes a while (an import): once one is submitted, the buttons of every such
// form are disabled (no second submission) and the status line says what is happening,
// with the seconds passed.
(function () {
  "use strict";
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var status = document.getElementById("busy-status");
      document.querySelectorAll("form[data-busy] button").forEach(function (button) { button.disabled = true; });
      if (!status) { return; }
      status.querySelector(".busy-text").textContent = form.dataset.busy;
      status.hidden = false;
      var started = Date.now();
      var seconds = status.querySelector(".busy-seconds");
      window.setInterval(function () {
        var passed = Math.round((Date.now() - started) / 1000);
        seconds.textContent = (document.documentElement.lang || "").indexOf("zh") === 0 ? passed + " 秒" : passed + " s";
      }, 1000);
    });
  });
}());

// A file input with data-max-bytes: a file over the limit is refused as soon as it is
// chosen (the form cannot be sent, and the page says why), instead of after its upload.
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var notice = document.getElementById(input.getAttribute("aria-describedby") || "");
    input.addEventListener("change", function () {
      var limit = Number(input.dataset.maxBytes);
      var file = input.files && input.files[0];
      var message = "";
      if (file && limit && file.size > limit) {
        // Rounded up: a file just over the limit never reads as "10.0 MB".
        message = input.dataset.tooBig.replace("{size}", (Math.ceil(file.size / 104857.6) / 10).toFixed(1));
      }
      input.setCustomValidity(message);
      if (notice) {
        notice.textContent = message;
        notice.hidden = !message;
      }
    });
  });
}());

// The phone's offline store (field-store.js) on a shared phone: signing out clears this
// account's records and the cached phone page, but never unsent records without asking;
// and when another account signs in, the previous one's cached page (its targets) goes.
(function () {
  "use strict";
  var store = window.minqingFieldStore;
  var account = document.body.dataset.account;
  if (!store || !account) { return; }

  try {
    if (localStorage.getItem("minqing-account") !== account) {
      store.dropCaches().then(function () { localStorage.setItem("minqing-account", account); });
    }
  } catch (e) { /* no local storage: the sign-out still clears */ }

  function signOut(form) {
    form.dataset.cleared = "1";
    try { localStorage.removeItem("minqing-account"); } catch (e) { /* nothing kept */ }
    form.submit();
  }

  function clearAndSignOut(form) {
    store.clearAccount(account).then(function () { signOut(form); }, function () { signOut(form); });
  }

  document.querySelectorAll("form.signout").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.cleared === "1") { return; }
      event.preventDefault();
      store.unsynced(account).then(function (left) {
        if (!left.records && !left.photos) { clearAndSignOut(form); return; }
        var dialog = document.getElementById("signout-dialog");
        dialog.querySelector(".signout-records").textContent = left.records;
        dialog.querySelector(".signout-photos").textContent = left.photos;
        dialog.querySelector(".signout-send").onclick = function () {
          dialog.close();
          if (window.minqingField) { window.minqingField.sync(true); } else { window.location.href = "/m/"; }
        };
        dialog.querySelector(".signout-delete").onclick = function () { dialog.close(); clearAndSignOut(form); };
        dialog.querySelector(".signout-cancel").onclick = function () { dialog.close(); };
        dialog.showModal();
      }, function () { signOut(form); });  // no IndexedDB on this browser: nothing kept to lose
    });
  });
}());

// A form with errors inside a collapsed section (<details>): the section opens, so that
// what went wrong and what was typed are seen, not hidden behind its summary.
(function () {
  "use strict";
  document.querySelectorAll("details:not([open])").forEach(function (section) {
    if (section.querySelector(".errorlist, .notice-error, [aria-invalid=true]")) { section.open = true; }
  });
}());

// A long list to choose from (select[data-filter], forms.FilterableSelect): a search box
// above it narrows the options to those whose text, or whose pinyin (data-keys), holds
// what is typed. A single list with one option left selects it; a multiple list keeps
// what was selected, shown or not.
(function () {
  "use strict";
  document.querySelectorAll("select[data-filter]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-filter";
    box.placeholder = select.dataset.filter;
    box.setAttribute("aria-label", select.dataset.filter);
    if (select.id) { box.setAttribute("aria-controls", select.id); }
    select.parentNode.insertBefore(box, select);
    // Enter in the box narrows, as in any search box: it must not send the form around it
    // (a handover, say) with whatever the list held.
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    box.addEventListener("input", function () {
      var wanted = box.value.trim().toLowerCase().replace(/\s+/g, "");
      var shown = [];
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { return; }  // the empty choice stays
        // The text, the full pinyin and the initials, each searched on its own: run together,
        // the end of one and the start of the next would match what neither holds.
        var texts = [option.textContent].concat((option.dataset.keys || "").split(" "));
        var keep = !wanted || texts.some(function (text) {
          return text.toLowerCase().replace(/\s+/g, "").indexOf(wanted) !== -1;
        });
        option.hidden = !keep;
        if (keep) { shown.push(option); }
      });
      if (!select.multiple && shown.length === 1 && !shown[0].selected) {
        shown[0].selected = true;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });
}());

// A list whose options belong to a choice made in another list (select[data-follows], the
// id of that list; forms.FollowingSelect): only the options whose data-for holds the value
// chosen there are offered, so a campaign's ledgers come with that campaign only. The
// empty choice stays; a choice that no longer fits is cleared. The server checks the same.
// With data-follows-any (a filter), nothing chosen there offers every option.
(function () {
  "use strict";
  document.querySelectorAll("select[data-follows]").forEach(function (select) {
    var leader = document.getElementById(select.dataset.follows);
    if (!leader) { return; }
    var any = select.hasAttribute("data-follows-any");
    function offer() {
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { return; }
        var fits = (any && !leader.value) || (option.dataset.for || "").split(" ").indexOf(leader.value) !== -1;
        option.hidden = !fits;
        option.disabled = !fits;
        if (!fits && option.selected) { select.value = ""; }
      });
    }
    leader.addEventListener("change", offer);
    offer();
  });
}());

// A long table (table[data-filter]: the published appraisal results): a search box above it
// keeps the rows whose text holds what is typed (a name, a unit), and says how many are
// shown. Without script the whole table is there as before.
(function () {
  "use strict";
  document.querySelectorAll("table[data-filter]").forEach(function (table) {
    var rows = Array.prototype.slice.call(table.tBodies[0] ? table.tBodies[0].rows : []);
    if (rows.length < 2) { return; }
    var box = document.createElement("input");
    box.type = "search";
    box.className = "table-filter";
    box.placeholder = table.dataset.filter;
    box.setAttribute("aria-label", table.dataset.filter);
    if (table.id) { box.setAttribute("aria-controls", table.id); }
    var count = document.createElement("p");
    count.className = "muted table-filter-count";
    count.setAttribute("role", "status");
    count.setAttribute("aria-live", "polite");
    table.parentNode.insertBefore(box, table);
    table.parentNode.insertBefore(count, table);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    box.addEventListener("input", function () {
      var wanted = box.value.trim().toLowerCase().replace(/\s+/g, "");
      var shown = 0;
      rows.forEach(function (row) {
        // The cells marked data-search (name, unit), else the whole row.
        var cells = row.querySelectorAll("[data-search]");
        var text = cells.length ? Array.prototype.map.call(cells, function (cell) { return cell.textContent; }).join(" ") : row.textContent;
        var keep = !wanted || text.toLowerCase().replace(/\s+/g, "").indexOf(wanted) !== -1;
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      count.textContent = wanted ? (table.dataset.filterCount || "{n} / {total}")
        .replace("{n}", shown).replace("{total}", rows.length) : "";
    });
  });
}());
