// Trailscope's service worker: once the page has been opened, it keeps working offline.
//
// - Install: every file of the build is fetched and stored in a cache named after this
//   scope and the build's version. The list and the version are written into the BUILD
//   line below after each build by scripts/sw_precache.py, so a new deployment (new file
//   hashes) changes this file's bytes, which is how the browser notices the update.
// - Fetch: files of the build are answered from the cache first (their names carry
//   content hashes, so a cached copy is never stale). The page itself is fetched from the
//   network first, so a new deployment shows at once, and from the cache when offline.
// - Activate: caches of older builds of this same page are deleted; other pages on the
//   same origin (GitHub Pages serves every project of a user from one origin) are left alone.
//
// Nothing here ever talks to another origin: requests outside the page's folder or origin
// are not touched.
'use strict';

const BUILD = { "version": "unbuilt", "files": [] }; // @build (rewritten after each build)

/** The page's folder, e.g. `https://user.github.io/trailscope/`. */
const SCOPE = self.registration.scope;
/** Caches of this page start with this; other pages on the origin use other prefixes. */
const PREFIX = `trailscope ${SCOPE} `;
/** This build's cache. */
const CACHE = PREFIX + BUILD.version;
/** Where the page (index.html) is kept in the cache. */
const PAGE = SCOPE;

/** A copy of a response that does not say it was redirected (browsers refuse to answer a
 *  navigation with a redirected response taken from a cache). */
function plain(res) {
  if (!res.redirected) return res;
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/** Store every file of the build; any failure fails the install (the old worker, if any,
 *  keeps serving, and the page still works online). */
async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(BUILD.files.map(async (file) => {
    const url = new URL(file, SCOPE).href;
    const res = await fetch(new Request(url, { cache: 'reload' }));
    if (!res.ok) throw new Error(`precache: ${url} answered ${res.status}`);
    await cache.put(url === new URL('index.html', SCOPE).href ? PAGE : url, plain(res));
  }));
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith(PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

/** Whether a URL is the page itself (the folder or its index.html, any query). */
function isPage(url) {
  const path = url.origin + url.pathname;
  return path === PAGE || path === new URL('index.html', SCOPE).href;
}

/** The page: network first (a new deployment shows at once), the cached copy offline. */
async function page(event) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(event.request);
    if (res.ok && !res.redirected) event.waitUntil(cache.put(PAGE, res.clone()));
    return res;
  } catch (err) {
    const hit = await cache.match(PAGE);
    if (hit) return hit;
    throw err;
  }
}

/** A file of the build: the cached copy, else the network (kept for next time). */
async function file(event) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(event.request, { ignoreSearch: false, ignoreVary: true });
  if (hit) return hit;
  const res = await fetch(event.request);
  if (res.ok && res.type === 'basic' && !res.redirected) {
    event.waitUntil(cache.put(event.request, res.clone()));
  }
  return res;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || req.headers.has('range')) return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || !url.href.startsWith(SCOPE)) return;
  if (isPage(url)) {
    event.respondWith(page(event));
  } else if (req.mode !== 'navigate') {
    event.respondWith(file(event));
  }
});
