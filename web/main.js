// The page's entry point: checks the browser, draws the console and starts the kernel worker,
// then only forwards bytes and sizes between the two (protocol.js says what crosses).

import { checkBrowser, showMissing } from './isolation.js';
import * as protocol from './protocol.js';

// terminal.js brings xterm.js, the page's largest script: it loads while the kernel boots.
const terminalLoading = import('./terminal.js');

const root = document.getElementById('web9');

// The first program: a login shell, or what ?init=PROGRAM+ARGS names (for trying one program
// before there is a shell, and for tests). Its argv[0] is the path it is started from.
const firstProgram = new URLSearchParams(location.search).get('init')?.trim().split(/\s+/) ?? ['/bin/rc', '-l', '-i'];

// The page's state, for people and tests: checking, unsupported, booting, ready, exited or failed.
function setState(state) {
  document.documentElement.dataset.web9State = state;
}

// Asks for the worker script first: a worker that fails to load reports only an anonymous
// error event, and the user should learn which file is missing.
async function workerScriptProblem(url) {
  try {
    const res = await fetch(url, { method: 'HEAD', cache: 'no-store' });
    return res.ok ? null : `${url.pathname} answered HTTP ${res.status} ${res.statusText}`.trim();
  } catch (err) {
    return `${url.pathname} could not be fetched (${err.message})`;
  }
}

// --- files in and out (docs/opfs.md, "Files in and out") ---

// The files of a list as the kernel worker takes them: the File objects themselves (a File is
// a reference to bytes the browser keeps; the worker reads a slice at a time).
const asFiles = (list) => [...list].map((file) => ({ name: file.name, file }));

// Downloads being received (protocol.downloadStart/Data/End): id -> {name, parts}. Each piece
// becomes a Blob at once, so the page keeps references to the browser's blob storage, not the
// bytes; the whole is one Blob made of those when the download ends.
const downloads = new Map();

function receiveDownload(msg) {
  if (msg.type === 'downloadStart') downloads.set(msg.id, { name: msg.name, parts: [] });
  else if (msg.type === 'downloadData') downloads.get(msg.id)?.parts.push(new Blob([msg.data]));
  else {
    const d = downloads.get(msg.id);
    downloads.delete(msg.id);
    if (d && msg.ok) save(d.name, new Blob(d.parts));
  }
}

