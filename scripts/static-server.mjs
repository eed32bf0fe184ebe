// A tiny static file server for a built app (trunk's dist/), bound to loopback only.
//
// Usage:  node scripts/static-server.mjs [DIR=dist] [PORT=0]
// Port 0 picks a free port. Prints one line, `archsim static server: <URL>`, once it listens,
// so a script can read the URL. Also importable: `startStaticServer(dir, port)` (the e2e harness
// uses it when no ARCHSIM_BASE_URL is given).
//
// Why our own and not `python3 -m http.server`: it must send `application/wasm` for .wasm files
// (streaming compilation refuses anything else), send no-cache headers so a rebuilt app is never
// stale, and fall back to index.html for app routes.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Serves `dir` on 127.0.0.1:`port`; resolves to { url, close() }. */
export async function startStaticServer(dir = 'dist', port = 0) {
  const root = resolve(dir);
  const rootStat = await stat(root).catch(() => null);
  if (!rootStat?.isDirectory()) {
    throw new Error(`static server: ${root} is not a directory (build the app first: trunk build)`);
  }

  const server = createServer(async (request, response) => {
    const { status, headers, body } = await respond(root, request.url ?? '/');
    response.writeHead(status, { 'Cache-Control': 'no-store', ...headers });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolveListen);
  });
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    url,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

async function respond(root, rawUrl) {
  const pathname = decodeURIComponent(new URL(rawUrl, 'http://x').pathname);
  const candidate = resolve(join(root, pathname));
  if (candidate !== root && !candidate.startsWith(root + sep)) {
    return { status: 403, headers: {}, body: 'forbidden' };
  }
  const file = await existingFile(candidate);
  if (file) {
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    return { status: 200, headers: { 'Content-Type': type }, body: await readFile(file) };
  }
  // An app route (no file extension) gets the app; a missing asset is a real 404.
  if (extname(pathname) === '') {
    const index = join(root, 'index.html');
    return { status: 200, headers: { 'Content-Type': CONTENT_TYPES['.html'] }, body: await readFile(index) };
  }
  return { status: 404, headers: { 'Content-Type': CONTENT_TYPES['.txt'] }, body: `not found: ${pathname}` };
}

async function existingFile(path) {
  const info = await stat(path).catch(() => null);
  if (info?.isFile()) return path;
  if (info?.isDirectory()) {
    const index = join(path, 'index.html');
    if ((await stat(index).catch(() => null))?.isFile()) return index;
  }
  return null;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir = 'dist', port = '0'] = process.argv.slice(2);
  const { url, close } = await startStaticServer(dir, Number(port));
  console.log(`archsim static server: ${url}`);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, async () => {
      await close();
      process.exit(0);
    });
  }
}
