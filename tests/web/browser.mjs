// Test helper: Debian's Chromium driven by playwright-core, with a fresh profile each time,
// and the dev server started in-process on a free port.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/serve.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixtures = path.join(repoRoot, 'tests/web/fixtures');
export const chromiumPath = process.env.WEB9_CHROMIUM ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// A route that serves the echo stand-in in place of the real kernel worker.
export const echoKernelRoute = {
  prefix: '/kernel/worker.js',
  file: path.join(fixtures, 'echo-worker.js'),
};

// Launches Chromium on a throw-away profile. Resolves to {context, close}.
export async function launchBrowser({ viewport = { width: 1000, height: 640 }, ...contextOptions } = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport,
      ...contextOptions,
    });
  } catch (err) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the dev server (options go to startServer, port defaults to a free one) and Chromium,
 * and opens a page on the server (not yet navigated unless `path` is given).
 * Resolves to {page, url, server, context, close}. The page's console errors are collected
 * in `errors` so a test can show them when it fails.
 */
export async function openBrowser({ server: serverOptions = {}, context: contextOptions = {}, path: start } = {}) {
  const server = await startServer({ port: 0, ...serverOptions });
  let browser;
  try {
    browser = await launchBrowser(contextOptions);
  } catch (err) {
    await server.close();
    throw err;
  }
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  if (start !== undefined) await page.goto(new URL(start, server.url).href);
  return {
    page,
    url: server.url,
    server,
    context: browser.context,
    errors,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

// Waits until the page's data-web9-state is one of `states`, and returns it.
export async function waitForState(page, states, timeout = 15000) {
  const wanted = [].concat(states);
  await page.waitForFunction(
    (w) => w.includes(document.documentElement.dataset.web9State),
    wanted,
    { timeout },
  );
  return page.evaluate(() => document.documentElement.dataset.web9State);
}

// The terminal's visible lines, read from xterm.js's buffer, trailing blanks trimmed.
export function terminalLines(page) {
  return page.evaluate(() => {
    const { term } = globalThis.web9.console;
    const buf = term.buffer.active;
    const lines = [];
    for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i).translateToString(true));
    while (lines.length && lines.at(-1) === '') lines.pop();
    return lines;
  });
}

// The buffer line the cursor is on (the same numbering as terminalLines).
export function cursorLine(page) {
  return page.evaluate(() => {
    const buf = globalThis.web9.console.term.buffer.active;
    return buf.baseY + buf.cursorY;
  });
}

// Polls the terminal until ok(lines) holds and answers the lines; fails showing the screen.
export async function waitForTerminal(page, ok, timeout = 10000, what = 'the terminal never showed what was expected') {
  const deadline = Date.now() + timeout;
  let lines;
  do {
    lines = await terminalLines(page);
    if (ok(lines)) return lines;
    await new Promise((r) => setTimeout(r, 25));
  } while (Date.now() < deadline);
  assert.fail(`${what}; it shows:\n${lines.join('\n')}`);
}
