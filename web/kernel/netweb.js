// The network behind /net/web (fs/webfs.cpp through kernel/bindings_net.cpp): each request the
// kernel starts goes out with fetch() in a browser, or node:http/node:https under tools/web9
// (which runs Node with --no-experimental-fetch), and its answers go back into the kernel as later
// calls (Module.web9NetHead, web9NetData, web9NetSaved). Methods never throw and never answer
// during the call that asked. Also keeps the tokens marked persist where no process can read
// them: a file beside the home, never inside it. docs/net.md.

import { isNode } from './platform.js';

// How far a response may run ahead of its reader: past this the network is not read until the
// reader catches up.
const HIGH_WATER = 1 << 20;
const MAX_REDIRECTS = 10;

const nodeErrors = {
  ECONNREFUSED: 'connect: connection refused',
  ENOTFOUND: 'connect: no such host',
  EAI_AGAIN: 'connect: no such host (name lookup failed)',
  ETIMEDOUT: 'connect: timed out',
  EHOSTUNREACH: 'connect: host unreachable',
  ENETUNREACH: 'connect: network unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
};

function netError(err, during) {
  const code = err?.code ?? '';
  const known = nodeErrors[code];
  const m = known ? `web: ${known}` : `web: ${during}: ${err?.message ?? err}`;
  const e = code === 'ECONNREFUSED' ? 'ECONNREFUSED' : code === 'ETIMEDOUT' ? 'ETIMEDOUT' : 'EIO';
  return { e, m };
}

// One response body on its way to the kernel: chunks from the network, handed out to reads.
class Body {
  chunks = [];
  size = 0;
  ended = false;
  error = null;
  want = 0; // the count of the read waiting, 0 if none
  resume = null; // called when the buffer falls below HIGH_WATER
  done = null; // called when the end or an error has been handed out
  constructor(deliver) {
    this.deliver = deliver; // (Uint8Array | {e, m}) → the kernel
  }
  full() {
    return this.size >= HIGH_WATER;
  }
  push(bytes) {
    if (!bytes.length) return;
    this.chunks.push(bytes);
    this.size += bytes.length;
    this.serve();
  }
  end() {
    this.ended = true;
    this.serve();
  }
  fail(err) {
    if (this.ended || this.error) return;
    this.error = err;
    this.serve();
  }
  read(count) {
    this.want = Math.max(1, count);
    queueMicrotask(() => this.serve());
  }
  serve() {
    if (!this.want) return;
    if (this.size > 0) {
      const first = this.chunks[0];
      const n = Math.min(this.want, first.length);
      const out = first.subarray(0, n);
      if (n === first.length) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.size -= n;
      this.want = 0;
      this.deliver(out);
      if (!this.full()) this.resume?.();
    } else if (this.error) {
      this.want = 0;
      this.done?.();
      this.deliver(this.error);
    } else if (this.ended) {
      this.want = 0;
      this.done?.();
      this.deliver(new Uint8Array(0));
    }
  }
}

// The Authorization header goes only to the host it was meant for.
function dropAuthorization(headers) {
  return headers.filter(([k]) => k.toLowerCase() !== 'authorization');
}

export class NetWeb {
  #K = null;
  #proxy = '';
  #tokens = [];
  #keep; // async (tokens) → saves them, or null where nothing persists
  #why; // why nothing persists
  #reqs = new Map(); // id → {body, abort}

  constructor({ proxy = '', tokens = [], keep = null, why = '' } = {}) {
    this.#proxy = proxy;
    this.#tokens = tokens;
    this.#keep = keep;
    this.#why = why;
  }

  // The network object for a kernel worker: home is the boot option (worker.js, openHome): a host
  // directory under Node (tokens in DIR.tokens, beside it), an OPFS directory's name in a browser
  // (tokens in NAME.tokens at the OPFS root, beside it), false for a home in memory. In a browser
  // the dev server's /config.json ({"proxy": "/proxy/"}) names the CORS proxy.
  static async open({ home, configUrl } = {}) {
    const opts = { why: 'the home is in memory here, so nothing persists' };
    try {
      if (isNode) {
        if (typeof home === 'string') Object.assign(opts, await hostTokenFile(`${home}.tokens`));
      } else {
        if (home !== false) Object.assign(opts, await opfsTokenFile(`${typeof home === 'string' ? home : 'home'}.tokens`));
        if (configUrl) opts.proxy = await proxyFromConfig(configUrl);
      }
    } catch (err) {
      opts.why = `the token file cannot be used: ${err?.message ?? err}`;
    }
    return new NetWeb(opts);
  }

