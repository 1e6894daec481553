// rc at the console in Chromium, as a person uses it: the page boots `rc -l -i` on the real
// kernel, keys are pressed through the page's keyboard (xterm.js turns them into the bytes and
// escape sequences a terminal sends) and the screen is read back from xterm.js's buffer. It
// covers rc's line editor (shell/lineedit.cpp): cursor movement and fixing a typo, ^U and ^W,
// history with up/down kept in $home/lib/history across a reload, tab completion of a command
// and of a path, ^C at the prompt and during a running program, $prompt, and the login profile
// ($home/lib/profile) read at the next boot. The home lives in OPFS, so a reload keeps it.
// Build dirs as in e2e.test.mjs (WEB9_KERNEL_BUILD, WEB9_WASI_BUILD, WEB9_BUILD).
//
//   node --test tests/runtime/interactive.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser, waitForState, terminalLines, waitForTerminal, cursorLine } from '../web/browser.mjs';
import { makeImage } from '../../tools/mkimage.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const wasiDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));
const programs = ['rc', 'echo', 'cat', 'mkdir', 'sleep'];

let tmp = null;
process.on('exit', () => tmp && fs.rmSync(tmp, { recursive: true, force: true }));
function why() {
  if (!fs.existsSync(path.join(kernelDir, 'kernel.mjs'))) return `no kernel build at ${kernelDir}`;
  const missing = programs.filter((n) => !fs.existsSync(path.join(wasiDir, `${n}.wasm`)));
  return missing.length ? `not built in ${wasiDir}: ${missing.join(' ')}` : false;
}
const skip = why();

let b;
let prompt = '%'; // the prompt as the screen shows it (trailing blanks trimmed)

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-interactive-'));
  const binDir = path.join(tmp, 'bin');
  fs.mkdirSync(binDir);
  fs.writeFileSync(path.join(binDir, 'web9.img'), makeImage({ binDir: wasiDir }));
  b = await openBrowser({ server: { webDir: path.join(root, 'web'), kernelDir, binDir } });
});

