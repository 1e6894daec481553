#!/usr/bin/env node
// Packs web9's boot image: the files of the root file server (a RamFs, kernel/bindings.cpp).
// Every NAME.wasm of the guest build becomes /bin/NAME; the files under shell/lib/ (if any)
// become /lib/...; /usr/glenda is made for home. Usable as a module (makeImage) by tools/web9.
//
// Format: "web9img1\n", then per file: path NUL mode NUL size NUL and size bytes; mode and size
// in decimal, mode with DMDIR (0x80000000) for a directory. Paths under /tmp/ go to /tmp.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DMDIR = 0x80000000;
const MAGIC = 'web9img1\n';

// The guest build: WEB9_WASI_BUILD, else $WEB9_BUILD/wasi, else build/wasi.
export function defaultBinDir() {
  if (process.env.WEB9_WASI_BUILD) return path.resolve(process.env.WEB9_WASI_BUILD);
  return path.resolve(repoRoot, process.env.WEB9_BUILD ?? 'build', 'wasi');
}

function walk(dir, guest, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const host = path.join(dir, e.name);
    const g = `${guest}/${e.name}`;
    if (e.isDirectory()) {
      out.push({ path: g, mode: DMDIR | 0o775, data: new Uint8Array() });
      walk(host, g, out);
    } else if (e.isFile()) {
      const mode = fs.statSync(host).mode & 0o111 ? 0o775 : 0o664;
      out.push({ path: g, mode, data: fs.readFileSync(host) });
    }
  }
}

// The entries of the standard image: /bin from binDir, /lib from shell/lib, then extra
// ({path, data, mode}) on top.
export function imageFiles({ binDir = defaultBinDir(), extra = [] } = {}) {
  if (!fs.existsSync(binDir)) throw new Error(`no guest build at ${binDir} (build it, or set WEB9_WASI_BUILD)`);
  const files = [
    { path: '/bin', mode: DMDIR | 0o775, data: new Uint8Array() },
    { path: '/lib', mode: DMDIR | 0o775, data: new Uint8Array() },
    { path: '/usr/glenda', mode: DMDIR | 0o775, data: new Uint8Array() },
  ];
  for (const name of fs.readdirSync(binDir).sort()) {
    if (!name.endsWith('.wasm')) continue;
    files.push({ path: `/bin/${name.slice(0, -5)}`, mode: 0o775, data: fs.readFileSync(path.join(binDir, name)) });
  }
  // Scripts that are programs (apps/bin/NAME, "#!/bin/rc") go into /bin beside the wasm ones.
  const scripts = path.join(repoRoot, 'apps/bin');
  if (fs.existsSync(scripts)) {
    for (const name of fs.readdirSync(scripts).sort())
      files.push({ path: `/bin/${name}`, mode: 0o775, data: fs.readFileSync(path.join(scripts, name)) });
  }
  const lib = path.join(repoRoot, 'shell/lib');
  if (fs.existsSync(lib)) walk(lib, '/lib', files);
  return [...files, ...extra];
}

export function packImage(files) {
  const enc = new TextEncoder();
  const parts = [enc.encode(MAGIC)];
  for (const f of files) {
    const data = typeof f.data === 'string' ? enc.encode(f.data) : f.data;
    parts.push(enc.encode(`${f.path}\0${(f.mode ?? 0o664) >>> 0}\0${data.length}\0`), data);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function makeImage(options) {
  return packImage(imageFiles(options));
}

const usage = `usage: node tools/mkimage.mjs [-o FILE] [--bin DIR] [--file HOST:GUEST]...

Packs web9's boot image: DIR/NAME.wasm and apps/bin/NAME become /bin/NAME, shell/lib/ becomes /lib/.
  -o FILE           where to write it (default DIR/web9.img, which tools/serve.mjs serves
                    as /build/bin/web9.img for the page)
  --bin DIR         the guest build (default $WEB9_WASI_BUILD, else \${WEB9_BUILD:-build}/wasi)
  --file HOST:GUEST add the host file HOST as GUEST (e.g. notes.txt:/usr/glenda/notes)`;

function main(args) {
  let out = null;
  let binDir = defaultBinDir();
  const extra = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-h' || a === '--help') {
      console.log(usage);
      return 0;
    } else if (a === '-o' && i + 1 < args.length) out = args[++i];
    else if (a === '--bin' && i + 1 < args.length) binDir = path.resolve(args[++i]);
    else if (a === '--file' && i + 1 < args.length) {
      const spec = args[++i];
      const colon = spec.lastIndexOf(':');
      if (colon <= 0 || !spec.slice(colon + 1).startsWith('/')) {
        console.error(`mkimage: --file wants HOST:/GUEST/PATH, not ${spec}`);
        return 2;
      }
      extra.push({ path: spec.slice(colon + 1), mode: 0o775, data: fs.readFileSync(spec.slice(0, colon)) });
    } else {
      console.error(`mkimage: unknown argument ${a}\n${usage}`);
      return 2;
    }
  }
  const image = makeImage({ binDir, extra });
  out ??= path.join(binDir, 'web9.img');
  fs.writeFileSync(out, image);
  console.log(`mkimage: ${out}: ${image.length} bytes`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(`mkimage: ${err.message}`);
    process.exitCode = 1;
  }
}
