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
// instead of forking. And the corpus runs through the real runtime: one tools/web9 session
// (kernel + rc.wasm + web9's programs) runs every script in turn; it needs build/emscripten and
// build/wasi, and WEB9_RC_RUNTIME=0 leaves it out.
//
// The programs the scripts call (echo, cat, wc, sed, ls, ...) are web9's on every side: the
// native build makes them as host programs in build/native/apps/ (cmake/shell-native.cmake),
// first on $PATH for 9base's rc and rc_native, so a difference is the shell's, not GNU's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

// The native build of web9's programs, put first on $PATH (see the top of this file).
// Differences between 9base on a host and web9 that are the system's, not the shell's: script
// name -> why. As with EXPECTED_DIFFERENCES, the script must still finish.
export const RUNTIME_DIFFERENCES = {
  // rc's own error messages end with the system's error text: the host's strerror for 9base
  // ("No such file or directory"), the kernel's errstr on web9 ("'/x' file does not exist").
  '038-redir-missing': 'system error text (strerror vs the kernel\'s errstr)',
  '090-status-builtin': 'system error text (strerror vs the kernel\'s errstr)',
  '095-dot-missing': 'system error text (strerror vs the kernel\'s errstr)',
  '108-cd-fail': 'system error text (strerror vs the kernel\'s errstr)',
  // A process's exit status is a string on web9, as on Plan 9, and survives a subshell whole
  // ("1|", "syntax error"); a host process exits with a number, so 9base sees 1.
  '027-pipe-status-list': 'a subshell\'s exit status is a string on web9, a number on the host',
  '092-status-list': 'a subshell\'s exit status is a string on web9, a number on the host',
  '136-syntax-error-c': 'a subshell\'s exit status is a string on web9, a number on the host',
  '184-rc-c-syntax': 'a subshell\'s exit status is a string on web9, a number on the host',
};

function findNativeApps() {
  const dir = process.env.WEB9_RC ? join(dirname(resolve(process.env.WEB9_RC)), 'apps') : join(root, 'build/native/apps');
  return existsSync(join(dir, 'echo')) ? dir : null;
}
const appsDir = findNativeApps();
const hostPath = `${appsDir ? `${appsDir}:` : ''}/usr/local/bin:/usr/bin:/bin`;

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
      env: { PATH: hostPath, HOME: '/tmp', LANG: 'C.UTF-8', RC: rc, ...env },
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
// On the host the programs are in build/native/apps, on web9 in /bin; the scripts are in
// tests/rc/corpus on the host, in $home/corpus on web9.
function normalise(text, rc) {
  let t = text.split(rc).join('RC');
  if (appsDir) t = t.split(`${appsDir}/`).join('/bin/');
  return t.split(`${corpus}/`).join('CORPUS/').split('/usr/glenda/corpus/').join('CORPUS/');
}

const web9Rc = findWeb9Rc();
const candidates = web9Rc
  ? [
      { name: 'rc_native', prefix: [web9Rc], rc: web9Rc, env: {} },
      { name: 'rc_native without fork', prefix: [web9Rc], rc: web9Rc, env: { WEB9_RC_NOFORK: '1' } },
    ]
  : [];

// The runtime half: is the runtime built, and the programs 9base's rc must run to compare?
const runtimeMissing =
  process.env.WEB9_RC_RUNTIME === '0' ? 'WEB9_RC_RUNTIME=0'
    : !existsSync(join(root, 'build/emscripten/kernel.mjs')) ? 'no build/emscripten/kernel.mjs'
    : !existsSync(join(root, 'build/wasi/rc.wasm')) ? 'no build/wasi/rc.wasm'
    : !appsDir ? 'no build/native/apps (ninja -C build/native apps_native)'
    : null;

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

// ---- the runtime half: every script in one tools/web9 session ----

// tools/web9's exit code for a program's exit status (tools/web9.mjs, exitCode).
function exitCode(status) {
  if (status === '') return 0;
  if (/^\d+$/.test(status)) return Number(status) & 255 || 1;
  return 1;
}

// The session's rc runs this with the script names as $*. Each script runs in an empty
// directory of its own, with stdin from /dev/null and $RC naming the shell (as the host runs
// give it); its stdout, stderr and exit status land in $home/out, a host directory (--home).
// The driver sets no variable but $RC, so nothing of it reaches a script's environment.
const DRIVER = `RC=/bin/rc
while(! ~ $#* 0){
	mkdir /tmp/run/$1
	cd /tmp/run/$1
	/bin/rc $home/corpus/$1.rc </dev/null >$home/out/$1.out >[2]$home/out/$1.err
	echo -n $status >$home/out/$1.status
	shift
}
`;

const SESSION_TIMEOUT_MS = 300000;
let session = null;

// Runs the session once and returns name -> { stdout, stderr, status } for every script that
// finished; a script missing from the map did not (the session died or hung on it).
function runtimeResults() {
  session ??= new Promise((resolvePromise) => {
    const home = mkdtempSync(join(tmpdir(), 'rc-compare-home-'));
    mkdirSync(join(home, 'corpus'));
    mkdirSync(join(home, 'out'));
    for (const f of scripts) copyFileSync(join(corpus, f), join(home, 'corpus', f));
    writeFileSync(join(home, 'driver.rc'), DRIVER);
    const names = scripts.map((f) => f.replace(/\.rc$/, ''));
    const started = Date.now();
    const child = spawn(join(root, 'tools/web9'), ['--home', home, '-c', 'mkdir /tmp/run; . $home/driver.rc $*', ...names], {
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), SESSION_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const results = new Map();
      const read = (f) => readFileSync(join(home, 'out', f), 'utf8');
      for (const name of names) {
        if (!existsSync(join(home, 'out', `${name}.status`))) continue;
        results.set(name, { stdout: read(`${name}.out`), stderr: read(`${name}.err`), status: exitCode(read(`${name}.status`)) });
      }
      rmSync(home, { recursive: true, force: true });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const ended = signal ? `killed after ${seconds} s` : `exit ${code} after ${seconds} s`;
      resolvePromise({ results, ended, output });
    });
  });
  return session;
}

test('9base rc vs web9 rc in tools/web9 (one session)', { skip: (!haveReference && 'no 9base rc') || runtimeMissing || false, concurrency: Math.max(2, availableParallelism()) }, async (t) => {
  const { results, ended, output } = await runtimeResults();
  t.diagnostic(`tools/web9 session: ${ended}, ${results.size}/${scripts.length} scripts finished`);
  await Promise.all(scripts.map((file) => t.test(file, async () => {
    const name = file.replace(/\.rc$/, '');
    const want = await reference(join(corpus, file));
    const got = results.get(name);
    assert.ok(got, `${file} did not finish in the tools/web9 session (${ended})\n${output}`);
    if (EXPECTED_DIFFERENCES[name] || RUNTIME_DIFFERENCES[name]) return;
    assert.equal(normalise(got.stdout, '/bin/rc'), normalise(want.stdout, REFERENCE_RC), `${file}: stdout`);
    assert.equal(normalise(got.stderr, '/bin/rc'), normalise(want.stderr, REFERENCE_RC), `${file}: stderr`);
    assert.equal(got.status, want.status, `${file}: exit status`);
  })));
});

if (candidates.length === 0)
  test('web9 rc', { skip: 'no rc_native: set WEB9_RC or build build/native/rc_native' }, () => {});
