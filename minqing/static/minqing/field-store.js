// The phone's offline store (IndexedDB "minqing-field"), shared by the field app (field.js)
// and by every page's sign-out button (minqing.js):
//   outbox  records made on this phone and not yet accepted by the server
//   sent    records the server accepted (shown as "sent from this phone")
//   photos  photo files waiting to be sent after their visit
// Every entry carries the account it was made under, so one cadre's records are never
// shown to, sent by or cleared by another account on a shared phone.
(function () {
  "use strict";
  var DB = "minqing-field", VERSION = 2, CACHE_PREFIX = "minqing-field";

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = indexedDB.open(DB, VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("outbox")) { db.createObjectStore("outbox", { keyPath: "uuid" }); }
        if (!db.objectStoreNames.contains("sent")) { db.createObjectStore("sent", { keyPath: "uuid" }); }
        if (!db.objectStoreNames.contains("photos")) { db.createObjectStore("photos", { keyPath: "uuid" }); }
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

  function mine(items, account) {
    return items.filter(function (i) { return String(i.account) === String(account); });
  }

  // What this account has on the phone that the server has not accepted yet.
  function unsynced(account) {
    return Promise.all([all("outbox"), all("photos")]).then(function (found) {
      return { records: mine(found[0], account).length, photos: mine(found[1], account).length };
    });
  }

  // The cached phone page (with its list of targets) and app files.
  function dropCaches() {
    if (!window.caches) { return Promise.resolve(); }
    return caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf(CACHE_PREFIX) === 0; })
        .map(function (k) { return caches.delete(k); }));
    });
  }

  // Sign-out: this account's entries go, other accounts' unsent records stay for them.
  function clearAccount(account) {
    return Promise.all(["outbox", "sent", "photos"].map(function (store) {
      return all(store).then(function (items) {
        var gone = mine(items, account);
        return tx(store, "readwrite", function (s) { gone.forEach(function (i) { s.delete(i.uuid); }); });
      });
    })).then(dropCaches);
  }

  window.minqingFieldStore = {
    tx: tx, all: all, mine: mine, unsynced: unsynced, clearAccount: clearAccount, dropCaches: dropCaches
  };
}());
