// The GitHub-synced file system in Chromium, the way a person uses it: the page boots with the
// dev server's CORS proxy allowed to reach a real git server (git http-backend on localhost,
// tests/support/gitserver.mjs, standing in for GitHub); at the prompt `github` clones into the
// persistent home (OPFS) and binds the tree; an edit is synced and native git on the server sees
// the commit; after a reload the tree is back (the login profile runs `github -r`). Build dirs as
// in tests/runtime/page.test.mjs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openBrowser, waitForState, terminalLines, waitForTerminal } from './browser.mjs';
import { makeImage } from '../../tools/mkimage.mjs';
import { startGitServer } from '../support/gitserver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const wasiDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));
const skip = !fs.existsSync(path.join(kernelDir, 'kernel.mjs'))
  ? `no kernel build at ${kernelDir}`
  : !fs.existsSync(path.join(wasiDir, 'git.wasm'))
    ? `git is not built in ${wasiDir}`
    : false;

let b;
let git;
let binDir;

before(async () => {
  if (skip) return;
  git = await startGitServer({ token: 'page-token' });
  git.makeRepo('site', { files: 2 });
  binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-github-'));
  fs.writeFileSync(path.join(binDir, 'web9.img'), makeImage({ binDir: wasiDir }));
  b = await openBrowser({
    server: { webDir: path.join(root, 'web'), kernelDir, binDir, allowHosts: [`127.0.0.1:${git.port}`] },
  });
});

after(async () => {
  await b?.close();
  await git?.close();
  if (binDir) fs.rmSync(binDir, { recursive: true, force: true });
});

const atPrompt = (lines) => lines.at(-1)?.trimEnd() === '%';

async function boot(page) {
  await page.goto(b.url);
  assert.equal(await waitForState(page, ['ready', 'failed', 'unsupported'], 30000), 'ready');
  await page.locator('.xterm-helper-textarea').focus();
  return waitForTerminal(page, atPrompt, 30000);
}

// Types a command line and answers the lines printed before the next prompt.
async function type(page, command, timeout = 30000) {
  const before = (await terminalLines(page)).length;
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
  const lines = await waitForTerminal(page, (l) => l.length > before && atPrompt(l), timeout);
  const start = lines.findIndex((l, i) => i >= before - 1 && l.startsWith('%') && l.includes(command));
  assert.ok(start >= 0, `the command line "${command}" is not on the terminal:\n${lines.join('\n')}`);
  return lines.slice(start + 1, -1).map((l) => l.trimEnd());
}

const bare = (...args) =>
  execFileSync('git', ['--git-dir', path.join(git.root, 'site.git'), ...args], { encoding: 'utf8' });

test('Chromium: github clones through the proxy, syncs an edit, and the tree is back after a reload', { skip, timeout: 120000 }, async () => {
  await boot(b.page);
  await type(b.page, `echo token 127.0.0.1:${git.port} page-token >/net/web/ctl`);
  let out = await type(b.page, `github -u ${git.url('site')} web9/site`, 60000);
  assert.ok(out.some((l) => l.startsWith('/n/github/web9/site')), out.join('\n'));
  assert.ok(out.some((l) => /Receiving objects: 100%/.test(l)), out.join('\n'));
  assert.deepEqual(await type(b.page, 'cd /n/github/web9/site; ls; cd'), ['.git', 'file1.txt', 'file2.txt']);
  await type(b.page, 'echo edited in a tab >/n/github/web9/site/file1.txt');
  out = await type(b.page, 'echo sync >/mnt/github/web9/site/ctl; grep error /mnt/github/web9/site/status', 60000);
  assert.deepEqual(out, ['error none']);
  assert.equal(bare('show', 'main:file1.txt'), 'edited in a tab\n');
  assert.match(bare('log', '-1', '--format=%s', 'main'), /^web9 sync: file1\.txt/);
  // Every request went through the proxy with the token; the page never talked to the server
  // itself (it could not: no CORS headers).
  assert.ok(git.requests.length > 0);
  assert.ok(git.requests.every((r) => r.authorization !== null), JSON.stringify(git.requests));

  // A reload: the clone is in OPFS and the login profile binds it again.
  await boot(b.page);
  assert.deepEqual(await type(b.page, 'cat /n/github/web9/site/file1.txt'), ['edited in a tab']);
  out = await type(b.page, 'grep -e branch -e changed /mnt/github/web9/site/status');
  assert.deepEqual(out, ['branch main', 'changed 0']);
});
