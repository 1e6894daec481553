// Runs every script in tests/rc/corpus/ with Plan 9's rc from 9base and with web9's rc, and
// checks that both print the same stdout and stderr and exit the same way.
//
//   node --test tests/rc/compare.test.mjs
//   WEB9_RC=build/rc-native/rc_native node --test tests/rc/compare.test.mjs
//   RC_ONLY=glob node --test tests/rc/compare.test.mjs     (only scripts whose name contains "glob")
//
// Which web9 rc: $WEB9_RC (a native rc_native binary), else build/native/rc_native, else
// build/rc-native/rc_native. The native rc is also run a second time with WEB9_RC_NOFORK=1,
// which makes it start subshells the way web9 must (spawning rc -c with the command's text)
// instead of forking. WEB9_RC_RUNTIME=1 also runs the corpus through the browser runtime
// (tools/web9); its candidate entry below is the one line to adjust.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const corpus = join(here, 'corpus');

const REFERENCE_RC = '/usr/lib/plan9/bin/rc';

// Differences that are on purpose: script name (without .rc) -> why. These scripts still run
// (a crash or hang fails them) but their output is not compared.
export const EXPECTED_DIFFERENCES = {
  // 9base reads a here document only after the whole command, so one inside a { } block that
  // spans lines has its body parsed as commands (a syntax error); web9 reads it at the end of
  // its own line.
  '045-heredoc-func': 'here document inside a multi-line block',
  // 9base substitutes $variables in a here document while reading it (when the loop is parsed,
  // $i is still empty); web9 substitutes when the redirection runs, each time round.
  '168-redir-here-in-loop': 'here document substitution happens at run time',
};

function findWeb9Rc() {
  if (process.env.WEB9_RC) return resolve(process.env.WEB9_RC);
  for (const p of ['build/native/rc_native', 'build/rc-native/rc_native']) {
    const full = join(root, p);
    if (existsSync(full)) return full;
  }
  return null;
}

// Runs `script` with the command `prefix` (program and leading arguments) and returns
// { stdout, stderr, status }. `rc` is what the script's $RC names, for its own rc -c calls.
export function runRc(prefix, script, { rc, env = {}, timeoutMs = 10000 } = {}) {
  // An empty directory of its own: a pattern a script leaves unquoted must not glob files
  // that other programs happen to have in /tmp.
  const cwd = mkdtempSync(join(tmpdir(), 'rc-compare-'));
  return new Promise((resolvePromise) => {
    const child = spawn(prefix[0], [...prefix.slice(1), script], {
      argv0: 'rc',
      cwd,
      // A small fixed environment: both shells import it, so nothing host-specific leaks in.
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8', RC: rc, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      resolvePromise({ stdout, stderr, status: signal ? `signal ${signal}` : code });
    });
  });
}

// Both shells name themselves after $RC when they report on a script; make those names agree.
function normalise(text, rc) {
  return text.split(rc).join('RC');
}

const web9Rc = findWeb9Rc();
const candidates = web9Rc
  ? [
      { name: 'rc_native', prefix: [web9Rc], rc: web9Rc, env: {} },
      { name: 'rc_native without fork', prefix: [web9Rc], rc: web9Rc, env: { WEB9_RC_NOFORK: '1' } },
    ]
  : [];
// The browser runtime, headless (tools/web9 SCRIPT runs /bin/rc on a copy of SCRIPT).
if (process.env.WEB9_RC_RUNTIME === '1')
  candidates.push({ name: 'tools/web9', prefix: [join(root, 'tools/web9'), '--no-home'], rc: '/bin/rc', env: {} });

const only = process.env.RC_ONLY || '';
const scripts = readdirSync(corpus)
  .filter((f) => f.endsWith('.rc') && f.includes(only))
  .sort();

test('the corpus covers the language', () => {
  if (!only) assert.ok(scripts.length >= 150, `only ${scripts.length} scripts`);
});

const haveReference = existsSync(REFERENCE_RC);

// 9base's answers, run once and shared by every candidate.
const referenceRuns = new Map();
function reference(script) {
  if (!referenceRuns.has(script)) referenceRuns.set(script, runRc([REFERENCE_RC], script, { rc: REFERENCE_RC }));
  return referenceRuns.get(script);
}

for (const cand of candidates) {
  test(`9base rc vs ${cand.name}`, { skip: !haveReference && 'no 9base rc', concurrency: Math.max(2, availableParallelism()) }, async (t) => {
    await Promise.all(scripts.map((file) => t.test(file, async () => {
      const name = file.replace(/\.rc$/, '');
      const script = join(corpus, file);
      const [want, got] = await Promise.all([
        reference(script),
        runRc(cand.prefix, script, { rc: cand.rc, env: cand.env }),
      ]);
      assert.notEqual(got.status, 'signal SIGKILL', `${file} timed out`);
      if (EXPECTED_DIFFERENCES[name]) return;
      assert.equal(normalise(got.stdout, cand.rc), normalise(want.stdout, REFERENCE_RC), `${file}: stdout`);
      assert.equal(normalise(got.stderr, cand.rc), normalise(want.stderr, REFERENCE_RC), `${file}: stderr`);
      assert.equal(got.status, want.status, `${file}: exit status`);
    })));
  });
}

if (candidates.length === 0)
  test('web9 rc', { skip: 'no rc_native: set WEB9_RC or build build/native/rc_native' }, () => {});
