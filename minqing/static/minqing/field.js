// Minqing field app: my targets and my teams' points, visits, deeds, activities, check-ins and
// work logs, also without a signal.
// Records are saved first in IndexedDB (field-store.js) with a UUID made here, then sent to
// PUT /api/v1/sync/<kind>/<uuid>; the server recognises a retry by its UUID, so a
// record is never stored twice, and one made offline is sent when the phone is online.
// A visit's photos wait beside it and go to POST /api/v1/visits/<uuid>/photos, each under
// its own UUID, once the visit is in. When the server is busy (429) or failing (5xx) the
// phone waits — Retry-After when given, else an exponential delay with jitter — and the
// records stay in the outbox until they are accepted.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("app-data").textContent);
  var labels = data.labels;
  var store = window.minqingFieldStore, tx = store.tx, all = store.all;
  var syncing = false, attempt = 0, retryAt = 0, retryTimer = null, recordsIn = 0;
  var PHOTO_TYPES = ["image/jpeg", "image/png"], PHOTO_MAX_BYTES = 10 * 1024 * 1024, PHOTO_MAX = 9;

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

  function mine(items) { return store.mine(items, data.account); }

  function refreshStatus() {
    return Promise.all([all("outbox"), all("photos")]).then(function (found) {
      var items = mine(found[0]), photos = mine(found[1]);
      var waiting = items.filter(function (i) { return !i.error; }).length;
      var photosWaiting = photos.filter(function (p) { return !p.error; }).length;
      var parts = [];
      if (!navigator.onLine) { parts.push(labels.offline); }
      if (waiting) { parts.push(fmt(labels.pending, { n: waiting })); }
      if (photosWaiting) { parts.push(fmt(labels.photos_pending, { n: photosWaiting })); }
      if ((waiting || photosWaiting) && retryAt > Date.now()) {
        parts.push(fmt(labels.retry, { n: Math.ceil((retryAt - Date.now()) / 1000) }));
      }
      var failed = items.concat(photos).filter(function (i) { return i.error; });
      failed.forEach(function (i) { parts.push(fmt(labels.failed, { why: i.error })); });
      status(parts.join(" "), failed.length ? "error" : "");
      return all("sent");
    }).then(function (sent) {
      var list = document.getElementById("synced");
      list.innerHTML = "";
      mine(sent).sort(function (a, b) { return a.at < b.at ? 1 : -1; }).slice(0, 20).forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = sentText(item);
        li.dataset.uuid = item.uuid;
        list.appendChild(li);
      });
      // The heading only over records sent: an empty list says nothing.
      var heading = document.getElementById("synced-heading");
      if (heading) { heading.hidden = !list.children.length; }
    });
  }

  // A day as the server's pages write it in short (11月23日, November 23): its MONTH_DAY_FORMAT.
  function dayText(iso) {
    var f = data.day_format, m = Number(iso.slice(5, 7)), d = Number(iso.slice(8, 10));
    if (!f || !m || !d) { return iso; }
    return f.pattern.replace(/\\?[a-zA-Z]/g, function (c) {
      if (c.length === 2) { return c.charAt(1); }
      switch (c) {
        case "n": return String(m);
        case "m": return iso.slice(5, 7);
        case "j": return String(d);
        case "d": return iso.slice(8, 10);
        case "F": return f.months[m - 1];
        case "N": case "M": case "b": return f.months_short[m - 1];
        case "Y": return iso.slice(0, 4);
        default: return c;
      }
    });
  }

  // An entry of the "sent" list: its day, then what it was. Entries kept before entries carried
  // their day begin with it as ISO text.
  function sentText(item) {
    var demands = item.demands && item.demands.length ? " · " + fmt(labels.demands, { codes: item.demands.join(", ") }) : "";
    if (item.date) { return dayText(item.date) + " " + item.summary + demands; }
    return String(item.summary || "").replace(/^(\d{4}-\d{2}-\d{2}) /, function (_m, iso) { return dayText(iso) + " "; }) + demands;
  }

  // "today", "yesterday" or "N days ago", counted to the day the page proposes.
  function whenText(iso) {
    var days = Math.round((Date.parse(today()) - Date.parse(iso)) / 86400000);
    if (days <= 0 && labels.today) { return labels.today; }
    if (days === 1 && labels.yesterday) { return labels.yesterday; }
    return fmt(labels.days, { n: days });
  }

  // A visit the server accepted: the cards of its target (a member's visit counts for the
  // household, as on the server) say so at once, without a reload.
  function markVisited(item) {
    var card = item.card || {}, day = item.payload && item.payload.date;
    if (!day) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("#targets li.target"), function (li) {
      var same = (card.household && li.dataset.household === card.household) ||
        (li.dataset.targetType === card.type && li.dataset.targetId === String(card.id));
      var when = li.querySelector(".when");
      if (!same || !when || (when.dataset.last && when.dataset.last > day)) { return; }
      when.dataset.last = day;
      when.textContent = whenText(day);
    });
  }

  function queue(kind, payload, summary, photos, card) {
    var item = { uuid: uuid4(), kind: kind, payload: payload, summary: summary, date: payload.date,
                 at: new Date().toISOString(), cadre: data.cadre, account: data.account,
                 photos: (photos || []).length, card: card };
    // The photo files first: the visit never waits in the outbox without them.
    return tx("photos", "readwrite", function (s) {
      (photos || []).forEach(function (file) {
        s.put({ uuid: uuid4(), visit: item.uuid, blob: file, name: file.name, type: file.type,
                account: data.account, at: item.at });
      });
    }).then(function () {
      return tx("outbox", "readwrite", function (s) { s.put(item); });
    }).then(function () {
      status(labels.saved);
      return sync();
    });
  }

  // How long to wait before trying again: the server's Retry-After (seconds or an HTTP date)
  // when it gives one, else 2 s doubling per failed round up to 5 minutes; half of the wait
  // is random, so that phones coming back together do not all knock at the same moment.
  function retryDelay(round, retryAfter, now) {
    var exponential = Math.min(300000, 2000 * Math.pow(2, round));
    var delay = exponential / 2 + Math.random() * exponential / 2;
    if (retryAfter) {
      var asked = /^\s*\d+\s*$/.test(retryAfter) ? Number(retryAfter) * 1000 : Date.parse(retryAfter) - (now || Date.now());
      if (asked > 0) { delay = Math.max(asked + Math.random() * Math.min(asked, 5000) * 0.2, 1000); }
    }
    return Math.round(delay);
  }

  function backOff(retryAfter) {
    var delay = retryDelay(attempt, retryAfter);
    attempt += 1;
    retryAt = Date.now() + delay;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(sync, delay);
  }

  function busy(response) {
    var error = new Error("server " + response.status);
    error.retryAfter = response.headers.get("Retry-After");
    error.busy = true;
    return error;
  }

  // sync(true): the cadre asked (sign-out's "send them now"), so a pending wait is cut short.
  function sync(force) {
    if (force === true && !syncing) { retryAt = 0; clearTimeout(retryTimer); }
    if (syncing || !navigator.onLine || Date.now() < retryAt) { return refreshStatus(); }
    syncing = true;
    return Promise.all([all("outbox"), all("photos")]).then(function (found) {
      // Only this account's records go out under it; each is tried on its own, so one that
      // the server refuses does not hold back the others. A busy or failing server stops
      // the round: everything left waits for the next one.
      var items = mine(found[0]), waiting = {};
      items.forEach(function (i) { waiting[i.uuid] = true; });
      var chain = Promise.resolve();
      items.filter(function (i) { return !i.error; }).forEach(function (item) {
        chain = chain.then(function () { return send(item); });
      });
      // Photos of visits already in (sent in this round or an earlier one).
      chain = chain.then(function () { return all("photos"); }).then(function (photos) {
        var next = Promise.resolve();
        mine(photos).filter(function (p) { return !p.error && !waiting[p.visit]; }).forEach(function (p) {
          next = next.then(function () { return sendPhoto(p); });
        });
        return next;
      });
      return chain;
    }).then(function () {
      attempt = 0; retryAt = 0;
    }, function (error) {
      if (error && error.signedOut) { status(labels.signin, "error"); return; }
      backOff(error && error.retryAfter);  // busy server, server error or no answer at all
    }).then(function () {
      syncing = false;
      if (recordsIn) { recordsIn = 0; refreshDue(); }
      return refreshStatus();
    });
  }

  // "Due this month" as the server now counts it, once records went in: the page is fetched
  // again and its list taken (the rules count by campaign and month; the phone does not guess).
  // Offline or failing, the list stays as it was until the next round.
  function refreshDue() {
    var due = document.getElementById("due");
    if (!due || !window.DOMParser) { return Promise.resolve(); }
    // "?part=due": the service worker lets it through without keeping it (sw.js).
    return fetch(window.location.pathname + "?part=due", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      return r.ok ? r.text() : "";
    }).then(function (html) {
      var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById("due");
      if (fresh) { due.innerHTML = fresh.innerHTML; markCheckedIn(); }
    }).catch(function () {});
  }

  // Why the server refused a record: its errors by field, or the reason of a conflict (a visit
  // withdrawn, or past the days for correcting it), in the page's language.
  function reasonsOf(body) {
    var reasons = [];
    Object.keys(body.errors || {}).forEach(function (key) { reasons = reasons.concat(body.errors[key]); });
    if (body.conflict && body.conflict.reason) { reasons.push(body.conflict.reason); }
    return reasons.join(" ") || body.detail || "";
  }

  function check(response) {
    if (response.status === 401 || response.status === 403) {
      var signedOut = new Error("signed out");
      signedOut.signedOut = true;
      throw signedOut;
    }
    if (response.status === 429 || response.status >= 500) { throw busy(response); }
    return response;
  }

  function send(item) {
    return fetch("/api/v1/sync/" + item.kind + "/" + item.uuid, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ payload: item.payload })
    }).then(check).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        if (item.kind === "visit") { markVisited(item); }
        recordsIn += 1;  // a visit, deed or day at the point: what is due may have changed
        return response.json().catch(function () { return {}; }).then(function (body) {
          // The codes of the demands registered from the visit's problems, to hand to the resident.
          if (body.demands && body.demands.length) {
            item.demands = body.demands.map(function (d) { return d.code; });
          }
          return tx("outbox", "readwrite", function (s) { s.delete(item.uuid); });
        }).then(function () {
          return tx("sent", "readwrite", function (s) { s.put(item); });
        }).then(function () {
          return all("photos");
        }).then(function (photos) {
          var next = Promise.resolve();
          photos.filter(function (p) { return p.visit === item.uuid && !p.error; }).forEach(function (p) {
            next = next.then(function () { return sendPhoto(p); });
          });
          return next;
        });
      }
      return response.json().catch(function () { return {}; }).then(function (body) {
        item.error = reasonsOf(body) || (response.status === 409 ? labels.conflict : String(response.status));
        return tx("outbox", "readwrite", function (s) { s.put(item); });
      });
    });
  }

  function sendPhoto(photo) {
    var form = new FormData();
    form.append("file", photo.blob, photo.name || "photo");
    form.append("photo_uuid", photo.uuid);
    return fetch("/api/v1/visits/" + photo.visit + "/photos", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf() }, body: form
    }).then(check).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return tx("photos", "readwrite", function (s) { s.delete(photo.uuid); });
      }
      return response.json().catch(function () { return {}; }).then(function (body) {
        photo.error = (photo.name ? photo.name + ": " : "") +
          (response.status === 409 ? labels.conflict : reasonsOf(body) || String(response.status));
        return tx("photos", "readwrite", function (s) { s.put(photo); });
      });
    });
  }

  // The day a record is made on: the server's day, rendered into the page (so a phone set to
  // another time zone does not propose yesterday), unless the page was loaded on an earlier
  // day (kept offline for days): then the day it is now in the server's time zone, by the
  // phone's clock.
  function today() {
    var offset = data.utc_offset_minutes || 0;
    var now = new Date(Date.now() + offset * 60000).toISOString().slice(0, 10);
    return data.today && now <= data.today ? data.today : now;
  }

  // A record's date lies within the campaign and not after today.
  function boundDate(input, campaign) {
    var last = today();
    if (campaign && campaign.end && campaign.end < last) { last = campaign.end; }
    input.min = campaign && campaign.start ? campaign.start : "";
    input.max = last;
    input.value = last;
  }

  function openDialog(id, li) {
    var dialog = document.getElementById(id);
    var form = dialog.querySelector("form");
    var campaign = data.campaigns[li.dataset.campaign] || {};
    form.reset();
    boundDate(form.elements.date, campaign);
    dialog.querySelector(".target-name").textContent = li.querySelector(".who strong").textContent;
    var problem = dialog.querySelector(".form-error");
    if (problem) { problem.hidden = true; problem.textContent = ""; }
    if (form.elements.form) {
      form.elements.form.innerHTML = "";
      // The forms that fit this target, as the server lists them on it (a 走访企业 is no form
      // for a household); all of the campaign's when it lists none.
      var fitting = (li.dataset.forms || "").split(" ").filter(Boolean);
      (campaign.forms || []).filter(function (f) {
        return !fitting.length || fitting.indexOf(f.key) !== -1;
      }).forEach(function (f) {
        var option = document.createElement("option");
        option.value = f.key; option.textContent = f.name;
        form.elements.form.appendChild(option);
      });
    }
    dialog.dataset.target = JSON.stringify({ type: li.dataset.targetType, id: Number(li.dataset.targetId) });
    var facts = dialog.querySelector(".found-facts");
    if (facts) { facts.hidden = li.dataset.targetType === "point"; }
    dialog.dataset.campaign = li.dataset.campaign;
    dialog.dataset.household = li.dataset.household || "";
    dialog.dataset.name = li.querySelector(".who strong").textContent;
    dialog.showModal();
  }

  // The photo rules of the server (JPEG or PNG, at most 10 MB, at most 9), checked here too,
  // so that a photo the server would refuse is not carried around offline.
  function photoProblem(files) {
    if (files.length > PHOTO_MAX) { return labels.photo_count; }
    for (var n = 0; n < files.length; n += 1) {
      if (PHOTO_TYPES.indexOf(files[n].type) === -1) { return fmt(labels.photo_type, { name: files[n].name }); }
      if (files[n].size > PHOTO_MAX_BYTES) { return fmt(labels.photo_size, { name: files[n].name }); }
    }
    return "";
  }

  document.getElementById("visit-form").addEventListener("submit", function (event) {
    var dialog = document.getElementById("visit-dialog");
    if (event.submitter && event.submitter.value === "cancel") { return; }
    var f = event.target.elements;
    var files = Array.prototype.slice.call(f.photos.files || []);
    var problem = photoProblem(files);
    if (problem) {
      event.preventDefault();
      var box = dialog.querySelector(".form-error");
      box.textContent = problem; box.hidden = false;
      return;
    }
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
    var summary = labels.visit + " · " + dialog.dataset.name;
    if (files.length) { summary += " · " + fmt(labels.photos, { n: files.length }); }
    queue("visit", payload, summary, files,
          { type: payload.target.type, id: payload.target.id, household: dialog.dataset.household });
  });

  document.getElementById("deed-form").addEventListener("submit", function (event) {
    var dialog = document.getElementById("deed-dialog");
    if (event.submitter && event.submitter.value === "cancel") { return; }
    var f = event.target.elements;
    var target = JSON.parse(dialog.dataset.target);
    queue("deed", {
      campaign: Number(dialog.dataset.campaign), date: f.date.value, kind: f.kind.value, title: f.title.value,
      value_yuan: f.value_yuan.value || "0", target: target
    }, labels.deed + " · " + dialog.dataset.name + "：" + f.title.value);
  });

  document.getElementById("worklog-form").addEventListener("submit", function (event) {
    var dialog = document.getElementById("worklog-dialog");
    if (event.submitter && event.submitter.value === "cancel") { return; }
    var f = event.target.elements;
    var target = JSON.parse(dialog.dataset.target);
    queue("worklog", { point: target.id, date: f.date.value, content: f.content.value },
          labels.worklog + " · " + dialog.dataset.name);
  });

  // The activity form: the campaigns the cadre records activities in, each with its listed
  // activities (a kind written in when it lists none), the cadre's teams and points there.
  var activityCampaigns = data.activity_campaigns || [];

  function activityCampaign(id) {
    return activityCampaigns.filter(function (c) { return String(c.id) === String(id); })[0];
  }

  function fillOptions(select, items, blank) {
    select.innerHTML = "";
    if (blank) { items = [{ value: "", text: "—" }].concat(items); }
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.value; option.textContent = item.text;
      select.appendChild(option);
    });
  }

  function showActivityCampaign(form, campaign) {
    var kinds = campaign.activities || [], listed = kinds.length > 0;
    form.querySelector(".kind-listed").hidden = !listed;
    form.querySelector(".kind-free").hidden = listed;
    form.elements.kind.required = listed;
    form.elements.kind_text.required = !listed;
    fillOptions(form.elements.kind, kinds.map(function (k) { return { value: k.key, text: k.name }; }), false);
    fillOptions(form.elements.team, (campaign.teams || []).map(function (t) { return { value: String(t.id), text: t.name }; }), true);
    fillOptions(form.elements.point, (campaign.points || []).map(function (p) { return { value: String(p.id), text: p.name }; }), true);
    boundDate(form.elements.date, campaign);
  }

  // prefill: {campaign, kind, team, point}, from a due item's button or a point's card.
  function openActivity(prefill) {
    var dialog = document.getElementById("activity-dialog");
    if (!dialog || !activityCampaigns.length) { return; }
    var form = dialog.querySelector("form"), problem = dialog.querySelector(".form-error");
    prefill = prefill || {};
    form.reset();
    problem.hidden = true; problem.textContent = "";
    fillOptions(form.elements.campaign, activityCampaigns.map(function (c) { return { value: String(c.id), text: c.name }; }), false);
    var campaign = activityCampaign(prefill.campaign) || activityCampaigns[0];
    form.elements.campaign.value = String(campaign.id);
    showActivityCampaign(form, campaign);
    ["kind", "team", "point"].forEach(function (name) {
      var select = form.elements[name], value = prefill[name] ? String(prefill[name]) : "";
      if (value && Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
        select.value = value;
      }
    });
    dialog.showModal();
  }

  var activityForm = document.getElementById("activity-form");
  if (activityForm) {
    activityForm.elements.campaign.addEventListener("change", function () {
      showActivityCampaign(activityForm, activityCampaign(activityForm.elements.campaign.value) || {});
    });
    activityForm.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.value === "cancel") { return; }
      var f = event.target.elements, campaign = activityCampaign(f.campaign.value) || {};
      var listed = (campaign.activities || []).length > 0;
      var kind = listed ? f.kind.value : f.kind_text.value.trim();
      var kindName = listed ? f.kind.options[f.kind.selectedIndex].textContent : kind;
      var title = f.title.value.trim();
      queue("activity", {
        campaign: Number(f.campaign.value), kind: kind, title: title, date: f.date.value,
        team: f.team.value ? Number(f.team.value) : null, point: f.point.value ? Number(f.point.value) : null,
        attendance: f.attendance.value ? Number(f.attendance.value) : 0
      }, labels.activity + " · " + (title || kindName));
    });
  }
  var activityButton = document.getElementById("do-activity");
  if (activityButton) { activityButton.addEventListener("click", function () { openActivity({}); }); }

  // The cards of targets and of the teams' points: each button does what it says for its card.
  function onCard(event) {
    var li = event.target.closest("li.target");
    if (!li) { return; }
    if (event.target.classList.contains("do-visit")) { openDialog("visit-dialog", li); }
    if (event.target.classList.contains("do-deed")) { openDialog("deed-dialog", li); }
    if (event.target.classList.contains("do-worklog")) { openDialog("worklog-dialog", li); }
    if (event.target.classList.contains("do-activity")) {
      openActivity({ campaign: li.dataset.campaign, point: li.dataset.targetId, team: li.dataset.team });
    }
    if (event.target.classList.contains("do-checkin")) {
      queue("attendance", { point: Number(li.dataset.targetId), date: today() },
            labels.checkin + " · " + li.querySelector(".who strong").textContent);
      checkedIn(Number(li.dataset.targetId));
    }
  }
  // A point checked in at today (on the server, or queued on this phone) offers no second
  // check-in: the server would refuse it ("already checked in").
  function markCheckedIn() {
    var seen = data.checked_in || { date: "", points: [] };
    var points = seen.date === today() ? seen.points.map(String) : [];
    document.querySelectorAll("li.target .do-checkin").forEach(function (button) {
      var done = points.indexOf(button.closest("li.target").dataset.targetId) !== -1;
      button.disabled = done;
      button.textContent = done ? labels.checked_in : labels.checkin;
    });
    document.querySelectorAll("button.due-do[data-do='checkin']").forEach(function (button) {
      if (points.indexOf(button.dataset.targetId) !== -1) { button.disabled = true; }
    });
  }
  function checkedIn(point) {
    var seen = data.checked_in && data.checked_in.date === today() ? data.checked_in : { date: today(), points: [] };
    if (seen.points.indexOf(point) === -1) { seen.points.push(point); }
    data.checked_in = seen;
    markCheckedIn();
  }
  markCheckedIn();
  document.getElementById("targets").addEventListener("click", onCard);
  if (document.getElementById("team-points")) {
    document.getElementById("team-points").addEventListener("click", onCard);
  }

  // A button of "Due this month" does what the same target's button in the list does (a team's
  // point: its card among the teams' points); an activity's opens the activity form filled in.
  document.getElementById("due") && document.getElementById("due").addEventListener("click", function (event) {
    var button = event.target.closest("button.due-do");
    if (!button) { return; }
    if (button.dataset.do === "activity") {
      openActivity({ campaign: button.dataset.campaign, kind: button.dataset.kind,
                     team: button.dataset.team, point: button.dataset.point });
      return;
    }
    var cards = Array.prototype.filter.call(document.querySelectorAll("li.target"), function (item) {
      return item.dataset.targetType === button.dataset.targetType && item.dataset.targetId === button.dataset.targetId;
    });
    // A day at a point is no campaign's: any card of the point checks in there.
    var li = cards.filter(function (item) { return item.dataset.campaign === button.dataset.campaign; })[0] ||
      (button.dataset.do === "checkin" ? cards[0] : null);
    if (!li) { return; }
    if (button.dataset.do === "visit") { openDialog("visit-dialog", li); }
    if (button.dataset.do === "deed") { openDialog("deed-dialog", li); }
    if (button.dataset.do === "checkin") {
      queue("attendance", { point: Number(li.dataset.targetId), date: today() },
            labels.checkin + " · " + li.querySelector(".who strong").textContent);
      checkedIn(Number(li.dataset.targetId));
    }
  });

  // Records kept before entries carried their account: this cadre's become this account's.
  function adoptOldEntries() {
    return Promise.all(["outbox", "sent"].map(function (name) {
      return all(name).then(function (items) {
        var old = items.filter(function (i) { return i.account === undefined && i.cadre === data.cadre; });
        if (!old.length) { return null; }
        return tx(name, "readwrite", function (s) {
          old.forEach(function (i) { i.account = data.account; s.put(i); });
        });
      });
    }));
  }

  window.minqingField = { sync: sync, retryDelay: retryDelay, refreshStatus: refreshStatus, today: today, dayText: dayText };
  window.addEventListener("online", sync);
  window.addEventListener("offline", refreshStatus);
  setInterval(sync, 30000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" }).catch(function () { /* pages still work online */ });
  }
  adoptOldEntries().then(sync, sync);
}());
