// The small programs (test, date, sleep, env, clear, help, true, false, xargs) under Node's
// WASI, against 9base where it has them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { run, tmpdir, populate } from './wasi-run.mjs';
import { sameAs9base } from './common.mjs';

const files = { f: 'data\n', e: '', 'd/x': 'x\n' };

test('test agrees with 9base test on files, strings and numbers', (t) => {
  for (const args of [['-f', 'f'], ['-f', 'd'], ['-d', 'd'], ['-e', 'nonexist'], ['-s', 'f'], ['-s', 'e'], ['-r', 'f'],
    ['-z', ''], ['-n', ''], ['abc', '=', 'abc'], ['abc', '!=', 'abc'], ['1', '-lt', '2'], ['10', '-le', '9'], ['3', '-eq', '3'],
    ['-5', '-gt', '-6'], ['!', '-f', 'f'], ['-f', 'f', '-a', '-d', 'd'], ['-f', 'nonexist', '-o', '-d', 'd'],
    ['(', '-f', 'f', ')'], ['x'], ['']])
    sameAs9base(t, 'test', args, { files });
});

test('test compares modification times and reports bad syntax with status 2', () => {
  const dir = populate(tmpdir(), files);
  fs.utimesSync(path.join(dir, 'f'), 1000, 2000);
  fs.utimesSync(path.join(dir, 'e'), 1000, 1000);
  assert.equal(run('test', ['f', '-nt', 'e'], { dir }).status, 0);
  assert.equal(run('test', ['f', '-ot', 'e'], { dir }).status, 1);
  assert.equal(run('test', ['1', '-lt', 'x'], { dir }).status, 2);
  assert.equal(run('test', ['(', '-f', 'f'], { dir }).status, 2);
  assert.equal(run('test', [], { dir }).status, 1);
});

test('date prints Plan 9 date format in UTC, -n seconds', (t) => {
  assert.equal(run('date', ['0']).out, 'Thu Jan 01 00:00:00 UTC 1970\n');
  assert.equal(run('date', ['1000000000']).out, 'Sun Sep 09 01:46:40 UTC 2001\n');
  assert.equal(run('date', ['-n', '42']).out, '42\n');
  const now = Number(run('date', ['-n']).out);
  assert.ok(Math.abs(now - Date.now() / 1000) < 5, `date -n says ${now}`);
  assert.match(run('date').out, /^\w{3} \w{3} \d\d \d\d:\d\d:\d\d UTC \d{4}\n$/);
  assert.equal(run('date', ['soon']).status, 1);
  assert.equal(run('date', ['1', '2']).status, 1);
});

test('sleep waits about as long as asked and rejects bad intervals', () => {
  const start = Date.now();
  assert.equal(run('sleep', ['0.2']).status, 0);
  const took = Date.now() - start;
  assert.ok(took >= 190 && took < 2000, `sleep 0.2 took ${took} ms`);
  assert.equal(run('sleep', ['0']).status, 0);
  assert.equal(run('sleep', ['x']).status, 1);
  assert.equal(run('sleep', ['-1']).status, 1);
  assert.equal(run('sleep', []).status, 1);
});

test('env prints the environment, with settings made', () => {
  assert.equal(run('env', [], { env: { A: '1', B: 'two words' } }).out, 'A=1\nB=two words\n');
  assert.equal(run('env', ['A=3', 'C=4'], { env: { A: '1', B: '2' } }).out, 'B=2\nA=3\nC=4\n');
});

test('env and xargs cannot start commands without web9, and say so', () => {
  // /bin/echo is there, but Node's WASI has no spawn: the web9 import answers ENOSYS.
  const dir = populate(tmpdir(), { 'bin/echo': 'not really\n' });
  let r = run('env', ['A=1', 'echo', 'hi'], { dir });
  assert.equal(r.stderr, 'env: echo: not implemented\n');
  assert.equal(r.status, 127);
  r = run('xargs', ['echo'], { dir, stdin: 'a b\n' });
  assert.equal(r.stderr, 'xargs: echo: not implemented\n');
  assert.equal(r.status, 127);
  r = run('xargs', ['-t', 'nonexist'], { dir, stdin: 'a "b c"\n' });
  assert.equal(r.stderr, "nonexist a 'b c'\nxargs: nonexist: file does not exist\n");
  assert.equal(r.status, 127);
  r = run('env', ['nonexist'], { dir });
  assert.equal(r.stderr, 'env: nonexist: file does not exist\n');
});

test('xargs rejects unmatched quotes and bad counts', () => {
  let r = run('xargs', ['echo'], { stdin: 'a "b\n' });
  assert.equal(r.stderr, 'xargs: unmatched quote\n');
  assert.equal(r.status, 1);
  assert.equal(run('xargs', ['-n', '0', 'echo']).status, 1);
  assert.equal(run('xargs', ['-n', 'x', 'echo']).status, 1);
});

test('clear writes the ANSI clearing escapes', () => {
  assert.equal(run('clear').out, '\x1b[H\x1b[2J\x1b[3J');
});

test('true and false exit 0 and 1', () => {
  assert.equal(run('true').status, 0);
  assert.equal(run('false').status, 1);
  assert.equal(run('true', ['-x', 'ignored']).status, 0);
  assert.equal(run('false', ['-x']).status, 1);
});

test('help lists every program, or the ones asked for', () => {
  const all = run('help').out;
  for (const name of fs.readdirSync(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../apps'))) {
    if (!name.endsWith('.cpp')) continue;
    assert.match(all, new RegExp(`^${name.slice(0, -4)} +\\S`, 'm'), `help lists ${name.slice(0, -4)}`);
  }
  assert.match(run('help', ['ls']).out, /^ls +list files and directories\n$/);
  const r = run('help', ['ls', 'nope']);
  assert.equal(r.stderr, 'help: nope: no such program\n');
  assert.equal(r.status, 1);
});