// The browser saves name with blob behind a link with a download attribute.
function save(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// The hidden file input upload uses, and the bar that asks the user to press "Choose files"
// (a file dialog opens only on a click); cancelling answers the upload with no files.
function uploadChooser(getWorker) {
  const input = document.createElement('input');
  input.type = 'file';
  input.multiple = true;
  input.id = 'upload-input';
  input.hidden = true;
  const bar = document.createElement('div');
  bar.id = 'upload-bar';
  bar.className = 'upload-bar';
  bar.hidden = true;
  bar.append('upload: ');
  const choose = document.createElement('button');
  choose.textContent = 'Choose files…';
  const cancel = document.createElement('button');
  cancel.textContent = 'Cancel';
  bar.append(choose, ' ', cancel);
  document.body.append(input, bar);
  let id = 0;
  const answer = (files) => {
    bar.hidden = true;
    getWorker()?.postMessage(protocol.picked(id, files));
  };
  choose.onclick = () => input.click();
  cancel.onclick = () => answer([]);
  input.addEventListener('cancel', () => answer([]));
  input.addEventListener('change', () => {
    const files = asFiles(input.files);
    input.value = '';
    answer(files);
  });
  return (askId) => {
    id = askId;
    bar.hidden = false;
    choose.focus();
  };
}

let askForFiles = null;

let dropShown = false; // a drop's progress line is on the terminal

function handleKernelMessage(con, msg) {
  switch (msg?.type) {
    case 'downloadStart':
    case 'downloadData':
    case 'downloadEnd':
      receiveDownload(msg);
      break;
    case 'pick':
      askForFiles(msg.id);
      break;
    case 'dropProgress': {
      dropShown = true;
      const mb = (n) => (n / 1048576).toFixed(1);
      con.write(`\rdrop ${msg.name}: ${mb(msg.at)} of ${mb(msg.size)} MB (${Math.floor((100 * msg.at) / msg.size)}%)\x1b[K`);
      break;
    }
    case 'dropped':
      if (dropShown) con.write('\r\x1b[K');
      dropShown = false;
      if (msg.error) con.notice(`drop: ${msg.error}`);
      else con.notice(`drop: ${msg.names.map((n) => `$home/upload/${n}`).join(' ')}`);
      break;
    case 'output':
      con.write(msg.data);
      break;
    case 'progress':
      con.progress(msg.text);
      break;
    case 'notice':
      // E.g. the home is read-only because another tab owns it: one line, kept above the shell.
      con.notice(msg.text);
      console.warn(msg.text);
      break;
    case 'ready':
      con.clearProgress();
      setState('ready');
      break;
    case 'exit':
      // The first program (the shell) ended: say so; reloading the page boots again.
      con.write(`\r\n[web9: ${firstProgram[0]} exited${msg.status ? `: ${msg.status}` : ''}; reload to boot again]\r\n`);
      setState('exited');
      break;
    case 'fatal':
      con.error(`web9: the kernel stopped: ${msg.message}`);
      setState('failed');
      break;
    case 'workerError':
      con.error(`web9: ${msg.message}`);
      setState('failed');
      break;
    default:
      console.warn('web9: unknown message from the kernel worker:', msg);
  }
}

// Starts the kernel worker and boots it at once; what it says before the console is drawn waits
// in a queue until attach(con). Answers {worker, attach}.
function startKernel() {
  const url = new URL(protocol.kernelWorkerPath, document.baseURI);
  // index.html has usually started it already.
  const started = globalThis.web9Kernel;
  delete globalThis.web9Kernel;
  const worker = started ?? new Worker(url, { type: 'module', name: 'kernel' });
  let con = null;
  const queue = []; // messages (and errors) that came before the console
  const handle = (msg) => (con ? handleKernelMessage(con, msg) : queue.push(msg));
  worker.onmessage = (e) => handle(e.data);
  for (const msg of worker.early?.splice(0) ?? []) handle(msg); // what it said before main.js ran
  worker.onmessageerror = () => handle({ type: 'fatal', message: 'a message from the kernel worker could not be read' });
  const onError = async (e) => {
    e.preventDefault();
    // A worker that fails to load reports only an anonymous error event: ask for the script to
    // tell the user which file is missing.
    const problem = await workerScriptProblem(url);
    const where = e.filename ? ` (${new URL(e.filename).pathname}:${e.lineno})` : '';
    const message = problem
      ? `cannot start the kernel worker: ${problem}.\nIs the system built and served by tools/serve.mjs?`
      : `the kernel worker failed: ${e.message || 'it could not be loaded'}${where}`;
    handle({ type: 'workerError', message });
  };
  worker.onerror = onError;
  if (worker.failed) onError(worker.failed);
  // The kernel and the boot image (tools/mkimage.mjs) as tools/serve.mjs serves the builds.
  const kernel = new URL('build/kernel/kernel.mjs', document.baseURI).href;
  const image = new URL('build/bin/web9.img', document.baseURI).href;
  worker.postMessage(protocol.boot(kernel, image, firstProgram));
  return {
    worker,
    attach(console) {
      con = console;
      worker.postMessage(protocol.resize(con.cols, con.rows));
      if (document.documentElement.dataset.web9State === 'booting') con.progress('web9: starting the kernel…');
      for (const msg of queue.splice(0)) handleKernelMessage(con, msg);
    },
  };
}

async function boot() {
  setState('checking');
  // When index.html could start the kernel worker (the page is cross-origin isolated, the usual
  // case), it boots at once and the other requirements are checked while it loads.
  let kernel = globalThis.web9Kernel ? startKernel() : null;
  const check = await checkBrowser();
  if (check.reloading) return;
  if (!check.ok) {
    kernel?.worker.terminate();
    showMissing(root, check.missing);
    setState('unsupported');
    return;
  }
  kernel ??= startKernel();
  const { worker } = kernel;
  if (document.documentElement.dataset.web9State === 'checking') setState('booting');
  const { Console } = await terminalLoading;
  const con = new Console(root, {
    onInput: (bytes) => protocol.postBytes(worker, protocol.input(bytes)),
    onResize: (cols, rows) => worker.postMessage(protocol.resize(cols, rows)),
  });
  askForFiles = uploadChooser(() => worker);
  // Files dropped anywhere on the terminal go into $home/upload.
  root.addEventListener('dragover', (e) => {
    if (e.dataTransfer?.types?.includes('Files')) e.preventDefault();
  });
  root.addEventListener('drop', (e) => {
    const list = [...(e.dataTransfer?.files ?? [])];
    if (!list.length) return;
    e.preventDefault();
    worker.postMessage(protocol.drop(asFiles(list)));
  });
  kernel.attach(con);
  // For debugging from the browser console, and for tests.
  globalThis.web9 = { console: con, worker };
}

boot().catch((err) => {
  console.error(err);
  root.textContent = `web9 failed to start: ${err.message}`;
  setState('failed');
});
