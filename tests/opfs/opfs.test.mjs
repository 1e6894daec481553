// OpfsStore (web/kernel/opfs.js) against the real Origin Private File System of headless
// Chromium, inside dedicated workers: persistence across reloads, rename and remove, large files,
// many files, tabs killed mid-write, a second tab, and a full quota.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, repoRoot } from '../web/browser.mjs';
import { startServer } from '../../tools/serve.mjs';

export const fixtureRoute = { prefix: '/opfs-test/', dir: path.join(repoRoot, 'tests/opfs/fixtures') };
const DMDIR = 0x80000000;

let server;
let browser;
let page;

async function newPage() {
  const p = await browser.context.newPage();
  p.on('pageerror', (e) => console.error(`page error: ${e}`));
  await p.goto(new URL('/opfs-test/index.html', server.url).href);
  await p.waitForFunction(() => document.documentElement.dataset.ready === 'yes');
  return p;
}

// A worker in page p running one OpfsStore; call(cmd, args) runs a command of worker.js.
async function worker(p = page) {
  const id = await p.evaluate(() => harness.spawn());
  return {
    id,
    call: (cmd, args = {}) => p.evaluate(([i, c, a]) => harness.call(i, c, a), [id, cmd, args]),
    kill: () => p.evaluate((i) => harness.kill(i), id),
  };
}

