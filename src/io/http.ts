// http(s):// models, as tfjs's `tf.io.http`: load fetches model.json and then the weight files
// listed in its manifest (beside it, or under weightPathPrefix); save POSTs a multipart form with
// model.json and model.weights.bin. The bodies of handlers.ts's HTTPHandler (loaded on first use).
import { ModelIOError } from './errors.js';
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
      throw new ModelIOError(`load ${url}: reading ${response.url || 'the response'} failed: ${(e as Error).message}`);
    }
  };
  const text = await read(await get(url, 'model.json'), (r) => r.text());
  const [prefix, suffix] = splitUrl(url);
  const base = options.weightPathPrefix ?? prefix;
  const total = { files: 0, done: 0 };
  return artifactsFromModelJSON(
    parseModelJSON(text, url),
    async (paths) => {
      total.files += paths.length;
      const urls = await Promise.all(
        paths.map((p) => (options.weightUrlConverter ? options.weightUrlConverter(p) : base + p + suffix)),
      );
      return Promise.all(
        urls.map(async (u) => {
          const data = await read(await get(u, 'weights'), (r) => r.arrayBuffer());
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
