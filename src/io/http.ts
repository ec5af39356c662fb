// http(s):// models, as tfjs's `tf.io.http`: load fetches model.json and then the weight files
// listed in its manifest (beside it, or under weightPathPrefix); save POSTs a multipart form with
// model.json and model.weights.bin.
import { ModelIOError } from './errors.js';
import { artifactsFromModelJSON, artifactsInfo, modelJSONFromArtifacts, parseModelJSON } from './model-json.js';
import type { IOHandler, LoadOptions, ModelArtifacts, SaveResult } from './types.js';
import { joinBuffers } from './weights.js';

/** The directory part of a URL (with a trailing slash) and its query string, as tfjs splits it. */
function splitUrl(url: string): [string, string] {
  const slash = url.lastIndexOf('/');
  const query = url.lastIndexOf('?');
  // a bare file name ('model.json'): its weights are beside it, relative to the page as it is
  return [slash < 0 ? '' : `${url.substring(0, slash)}/`, query > slash ? url.substring(query) : ''];
}

/** Loads from and saves to an http(s) URL (or a URL relative to the page). */
export class HTTPHandler implements IOHandler {
  private readonly fetchFunc: typeof fetch;

  constructor(
    readonly url: string,
    private readonly options: LoadOptions = {},
  ) {
    if (typeof url !== 'string' || url === '') throw new ModelIOError('http: expected a non-empty URL');
    if (options.requestInit?.body != null) throw new ModelIOError('http: requestInit must not have a body');
    const f = options.fetchFunc ?? (typeof fetch === 'function' ? fetch : undefined);
    if (typeof f !== 'function') throw new ModelIOError('http: no fetch function here; pass options.fetchFunc');
    this.fetchFunc = f;
  }

  private async get(url: string, what: string): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchFunc(url, this.options.requestInit);
    } catch (e) {
      throw new ModelIOError(`load ${this.url}: cannot fetch ${what} ${url}: ${(e as Error).message}`);
    }
    if (!response.ok)
      throw new ModelIOError(`load ${this.url}: fetching ${what} ${url} failed with status ${response.status}`);
    return response;
  }

  private async read<T>(response: Response, body: (r: Response) => Promise<T>): Promise<T> {
    try {
      return await body(response);
    } catch (e) {
      throw new ModelIOError(
        `load ${this.url}: reading ${response.url || 'the response'} failed: ${(e as Error).message}`,
      );
    }
  }

  /** Fetches model.json and its weight files. */
  async load(): Promise<ModelArtifacts> {
    const text = await this.read(await this.get(this.url, 'model.json'), (r) => r.text());
    const [prefix, suffix] = splitUrl(this.url);
    const base = this.options.weightPathPrefix ?? prefix;
    const total = { files: 0, done: 0 };
    return artifactsFromModelJSON(
      parseModelJSON(text, this.url),
      async (paths) => {
        total.files += paths.length;
        const urls = await Promise.all(
          paths.map((p) => (this.options.weightUrlConverter ? this.options.weightUrlConverter(p) : base + p + suffix)),
        );
        return Promise.all(
          urls.map(async (u) => {
            const data = await this.read(await this.get(u, 'weights'), (r) => r.arrayBuffer());
            total.done++;
            this.options.onProgress?.(total.done / total.files);
            return data;
          }),
        );
      },
      this.url,
    );
  }

  /** POSTs model.json and model.weights.bin as a multipart form (requestInit may change the method). */
  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const json = modelJSONFromArtifacts(artifacts, ['./model.weights.bin']);
    const body = new FormData();
    body.append('model.json', new Blob([JSON.stringify(json)], { type: 'application/json' }), 'model.json');
    const weights = joinBuffers(artifacts.weightData ?? new ArrayBuffer(0), `save to ${this.url}`);
    body.append('model.weights.bin', new Blob([weights], { type: 'application/octet-stream' }), 'model.weights.bin');
    let response: Response;
    try {
      response = await this.fetchFunc(this.url, { method: 'POST', ...this.options.requestInit, body });
    } catch (e) {
      throw new ModelIOError(`save to ${this.url}: ${(e as Error).message}`);
    }
    if (!response.ok) throw new ModelIOError(`save to ${this.url}: the server answered with status ${response.status}`);
    return { modelArtifactsInfo: artifactsInfo(artifacts), responses: [response] };
  }
}

/** An http(s) handler, as `tf.io.http`. */
export function http(url: string, options?: LoadOptions): HTTPHandler {
  return new HTTPHandler(url, options);
}