after(async () => {
  await b?.close();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const waitForLines = (ok, timeout = 10000) => waitForTerminal(b.page, ok, timeout);

// The prompt with nothing typed after it, on the last line.
const atPrompt = (lines) => lines.at(-1)?.trimEnd() === prompt;

// The line the cursor is on, as the screen shows it.
async function currentLine() {
  const lines = await terminalLines(b.page);
  return (lines[await cursorLine(b.page)] ?? '').trimEnd();
}

// Waits until the cursor's line reads `text` (the editor redraws asynchronously).
async function expectLine(text) {
  const deadline = Date.now() + 5000;
  let line;
  do {
    line = await currentLine();
    if (line === text) return;
    await sleep(25);
  } while (Date.now() < deadline);
  assert.equal(line, text);
}

// Presses Enter on what is typed so far, checks the screen showed the command line as `shown`
// (prompt and all), waits for the next prompt and answers the lines printed in between.
async function enter(shown, timeout = 10000) {
  await expectLine(shown);
  const at = await cursorLine(b.page);
  await b.page.keyboard.press('Enter');
  const lines = await waitForLines((l) => l.length > at + 1 && atPrompt(l), timeout);
  assert.equal(lines[at].trimEnd(), shown);
  return lines.slice(at + 1, -1).map((l) => l.trimEnd());
}

async function run(command, timeout) {
  await b.page.keyboard.type(command);
  return enter(`${prompt} ${command}`, timeout);
}

async function press(...keys) {
  for (const k of keys) await b.page.keyboard.press(k);
}

async function boot() {
  await b.page.goto(b.url);
  assert.equal(await waitForState(b.page, ['ready', 'failed', 'unsupported'], 20000), 'ready');
  await b.page.locator('.xterm-helper-textarea').focus();
  await waitForLines(atPrompt, 20000);
}

test('the line editor moves the cursor and fixes a typo in place', { skip }, async () => {
  await boot();
  // "ech o hi": back over " hi" and the o, erase the stray blank, run.
  await b.page.keyboard.type('ech o hi');
  await press('ArrowLeft', 'ArrowLeft', 'ArrowLeft', 'ArrowLeft', 'Backspace');
  assert.deepEqual(await enter('% echo hi'), ['hi']);
  // Home and End, then ^A and ^E; ArrowRight after ArrowLeft.
  await b.page.keyboard.type('cho x');
  await press('Home');
  await b.page.keyboard.type('e');
  await press('End');
  await b.page.keyboard.type('y');
  assert.deepEqual(await enter('% echo xy'), ['xy']);
  await b.page.keyboard.type('cho 1');
  await press('Control+A');
  await b.page.keyboard.type('e');
  await press('Control+E');
  await b.page.keyboard.type('2');
  await press('ArrowLeft', 'ArrowLeft', 'ArrowRight');
  await b.page.keyboard.type('-');
  assert.deepEqual(await enter('% echo 1-2'), ['1-2']);
});

test('a line longer than the terminal is wide is edited across its rows', { skip }, async () => {
  const cols = await b.page.evaluate(() => globalThis.web9.console.term.cols);
  const long = 'x'.repeat(cols + 10);
  // "ech" and a long word; back to the start to finish the command's name, then to the end.
  await b.page.keyboard.type(`ech ${long} en`);
  await press('Home', 'ArrowRight', 'ArrowRight', 'ArrowRight');
  await b.page.keyboard.type('o');
  await press('End');
  await b.page.keyboard.type('d');
  const before = await terminalLines(b.page);
  const top = before.findLastIndex((l) => l.startsWith('% ech'));
  await press('Enter');
  const lines = await waitForLines((l) => l.length > top + 3 && atPrompt(l));
  // The rows from the prompt down read as the whole line, then echo's output.
  const shown = `% echo ${long} end`;
  const rows = Math.ceil(shown.length / cols);
  assert.equal(lines.slice(top, top + rows).join(''), shown, lines.join('\n'));
  assert.equal(lines.slice(top + rows, -1).join(''), `${long} end`, lines.join('\n'));
});

test('^U erases the line and ^W the word before the cursor', { skip }, async () => {
  await b.page.keyboard.type('rm -rf everything');
  await press('Control+U');
  await expectLine('%');
  await b.page.keyboard.type('echo u');
  assert.deepEqual(await enter('% echo u'), ['u']);
  await b.page.keyboard.type('echo a wrong');
  await press('Control+W');
  await expectLine('% echo a');
  await b.page.keyboard.type('w');
  assert.deepEqual(await enter('% echo a w'), ['a w']);
});

test('up and down walk the history', { skip }, async () => {
  await press('ArrowUp');
  await expectLine('% echo a w');
  await press('ArrowUp');
  await expectLine('% echo u');
  await press('ArrowUp', 'ArrowDown');
  await expectLine('% echo u');
  await press('ArrowDown');
  await expectLine('% echo a w');
  // Below the newest entry is the line being typed before browsing.
  await press('ArrowDown');
  await expectLine('%');
  await b.page.keyboard.type('echo typed');
  await press('ArrowUp', 'ArrowDown');
  await expectLine('% echo typed');
  await press('Control+U', 'ArrowUp', 'ArrowUp');
  assert.deepEqual(await enter('% echo u'), ['u']);
});

test('tab completes a command from $path and a path from the directory', { skip }, async () => {
  assert.deepEqual(await run('mkdir -p $home/tabdir; echo in file >$home/tabdir/onlyfile; cd $home'), []);
  await b.page.keyboard.type('ec');
  await press('Tab');
  await expectLine('% echo');
  await b.page.keyboard.type('completed');
  assert.deepEqual(await enter('% echo completed'), ['completed']);
  await b.page.keyboard.type('cat tabd');
  await press('Tab');
  await expectLine('% cat tabdir/');
  await press('Tab');
  assert.deepEqual(await enter('% cat tabdir/onlyfile'), ['in file']);
  await b.page.keyboard.type('cat /usr/glenda/tabdir/on');
  await press('Tab');
  assert.deepEqual(await enter('% cat /usr/glenda/tabdir/onlyfile'), ['in file']);
});

test('^C at the prompt drops the line; during sleep 100 it stops sleep, not rc', { skip }, async () => {
  await b.page.keyboard.type('echo never');
  const at = await cursorLine(b.page);
  await press('Control+C');
  const lines = await waitForLines((l) => l.length > at + 1 && atPrompt(l));
  assert.ok(!lines.some((l) => l.trim() === 'never'), lines.join('\n'));
  assert.deepEqual(await run('echo after'), ['after']);

  const t0 = Date.now();
  await b.page.keyboard.type('sleep 100');
  // The line must be on the screen before Enter: until rc has echoed it the last line is still
  // the bare prompt, and the loop below would take that for rc being back.
  await waitForLines((l) => l.at(-1)?.trimEnd() === `${prompt} sleep 100`);
  await press('Enter');
  // A ^C that reaches the console before sleep runs is rc's (it drops nothing and prompts
  // again); press until the prompt is back.
  for (let i = 0; i < 20 && !atPrompt(await terminalLines(b.page)); i++) {
    await sleep(300);
    await press('Control+C');
    await sleep(200);
  }
  await waitForLines(atPrompt, 5000);
  assert.ok(Date.now() - t0 < 15000, 'sleep 100 was not interrupted');
  assert.deepEqual(await run('echo status $status'), ['status interrupt']);
});

test('$prompt sets the prompt', { skip }, async () => {
  await b.page.keyboard.type("prompt=('web9; ' '	')");
  await press('Enter');
  prompt = 'web9;';
  await waitForLines(atPrompt);
  assert.deepEqual(await run('echo new prompt'), ['new prompt']);
  await b.page.keyboard.type('echo ');
  await press('Control+A', 'Control+E');
  assert.deepEqual(await enter('web9; echo'), ['']);
});

test('history and the login profile outlive a reload', { skip, timeout: 40000 }, async () => {
  // The profile is written with rc's own quoting: '' is a quote inside quotes.
  const profile = "fn hi {echo hi from profile}; prompt=('glenda% ' ' ')";
  assert.deepEqual(await run('mkdir -p $home/lib'), []);
  assert.deepEqual(await run(`echo '${profile.replaceAll("'", "''")}' >$home/lib/profile`), []);
  assert.deepEqual(await run('echo remember me'), ['remember me']);
  // A token handed to /net/web never reaches the history file.
  assert.deepEqual(await run('echo token example.com s3cret-token >/net/web/ctl'), []);
  prompt = 'glenda%';
  await boot();
  assert.deepEqual(await run('hi'), ['hi from profile']);
  await press('ArrowUp', 'ArrowUp');
  assert.deepEqual(await enter('glenda% echo remember me'), ['remember me']);
  assert.deepEqual(await run("grep -c 's3cret[-]token' $home/lib/history"), ['0']);
  assert.deepEqual(b.errors, []);
});
