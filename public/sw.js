// Knock's service worker: serves the app shell so the app starts with no network after one
// online visit. The shell (index.html) is network-first, so an online start always gets the
// current version; the build's hashed assets are cache-first. A new shell replaces the cached one
// only once every asset it names is cached, so an offline start never meets a half-cached
// version. The API is never cached: data lives in IndexedDB. A tapped reminder opens Today.
const CACHE = "knock-shell";
const SHELL = "/";

const assetsOf = (html) =>
  [...html.matchAll(/["'](\/[^"'?#]+\.(?:js|wasm|css|webmanifest|svg|png))["']/g)].map((m) => m[1]);

async function cacheShell(response) {
  const html = await response.clone().text();
  const assets = [...new Set(assetsOf(html))];
  const cache = await caches.open(CACHE);
  for (const url of assets) {
    if (await cache.match(url)) continue;
    const r = await fetch(url, { cache: "no-cache" });
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    await cache.put(url, r);
  }
  await cache.put(SHELL, response);
  // Drop what the current shell no longer names.
  const keep = new Set([SHELL, ...assets].map((u) => new URL(u, self.location.origin).href));
  for (const req of await cache.keys()) {
    if (!keep.has(req.url)) await cache.delete(req);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    fetch(SHELL, { cache: "no-cache" })
      .then((r) => (r.ok ? cacheShell(r) : undefined))
      .catch(() => undefined)
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

async function shell(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      // Refresh the cached shell in the background; a failure keeps the previous one.
      cacheShell(response.clone()).catch(() => undefined);
    }
    return response;
  } catch (_) {
    const cached = await caches.match(SHELL);
    return cached ?? Response.error();
  }
}

async function asset(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(CACHE).then((c) => c.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  event.respondWith(event.request.mode === "navigate" ? shell(event.request) : asset(event.request));
});

// A reminder of due visits (app/src/reminders.rs) opens Today: in the app's window if one is
// open, else in a new one.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data || "/today", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => w.url.startsWith(self.location.origin));
      if (!open) return self.clients.openWindow(target);
      // A window this worker does not control cannot be navigated by it: focus it, or open one.
      return open
        .navigate(target)
        .then((w) => (w || open).focus())
        .catch(() => open.focus().catch(() => self.clients.openWindow(target)));
    }),
  );
});
