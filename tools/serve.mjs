#!/usr/bin/env node
// Dev server for web9: serves the page, the vendored terminal and the build outputs with the
// headers that make the page cross-origin isolated (SharedArrayBuffer needs them).
// Usable from the command line (`node tools/serve.mjs --help`) and as a module (startServer).

import http from 'node:http';
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

// The route table: the first entry whose prefix matches the request path serves it.
// An entry serves a directory ({dir}), one file ({file}) or anything ({handle(req, res, rest)}).
function defaultRoutes({ root, webDir, kernelDir, binDir }) {
  return [
    // CORS proxy for git hosts goes here (GitHub's git endpoints send no CORS headers):
    //   { prefix: '/proxy/', handle: gitCorsProxy },
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

function resolveFile(route, rest) {
  if (route.file) return rest === '' ? route.file : null;
  const base = path.resolve(route.dir);
  const file = path.resolve(base, rest);
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return file;
}

async function serveFile(req, res, file) {
  let stat;
  try {
    stat = await fs.promises.stat(file);
    if (stat.isDirectory()) {
      file = path.join(file, 'index.html');
      stat = await fs.promises.stat(file);
    }
  } catch {
    return sendText(res, 404, 'not found');
  }
  if (!stat.isFile()) return sendText(res, 404, 'not found');
  const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  const headers = {
    'Content-Type': mimeTypeFor(file),
    'Cache-Control': 'no-cache',
    ETag: etag,
    'Last-Modified': stat.mtime.toUTCString(),
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    return res.end();
  }
  res.writeHead(200, { ...headers, 'Content-Length': stat.size });
  if (req.method === 'HEAD') return res.end();
  fs.createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function makeHandler(routes, { isolation, log }) {
  return async (req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (isolation) for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
    res.on('finish', () => log?.(`${res.statusCode} ${req.method} ${req.url}`));

    const segments = requestSegments(req.url);
    if (!segments) return sendText(res, 403, 'forbidden path');
    const urlPath = '/' + segments.join('/');
    const match = matchRoute(routes, urlPath);
    if (!match) return sendText(res, 404, 'not found');
    if (match.route.handle) return match.route.handle(req, res, match.rest);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendText(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    const file = resolveFile(match.route, match.rest);
    if (!file) return sendText(res, 404, 'not found');
    return serveFile(req, res, file);
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
 * Resolves to {url, port, server, close()}.
 */
export async function startServer(options = {}) {
  const root = path.resolve(options.root ?? repoRoot);
  const dirs = {
    root,
    webDir: path.resolve(root, options.webDir ?? 'web'),
    kernelDir: path.resolve(root, options.kernelDir ?? 'build/emscripten'),
    binDir: path.resolve(root, options.binDir ?? 'build/wasi'),
  };
  const routes = [...(options.routes ?? []), ...defaultRoutes(dirs)];
  const handler = makeHandler(routes, { isolation: options.isolation ?? true, log: options.log });
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
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    server,
    dirs,
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
  --log             print one line per request
  -h, --help        show this text

Also served: node_modules/@xterm/xterm at /vendor/xterm/, @xterm/addon-fit at
/vendor/addon-fit/, and ROOT/bench at /bench/ (benchmark pages).
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
  const { url, dirs } = await startServer(opts).catch((err) => {
    process.stderr.write(`web9: cannot listen: ${err.message}\n`);
    process.exit(1);
  });
  process.stdout.write(`web9: serving ${url}\n`);
  for (const key of ['kernelDir', 'binDir'])
    if (!fs.existsSync(dirs[key])) process.stderr.write(`web9: note: ${dirs[key]} does not exist yet\n`);
  if (opts.isolation === false)
    process.stderr.write('web9: note: isolation headers off; the service worker must add them\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
