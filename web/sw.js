// Service worker that makes web9 cross-origin isolated on a static host that cannot send
// headers: it adds COOP/COEP/CORP to every same-origin response it passes through.
// isolation.js registers it and reloads the page once so the page itself comes through it.

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

async function withIsolationHeaders(request) {
  const response = await fetch(request);
  // An opaque response (status 0) cannot be rebuilt; a redirect must stay one.
  if (response.status === 0 || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(isolationHeaders)) headers.set(name, value);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  // Other origins keep their own headers (a cross-origin resource then needs its own CORP or
  // CORS, as COEP demands); only-if-cached outside same-origin mode throws in Chromium.
  if (new URL(request.url).origin !== self.location.origin) return;
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(withIsolationHeaders(request));
});
