// tools/web9: web9 headless under Node. Boots the same kernel worker the page uses
// (web/kernel/worker.js, as a worker_threads worker) with a boot image made on the spot from the
// guest build, runs one program with this process's terminal or pipes on /dev/cons, and exits
// with the program's status. See `tools/web9 --help`.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import * as protocol from '../web/protocol.js';
import { imageFiles, packImage, defaultBinDir, repoRoot } from './mkimage.mjs';

const usage = `usage: tools/web9 [options] -c COMMAND        rc -c COMMAND
       tools/web9 [options] SCRIPT [ARG...]      rc SCRIPT ARG... (SCRIPT copied to /tmp)
       tools/web9 [options] --run PROGRAM [ARG...]  one program, no shell (PROGRAM: a path,
                                                    or a name in /bin)
       tools/web9 [options]                      rc reading commands from stdin
                                                    (interactive at a terminal)

Boots web9 headless under Node and runs a program on its console: the program's /dev/cons
reads this process's standard input (a terminal is put in raw mode and the console's line
discipline edits and echoes; anything else becomes a pipe on the program's fd 0) and writes to
standard output (with the console's "\\r\\n" turned back into "\\n" unless stdout is a terminal).
The program's fd 2 is a pipe to standard error unless stdout and stderr are both terminals.
The exit status is the program's: 0 for "", the number for a numeric status, else 1; with
--run a non-empty status is also printed on standard error.

options:
  --file HOST:GUEST   put the host file HOST into the image at GUEST (e.g. x.rc:/tmp/x.rc)
  --home DIR          the host directory that holds the persistent home, /usr/glenda ($home;
                      the first program starts there). Default $XDG_DATA_HOME/web9/home, else
                      ~/.local/share/web9/home; made if missing. A second tools/web9 on the same
                      directory sees it read-only (and says so on standard error).
  --no-home           keep the home in memory: nothing persists
  --kernel DIR        where kernel.mjs and kernel.wasm are
                      (default $WEB9_KERNEL_BUILD, else \${WEB9_BUILD:-build}/emscripten)
  --bin DIR           the guest build whose NAME.wasm become /bin/NAME
                      (default $WEB9_WASI_BUILD, else \${WEB9_BUILD:-build}/wasi)
  -h, --help          this text`;

function defaultKernelDir() {
  if (process.env.WEB9_KERNEL_BUILD) return path.resolve(process.env.WEB9_KERNEL_BUILD);
  return path.resolve(repoRoot, process.env.WEB9_BUILD ?? 'build', 'emscripten');
}

function defaultHomeDir() {
  const data = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.resolve(data, 'web9', 'home');
}

class UsageError extends Error {}

function parseArgs(args) {
  const o = { kernelDir: defaultKernelDir(), binDir: defaultBinDir(), extra: [], argv: null, run: false, home: undefined };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      if (i + 1 >= args.length) throw new UsageError(`${a} needs a value`);
      return args[++i];
    };
    if (a === '-h' || a === '--help') return { help: true };
    if (a === '--kernel') o.kernelDir = path.resolve(value());
    else if (a === '--bin') o.binDir = path.resolve(value());
    else if (a === '--home') o.home = path.resolve(value());
    else if (a === '--no-home') o.home = false;
    else if (a === '--file') {
      const spec = value();
      const colon = spec.lastIndexOf(':');
      if (colon <= 0 || !spec.slice(colon + 1).startsWith('/')) throw new UsageError(`--file wants HOST:/GUEST, not ${spec}`);
      o.extra.push({ path: spec.slice(colon + 1), mode: 0o775, data: fs.readFileSync(spec.slice(0, colon)) });
    } else if (a === '-c') {
      o.argv = ['/bin/rc', '-c', value()];
      i++;
      break;
    } else if (a === '--run') {
      const prog = value();
      o.argv = [prog.includes('/') ? prog : `/bin/${prog}`, ...args.slice(i + 1)];
      o.run = true;
      i = args.length;
      break;
    } else if (a === '--') {
      i++;
      break;
    } else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else break;
  }
  if (!o.argv && i < args.length) {
    // A script: copied into /tmp under its own name and run by rc.
    const script = args[i];
    const guest = `/tmp/${path.basename(script)}`;
    o.extra.push({ path: guest, mode: 0o775, data: fs.readFileSync(script) });
    o.argv = ['/bin/rc', guest, ...args.slice(i + 1)];
  } else if (o.argv && i < args.length && !o.run) {
    o.argv.push(...args.slice(i)); // -c COMMAND ARG...: rc's $*
  }
  o.home ??= defaultHomeDir();
  // No program: rc reads commands from stdin, prompting if it is a terminal.
  o.argv ??= process.stdin.isTTY ? ['/bin/rc', '-i'] : ['/bin/rc'];
  return o;
}

// The program's exit status as a host exit code.
function exitCode(status) {
  if (status === '') return 0;
  if (/^\d+$/.test(status)) return Number(status) & 255 || 1;
  return 1;
}

