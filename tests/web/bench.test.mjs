// The baseline benchmark's code still runs end to end (a tiny plan: a smoke test, not figures).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBenchPage, measureBaseline, formatTable } from '../../bench/baseline.mjs';

test('the baseline benchmark measures every figure in one run', async () => {
  const bench = await openBenchPage();
  try {
    const rows = await measureBaseline(bench.page, {
      plan: { iterations: 50, batches: 3, warmup: 1 },
      opfs: { totalBytes: 1 << 20, chunkBytes: 64 << 10, count: 20, repeats: 1 },
    });
    assert.deepEqual(
      rows.map((r) => r.unit),
      ['µs', 'µs', 'µs', 'MB/s', 'MB/s', 'ops/s', 'ops/s', 'ops/s'],
    );
    for (const r of rows) assert.ok(Number.isFinite(r.median) && r.median > 0, `${r.name}: ${r.median}`);
    const table = formatTable(rows, 'title');
    assert.match(table, /SAB round trip, both workers in Atomics\.wait/);
    assert.equal(table.split('\n').length, rows.length + 3);
  } finally {
    await bench.close();
  }
});
