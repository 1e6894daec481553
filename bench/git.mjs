#!/usr/bin/env node
// git clone through web9 against native git, from the same real server in the same run: a
// generated repository of about 1,000 files (5 MB) served by git http-backend on localhost
// (tests/support/gitserver.mjs). web9 runs headless (tools/web9): `git clone` in the kernel, the
// network through /net/web. The web9 figure is the whole run minus a run of `true` (start-up).
//
//   node bench/git.mjs [--files N] [--kib K] [--runs R]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startGitServer } from '../tests/support/gitserver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
if (args.includes('--help')) {
  console.log('usage: node bench/git.mjs [--files N] [--kib K] [--runs R]\nClone a generated repository (N files of K KiB) natively and in web9; print the ratio.');
  process.exit(0);
}
const files = opt('--files', 1000);
const kib = opt('--kib', 5);
const runs = opt('--runs', 3);

function run(cmd, argv, options = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, options);
    let err = '';
    child.stderr?.on('data', (d) => (err += d));
    child.stdout?.on('data', () => {});
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${cmd} ${argv.join(' ')}: exit ${code}\n${err}`)));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-bench-git-'));
const server = await startGitServer();
try {
  // The repository: files of pseudo-random words (compressible like source, not trivially).
  const work = path.join(tmp, 'work');
  fs.mkdirSync(work);
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const words = ['div', 'span', 'class', 'const', 'return', 'function', 'style', 'margin', 'web9', 'plan9', 'data', 'value'];
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const dir = path.join(work, `d${i % 20}`);
    fs.mkdirSync(dir, { recursive: true });
    let text = '';
    while (text.length < kib * 1024) text += `${words[Math.floor(rnd() * words.length)]}${Math.floor(rnd() * 1000)} `;
    fs.writeFileSync(path.join(dir, `f${i}.txt`), text);
    bytes += text.length;
  }
  const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@x' };
  await run('git', ['init', '-q', '-b', 'main'], { cwd: work, env });
  await run('git', ['add', '.'], { cwd: work, env });
  await run('git', ['commit', '-qm', 'generated'], { cwd: work, env });
  await run('git', ['clone', '-q', '--bare', work, path.join(server.root, 'gen.git')], { env });
  const url = server.url('gen');
  console.log(`repository: ${files} files, ${(bytes / 1e6).toFixed(1)} MB, served by git http-backend at ${url}`);

  const native = [];
  const web9 = [];
  const startup = [];
  const web9bin = path.join(root, 'tools/web9');
  for (let r = 0; r < runs; r++) {
    const dest = path.join(tmp, `native${r}`);
    native.push(await run('git', ['clone', '-q', url, dest], { env }));
    startup.push(await run(web9bin, ['--no-home', '-c', 'true']));
    web9.push(await run(web9bin, ['--no-home', '-c', `git clone ${url} /tmp/c`]));
  }
  const n = median(native);
  const s = median(startup);
  const w = median(web9);
  const rows = [
    ['native git clone', n],
    ['web9: tools/web9 start-up (true)', s],
    ['web9: git clone, whole run', w],
    ['web9: git clone alone (run − start-up)', w - s],
  ];
  console.log(`\nmedian of ${runs} runs (ms)`);
  for (const [name, ms] of rows) console.log(`${name.padEnd(42)} ${ms.toFixed(0).padStart(7)}`);
  console.log(`\nratio web9/native: ${((w - s) / n).toFixed(2)}× (target ≤ 3×)`);
} finally {
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
