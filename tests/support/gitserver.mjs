// A real git smart-HTTP server for tests: node:http on 127.0.0.1 (a free port) running
// `git http-backend` as CGI over bare repositories in a temporary directory, as FACTS.md
// describes. It can ask for a token (Basic auth, 401 with WWW-Authenticate otherwise), go down
// (refuse connections, or cut responses off part-way), and make bare repositories with
// generated files.
//
//   const git = await startGitServer({ token: 'sekrit' });
//   git.makeRepo('r', { files: 3 });      // → git.url('r') = http://127.0.0.1:PORT/r.git
//   git.down('cut'); git.down('refuse'); await git.up();
//   await git.close();

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';

const GIT = '/usr/bin/git';

// The Basic credentials a token makes, as /net/web sends them (and GitHub takes them).
export function tokenAuthorization(token) {
  return `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
}

function gitEnv(extra = {}) {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: os.tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'web9 test',
    GIT_AUTHOR_EMAIL: 'test@web9.invalid',
    GIT_COMMITTER_NAME: 'web9 test',
    GIT_COMMITTER_EMAIL: 'test@web9.invalid',
    ...extra,
  };
}

/**
 * Starts the server. Options:
 *   token   if set, every request must carry Basic credentials whose password is the token
 *           (any user name), else 401 with WWW-Authenticate
 * Resolves to {url(name), port, root, requests, makeRepo(name, {files}), down(mode), up(), close()}.
 * requests holds {method, url, authorization, gitProtocol, contentType} for each request seen.
 */
export async function startGitServer({ token = null } = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-git-'));
  const requests = [];
  const sockets = new Set();
  let mode = null; // null: up; 'cut': responses stop part-way; 'refuse': not listening

  const handle = (req, res) => {
    const u = new URL(req.url, 'http://localhost');
    requests.push({
      method: req.method,
      url: req.url,
      authorization: req.headers.authorization ?? null,
      gitProtocol: req.headers['git-protocol'] ?? null,
      contentType: req.headers['content-type'] ?? null,
    });
    if (token !== null) {
      const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const pass = m ? Buffer.from(m[1], 'base64').toString().split(':').slice(1).join(':') : null;
      if (pass !== token) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="web9 test git"', 'Content-Type': 'text/plain' });
        return res.end('authentication required\n');
      }
    }
    const env = gitEnv({
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(u.pathname),
      QUERY_STRING: u.search.slice(1),
      REQUEST_METHOD: req.method,
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      GIT_PROTOCOL: req.headers['git-protocol'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
      REMOTE_USER: token !== null ? 'web9' : '',
    });
    if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding'] !== undefined) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    const cgi = spawn(GIT, ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(cgi.stdin);
    cgi.stdin.on('error', () => {});
    let head = Buffer.alloc(0);
    let sent = false;
    let bodyBytes = 0;
    cgi.stdout.on('data', (chunk) => {
      if (!sent) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        let status = 200;
        let text = 'OK';
        const headers = {};
        for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
          const colon = line.indexOf(':');
          if (colon < 0) continue;
          const name = line.slice(0, colon).trim();
          const value = line.slice(colon + 1).trim();
          if (name.toLowerCase() === 'status') {
            status = Number.parseInt(value, 10);
            text = value.replace(/^\d+\s*/, '') || http.STATUS_CODES[status] || '';
          } else headers[name] = value;
        }
        res.writeHead(status, text, headers);
        sent = true;
        chunk = head.subarray(end + 4);
      }
      if (mode === 'cut' && bodyBytes + chunk.length > 16) {
        // Part of the body, then the connection goes.
        res.write(chunk.subarray(0, Math.max(0, 16 - bodyBytes)));
        res.socket?.destroy();
        cgi.kill();
        return;
      }
      bodyBytes += chunk.length;
      if (chunk.length) res.write(chunk);
    });
    cgi.stderr.on('data', () => {});
    cgi.on('close', () => {
      if (!sent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        return res.end('git http-backend failed\n');
      }
      res.end();
    });
  };

  const server = http.createServer(handle);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (port) =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve(server.address().port);
      });
    });
  const port = await listen(0);

  const destroyAll = () => {
    for (const s of sockets) s.destroy();
  };

  return {
    port,
    root,
    requests,
    url: (name) => `http://127.0.0.1:${port}/${name}.git`,

    // A bare repository name.git holding one commit of files (file1.txt ... fileN.txt, each a few
    // lines) on main. Answers the commit's id.
    makeRepo(name, { files = 1 } = {}) {
      const bare = path.join(root, `${name}.git`);
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-gitwork-'));
      const git = (cwd, ...args) => execFileSync(GIT, args, { cwd, env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
      try {
        git(root, 'init', '-q', '--bare', '-b', 'main', bare);
        git(bare, 'config', 'http.receivepack', 'true');
        git(work, 'init', '-q', '-b', 'main');
        for (let i = 1; i <= files; i++) fs.writeFileSync(path.join(work, `file${i}.txt`), `file ${i}\n`.repeat(i));
        git(work, 'add', '-A');
        git(work, 'commit', '-q', '-m', `${files} files`);
        git(work, 'push', '-q', bare, 'main');
        return git(work, 'rev-parse', 'HEAD');
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    },

    // 'cut': responses stop after a few bytes of body and the connection is destroyed (open
    // connections are destroyed now); 'refuse': the server stops listening, so connections are
    // refused.
    down(how = 'refuse') {
      mode = how;
      destroyAll();
      if (how === 'refuse') server.close();
    },
    async up() {
      if (mode === 'refuse') await listen(port);
      mode = null;
    },
    async close() {
      destroyAll();
      await new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Runs an rc command line in web9 (tools/web9 with args before -c, e.g. --home DIR) and resolves
 * to {status, stdout, stderr}. Asynchronous on purpose: a git server started by startGitServer
 * answers from the same Node process, so a spawnSync would wait on itself.
 */
export function runWeb9(web9, args, command, { timeout = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(web9, [...args, '-c', command]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
