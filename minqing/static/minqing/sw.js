// Minqing field app service worker: keeps the phone page and its files, so that it opens
// without a signal. Data recorded offline lives in IndexedDB (see field.js), not here.
var CACHE = "minqing-field-v3";
var SHELL = ["/m/", "/static/vendor/pico/pico.min.css", "/static/minqing/minqing.css",
             "/static/minqing/minqing.js", "/static/minqing/field-store.js",
             "/static/minqing/field.js", "/static/vendor/htmx/htmx.min.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) { return; }
  if (url.pathname === "/m/" && url.search) {
    // The page read again for a part of it (field.js: the due list): the network only, never
    // kept — a copy stored after a sign-out cleared the phone would outlive the account.
    return;
  }
  if (url.pathname === "/m/") {
    // The page itself: fresh when online (and kept for later), the kept copy when offline.
    event.respondWith(fetch(event.request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put("/m/", copy); });
      }
      return response;
    }).catch(function () { return caches.match("/m/"); }));
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1) {
    // Files: fresh when online (so a new version reaches the phone), the kept copy offline.
    event.respondWith(fetch(event.request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(event.request, copy); });
      }
      return response;
    }).catch(function () { return caches.match(event.request); }));
  }
});
