// Builds a foreign test program (tests/apps/foreign/NAME.c) with clang-14 for wasm32-wasi
// against wasi-libc alone, as any outside toolchain would, into a fresh temporary directory.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// Returns {file, dir} of the built .wasm, or {why} when clang cannot build it.
export function buildForeign(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-foreign-'));
  const file = path.join(dir, `${name}.wasm`);
  const r = spawnSync('clang-14', ['--target=wasm32-wasi', '-O2', '-Wall', '-Werror', '-o', file, path.join(here, `${name}.c`)],
    { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { why: r.error ? r.error.message : r.stderr.trim() };
  }
  return { file, dir };
}
