#!/usr/bin/env node
// Dev server for web9: serves the page, the vendored terminal and the build outputs with the
// headers that make the page cross-origin isolated (SharedArrayBuffer needs them).
// Usable from the command line (`node tools/serve.mjs --help`) and as a module (startServer).

import http from 'node:http';
import https from 'node:https';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const mimeTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.tar': 'application/x-tar',
};

// Sent on every response when isolation is on: COOP+COEP make the page crossOriginIsolated,
// CORP lets our own resources load under COEP require-corp.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function mimeTypeFor(file) {
  return mimeTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

// --- the CORS proxy (docs/net.md) ---
// GitHub's git endpoints send no CORS headers, so the page's /net/web (web/kernel/netweb.js)
// sends its requests to /proxy/URL here, which forwards them to URL if its host is allowed.

export const defaultProxyHosts = ['github.com'];
// Request headers passed on: what git's smart HTTP needs, nothing that names the page.
const forwardedRequestHeaders = ['authorization', 'content-type', 'content-length', 'content-encoding', 'accept', 'git-protocol'];
// Response headers not passed back: the connection's own, and cookies of another site.
const droppedResponseHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding', 'set-cookie', 'set-cookie2', 'proxy-authenticate']);
const proxyConnectErrors = {
  ECONNREFUSED: 'connect: connection refused',
  ENOTFOUND: 'connect: no such host',
  EAI_AGAIN: 'connect: no such host (name lookup failed)',
  ETIMEDOUT: 'connect: timed out',
  EHOSTUNREACH: 'connect: host unreachable',
  ECONNRESET: 'connection reset',
};

