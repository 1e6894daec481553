#!/usr/bin/env node
// rc interpreter speed: times bench/rc-loop.rc (10,000 loop iterations of builtins and
// variable work) in Plan 9's rc from 9base and in web9's rc, and prints the ratios, of
// wall-clock time and of CPU time (which a busy machine disturbs less).
//
//   node bench/rc.mjs [--runs N]
//
// web9's rc: $WEB9_RC (a native rc_native), else build/native/rc_native or
// build/rc-native/rc_native; and through the browser runtime with tools/web9 when
// $WEB9_BENCH_RUNTIME=1 (it needs build/emscripten and build/wasi; see tools/web9 --help).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'bench/rc-loop.rc');

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: node bench/rc.mjs [--runs N]\n\nTimes bench/rc-loop.rc in 9base rc and in web9 rc ' +
    '(rc_native; with WEB9_BENCH_RUNTIME=1 also tools/web9, cold and warm) and prints wall-clock and CPU\ntimes with their ratios to 9base.');
  process.exit(0);
}
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;

function web9Rc() {
  if (process.env.WEB9_RC) return resolve(process.env.WEB9_RC);
  for (const p of ['build/native/rc_native', 'build/rc-native/rc_native'])
    if (existsSync(join(root, p))) return join(root, p);
  return null;
}

// CPU time (user + system, all threads) of the children waited for so far, in ms: Linux's
// /proc/self/stat fields cutime and cstime, in clock ticks (100 a second). On a busy machine
// wall-clock time says more about the neighbours than about rc; this does not.
function childCpuMs() {
  if (!existsSync('/proc/self/stat')) return NaN;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

// Best of `runs` wall-clock times in ms, the least CPU time, and the output of the last run.
function time(cmd, argv) {
  let best = Infinity;
  let cpu = Infinity;
  let out = '';
  for (let i = 0; i < runs; i++) {
    const c0 = childCpuMs();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, argv, { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: '/tmp' } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
    out = r.stdout.trim();
    best = Math.min(best, ms);
    cpu = Math.min(cpu, childCpuMs() - c0);
  }
  return { ms: best, cpu, out };
}

const rows = [];
const ref = time('/usr/lib/plan9/bin/rc', [script]);
rows.push(['9base rc', ref]);
const native = web9Rc();
if (native) rows.push(['web9 rc (native build)', time(native, [script])]);
if (process.env.WEB9_BENCH_RUNTIME === '1') {
  // Inside one tools/web9 session, time(1) times each run of the loop as a child of rc: the
  // first run is cold (rc.wasm freshly compiled, V8 tiering its hot functions up while it
  // goes), the later ones are warm (a new rc process on the same compiled module) and measure
  // the interpreter. The wall-clock figures include spawning rc (about a millisecond); there is
  // no CPU time here (time(1) prints real time only).
  const web9 = join(root, 'tools/web9');
  const file = `${script}:/tmp/loop.rc`;
  const line = Array.from({ length: runs + 1 }, () => 'time rc /tmp/loop.rc').join('; ');
  const r = spawnSync(web9, ['--no-home', '--file', file, '-c', line], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tools/web9: exit ${r.status}\n${r.stderr}`);
  const times = [...r.stderr.matchAll(/^([\d.]+)r rc \/tmp\/loop\.rc$/gm)].map((m) => Number(m[1]) * 1000);
  if (times.length !== runs + 1) throw new Error(`tools/web9: expected ${runs + 1} time lines:\n${r.stderr}`);
  const out = r.stdout.trim().split('\n').at(-1);
  rows.push(['web9 rc (browser runtime), cold', { ms: times[0], cpu: NaN, out }]);
  rows.push(['web9 rc (browser runtime), warm', { ms: Math.min(...times.slice(1)), cpu: NaN, out }]);
}

for (const [name, r] of rows) {
  const ratio = (r.ms / ref.ms).toFixed(2);
  const cpuRatio = (r.cpu / ref.cpu).toFixed(2);
  const same = r.out === ref.out ? '' : `  (output differs: ${r.out})`;
  console.log(`${name.padEnd(34)} ${r.ms.toFixed(1).padStart(9)} ms ${ratio.padStart(6)}x 9base` +
    (Number.isNaN(r.cpu) ? '' : `   cpu ${String(r.cpu).padStart(5)} ms ${cpuRatio.padStart(6)}x`) + same);
}
