// http(s):// models, as tfjs's `tf.io.http`: load fetches model.json and then the weight files
// listed in its manifest (beside it, or under weightPathPrefix), no more bytes than the manifest
// declares; save POSTs a multipart form with model.json and model.weights.bin. The bodies of
// handlers.ts's HTTPHandler (loaded on first use).
import { ModelFormatError, ModelIOError } from './errors.js';
import { checkArtifactsDepth } from './json-depth.js';
import { artifactsFromModelJSON, artifactsInfo, modelJSONFromArtifacts, parseModelJSON } from './model-json.js';
import type { LoadOptions, ModelArtifacts, SaveResult } from './types.js';
import { joinBuffers } from './weights.js';

/** The directory part of a URL (with a trailing slash) and its query string, as tfjs splits it. */
function splitUrl(url: string): [string, string] {
  const slash = url.lastIndexOf('/');
  const query = url.lastIndexOf('?');
  // a bare file name ('model.json'): its weights are beside it, relative to the page as it is
  return [slash < 0 ? '' : `${url.substring(0, slash)}/`, query > slash ? url.substring(query) : ''];
}

/**
 * Reads a response's body, failing as soon as more than `budget.left` bytes came (a budget shared
 * by the files of one manifest group, which may arrive in parallel): a server cannot make the
 * loader hold more than the manifest declares.
 */
async function readWithin(response: Response, budget: { left: number }, tooLong: () => Error): Promise<ArrayBuffer> {
  if (!response.body) {
    const data = await response.arrayBuffer();
    budget.left -= data.byteLength;
    if (budget.left < 0) throw tooLong();
    return data;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    budget.left -= value.byteLength;
    if (budget.left < 0) {
      await reader.cancel().catch(() => {});
      throw tooLong();
    }
    chunks.push(value);
    size += value.byteLength;
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out.buffer;
}

/** HTTPHandler.load: fetches model.json (at `url`) and its weight files. */
export async function loadHTTP(url: string, options: LoadOptions, fetchFunc: typeof fetch): Promise<ModelArtifacts> {
  const get = async (target: string, what: string): Promise<Response> => {
    let response: Response;
    try {
      response = await fetchFunc(target, options.requestInit);
    } catch (e) {
      throw new ModelIOError(`load ${url}: cannot fetch ${what} ${target}: ${(e as Error).message}`);
    }
    if (!response.ok)
      throw new ModelIOError(`load ${url}: fetching ${what} ${target} failed with status ${response.status}`);
    return response;
  };
  const read = async <T>(response: Response, body: (r: Response) => Promise<T>): Promise<T> => {
    try {
      return await body(response);
    } catch (e) {
      if (e instanceof ModelFormatError) throw e;
      throw new ModelIOError(`load ${url}: reading ${response.url || 'the response'} failed: ${(e as Error).message}`);
    }
  };
  const text = await read(await get(url, 'model.json'), (r) => r.text());
  const [prefix, suffix] = splitUrl(url);
  const base = options.weightPathPrefix ?? prefix;
  const total = { files: 0, done: 0 };
  return artifactsFromModelJSON(
    parseModelJSON(text, url),
    async (paths, need) => {
      total.files += paths.length;
      const urls = await Promise.all(
        paths.map((p) => (options.weightUrlConverter ? options.weightUrlConverter(p) : base + p + suffix)),
      );
      const budget = { left: need };
      const tooLong = () =>
        new ModelFormatError(
          `${url}: weight files ${paths.join(', ')} are longer than the manifest says: more than ${need} bytes, expected ${need}`,
        );
      return Promise.all(
        urls.map(async (u) => {
          const data = await read(await get(u, 'weights'), (r) => readWithin(r, budget, tooLong));
          total.done++;
          options.onProgress?.(total.done / total.files);
          return data;
        }),
      );
    },
    url,
  );
}

/** HTTPHandler.save: POSTs model.json and model.weights.bin as a multipart form (requestInit may change the method). */
export async function saveHTTP(
  url: string,
  options: LoadOptions,
  fetchFunc: typeof fetch,
  artifacts: ModelArtifacts,
): Promise<SaveResult> {
  checkArtifactsDepth(artifacts, `save to ${url}`);
  const json = modelJSONFromArtifacts(artifacts, ['./model.weights.bin']);
  const body = new FormData();
  body.append('model.json', new Blob([JSON.stringify(json)], { type: 'application/json' }), 'model.json');
  const weights = joinBuffers(artifacts.weightData ?? new ArrayBuffer(0), `save to ${url}`);
  body.append('model.weights.bin', new Blob([weights], { type: 'application/octet-stream' }), 'model.weights.bin');
  let response: Response;
  try {
    response = await fetchFunc(url, { method: 'POST', ...options.requestInit, body });
  } catch (e) {
    throw new ModelIOError(`save to ${url}: ${(e as Error).message}`);
  }
  if (!response.ok) throw new ModelIOError(`save to ${url}: the server answered with status ${response.status}`);
  return { modelArtifactsInfo: artifactsInfo(artifacts), responses: [response] };
}
