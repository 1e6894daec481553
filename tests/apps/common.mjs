// Shared assertions for the apps tests: compare a guest program against 9base's.
import assert from 'node:assert/strict';
import { both, hasPlan9 } from './wasi-run.mjs';

// Asserts that NAME ARGS prints the same as 9base's NAME and agrees on success.
// normalize maps 9base's output first (9base prints 64-bit numbers with a stray "d").
export function sameAs9base(t, name, args, { files = {}, stdin = '', normalize = (s) => s } = {}) {
  if (!hasPlan9(name)) {
    t.skip(`no 9base ${name}`);
    return;
  }
  const { ours, theirs } = both(name, args, { files, stdin });
  assert.equal(ours.out, normalize(theirs.out), `${name} ${args.join(' ')}: stdout differs from 9base`);
  assert.equal(ours.status === 0, theirs.status === 0, `${name} ${args.join(' ')}: status ${ours.status} vs 9base ${theirs.status}`);
}

// 9base's print drops the 'u' of %llud and leaves a "d" after the number.
export const dropD = (s) => s.replace(/(\d)d\b/g, '$1');

// A byte string with every value, for binary-safety checks.
export const allBytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));