// Opens a store in a fresh worker, waiting for a killed owner's lock to be let go.
async function openOwner(root, p = page, opts = {}) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const w = await worker(p);
    const r = await w.call('open', { root, ...opts });
    if (!r.readOnly) return w;
    await w.call('close');
    await w.kill();
    if (Date.now() > deadline) assert.fail(`the lock was never let go: ${r.owner}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

// Runs store calls in the worker; answers the values, failing on the first error.
async function run(w, ...calls) {
  const out = await w.call('run', { calls });
  out.forEach((r, i) => assert.ok(!r.error, `${calls[i][0]}(${calls[i].slice(1)}) failed: ${JSON.stringify(r.error)}`));
  return out.map((r) => r.value);
}

before(async () => {
  server = await startServer({ port: 0, routes: [fixtureRoute] });
  browser = await launchBrowser();
  page = await newPage();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('a home directory survives a reload: names, contents, modes, mtimes and qid paths', async () => {
  const w = await openOwner('home-persist');
  const [dir, file] = await run(w, ['create', '/lib', true, 0o750], ['create', '/lib/profile', false, 0o640]);
  assert.equal(dir.isDir, true);
  assert.equal(dir.mode >>> 0, (DMDIR | 0o750) >>> 0);
  await w.call('append', { path: '/lib/profile', length: 100000 });
  await run(w, ['setMtime', '/lib/profile', 1234567890], ['create', '/lib/old', false, 0o600]);
  await run(w, ['rename', '/lib/old', 'new'], ['setMode', '/lib/new', 0o644]);
  const before = await w.call('dump');
  // No close: the page goes away as a reload would take it.
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'yes');
  const w2 = await openOwner('home-persist');
  const after = await w2.call('dump');
  assert.deepEqual(
    after.map(({ version, ...e }) => e),
    before.map(({ version, ...e }) => e),
  );
  const profile = after.find((e) => e.path === '/lib/profile');
  assert.deepEqual([profile.length, profile.size, profile.bad, profile.mtime, profile.qidPath], [100000, 100000, -1, 1234567890, file.qidPath]);
  assert.deepEqual(await w2.call('check'), []);
  await w2.call('close');
});

test('rename keeps a file\'s qid and contents; remove refuses non-empty directories', async () => {
  const w = await openOwner('home-rename');
  await run(w, ['create', '/d', true], ['create', '/d/sub', true], ['create', '/d/sub/f']);
  await w.call('append', { path: '/d/sub/f', length: 5000 });
  const [before] = await run(w, ['stat', '/d/sub/f']);
  const r = await w.call('run', {
    calls: [
      ['rename', '/d', 'e'],
      ['stat', '/e/sub/f'],
      ['stat', '/d/sub/f'],
      ['create', '/e/g'],
      ['rename', '/e/g', 'sub'],
      ['remove', '/e'],
      ['rename', '/e/g', 'a/b'],
      ['remove', '/e/sub/f'],
      ['remove', '/e/sub'],
      ['list', '/e'],
      ['remove', '/'],
      ['create', '/e/g'],
    ],
  });
  assert.equal(r[0].value.name, 'e');
  assert.deepEqual([r[1].value.qidPath, r[1].value.length], [before.qidPath, 5000]);
  assert.equal(r[2].error.errno, 'ENOENT');
  assert.equal(r[4].error.errno, 'EEXIST');
  assert.equal(r[5].error.errno, 'ENOTEMPTY');
  assert.equal(r[6].error.errno, 'EINVAL');
  assert.ok(!r[7].error && !r[8].error);
  assert.deepEqual(r[9].value.map((s) => s.name), ['g']);
  assert.equal(r[10].error.errno, 'EPERM');
  assert.equal(r[11].error.errno, 'EEXIST');
  assert.deepEqual(await w.call('check'), []);
  await w.call('close');
  const w2 = await openOwner('home-rename');
  assert.deepEqual((await w2.call('dump')).map((e) => e.path), ['/e', '/e/g']);
  assert.deepEqual(await w2.call('check'), []);
  await w2.call('close');
});

test('an empty file opens at once and asks OPFS for its data only when it needs it', async () => {
  const w = await openOwner('home-lazy');
  const r = await w.call('lazy', { root: 'home-lazy' });
  assert.deepEqual(r, {
    emptyOpened: true,
    emptyRead: [0, 0],
    emptyData: false, // created, opened, read, flushed, truncated to 0, closed: no data file
    writeBeforeReady: 'ELAZY',
    written: 5,
    writtenLength: 5,
    writtenData: true,
    sharedRead: 3,
    removedWrite: 2,
    removedRead: 2,
    removedData: false,
    afterClose: 'EBADF',
  });
  assert.deepEqual(await w.call('check'), []);
  await w.call('close');
  const w2 = await openOwner('home-lazy');
  assert.deepEqual((await w2.call('dump')).map((e) => [e.path, e.length]), [['/empty', 5], ['/shared', 3]]);
  assert.deepEqual(await w2.call('check'), []);
  await w2.call('close');
});

test('a 64 MiB file is written and read back in 1 MiB chunks', async () => {
  const w = await openOwner('home-big');
  const size = 64 << 20;
  const r = await w.call('big', { path: '/big', size, chunk: 1 << 20 });
  assert.deepEqual([r.size, r.stat, r.bad], [size, size, -1]);
  await run(w, ['remove', '/big']);
  assert.deepEqual(await w.call('check'), []);
  await w.call('close');
});

test('10,000 files are created, listed and stat\'ed, and are all there after a reopen', async () => {
  const count = 10000;
  const w = await openOwner('home-many');
  const r = await w.call('many', { dir: '/many', count });
  console.log(`${count} files: create ${r.createMs.toFixed(0)} ms, list and stat ${r.statMs.toFixed(0)} ms`);
  assert.equal(r.names.length, count);
  assert.equal(new Set(r.names).size, count);
  assert.equal(r.distinctQids, count);
  // Every fiftieth file holds its own index in decimal.
  let expect = 0;
  for (let i = 0; i < count; i += 50) expect += String(i).length;
  assert.equal(r.bytes, expect);
  await w.call('close');
  const w2 = await openOwner('home-many');
  const [list] = await run(w2, ['list', '/many']);
  assert.equal(list.length, count);
  assert.deepEqual(await w2.call('check'), []);
  await w2.call('close');
});

test('a second tab of the same origin gets a read-only store and says so', async () => {
  const w = await openOwner('home-two', page, { lockName: 'web9-home' });
  await run(w, ['create', '/shared']);
  await w.call('append', { path: '/shared', length: 3000 });
  const other = await newPage();
  try {
    const w2 = await worker(other);
    const r = await w2.call('open', { root: 'home-two', lockName: 'web9-home' });
    assert.equal(r.readOnly, true);
    assert.match(r.owner, /another tab.*web9-home.*read-only/);
    const v = await w2.call('verify', { path: '/shared' });
    assert.deepEqual(v, { size: 3000, bad: -1 }, 'the read-only tab reads what the owner wrote');
    const out = await w2.call('run', { calls: [['create', '/x'], ['rename', '/shared', 'y'], ['remove', '/shared']] });
    assert.deepEqual(out.map((o) => o.error?.errno), ['EROFS', 'EROFS', 'EROFS']);
    await w2.call('close');
  } finally {
    await other.close();
  }
  await w.call('close');
  // With the owner gone, the next store owns it.
  const w3 = await worker();
  assert.equal((await w3.call('open', { root: 'home-two', lockName: 'web9-home' })).readOnly, false);
  await w3.call('close');
});

// ---- kill trials ----

// A small deterministic random source.
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

// The model: path -> {isDir, mode, length}. Ops are made from the current model and applied to
// copies of it, giving the state after each op.
function makeOps(model, rand, trial, count) {
  const ops = [];
  const states = [new Map(model)];
  let m = new Map(model);
  const pick = (pred) => {
    const c = [...m.entries()].filter(([p, e]) => pred(p, e));
    return c.length ? c[Math.floor(rand() * c.length)] : null;
  };
  const dirs = () => ['/chaos', ...[...m.keys()].filter((p) => m.get(p).isDir)];
  for (let i = 0; ops.length < count; i++) {
    const x = rand();
    let op = null;
    if (x < 0.12) {
      const d = dirs()[Math.floor(rand() * dirs().length)];
      op = { k: 'mkdir', path: `${d}/d${trial}_${i}`, mode: 0o755 };
    } else if (x < 0.32) {
      const d = dirs()[Math.floor(rand() * dirs().length)];
      op = { k: 'create', path: `${d}/f${trial}_${i}`, mode: 0o644 };
    } else if (x < 0.72) {
      const f = pick((p, e) => !e.isDir && e.length < 400000);
      if (f) op = { k: 'append', path: f[0], length: 4096 + Math.floor(rand() * 120000), piece: 16384 };
    } else if (x < 0.84) {
      const f = pick(() => true);
      if (f) op = { k: 'rename', path: f[0], name: `r${trial}_${i}` };
    } else if (x < 0.94) {
      const f = pick((p, e) => !e.isDir || ![...m.keys()].some((q) => q.startsWith(`${p}/`)));
      if (f) op = { k: 'remove', path: f[0] };
    } else {
      const f = pick(() => true);
      if (f) op = { k: 'chmod', path: f[0], mode: Math.floor(rand() * 0o777) };
    }
    if (!op) continue;
    m = new Map(m);
    if (op.k === 'mkdir' || op.k === 'create') m.set(op.path, { isDir: op.k === 'mkdir', mode: op.mode, length: 0 });
    else if (op.k === 'append') m.set(op.path, { ...m.get(op.path), length: m.get(op.path).length + op.length });
    else if (op.k === 'remove') m.delete(op.path);
    else if (op.k === 'chmod') m.set(op.path, { ...m.get(op.path), mode: op.mode });
    else if (op.k === 'rename') {
      const to = `${op.path.slice(0, op.path.lastIndexOf('/'))}/${op.name}`;
      const moved = new Map();
      for (const [p, e] of m) {
        if (p === op.path) moved.set(to, e);
        else if (p.startsWith(`${op.path}/`)) moved.set(to + p.slice(op.path.length), e);
        else moved.set(p, e);
      }
      m = moved;
    }
    ops.push(op);
    states.push(m);
  }
  return { ops, states };
}

// Does the tree on disk match state j, with op j (states[j+1]) possibly half done? A half-done
// append leaves the file between its two lengths; everything else is all or nothing.
function matches(actual, s, next) {
  if (actual.size !== s.size) return false;
  for (const [p, e] of s) {
    const a = actual.get(p);
    if (!a || a.isDir !== e.isDir || (a.mode & 0o777) !== e.mode) return false;
    if (e.isDir) continue;
    const hi = Math.max(e.length, next?.get(p)?.length ?? e.length);
    if (a.length < e.length || a.length > hi) return false;
  }
  return true;
}

async function killTrial(w, { ops, states }, rand, closePage) {
  const killAt = Math.floor(rand() * (ops.length - 6));
  let done;
  if (!closePage) {
    done = await page.evaluate(([i, o, k, d]) => harness.chaos(i, o, k, d), [w.id, ops, killAt, Math.floor(rand() * 2)]);
  } else {
    // The whole page goes, mid-operation, as when a tab is closed.
    page.evaluate(([i, o]) => harness.call(i, 'chaos', { ops: o }), [w.id, ops]).catch(() => {});
    await page.waitForFunction(([i, k]) => harness.progress(i) >= k, [w.id, killAt], { polling: 1 });
    done = await page.evaluate((i) => harness.progress(i), w.id);
    await page.close({ runBeforeUnload: false });
    page = await newPage();
  }
  return done;
}

// WEB9_KILL_TRIALS=50 runs more trials than the default 20 (about 1 s each).
test('tabs killed mid-write leave a whole tree and whole files (kill trials)', { timeout: 600000 }, async () => {
  const trials = Number(process.env.WEB9_KILL_TRIALS) || 20;
  let model = new Map();
  const rand = rng(0x9e3779b9);
  let w = await openOwner('home-chaos');
  await run(w, ['create', '/chaos', true]);
  let clean = 0;
  let cut = 0; // trials killed before their last op finished
  const report = [];
  for (let t = 0; t < trials; t++) {
    const plan = makeOps(model, rand, t, 24);
    const done = await killTrial(w, plan, rand, t % 5 === 4);
    w = await openOwner('home-chaos');
    const problems = await w.call('check');
    const dump = await w.call('dump', { path: '/chaos' });
    const actual = new Map(dump.map((e) => [e.path, e]));
    const bad = dump.filter((e) => !e.isDir && (e.bad !== -1 || e.size !== e.length));
    // The tree matches the state after the last op reported done, or a later one.
    let j = -1;
    for (let k = Math.max(0, done + 1); k < plan.states.length && j < 0; k++)
      if (matches(actual, plan.states[k], plan.states[k + 1])) j = k;
    const ok = problems.length === 0 && bad.length === 0 && j >= 0;
    if (ok) clean++;
    if (j < plan.ops.length) cut++;
    report.push(`trial ${t}: ${t % 5 === 4 ? 'page closed' : 'worker terminated'} after op ${done}, disk at op ${j - 1}${ok ? '' : ' NOT CLEAN'}`);
    assert.deepEqual(problems, [], `trial ${t}: the store's check`);
    assert.deepEqual(bad, [], `trial ${t}: file contents`);
    assert.ok(j >= 0, `trial ${t}: the tree matches no state at or after op ${done}:\n${JSON.stringify(dump.map((e) => [e.path, e.mode & 0o777, e.length]))}`);
    // The next trial starts from what is on disk.
    model = new Map(dump.map((e) => [e.path, { isDir: e.isDir, mode: e.mode & 0o777, length: e.length }]));
  }
  console.log(`kill trials: ${clean}/${trials} clean, ${cut} of them killed before their last op\n  ${report.join('\n  ')}`);
  assert.equal(clean, trials);
  assert.ok(cut >= trials / 2, `only ${cut} trials were killed part way`);
  await w.call('close');
});

