// Makes sure the browser gives web9 what it needs: cross-origin isolation (installing the
// service worker that adds the headers when the server did not send them) and the APIs below.

const reloadKey = 'web9.isolation-reload';

// What web9 needs, and why, in words a person reads when one is missing.
const requirements = [
  {
    name: 'SharedArrayBuffer',
    why: 'the kernel and each process share memory to pass system calls',
    present: () => typeof SharedArrayBuffer === 'function',
  },
  {
    name: 'Atomics',
    why: 'a process waits for the reply to its system call with Atomics.wait',
    present: () => typeof Atomics === 'object' && typeof Atomics.wait === 'function',
  },
  {
    name: 'WebAssembly',
    why: 'the kernel and every program are WebAssembly modules',
    present: () => typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function',
  },
  {
    name: 'Worker',
    why: 'the kernel and each process run in a worker of their own',
    present: () => typeof Worker === 'function',
  },
  {
    name: 'Origin private file system (navigator.storage.getDirectory)',
    why: 'your home directory is kept there so that it survives a reload',
    present: async () => {
      if (typeof navigator.storage?.getDirectory !== 'function') return false;
      try {
        await navigator.storage.getDirectory();
        return true;
      } catch {
        return false;
      }
    },
  },
];

const isolationProblem = {
  name: 'Cross-origin isolation (crossOriginIsolated is false)',
  why:
    'without it the browser withholds SharedArrayBuffer. The server must send ' +
    '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp" ' +
    "with the page, or web9's service worker (sw.js) must be allowed to add them",
};

const secureContextProblem = {
  name: 'Secure context',
  why:
    'service workers, the origin private file system and cross-origin isolation are only given ' +
    'to pages served over https or from localhost',
};

// Resolves once the registration has an active worker, or rejects after `ms`.
function activeWithin(registration, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the service worker did not activate')), ms);
    const check = () => {
      if (!registration.active) return false;
      clearTimeout(timer);
      resolve();
      return true;
    };
    if (check()) return;
    const pending = registration.installing ?? registration.waiting;
    if (!pending) return reject(new Error('the service worker is not installing'));
    pending.addEventListener('statechange', () => {
      if (pending.state === 'redundant') {
        clearTimeout(timer);
        reject(new Error('the service worker failed to install'));
      } else check();
    });
  });
}

// Registers sw.js and reloads once so the page comes back through it with the isolation
// headers. Returns true if a reload is under way. The session flag stops a reload loop when
// the worker cannot help (a hard reload bypasses it, or the browser refuses it).
async function isolateWithServiceWorker() {
  if (!window.isSecureContext || !('serviceWorker' in navigator)) return false;
  if (sessionStorage.getItem(reloadKey)) return false;
  try {
    // Beside the page, not beside this module: tools/serve.mjs serves the modules under a versioned
    // path (/v/VERSION/), and a worker registered there could not control the page.
    const registration = await navigator.serviceWorker.register(new URL('sw.js', location.href));
    if (!registration) throw new Error('the browser gave no registration');
    await activeWithin(registration, 10000);
  } catch (err) {
    console.warn('web9: the service worker cannot isolate this page:', err.message);
    return false;
  }
  sessionStorage.setItem(reloadKey, String(Date.now()));
  location.reload();
  return true;
}

// Resolves to {ok: true}, {reloading: true}, or {ok: false, missing: [{name, why}]}.
export async function checkBrowser() {
  if (window.crossOriginIsolated) sessionStorage.removeItem(reloadKey);
  else if (await isolateWithServiceWorker()) return { reloading: true };

  const missing = [];
  if (!window.isSecureContext) missing.push(secureContextProblem);
  if (!window.crossOriginIsolated) missing.push(isolationProblem);
  for (const req of requirements) if (!(await req.present())) missing.push(req);
  return missing.length ? { ok: false, missing } : { ok: true };
}

// Replaces the page's content with a plain account of what is missing.
export function showMissing(root, missing) {
  root.replaceChildren();
  const box = document.createElement('div');
  box.className = 'unsupported';
  box.setAttribute('role', 'alert');
  const title = document.createElement('h1');
  title.textContent = 'web9 cannot start in this browser';
  const intro = document.createElement('p');
  intro.textContent = 'It needs these, which this page does not have:';
  const list = document.createElement('ul');
  for (const { name, why } of missing) {
    const item = document.createElement('li');
    const strong = document.createElement('strong');
    strong.textContent = name;
    item.append(strong, ` — ${why}.`);
    list.append(item);
  }
  const hint = document.createElement('p');
  hint.textContent =
    'A current Chrome, Edge or Firefox has all of them when the page is served with the ' +
    'isolation headers (run "node tools/serve.mjs") or from a host where the service worker may run.';
  box.append(title, intro, list, hint);
  root.append(box);
}