// The allowed hosts: WEB9_PROXY_HOSTS (a comma list) and the given ones, beside github.com.
export function proxyHosts(extra = [], env = process.env.WEB9_PROXY_HOSTS) {
  const fromEnv = (env ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  return [...new Set([...defaultProxyHosts, ...fromEnv, ...extra].map((h) => h.toLowerCase()))];
}

// HOST allows its scheme's default port only; HOST:PORT that port only.
function hostAllowed(u, allowed) {
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const host = u.hostname.toLowerCase();
  return allowed.some((a) => {
    const colon = a.lastIndexOf(':');
    if (colon > 0 && !a.endsWith(']')) return a.slice(0, colon) === host && a.slice(colon + 1) === port;
    return a === host && u.port === '';
  });
}

function gitCorsProxy(allowed) {
  return (req, res) => {
    // The raw target, query and all: "/proxy/https://github.com/o/r.git/info/refs?service=...".
    const raw = req.url.slice(req.url.indexOf('/proxy/') + '/proxy/'.length);
    let target;
    try {
      target = new URL(raw);
    } catch {
      return sendText(res, 400, `web9 proxy: not a URL: ${raw}`);
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:')
      return sendText(res, 400, `web9 proxy: only http and https URLs are forwarded, not ${target.protocol}`);
    if (!hostAllowed(target, allowed))
      return sendText(res, 403, `web9 proxy: ${target.host} is not an allowed host (allowed: ${allowed.join(', ')}; ` +
        'start the server with --allow-host HOST[:PORT] or WEB9_PROXY_HOSTS=HOST,... to add one)');
    const headers = {};
    for (const name of forwardedRequestHeaders) if (req.headers[name] !== undefined) headers[name] = req.headers[name];
    const mod = target.protocol === 'https:' ? https : http;
    const upstream = mod.request(target, { method: req.method, headers }, (up) => {
      const out = {};
      for (const [k, v] of Object.entries(up.headers)) if (!droppedResponseHeaders.has(k)) out[k] = v;
      // A redirect stays behind the proxy: the page cannot follow it to a host without CORS.
      if (out.location) {
        try {
          out.location = `/proxy/${new URL(out.location, target).href}`;
        } catch {
          delete out.location;
        }
      }
      res.writeHead(up.statusCode, up.statusMessage, out);
      up.pipe(res);
      up.on('error', () => res.destroy());
      up.on('aborted', () => res.destroy());
    });
    upstream.on('error', (err) => {
      if (res.headersSent) return res.destroy();
      const why = proxyConnectErrors[err.code] ?? `connect: ${err.message}`;
      sendText(res, 502, `web9 proxy: ${target.host}: ${why}`, { 'X-Web9-Proxy-Error': why });
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
}

// The route table: the first entry whose prefix matches the request path serves it.
// An entry serves a directory ({dir}), one file ({file}) or anything ({handle(req, res, rest)}).
function defaultRoutes({ root, webDir, kernelDir, binDir }, { proxy, allowHosts }) {
  const config = JSON.stringify(proxy ? { proxy: '/proxy/' } : {});
  return [
    ...(proxy ? [{ prefix: '/proxy/', handle: gitCorsProxy(allowHosts) }] : []),
    // What the kernel worker reads at boot (web/kernel/netweb.js): where the proxy is.
    {
      prefix: '/config.json',
      handle: (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' });
        res.end(req.method === 'HEAD' ? undefined : config);
      },
    },
    { prefix: '/vendor/xterm/', dir: path.join(root, 'node_modules/@xterm/xterm') },
    { prefix: '/vendor/addon-fit/', dir: path.join(root, 'node_modules/@xterm/addon-fit') },
    { prefix: '/build/kernel/', dir: kernelDir },
    { prefix: '/build/bin/', dir: binDir },
    { prefix: '/bench/', dir: path.join(root, 'bench') }, // benchmark pages, e.g. /bench/baseline-page/
    { prefix: '/', dir: webDir },
  ];
}

// Turns the raw request target into decoded path segments, or null if it must be refused.
// The raw target is checked before any normalisation, so "/a/../b" and "/..%2f" are refused
// rather than quietly resolved.
export function requestSegments(target) {
  const pathname = target.split(/[?#]/, 1)[0];
  if (!pathname.startsWith('/')) return null;
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.')) return null;
  return segments;
}

function matchRoute(routes, urlPath) {
  for (const route of routes) {
    if (route.prefix.endsWith('/') ? urlPath.startsWith(route.prefix) : urlPath === route.prefix)
      return { route, rest: urlPath.slice(route.prefix.length) };
  }
  return null;
}

function sendText(res, status, text, extraHeaders = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...extraHeaders });
  res.end(res.req.method === 'HEAD' ? undefined : `${text}\n`);
}

// --- versioned URLs (docs/runtime.md, "Serving and caching") ---
// A page (an .html file) is sent with <base href="/v/VERSION/DIR/">, so everything it loads, and
// everything those load by relative URL (module imports, workers, kernel.wasm, the boot image), is
// asked for under /v/VERSION/. VERSION is a hash of the size, mtime and inode of every file the
// routes serve. A file under /v/VERSION/ is sent immutable (a reload asks the server nothing for it) only
// if VERSION is the current one and the file is as it was when VERSION was taken; anything else (an
// old VERSION, a file changed or added since, a page) is sent no-cache with an ETag, as without the
// prefix, where every path still works. Walking every file costs tens of ms, too much for each page:
// a page re-stats only the files sent immutable under the current VERSION, and VERSION is taken
// again when one of them has changed (a rebuild or an edit), or a file was found changed or new.

export const versionPrefix = '/v/';
const immutable = 'public, max-age=31536000, immutable';

// What tells one version of a file from another: a file rewritten in place changes its mtime
// (kept to the sub-millisecond), one replaced by a rename also its inode.
const statKey = (stat) => `${stat.size} ${stat.mtimeMs} ${stat.ino}`;

function statKeyOf(file) {
  try {
    return statKey(fs.statSync(file));
  } catch {
    return null;
  }
}

const etagOf = (stat) => `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;

function isDirectory(file) {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

// {version, files: Map(url path -> statKey)} of what the routes serve now. Each file is counted
// under the route that serves its path (an earlier route hides a later one's file).
function takeVersion(routes, isolation) {
  const files = new Map();
  const add = (route, urlPath, file) => {
    if (files.has(urlPath) || matchRoute(routes, urlPath)?.route !== route) return;
    try {
      const stat = fs.statSync(file);
      if (stat.isFile()) files.set(urlPath, statKey(stat));
    } catch {}
  };
  let walked; // the real paths of the directories walked for a route: a symlink loop ends
  const walk = (route, dir, urlDir) => {
    let entries;
    try {
      const real = fs.realpathSync(dir);
      if (walked.has(real)) return;
      walked.add(real);
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const at = path.join(dir, e.name);
      // A symlink is served as what it points to (a file not counted here is never immutable).
      if (e.isDirectory() || (e.isSymbolicLink() && isDirectory(at)))
        walk(route, at, `${urlDir}${e.name}/`);
      else add(route, `${urlDir}${e.name}`, at);
    }
  };
  for (const route of routes) {
    if (route.file) add(route, route.prefix, route.file);
    else if (route.dir) {
      walked = new Set();
      walk(route, route.dir, route.prefix);
    }
  }
  const hash = crypto.createHash('sha256');
  // The isolation headers are part of what a cached response is: a restart with --no-isolation
  // must not find responses cached with them.
  hash.update(`isolation ${isolation}\n`);
  for (const [urlPath, key] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${urlPath} ${key}\n`);
  return { version: hash.digest('hex').slice(0, 16), files };
}

// The current version and what went out under it: current() for a page, immutable() for a file.
function makeVersions(routes, isolation) {
  let v = null; // {version, files, sent: Map(url path -> file sent immutable), stale}
  const take = () => (v = { ...takeVersion(routes, isolation), sent: new Map(), stale: false });
  return {
    current() {
      if (!v || v.stale) take();
      else for (const [urlPath, file] of v.sent) if (statKeyOf(file) !== v.files.get(urlPath)) return take().version;
      return v.version;
    },
    // Whether file, served at urlPath with stat, may go out immutable under version.
    immutable(version, urlPath, file, stat) {
      if (!v) take();
      if (version !== v.version) return false;
      if (v.files.get(urlPath) !== statKey(stat)) {
        v.stale = true; // changed or new since the version was taken: the next page takes another
        return false;
      }
      v.sent.set(urlPath, file);
      return true;
    },
  };
}

// The page with <base href> naming its own directory under the version, right after <head>; a
// page that has a <base> of its own, or no <head>, is left as it is.
function withBase(html, version, urlPath) {
  if (/<base[\s>]/i.test(html)) return html;
  const dir = urlPath.endsWith('/') ? urlPath : urlPath.slice(0, urlPath.lastIndexOf('/') + 1);
  const base = `${versionPrefix}${version}${dir.split('/').map(encodeURIComponent).join('/')}`;
  return html.replace(/<head(\s[^>]*)?>/i, (head) => `${head}\n  <base href="${base}">`);
}

function resolveFile(route, rest) {
  if (route.file) return rest === '' ? route.file : null;
  const base = path.resolve(route.dir);
  const file = path.resolve(base, rest);
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return file;
}

// Serves a file at urlPath (the path without any /v/VERSION/ prefix). versions answers the
// current version (taking it afresh when asked to) and whether a file may be sent immutable.
async function serveFile(req, res, file, { urlPath, version, versions }) {
  let stat;
  try {
    stat = await fs.promises.stat(file);
    if (stat.isDirectory()) {
      file = path.join(file, 'index.html');
      if (!urlPath.endsWith('/')) urlPath += '/';
      stat = await fs.promises.stat(file);
    }
  } catch {
    return sendText(res, 404, 'not found');
  }
  if (!stat.isFile()) return sendText(res, 404, 'not found');
  const type = mimeTypeFor(file);
  let etag = etagOf(stat);
  let body = null; // a page, with its <base>
  if (type.startsWith('text/html')) {
    const current = versions.current();
    body = Buffer.from(withBase(await fs.promises.readFile(file, 'utf8'), current, urlPath));
    etag = `${etag.slice(0, -1)}-${current}"`; // the page names the version
  }
  const headers = {
    'Content-Type': type,
    'Cache-Control': !body && version && versions.immutable(version, urlPath, file, stat) ? immutable : 'no-cache',
    ETag: etag,
    'Last-Modified': stat.mtime.toUTCString(),
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    return res.end();
  }
  res.writeHead(200, { ...headers, 'Content-Length': body ? body.length : stat.size });
  if (req.method === 'HEAD') return res.end();
  if (body) return res.end(body);
  fs.createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function makeHandler(routes, { isolation, log, versions }) {
  return async (req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (isolation) for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
    res.on('finish', () => log?.(`${res.statusCode} ${req.method} ${req.url}`));

    const segments = requestSegments(req.url);
    if (!segments) return sendText(res, 403, 'forbidden path');
    // /v/VERSION/PATH is PATH (its caching aside).
    let version = null;
    if (segments.length > 2 && segments[0] === versionPrefix.slice(1, -1)) version = segments.splice(0, 2)[1];
    const urlPath = '/' + segments.join('/');
    const match = matchRoute(routes, urlPath);
    if (!match) return sendText(res, 404, 'not found');
    if (match.route.handle) return match.route.handle(req, res, match.rest);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendText(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    const file = resolveFile(match.route, match.rest);
    if (!file) return sendText(res, 404, 'not found');
    return serveFile(req, res, file, { urlPath, version, versions });
  };
}

/**
 * Starts the server. Options (all optional):
 *   port       TCP port on 127.0.0.1 (0 picks a free one; default 8080)
 *   root       repository root (default: the one holding this file)
 *   webDir     page files (default ROOT/web)
 *   kernelDir  served at /build/kernel/ (default ROOT/build/emscripten)
 *   binDir     served at /build/bin/ (default ROOT/build/wasi)
 *   isolation  send COOP/COEP/CORP (default true)
 *   routes     extra route entries tried before the default ones (tests use this)
 *   log        function called with one line per request
 *   proxy      serve the CORS proxy at /proxy/ and name it in /config.json (default true)
 *   allowHosts hosts ("HOST" or "HOST:PORT") the proxy forwards to, beside github.com and
 *              WEB9_PROXY_HOSTS
 * Resolves to {url, port, server, allowHosts, close()}.
 */
export async function startServer(options = {}) {
  const root = path.resolve(options.root ?? repoRoot);
  const dirs = {
    root,
    webDir: path.resolve(root, options.webDir ?? 'web'),
    kernelDir: path.resolve(root, options.kernelDir ?? 'build/emscripten'),
    binDir: path.resolve(root, options.binDir ?? 'build/wasi'),
  };
  const proxy = options.proxy ?? true;
  const allowHosts = proxyHosts(options.allowHosts ?? []);
  const routes = [...(options.routes ?? []), ...defaultRoutes(dirs, { proxy, allowHosts })];
  const isolation = options.isolation ?? true;
  const versions = makeVersions(routes, isolation);
  const handler = makeHandler(routes, { isolation, log: options.log, versions });
  const server = http.createServer((req, res) => {
    handler(req, res).catch((err) => {
      if (!res.headersSent) sendText(res, 500, `internal error: ${err.message}`);
      else res.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, '127.0.0.1', resolve);
  });
  // The first version is taken now rather than when the first page is asked for.
  setImmediate(() => versions.current());
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    server,
    dirs,
    allowHosts,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const usage = `usage: node tools/serve.mjs [options]

Serves web9 on http://127.0.0.1:PORT/ with the headers that make the page
cross-origin isolated (Cross-Origin-Opener-Policy: same-origin,
Cross-Origin-Embedder-Policy: require-corp, Cross-Origin-Resource-Policy: same-origin).

  --port N          port to listen on (default 8080; 0 picks a free one)
  --root DIR        repository root (default: the checkout holding this script)
  --web-dir DIR     page files, served at / (default ROOT/web)
  --kernel-dir DIR  kernel build (kernel.js, kernel.wasm), served at /build/kernel/
                    (default ROOT/build/emscripten)
  --bin-dir DIR     guest programs (*.wasm), served at /build/bin/ (default ROOT/build/wasi)
  --no-isolation    send no COOP/COEP/CORP headers (as a plain static host would;
                    the page's service worker then adds them)
  --allow-host HOST[:PORT]
                    let the CORS proxy at /proxy/ forward to HOST (any number of times;
                    also WEB9_PROXY_HOSTS=HOST,HOST:PORT,...). github.com is always allowed.
                    HOST alone means its scheme's default port only.
  --no-proxy        no proxy at /proxy/ (and /config.json names none)
  --log             print one line per request
  -h, --help        show this text

Also served: node_modules/@xterm/xterm at /vendor/xterm/, @xterm/addon-fit at
/vendor/addon-fit/, ROOT/bench at /bench/ (benchmark pages), and /config.json, which tells
the kernel worker where the proxy is. The proxy forwards /proxy/URL to URL with the method, the
body and the Authorization, Content-Type, Accept and Git-Protocol headers, streaming the answer;
a host not allowed gets 403.

A page (an .html file) is sent with a <base> under /v/VERSION/; a file asked for there is sent
immutable while it is as it was when VERSION was taken, so a reload asks again only for the page
and /config.json. A rebuild or an edit gives the next page another VERSION (docs/runtime.md,
"Serving and caching").
`;

function parseArgs(argv) {
  const opts = {};
  const valueFlags = {
    '--port': 'port',
    '--root': 'root',
    '--web-dir': 'webDir',
    '--kernel-dir': 'kernelDir',
    '--bin-dir': 'binDir',
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) [arg, value] = [arg.slice(0, eq), arg.slice(eq + 1)];
    if (arg === '-h' || arg === '--help') opts.help = true;
    else if (arg === '--no-isolation') opts.isolation = false;
    else if (arg === '--log') opts.log = true;
    else if (arg === '--no-proxy') opts.proxy = false;
    else if (arg === '--allow-host') {
      value ??= argv[++i];
      if (!value) throw new Error('--allow-host needs HOST[:PORT]');
      (opts.allowHosts ??= []).push(value);
    }
    else if (valueFlags[arg]) {
      value ??= argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      opts[valueFlags[arg]] = value;
    } else throw new Error(`unknown argument: ${arg}`);
  }
  if (opts.port !== undefined) {
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`bad port: ${opts.port}`);
    opts.port = port;
  }
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`web9: ${err.message}\n${usage}`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(usage);
    return;
  }
  // Paths given on the command line are relative to where the command runs.
  for (const key of ['root', 'webDir', 'kernelDir', 'binDir'])
    if (opts[key] !== undefined) opts[key] = path.resolve(opts[key]);
  if (opts.log) opts.log = (line) => process.stdout.write(`${line}\n`);
  const { url, dirs, allowHosts } = await startServer(opts).catch((err) => {
    process.stderr.write(`web9: cannot listen: ${err.message}\n`);
    process.exit(1);
  });
  process.stdout.write(`web9: serving ${url}\n`);
  if (opts.proxy !== false) process.stdout.write(`web9: the CORS proxy at ${url}proxy/ forwards to ${allowHosts.join(', ')}\n`);
  for (const key of ['kernelDir', 'binDir'])
    if (!fs.existsSync(dirs[key])) process.stderr.write(`web9: note: ${dirs[key]} does not exist yet\n`);
  if (opts.isolation === false)
    process.stderr.write('web9: note: isolation headers off; the service worker must add them\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
