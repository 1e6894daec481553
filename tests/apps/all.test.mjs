// What every program in apps/ shares: --help prints "usage: NAME ..." and a line on what
// it does to standard output and exits 0; arguments of every byte value never trap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, hasProgram, tmpdir } from './wasi-run.mjs';

const appsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../apps');
const programs = fs.readdirSync(appsDir).filter((f) => f.endsWith('.cpp')).map((f) => f.slice(0, -4)).sort();

test('every program is built', () => {
  assert.deepEqual(programs.filter((p) => !hasProgram(p)), []);
});

test('every program answers --help on standard output', () => {
  for (const name of programs) {
    const r = run(name, ['--help']);
    assert.equal(r.status, 0, `${name} --help exits 0`);
    assert.equal(r.stderr, '', `${name} --help says nothing on stderr`);
    const lines = r.out.split('\n');
    assert.match(lines[0], new RegExp(`^usage: ${name}( |$)`), `${name} --help usage line`);
    assert.ok(lines[1] && lines[1].length > 5, `${name} --help says what it does`);
  }
});

test('no program traps on odd arguments or binary input', () => {
  const dir = tmpdir();
  const odd = ['\xff\xfe', '', '-', '--', 'a\nb', '\x01'];
  const input = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 13) % 256));
  for (const name of programs) {
    const r = run(name, odd, { dir, stdin: input });
    assert.equal(typeof r.status, 'number', `${name} ended with ${r.status}`);
  }
});

test('every program names the file and the reason, Plan 9 style, on one line', () => {
  const dir = tmpdir();
  fs.mkdirSync(path.join(dir, 'd'));
  const cases = [
    ['cat', ['nonexist']], ['wc', ['nonexist']], ['head', ['nonexist']], ['tail', ['nonexist']], ['tail', ['-f', 'nonexist']],
    ['grep', ['x', 'nonexist']], ['sed', ['p', 'nonexist']], ['sort', ['nonexist']], ['uniq', ['nonexist']],
    ['cmp', ['nonexist', 'd']], ['diff', ['nonexist', 'd']], ['du', ['nonexist']], ['find', ['nonexist']], ['ls', ['nonexist']],
    ['cp', ['nonexist', 'x']], ['mv', ['nonexist', 'x']], ['rm', ['nonexist']], ['ns', ['99']],
  ];
  for (const [name, args] of cases) {
    const r = run(name, args, { dir });
    const file = name === 'ns' ? '/proc/99/ns' : 'nonexist';
    assert.equal(r.stderr, `${name}: ${file}: file does not exist\n`, `${name} ${args.join(' ')}`);
    assert.notEqual(r.status, 0, `${name} ${args.join(' ')}`);
  }
  for (const name of ['tee', 'touch']) assert.equal(run(name, ['no/x'], { dir, stdin: 'x' }).stderr, `${name}: no/x: file does not exist\n`);
  for (const [name, args] of [['cat', ['d']], ['wc', ['d']], ['head', ['d']], ['grep', ['x', 'd']], ['sort', ['d']],
    ['uniq', ['d']], ['tail', ['d']], ['sed', ['p', 'd']], ['cmp', ['d', 'd']], ['diff', ['d', 'd']], ['tee', ['d']], ['cp', ['d', 'e']]]) {
    const r = run(name, args, { dir, stdin: 'x' });
    assert.equal(r.stderr, `${name}: d: is a directory\n`, `${name} ${args.join(' ')}`);
    assert.notEqual(r.status, 0, `${name} ${args.join(' ')}`);
  }
});

test('a bad flag prints the usage line to standard error and fails', () => {
  const noFlags = new Set(['echo', 'test', 'true', 'false', 'find', 'kill']);  // -x is an operand or a note to these
  for (const name of programs) {
    if (noFlags.has(name)) continue;
    const r = run(name, ['-@']);
    assert.notEqual(r.status, 0, `${name} -@`);
    assert.match(r.stderr, new RegExp(`^usage: ${name}`), `${name} -@`);
    assert.equal(r.out, '', `${name} -@`);
  }
});
