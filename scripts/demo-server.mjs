// `npm run demo`: a tiny static server for the browser demo (examples/browser/), on 127.0.0.1 only.
// It serves the repository root, so the page can import ../../dist/neurasm.browser.js and fetch
// ../../datasets/digits.csv.gz and ../../datasets/spam-assassin.jsonl.br. A `.br` file is sent as what it
// packs (Content-Type of the name without `.br`) with Content-Encoding: br, so the browser unpacks it
// (browsers' DecompressionStream has no brotli); to a client that does not accept br it is unpacked
// here. Usage: node scripts/demo-server.mjs [--port N] (0 picks a free port);
// it prints the demo's URL on its first line of output.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBrotliDecompress } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = '/examples/browser/';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/jsonl; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  // served as bytes (no Content-Encoding): the page gunzips it itself
  '.gz': 'application/gzip',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

// cross-origin isolation: the page may share memory with its workers (SharedArrayBuffer), which
// fit({ workers }) needs to train on several threads
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

function portFromArgs(argv) {
  const i = argv.indexOf('--port');
  const raw = i >= 0 ? argv[i + 1] : (process.env.PORT ?? '8080');
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`demo-server: expected --port to be an integer in 0..65535, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return port;
}

/** Whether an Accept-Encoding header allows br (and does not refuse it with q=0). */
function acceptsBrotli(header) {
  return String(header ?? '')
    .split(',')
    .some((part) => {
      const [coding, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return coding.trim() === 'br' && (q === undefined || Number(q.slice(2)) > 0);
    });
}

/** The file a URL path names, or null when it leaves the root. */
function fileFor(urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const file = normalize(join(root, path));
  return file === root || file.startsWith(root + sep) ? file : null;
}

const server = createServer(async (req, res) => {
  const send = (status, text) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/') {
    res.writeHead(302, { Location: DEMO });
    return res.end();
  }
  let file = fileFor(url.pathname);
  if (!file) return send(403, 'forbidden\n');
  try {
    let info = await stat(file);
    if (info.isDirectory()) {
      if (!url.pathname.endsWith('/')) {
        res.writeHead(301, { Location: `${url.pathname}/${url.search}` });
        return res.end();
      }
      file = join(file, 'index.html');
      info = await stat(file);
    }
    const brotli = extname(file).toLowerCase() === '.br';
    const typed = brotli ? file.slice(0, -3) : file;
    const headers = {
      'Content-Type': MIME[extname(typed).toLowerCase()] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
      ...ISOLATION,
    };
    // a .br file goes out as is (the browser unpacks it), or unpacked here for a client without br
    const unpack = brotli && !acceptsBrotli(req.headers['accept-encoding']);
    if (brotli) headers.Vary = 'Accept-Encoding';
    if (brotli && !unpack) headers['Content-Encoding'] = 'br';
    if (!unpack) headers['Content-Length'] = info.size;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return res.end();
    const stream = createReadStream(file);
    if (unpack)
      stream
        .pipe(createBrotliDecompress())
        .on('error', () => res.destroy())
        .pipe(res);
    else stream.pipe(res);
  } catch {
    send(404, `not found: ${url.pathname}\n`);
  }
});

server.listen(portFromArgs(process.argv.slice(2)), '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`neurasm demo: http://127.0.0.1:${port}${DEMO}`);
  console.log('(serving the repository root; Ctrl-C stops)');
});
server.on('error', (e) => {
  console.error(`demo-server: ${e.message}`);
  process.exit(1);
});
