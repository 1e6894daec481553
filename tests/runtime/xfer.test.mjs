// The transfer store (web/kernel/xfer.js) on its own, under Node: a download streams out of
// out/NAME in pieces while it is written, so the store never holds the whole file; an upload's
// in/NAME reads its source a piece at a time. The commands that use it are tested end to end in
// updown.test.mjs.
//
//   node --test tests/runtime/xfer.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XferStore, SEND } from '../../web/kernel/xfer.js';

// A sink that keeps a digest of what it was given (not the bytes), and the largest piece.
function recorder() {
  const got = { started: [], bytes: 0, sum: 0, largest: 0, ended: 0, aborted: 0 };
  const sink = (name) => {
    got.started.push(name);
    return {
      write: (b) => {
        for (const x of b) got.sum = (got.sum * 31 + x) >>> 0;
        got.bytes += b.length;
        got.largest = Math.max(got.largest, b.length);
      },
      end: () => got.ended++,
      abort: () => got.aborted++,
    };
  };
  return { got, sink };
}

const byteAt = (i) => (i * 7 + (i >> 11)) & 0xff;

test('a download streams out in pieces while it is written, and ends when closed', async () => {
  const { got, sink } = recorder();
  const x = new XferStore({ sink, pick: async () => [] });
  x.create('/out/big.bin');
  const f = x.openFileSync('/out/big.bin');
  const total = 5 * SEND + 12345;
  const piece = new Uint8Array(65536);
  let sum = 0;
  let held = 0;
  for (let at = 0; at < total; at += piece.length) {
    const n = Math.min(piece.length, total - at);
    for (let i = 0; i < n; i++) {
      piece[i] = byteAt(at + i);
      sum = (sum * 31 + piece[i]) >>> 0;
    }
    f.write(at, piece.subarray(0, n));
    held = Math.max(held, got.bytes === 0 ? at + n : at + n - got.bytes);
  }
  assert.ok(got.bytes >= 4 * SEND, `only ${got.bytes} bytes went out before the close`);
  assert.ok(held <= SEND + piece.length, `the store held ${held} bytes not yet handed over`);
  assert.equal(f.size(), total);
  // What was handed over cannot be written or read again.
  assert.throws(() => f.write(0, new Uint8Array(1)), (e) => e.errno === 'EINVAL' && /handed over/.test(e.message));
  assert.throws(() => f.readInto(0, new Uint8Array(1)), (e) => e.errno === 'EINVAL');
  assert.equal(got.ended, 0);
  f.close();
  assert.deepEqual([got.started, got.bytes, got.sum, got.ended, got.aborted], [['big.bin'], total, sum, 1, 0]);
  assert.ok(got.largest <= SEND + piece.length);
  assert.throws(() => x.stat('/out/big.bin'), (e) => e.errno === 'ENOENT', 'a finished download is removed');
});

test('an empty download still goes out; a removed one is abandoned', async () => {
  const { got, sink } = recorder();
  const x = new XferStore({ sink, pick: async () => [] });
  x.create('/out/empty');
  const e = x.openFileSync('/out/empty');
  e.truncate(0);
  e.close();
  assert.deepEqual([got.started, got.bytes, got.ended], [['empty'], 0, 1]);
  x.create('/out/gone');
  const g = x.openFileSync('/out/gone');
  g.write(0, new Uint8Array(SEND + 1));
  x.remove('/out/gone');
  g.close();
  assert.deepEqual([got.started, got.ended, got.aborted], [['empty', 'gone'], 1, 1]);
});

test('an upload\'s file is read from its source a piece at a time', async () => {
  const size = 3 * SEND + 17;
  const reads = [];
  let closed = 0;
  const source = {
    name: 'in.bin',
    size,
    read(offset, dest) {
      reads.push([offset, dest.length]);
      const n = Math.min(dest.length, size - offset);
      for (let i = 0; i < n; i++) dest[i] = byteAt(offset + i);
      return n;
    },
    close: () => closed++,
  };
  const x = new XferStore({ sink: () => assert.fail('nothing goes out'), pick: async () => [source] });
  const p = await x.openFile('/pick');
  assert.equal(new TextDecoder().decode(p.read(0, 100)), 'in.bin\n');
  p.close();
  assert.equal(x.stat('/in/in.bin').length, size);
  const f = x.openFileSync('/in/in.bin');
  const buf = new Uint8Array(8192);
  let bad = 0;
  let at = 0;
  for (let n; (n = f.readInto(at, buf)) > 0; at += n) for (let i = 0; i < n; i++) if (buf[i] !== byteAt(at + i)) bad++;
  assert.deepEqual([at, bad], [size, 0]);
  assert.ok(reads.every(([, len]) => len <= buf.length), 'no read asked for more than the reader wanted');
  f.close();
  x.remove('/in/in.bin');
  assert.equal(closed, 1, 'the source is closed when its file is removed');
});
