#!/usr/bin/env node
// OpfsStore (web/kernel/opfs.js) against bare OPFS sync access handles, in one run of headless
// Chromium: 64 MiB sequential write and read, and create/stat/remove of 1,000 small files.

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openBenchPage } from './baseline.mjs';

const usage = `usage: node bench/opfs.mjs [--quick] [--json] [--mib N] [--count N]

Measures in headless Chromium, in one dedicated worker and one run, the same work through
OpfsStore (web/kernel/opfs.js, the home directory's store) and on bare OPFS:
  sequential write (with the final flush) and read of N MiB in 64 KiB chunks,
  create, stat and remove of COUNT empty files,
  create + write 1 byte + flush + close of COUNT files.
Bare small files use the async OPFS API (getFileHandle, getFile, removeEntry); OpfsStore's
create/stat/remove are journal records and need no OPFS call until a file is opened.
The ratio is OpfsStore's time over bare time (below 1: OpfsStore is faster).

  --quick     4 MiB and 100 files (a smoke test, not a measurement)
  --json      print the figures as JSON
  --mib N     size of the sequential file (default 64)
  --count N   number of small files (default 1000)
`;

export async function measureOpfs(page, { totalBytes, count, log = () => {} }) {
  await page.exposeFunction('__opfsBenchProgress', (t) => log(t)).catch(() => {});
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'yes');
  return page.evaluate((o) => runOpfsBench(o), { totalBytes, count });
}

// Rows {name, unit, bare, store, ratio} from the worker's times.
export function opfsRows(r) {
  const mb = r.totalBytes / 1e6;
  const rows = [];
  const speed = (name, bareMs, storeMs) =>
    rows.push({ name, unit: 'MB/s', bare: mb / (bareMs / 1000), store: mb / (storeMs / 1000), ratio: storeMs / bareMs });
  const ops = (name, bareMs, storeMs) =>
    rows.push({ name, unit: 'ops/s', bare: r.count / (bareMs / 1000), store: r.count / (storeMs / 1000), ratio: storeMs / bareMs });
  speed(`write ${r.totalBytes >> 20} MiB sequential`, r.bareSeq.write, r.storeSeq.write);
  speed(`read ${r.totalBytes >> 20} MiB sequential`, r.bareSeq.read, r.storeSeq.read);
  ops(`create ${r.count} files`, r.bareSmall.create, r.storeSmall.create);
  ops(`stat ${r.count} files`, r.bareSmall.stat, r.storeSmall.stat);
  ops(`remove ${r.count} files`, r.bareSmall.remove, r.storeSmall.remove);
  ops(`create+write+flush ${r.count} files`, r.bareSmall.written, r.storeSmall.written);
  return rows;
}

function fmt(v) {
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function formatOpfsTable(rows, title) {
  const header = ['measure', 'bare', 'OpfsStore', 'unit', 'time ratio'];
  const cells = rows.map((r) => [r.name, fmt(r.bare), fmt(r.store), r.unit, `${r.ratio.toFixed(2)}x`]);
  const w = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((v, i) => (i === 0 || i === 3 ? v.padEnd(w[i]) : v.padStart(w[i]))).join('  ').trimEnd();
  return [title, line(header), w.map((n) => '-'.repeat(n)).join('  '), ...cells.map(line)].join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('-h') || args.includes('--help')) return process.stdout.write(usage);
  const flag = (name, fallback) => {
    const i = args.indexOf(name);
    return i < 0 ? fallback : Number(args[i + 1]);
  };
  const quick = args.includes('--quick');
  const totalBytes = flag('--mib', quick ? 4 : 64) << 20;
  const count = flag('--count', quick ? 100 : 1000);
  const bench = await openBenchPage({ path: '/bench/opfs-page/' });
  try {
    const r = await measureOpfs(bench.page, { totalBytes, count, log: (t) => process.stderr.write(`bench: ${t}\n`) });
    const rows = opfsRows(r);
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify({ browser: bench.browserVersion, rows }, null, 2)}\n`);
    else process.stdout.write(`${formatOpfsTable(rows, `web9 OPFS store vs bare OPFS — Chromium ${bench.browserVersion}`)}\n`);
  } finally {
    await bench.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    process.stderr.write(`bench: ${err.stack ?? err}\n`);
    process.exit(1);
  });
}
