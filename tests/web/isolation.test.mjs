// The page served without isolation headers, as from a plain static host: the service worker
// makes it isolated after one reload; where no service worker can run, a plain message says why.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { openBrowser, echoKernelRoute, waitForState, terminalLines } from './browser.mjs';

const settled = ['ready', 'failed', 'unsupported'];

test('served without headers, the service worker isolates the page after one reload', async () => {
  const b = await openBrowser({ server: { routes: [echoKernelRoute], isolation: false } });
  try {
    let loads = 0;
    b.page.on('load', () => loads++);
    await b.page.goto(b.url);
    assert.equal(await waitForState(b.page, settled, 20000), 'ready');
    assert.equal(loads, 2, 'one load without the worker, one reload through it');
    const env = await b.page.evaluate(() => ({
      isolated: crossOriginIsolated,
      controlled: !!navigator.serviceWorker.controller,
      sab: typeof SharedArrayBuffer,
    }));
    assert.deepEqual(env, { isolated: true, controlled: true, sab: 'function' });

    // Typing still round-trips through the kernel worker loaded via the service worker.
    await b.page.keyboard.type('via sw');
    await b.page.waitForFunction(() =>
      web9.console.term.buffer.active.getLine(0).translateToString(true).endsWith('via sw'),
    );

    // A later reload goes straight through the worker: no second reload.
    loads = 0;
    await b.page.reload();
    assert.equal(await waitForState(b.page, settled), 'ready');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(loads, 1);
    assert.equal(await b.page.evaluate(() => crossOriginIsolated), true);
  } finally {
    await b.close();
  }
});

test('the service worker leaves the page\'s own responses intact', async () => {
  const b = await openBrowser({ server: { routes: [echoKernelRoute], isolation: false } });
  try {
    await b.page.goto(b.url);
    await waitForState(b.page, settled, 20000);
    const seen = await b.page.evaluate(async () => {
      const res = await fetch('main.js');
      const missing = await fetch('no-such-file.js');
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        coep: res.headers.get('cross-origin-embedder-policy'),
        body: (await res.text()).includes('checkBrowser'),
        missing: missing.status,
      };
    });
    assert.deepEqual(seen, {
      status: 200,
      type: 'text/javascript; charset=utf-8',
      coep: 'require-corp',
      body: true,
      missing: 404,
    });
  } finally {
    await b.close();
  }
});

test('without headers and without a service worker, the page says plainly what is missing', async () => {
  const b = await openBrowser({
    server: {
      routes: [echoKernelRoute, { prefix: '/sw.js', handle: (req, res) => res.writeHead(404).end() }],
      isolation: false,
    },
  });
  try {
    let loads = 0;
    b.page.on('load', () => loads++);
    await b.page.goto(b.url);
    assert.equal(await waitForState(b.page, settled, 20000), 'unsupported');
    assert.equal(loads, 1, 'no reload when the service worker cannot be installed');
    const text = await b.page.locator('.unsupported').innerText();
    assert.match(text, /web9 cannot start in this browser/);
    assert.match(text, /Cross-origin isolation \(crossOriginIsolated is false\)/);
    assert.match(text, /Cross-Origin-Opener-Policy: same-origin/);
    assert.match(text, /Cross-Origin-Embedder-Policy: require-corp/);
    assert.match(text, /SharedArrayBuffer — the kernel and each process share memory/);
    // What this Chromium does have is not listed as missing.
    assert.doesNotMatch(text, /WebAssembly —|Worker —|Origin private file system/);
    await b.page.screenshot({ path: path.join(os.tmpdir(), 'web9-unsupported.png') });
  } finally {
    await b.close();
  }
});

test('a browser that refuses service workers gets the message, not a reload loop', async () => {
  const b = await openBrowser({
    server: { routes: [echoKernelRoute], isolation: false },
    context: { serviceWorkers: 'block' },
  });
  try {
    let loads = 0;
    b.page.on('load', () => loads++);
    await b.page.goto(b.url);
    assert.equal(await waitForState(b.page, settled, 20000), 'unsupported');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(loads, 1);
    assert.match(await b.page.locator('.unsupported').innerText(), /crossOriginIsolated is false/);
  } finally {
    await b.close();
  }
});

test('each missing API is named with the reason web9 needs it', async () => {
  // Take the APIs away before the page's scripts run, as an old or locked-down browser would.
  const b = await openBrowser({ server: { routes: [echoKernelRoute] } });
  try {
    await b.page.addInitScript(() => {
      delete globalThis.WebAssembly;
      delete globalThis.Worker;
      delete Object.getPrototypeOf(navigator.storage).getDirectory;
    });
    await b.page.goto(b.url);
    assert.equal(await waitForState(b.page, settled), 'unsupported');
    const text = await b.page.locator('.unsupported').innerText();
    assert.match(text, /WebAssembly — the kernel and every program are WebAssembly modules/);
    assert.match(text, /Worker — the kernel and each process run in a worker of their own/);
    assert.match(text, /Origin private file system \(navigator\.storage\.getDirectory\) — your home directory/);
    assert.doesNotMatch(text, /crossOriginIsolated is false|SharedArrayBuffer —/);
    assert.equal(await terminalLines(b.page).catch(() => null), null, 'no terminal was drawn');
  } finally {
    await b.close();
  }
});