  attach(K) {
    this.#K = K;
  }

  // What kernel/bindings_net.cpp reads when it makes /net/web.
  config() {
    return { proxy: this.#proxy, tokens: this.#tokens };
  }

  start(id, method, url, fetchUrl, headers, body) {
    const copy = body.length ? body.slice() : null; // body is a view on kernel memory
    const req = { body: new Body((v) => this.#answer('web9NetData', id, v)), abort: null, headed: false };
    this.#reqs.set(id, req);
    req.body.done = () => {
      if (this.#reqs.get(id) === req) this.#reqs.delete(id);
    };
    const head = (v) => {
      if (this.#reqs.get(id) !== req || req.headed) return;
      req.headed = true;
      if (v.e) this.#reqs.delete(id);
      this.#answer('web9NetHead', id, v);
    };
    queueMicrotask(() => {
      try {
        if (isNode) startNode(req, method, fetchUrl, headers, copy, head);
        else startFetch(req, method, fetchUrl, headers, copy, head);
      } catch (err) {
        head({ e: 'EINVAL', m: `web: request: ${err?.message ?? err}` });
      }
    });
  }

  read(id, count) {
    const req = this.#reqs.get(id);
    if (!req) {
      queueMicrotask(() => this.#answer('web9NetData', id, { e: 'EBADF', m: 'web: no such request' }));
      return;
    }
    req.body.read(count);
  }

  cancel(id) {
    const req = this.#reqs.get(id);
    this.#reqs.delete(id);
    try {
      req?.abort?.();
    } catch {
      // already gone
    }
  }

  saveTokens(list, req) {
    const tokens = list.map(([h, t]) => [String(h), String(t)]);
    const answer = (v) => this.#answer('web9NetSaved', req, v);
    if (!this.#keep) {
      queueMicrotask(() => answer({ e: 'ENOTSUP', m: `web: token: persist: ${this.#why}` }));
      return;
    }
    this.#keep(tokens).then(
      () => {
        this.#tokens = tokens;
        answer({});
      },
      (err) => answer({ e: 'EIO', m: `web: token: persist: ${err?.message ?? err}` }),
    );
  }

  #answer(fn, id, v) {
    try {
      this.#K?.[fn](id, v);
    } catch (err) {
      console.error('web9: a network answer could not be delivered', err);
    }
  }
}

// --- fetch() (a browser) ---

function startFetch(req, method, url, headers, body, head) {
  const ctrl = new AbortController();
  req.abort = () => ctrl.abort();
  // A Request made first: a bad request (a GET with a body, a forbidden method) is a request
  // error, not a network one.
  const request = new Request(url, {
    method, headers, body, signal: ctrl.signal, redirect: 'follow', credentials: 'omit', cache: 'no-store',
  });
  fetch(request).then(
    (res) => {
      // The dev server's proxy (tools/serve.mjs) says why it could not reach the host.
      const proxyError = res.headers.get('x-web9-proxy-error');
      if (proxyError) {
        res.body?.cancel().catch(() => {});
        const refused = /refused/.test(proxyError);
        return head({ e: refused ? 'ECONNREFUSED' : 'EIO', m: `web: ${proxyError}` });
      }
      head({ status: res.status, statusText: res.statusText, headers: [...res.headers] });
      const reader = res.body?.getReader();
      if (!reader) return req.body.end();
      let pulling = false;
      const pull = () => {
        if (pulling || req.body.full() || req.body.ended || req.body.error) return;
        pulling = true;
        reader.read().then(
          ({ done, value }) => {
            pulling = false;
            if (done) return req.body.end();
            req.body.push(value);
            pull();
          },
          (err) => {
            pulling = false;
            req.body.fail({ e: 'EIO', m: `web: read: ${err?.message ?? err}` });
          },
        );
      };
      req.body.resume = pull;
      req.abort = () => {
        ctrl.abort();
        reader.cancel().catch(() => {});
      };
      pull();
    },
    (err) => {
      if (ctrl.signal.aborted) return;
      const host = new URL(url).host;
      head({
        e: 'ECONNREFUSED',
        m: `web: connect: ${host}: ${err?.message ?? err} (refused, unreachable, or no CORS headers: see "proxy" in /net/web/ctl)`,
      });
    },
  );
}

// --- node:http and node:https (tools/web9) ---

let nodeMods = null;
async function nodeModules() {
  nodeMods ??= Promise.all([import('node:http'), import('node:https')]);
  return nodeMods;
}

function startNode(req, method, url, headers, body, head) {
  let aborted = false;
  let current = null;
  req.abort = () => {
    aborted = true;
    current?.destroy();
  };
  const go = async (url, method, headers, body, hops) => {
    const [http, https] = await nodeModules();
    if (aborted) return;
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : null;
    if (!mod) return head({ e: 'EINVAL', m: `web: url: not an http or https URL: ${url}` });
    // An object, not a raw array: with a raw array node:http adds no Host header.
    const h = {};
    for (const [k, v] of headers) {
      const name = k.toLowerCase();
      h[name] = h[name] === undefined ? v : `${h[name]}, ${v}`;
    }
    if (body && h['content-length'] === undefined) h['content-length'] = String(body.length);
    const r = mod.request(u, { method, headers: h }, (res) => {
      const status = res.statusCode;
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && location && hops < MAX_REDIRECTS) {
        res.resume();
        const next = new URL(location, u);
        let m = method;
        let b = body;
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          m = 'GET';
          b = null;
        }
        const kept = next.host === u.host ? headers : dropAuthorization(headers);
        return go(next.href, m, kept, b, hops + 1).catch((err) => head(netError(err, 'request')));
      }
      const list = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2) list.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
      head({ status, statusText: res.statusMessage ?? '', headers: list });
      const b = req.body;
      b.resume = () => res.resume();
      res.on('data', (chunk) => {
        b.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
        if (b.full()) res.pause();
      });
      res.on('end', () => {
        if (res.complete) b.end();
        else b.fail({ e: 'EIO', m: 'web: read: the connection closed before the end of the body' });
      });
      res.on('error', (err) => b.fail(netError(err, 'read')));
      res.on('close', () => {
        if (!res.complete) b.fail({ e: 'EIO', m: 'web: read: the connection closed before the end of the body' });
      });
    });
    current = r;
    r.on('error', (err) => {
      if (aborted) return;
      // Before the response: the request failed; after it, the body's handlers say so.
      head(netError(err, 'connect'));
      req.body.fail(netError(err, 'read'));
    });
    r.end(body ?? undefined);
  };
  go(url, method, headers, body, 0).catch((err) => head(netError(err, 'request')));
}

// --- where tokens are kept ---

async function hostTokenFile(file) {
  const fsp = await import('node:fs/promises');
  let tokens = [];
  try {
    tokens = parseTokens(await fsp.readFile(file, 'utf8'));
  } catch (err) {
    if (err?.code !== 'ENOENT') throw err;
  }
  const keep = async (list) => {
    if (!list.length) return fsp.rm(file, { force: true });
    const tmp = `${file}.tmp`;
    await fsp.writeFile(tmp, JSON.stringify({ tokens: list }), { mode: 0o600 });
    await fsp.chmod(tmp, 0o600);
    await fsp.rename(tmp, file);
  };
  return { tokens, keep };
}

async function opfsTokenFile(name) {
  const root = await navigator.storage.getDirectory();
  let tokens = [];
  try {
    const fh = await root.getFileHandle(name);
    tokens = parseTokens(await (await fh.getFile()).text());
  } catch (err) {
    if (err?.name !== 'NotFoundError') throw err;
  }
  const keep = async (list) => {
    if (!list.length) return root.removeEntry(name).catch(() => {});
    const fh = await root.getFileHandle(name, { create: true });
    const w = await fh.createWritable();
    await w.write(JSON.stringify({ tokens: list }));
    await w.close();
  };
  return { tokens, keep };
}

function parseTokens(text) {
  const list = JSON.parse(text)?.tokens;
  return Array.isArray(list) ? list.filter((t) => Array.isArray(t) && t.length === 2).map(([h, t]) => [String(h), String(t)]) : [];
}

async function proxyFromConfig(configUrl) {
  const res = await fetch(configUrl, { cache: 'no-store' }).catch(() => null);
  if (!res?.ok) return '';
  const config = await res.json().catch(() => ({}));
  return typeof config?.proxy === 'string' && config.proxy ? new URL(config.proxy, res.url).href : '';
}
