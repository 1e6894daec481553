#!/usr/bin/env node
// rc interpreter speed: times bench/rc-loop.rc (10,000 loop iterations of builtins and
// variable work) in Plan 9's rc from 9base and in web9's rc, and prints the ratio.
//
//   node bench/rc.mjs [--runs N]
//
// web9's rc: $WEB9_RC (a native rc_native), else build/native/rc_native or
// build/rc-native/rc_native; and through the browser runtime with tools/web9 when
// $WEB9_BENCH_RUNTIME=1 (it needs build/emscripten and build/wasi; see tools/web9 --help).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'bench/rc-loop.rc');

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: node bench/rc.mjs [--runs N]\n\nTimes bench/rc-loop.rc in 9base rc and in web9 rc ' +
    '(rc_native; with WEB9_BENCH_RUNTIME=1 also tools/web9) and prints the ratios.');
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

// Best of `runs` wall-clock times in ms, and the output of the last run.
function time(cmd, argv) {
  let best = Infinity;
  let out = '';
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, argv, { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: '/tmp' } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
    out = r.stdout.trim();
    best = Math.min(best, ms);
  }
  return { ms: best, out };
}

const rows = [];
const ref = time('/usr/lib/plan9/bin/rc', [script]);
rows.push(['9base rc', ref]);
const native = web9Rc();
if (native) rows.push(['web9 rc (native build)', time(native, [script])]);
if (process.env.WEB9_BENCH_RUNTIME === '1') {
  const web9 = join(root, 'tools/web9');
  const whole = time(web9, ['--no-home', script]);
  rows.push(['web9 rc (tools/web9)', whole]);
  // tools/web9 pays for starting Node, the kernel and rc on every run; the loop alone is the
  // difference from the same run of an empty script.
  const empty = time(web9, ['--no-home', '-c', '']);
  rows.push(['  tools/web9, empty script', { ms: empty.ms, out: ref.out }]);
  rows.push(['  loop alone (difference)', { ms: whole.ms - empty.ms, out: whole.out }]);
}

for (const [name, r] of rows) {
  const ratio = (r.ms / ref.ms).toFixed(2);
  const same = r.out === ref.out ? '' : `  (output differs: ${r.out})`;
  console.log(`${name.padEnd(28)} ${r.ms.toFixed(1).padStart(9)} ms  ${ratio}x 9base${same}`);
}
