// web/runtime/ops.js is generated from kernel/syscall_ops.inc: it must be up to date, and agree
// with the header's numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { generate } from '../../tools/gen-ops.mjs';
import { OP, CHANNEL_SIZE } from '../../web/runtime/ops.js';

test('web/runtime/ops.js is what tools/gen-ops.mjs generates', () => {
  const file = fs.readFileSync(new URL('../../web/runtime/ops.js', import.meta.url), 'utf8');
  assert.equal(file, generate(), 'stale: run tools/gen-ops.mjs');
});

test('the op table has every call of syscall_ops.inc, once', () => {
  const inc = fs.readFileSync(new URL('../../kernel/syscall_ops.inc', import.meta.url), 'utf8');
  const lines = [...inc.matchAll(/^X\((\w+), (\d+)\)/gm)];
  assert.equal(Object.keys(OP).length, lines.length);
  for (const [, name, num] of lines) assert.equal(OP[name], Number(num));
  assert.equal(new Set(Object.values(OP)).size, lines.length);
  assert.equal(CHANNEL_SIZE, 128 + (1 << 20));
});
