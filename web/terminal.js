// The console on the page: an xterm.js terminal filling its element, kept fitted to it,
// with copy and paste. It turns keys into bytes and draws the bytes it is given.

import { Terminal } from './vendor/xterm/lib/xterm.mjs';
import { FitAddon } from './vendor/addon-fit/lib/addon-fit.mjs';

const encoder = new TextEncoder();

// onBinary strings carry one byte per character (mouse reports in some modes).
function binaryStringBytes(s) {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i) & 0xff;
  return bytes;
}

// Ctrl+Shift+C copies the selection, as in most terminals; so does Ctrl+C while text is
// selected (then no interrupt is sent). Ctrl+Shift+V is left to the browser, whose paste
// event xterm.js turns into input (bracketed when the program asked for it).
function clipboardKeys(term) {
  return (event) => {
    if (event.type !== 'keydown' || !event.ctrlKey || event.altKey || event.metaKey) return true;
    const key = event.key.toLowerCase();
    if (key === 'c' && (event.shiftKey || term.hasSelection())) {
      const text = term.getSelection();
      if (text) navigator.clipboard?.writeText(text).catch(() => {});
      if (!event.shiftKey) term.clearSelection();
      event.preventDefault();
      return false;
    }
    if (key === 'v' && event.shiftKey) return false;
    return true;
  };
}

export class Console {
  // onInput(bytes) gets what the user types; onResize(cols, rows) each new size.
  constructor(element, { onInput, onResize }) {
    this.term = new Terminal({
      cursorBlink: true,
      convertEol: false,
      scrollback: 5000,
      fontFamily: '"DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
      fontSize: 15,
      theme: { background: '#fffff0', foreground: '#000000', cursor: '#000000', selectionBackground: '#9eeeee' },
    });
    this.fit = new FitAddon();
    this.term.loadAddon(this.fit);
    this.term.attachCustomKeyEventHandler(clipboardKeys(this.term));
    this.term.onData((s) => onInput(encoder.encode(s)));
    this.term.onBinary((s) => onInput(binaryStringBytes(s)));
    this.term.onResize(({ cols, rows }) => onResize(cols, rows));
    this.term.open(element);
    this.fitNow();
    // The element changes size with the window, and also when fonts finish loading.
    new ResizeObserver(() => this.fitNow()).observe(element);
    this.term.focus();
  }

  fitNow() {
    try {
      this.fit.fit();
    } catch {
      // Not laid out yet (zero size); the next resize fits it.
    }
  }

  get cols() {
    return this.term.cols;
  }

  get rows() {
    return this.term.rows;
  }

  write(data) {
    this.term.write(data);
  }

  // Boot progress stays on one line, each step replacing the last, until clearProgress.
  progress(text) {
    this.term.write(`\r\x1b[2K\x1b[2m${text}\x1b[0m`);
  }

  clearProgress() {
    this.term.write('\r\x1b[2K');
  }

  // A line the user should read that is not a program's output (the home is read-only): on its
  // own line, replacing any boot progress, which goes on below it.
  notice(text) {
    this.term.write(`\r\x1b[2K${text.replaceAll('\n', '\r\n')}\r\n`);
  }

  // A message the user must see: on its own line, in red.
  error(text) {
    this.term.write(`\r\x1b[2K\x1b[1;31m${text.replaceAll('\n', '\r\n')}\x1b[0m\r\n`);
  }
}