// The console writes "\r\n" for xterm; a pipe or file wants "\n". A "\r" ending one chunk waits
// for the next, which may start with its "\n".
function crlfStripper(write) {
  let held = false;
  return {
    push(bytes) {
      let s = Buffer.from(bytes).toString('latin1');
      if (held) s = `\r${s}`;
      held = s.endsWith('\r');
      if (held) s = s.slice(0, -1);
      write(Buffer.from(s.replace(/\r\n/g, '\n'), 'latin1'));
    },
    flush() {
      if (held) write(Buffer.from('\r'));
      held = false;
    },
  };
}

async function main(args) {
  let o;
  try {
    o = parseArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`web9: ${err.message}\n${usage}\n`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const kernelJs = path.join(o.kernelDir, 'kernel.mjs');
  if (!fs.existsSync(kernelJs)) {
    process.stderr.write(`web9: no kernel at ${kernelJs} (build it, or set WEB9_KERNEL_BUILD)\n`);
    return 1;
  }
  const image = packImage(imageFiles({ binDir: o.binDir, extra: o.extra }));
  if (o.home) fs.mkdirSync(o.home, { recursive: true });

  const stdin = process.stdin;
  const ttyIn = stdin.isTTY;
  const ttyOut = process.stdout.isTTY;
  // fd 2 gets a pipe of its own unless both outputs are the same terminal.
  const stderrPipe = !(ttyOut && process.stderr.isTTY);
  const out = ttyOut ? { push: (b) => process.stdout.write(b), flush() {} } : crlfStripper((b) => process.stdout.write(b));

  const kernel = new Worker(new URL('../web/kernel/worker.js', import.meta.url), { name: 'kernel' });
  return await new Promise((resolve) => {
    let code = null;
    // The home's store is closed (its metadata saved, its lock let go) before the process exits;
    // a worker that does not answer within a few seconds is not waited for.
    const done = (c) => {
      if (code !== null) return;
      code = c;
      out.flush();
      if (ttyIn) stdin.setRawMode(false);
      const timer = setTimeout(() => {
        process.stderr.write('web9: the kernel worker did not close the home directory in time\n');
        resolve(code || 1);
      }, 5000);
      kernel.once('exit', () => {
        clearTimeout(timer);
        resolve(code);
      });
      closing = () => {
        clearTimeout(timer);
        resolve(code);
      };
      kernel.postMessage(protocol.shutdown());
    };
    let closing = null;
    kernel.on('error', (err) => {
      process.stderr.write(`web9: the kernel worker failed: ${err?.stack ?? err}\n`);
      done(1);
    });
    kernel.on('message', (msg) => {
      switch (msg?.type) {
        case 'output':
          out.push(msg.data);
          break;
        case 'errput':
          // A terminal in raw mode (ttyIn) moves to column 0 only on "\r".
          process.stderr.write(ttyIn && process.stderr.isTTY ? Buffer.from(msg.data).toString('latin1').replace(/\n/g, '\r\n') : msg.data);
          break;
        case 'exit':
          if (o.run && msg.status !== '') process.stderr.write(`web9: ${o.argv[0]}: ${msg.status}\n`);
          done(exitCode(msg.status));
          break;
        case 'fatal':
          process.stderr.write(`web9: ${msg.message}\n`);
          done(1);
          break;
        case 'notice':
          process.stderr.write(`${msg.text}${ttyIn && process.stderr.isTTY ? '\r\n' : '\n'}`);
          break;
        case 'closed':
          if (msg.error) process.stderr.write(`web9: ${msg.error}\n`);
          closing?.();
          break;
        case 'ready':
        case 'progress':
          break;
        default:
          process.stderr.write(`web9: unknown message from the kernel worker: ${JSON.stringify(msg)}\n`);
      }
    });
    if (ttyOut) {
      kernel.postMessage(protocol.resize(process.stdout.columns, process.stdout.rows));
      process.stdout.on('resize', () => kernel.postMessage(protocol.resize(process.stdout.columns, process.stdout.rows)));
    }
    kernel.postMessage(protocol.boot(pathToFileURL(kernelJs).href, image, o.argv, { stdinPipe: !ttyIn, stderrPipe, home: o.home }), [image.buffer]);
    if (ttyIn) stdin.setRawMode(true);
    stdin.on('data', (chunk) => {
      const data = new Uint8Array(chunk); // a copy: Buffers share a pool that must not be transferred
      kernel.postMessage(ttyIn ? protocol.input(data) : protocol.stdin(data), [data.buffer]);
    });
    stdin.on('end', () => {
      if (!ttyIn) kernel.postMessage(protocol.stdinEnd());
    });
    stdin.on('error', () => {});
  });
}

try {
  const code = await main(process.argv.slice(2));
  // Worker threads would keep Node alive; stdout to a pipe or file is written synchronously.
  process.exit(code);
} catch (err) {
  process.stderr.write(`web9: ${err?.message ?? err}\n`);
  process.exit(1);
}
