// The persistent home, mounted at /usr/glenda ($home) by the kernel (kernel/bindings.cpp) over
// the store the kernel worker opens (web/kernel/worker.js): under Node a host directory
// (HostStore, tools/web9 --home DIR), in Chromium the origin's private file system (OpfsStore).
// What one boot writes there the next boot reads; a second owner-less instance sees it read-only
// and says so. Build dirs as web9.test.mjs takes them (WEB9_KERNEL_BUILD, WEB9_WASI_BUILD,
// WEB9_BUILD).
//
//   node --test tests/runtime/home.test.mjs

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openBrowser, waitForState, terminalLines, waitForTerminal } from '../web/browser.mjs';
import { makeImage } from '../../tools/mkimage.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const web9 = path.join(root, 'tools/web9');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const binDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));
const programs = ['rc', 'echo', 'cat', 'ls', 'mkdir', 'mv', 'rm', 'pwd'];

function why() {
  if (!fs.existsSync(path.join(kernelDir, 'kernel.mjs'))) return `no kernel build at ${kernelDir}`;
  const missing = programs.filter((n) => !fs.existsSync(path.join(binDir, `${n}.wasm`)));
  return missing.length ? `not built in ${binDir}: ${missing.join(' ')}` : false;
}
const skip = why();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-home-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function run(home, command) {
  const r = spawnSync(web9, ['--kernel', kernelDir, '--bin', binDir, '--home', home, '-c', command], {
    encoding: 'utf8',
    timeout: 20000,
  });
  if (r.error) throw r.error;
  return r;
}

test('tools/web9: the home is a host directory that outlives the run', { skip }, () => {
  const home = path.join(tmp, 'node-home'); // made by tools/web9
  let r = run(home, 'pwd; echo $home; echo hello >$home/f; mkdir $home/d; echo in d >d/g; echo old >$home/r');
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, '/usr/glenda\n/usr/glenda\n', 'the first program starts in $home');
  assert.equal(fs.readFileSync(path.join(home, 'f'), 'utf8'), 'hello\n');
  assert.equal(fs.readFileSync(path.join(home, 'd/g'), 'utf8'), 'in d\n');
  assert.ok(!fs.existsSync(path.join(home, '.web9lock')), 'the lock is given up at exit');
  assert.ok(fs.existsSync(path.join(home, '.web9meta.json')), 'the metadata is saved at exit');

  // The next run reads them, then renames and removes through the store.
  r = run(home, 'cat $home/f d/g; mv r r2; rm f; mv d e; ls');
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'hello\nin d\ne\nr2\n');
  assert.deepEqual(fs.readdirSync(home).filter((n) => !n.startsWith('.')).sort(), ['e', 'r2']);
  assert.equal(fs.readFileSync(path.join(home, 'e/g'), 'utf8'), 'in d\n');

  // A third sees the renames and removals, and what was made on the host meanwhile.
  fs.writeFileSync(path.join(home, 'from-host'), 'host\n');
  r = run(home, 'ls; cat r2 e/g from-host; test -e f || echo no f');
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'e\nfrom-host\nr2\nold\nin d\nhost\nno f\n');
});

test('tools/web9: a second run on a home in use sees it read-only and says why', { skip }, async () => {
  const home = path.join(tmp, 'shared-home');
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(home, 'x'), 'before\n');
  // The first run holds the home until its stdin ends.
  const first = spawn(web9, ['--kernel', kernelDir, '--bin', binDir, '--home', home, '-c', 'echo ready; cat >$home/held; echo done'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise((resolve, reject) => {
    first.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
    first.on('exit', () => reject(new Error(`the first run ended early: ${out}`)));
  });
  const exited = new Promise((resolve) => first.on('exit', (code) => resolve(code)));
  try {
    await ready;
    // rc -c gives up at the redirection that fails.
    const r = run(home, 'cat x; echo after >x; echo not reached');
    assert.match(r.stderr, /^web9: the home directory is read-only: process \d+ owns the home directory /m);
    assert.match(r.stderr, /^x: rc: can't open: process \d+ owns the home directory .* read-only/m);
    assert.equal(r.stdout, 'before\n');
    assert.notEqual(r.status, 0);
    assert.equal(fs.readFileSync(path.join(home, 'x'), 'utf8'), 'before\n');
  } finally {
    first.stdin.end('kept\n');
  }
  assert.equal(await exited, 0);
  assert.equal(out, 'ready\ndone\n');
  assert.equal(fs.readFileSync(path.join(home, 'held'), 'utf8'), 'kept\n');
  // Once the owner is gone, the home is writable again.
  const r = run(home, 'echo after >x; cat x');
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'after\n');
});

test('tools/web9 --no-home keeps the home in memory', { skip }, () => {
  const r = spawnSync(web9, ['--kernel', kernelDir, '--bin', binDir, '--no-home', '-c', 'echo x >$home/y; cat $home/y; pwd'], {
    encoding: 'utf8',
    timeout: 20000,
  });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'x\n/usr/glenda\n');
});

// --- Chromium: OPFS ---

let b = null;
after(async () => {
  await b?.close();
});

const waitForLines = (page, ok, timeout = 10000) => waitForTerminal(page, ok, timeout);

const atPrompt = (lines) => lines.at(-1)?.trimEnd() === '%';

async function boot(page) {
  await page.goto(b.url);
  assert.equal(await waitForState(page, ['ready', 'failed', 'unsupported'], 20000), 'ready');
  await page.locator('.xterm-helper-textarea').focus();
  return waitForLines(page, atPrompt, 20000);
}

// Types a command line and answers the lines printed before the next prompt.
async function type(page, command) {
  const before = (await terminalLines(page)).length;
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
  const lines = await waitForLines(page, (l) => l.length > before && atPrompt(l));
  const start = lines.findIndex((l, i) => i >= before - 1 && l.startsWith('%') && l.includes(command));
  assert.ok(start >= 0, `the command line "${command}" is not on the terminal:\n${lines.join('\n')}`);
  return lines.slice(start + 1, -1).map((l) => l.trimEnd());
}

test('Chromium: the home is in OPFS, survives a reload, and a second tab sees it read-only', { skip, timeout: 60000 }, async () => {
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'web9.img'), makeImage({ binDir }));
  b = await openBrowser({ server: { webDir: path.join(root, 'web'), kernelDir, binDir: bin } });

  let lines = await boot(b.page);
  assert.ok(!lines.some((l) => /read-only|in memory/.test(l)), lines.join('\n'));
  assert.deepEqual(await type(b.page, 'pwd'), ['/usr/glenda']);
  assert.deepEqual(await type(b.page, 'echo persisted >$home/x; mkdir $home/d; echo ok'), ['ok']);

  // Same origin, second tab, while the first holds the home: read-only, and it says so.
  const other = await b.context.newPage();
  lines = await boot(other);
  assert.ok(lines.some((l) => /^web9: the home directory is read-only: another tab/.test(l)), lines.join('\n'));
  assert.deepEqual(await type(other, 'cat $home/x'), ['persisted']);
  const refused = await type(other, 'echo no >$home/y');
  assert.ok(refused.some((l) => /read-only|another tab/.test(l)), refused.join('\n'));
  await other.close();

  // Reloading the first tab boots again on the same store.
  lines = await boot(b.page);
  assert.ok(!lines.some((l) => /read-only|in memory/.test(l)), lines.join('\n'));
  assert.deepEqual(await type(b.page, 'cat $home/x; ls'), ['persisted', 'd', 'x']);
});