test('a full quota gives ENOSPC, keeps what was written, and recovers after a remove', async (t) => {
  const cdp = await browser.context.newCDPSession(page);
  const origin = new URL(server.url).origin;
  const w = await openOwner('home-quota');
  const { usage } = await w.call('estimate');
  try {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + (24 << 20) });
  } catch (err) {
    t.skip(`this Chromium cannot shrink the quota over DevTools: ${err.message}`);
    await w.call('close');
    return;
  }
  try {
    await run(w, ['create', '/keep']);
    await w.call('append', { path: '/keep', length: 1 << 20 });
    const r = await w.call('fill', { path: '/fill', chunk: 1 << 20, maxBytes: 256 << 20 });
    assert.equal(r.error?.errno, 'ENOSPC', JSON.stringify(r));
    assert.match(r.error.message, /quota/);
    assert.ok(r.written > 0 && r.written < 256 << 20, JSON.stringify(r));
    assert.deepEqual([r.size, r.stat], [r.written, r.written], 'the failed write left nothing behind');
    assert.equal(r.flushError, null);
    assert.deepEqual(await w.call('verify', { path: '/keep' }), { size: 1 << 20, bad: -1 });
    assert.deepEqual(await w.call('verify', { path: '/fill' }), { size: r.written, bad: -1 });
    // Space comes back with a remove, and writing works again.
    await run(w, ['remove', '/fill'], ['settled']);
    await w.call('append', { path: '/keep', length: 1 << 20 });
    await w.call('close');
    const w2 = await openOwner('home-quota');
    assert.deepEqual(await w2.call('check'), []);
    assert.deepEqual(await w2.call('verify', { path: '/keep' }), { size: 2 << 20, bad: -1 });
    await w2.call('close');
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin }).catch(() => {});
  }
});
