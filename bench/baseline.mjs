#!/usr/bin/env node
// Baseline benchmarks: what the bare browser mechanisms under web9 cost on this machine
// (SharedArrayBuffer round trips, postMessage requests, OPFS), measured in headless Chromium.
// Later benchmarks import measureBaseline and formatTable to print web9's figures beside these.

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchBrowser } from '../tests/web/browser.mjs';
import { startServer } from '../tools/serve.mjs';

// Where the page-side code lives on the dev server (bench/baseline-page/baseline.js).
export const baselineModule = '/bench/baseline-page/baseline.js';

/**
 * Starts the dev server (with isolation) and headless Chromium on a page of it.
 * Resolves to {page, url, browserVersion, close}. `path` is the page to open (any page
 * served by serve.mjs will do for measureBaseline).
 */
export async function openBenchPage({ path: start = '/bench/baseline-page/', server: serverOptions = {} } = {}) {
  const server = await startServer({ port: 0, ...serverOptions });
  let browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await server.close();
    throw err;
  }
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(new URL(start, server.url).href);
  return {
    page,
    url: server.url,
    browserVersion: browser.context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent)),
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Runs the baseline in `page` (which must be on a page of the dev server, cross-origin
 * isolated) and resolves to rows {name, unit, median, p10, p90, n}. Options go to
 * runBaseline in bench/baseline-page/baseline.js; `log` gets a line per step.
 */
export async function measureBaseline(page, { log = () => {}, ...options } = {}) {
  await page.exposeFunction('__web9BenchProgress', (text) => log(text)).catch(() => {});
  return page.evaluate(
    async ([moduleUrl, opts]) => {
      const { runBaseline } = await import(moduleUrl);
      return runBaseline({ ...opts, onProgress: (t) => globalThis.__web9BenchProgress?.(t) });
    },
    [baselineModule, options],
  );
}

function formatNumber(v) {
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

// Lays rows out as a plain text table: measure, median, p10, p90, unit, samples.
export function formatTable(rows, title = '') {
  const header = ['measure', 'median', 'p10', 'p90', 'unit', 'n'];
  const cells = rows.map((r) => [r.name, formatNumber(r.median), formatNumber(r.p10), formatNumber(r.p90), r.unit, String(r.n)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((v, i) => (i === 0 || i === 4 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ').trimEnd();
  return [title, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)]
    .filter((l) => l !== '')
    .join('\n');
}

const usage = `usage: node bench/baseline.mjs [--quick] [--json] [--iterations N] [--batches N]

Measures, in headless Chromium on this machine, in one run:
  SharedArrayBuffer round trip between two workers (both in Atomics.wait; server on waitAsync),
  a postMessage request answered through Atomics.wait with a small JSON reply,
  OPFS sync access handle 64 MiB sequential write and read in 64 KiB chunks,
  OPFS create/stat/remove of 1000 small files.
Round trips are the median (and 10th/90th percentile) of per-batch means.

  --quick          fewer iterations and smaller OPFS runs (a smoke test, not a measurement)
  --json           print the rows as JSON instead of a table
  --iterations N   round trips per batch (default 1000; the postMessage case uses N/5)
  --batches N      timed batches per round-trip measurement (default 40)
`;

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('-h') || args.includes('--help')) return process.stdout.write(usage);
  const flag = (name, fallback) => {
    const i = args.indexOf(name);
    return i < 0 ? fallback : Number(args[i + 1]);
  };
  const quick = args.includes('--quick');
  const plan = {
    iterations: flag('--iterations', quick ? 200 : 1000),
    batches: flag('--batches', quick ? 5 : 40),
    warmup: quick ? 1 : 3,
  };
  const opfs = quick ? { totalBytes: 4 << 20, count: 100, repeats: 1 } : {};
  const bench = await openBenchPage();
  try {
    const log = (t) => process.stderr.write(`bench: ${t}\n`);
    const rows = await measureBaseline(bench.page, { plan, opfs, log });
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify({ browser: bench.browserVersion, rows }, null, 2)}\n`);
    else process.stdout.write(`${formatTable(rows, `web9 baseline — Chromium ${bench.browserVersion}`)}\n`);
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
