// A fetch for files on the studio's own static server: a single-page app server answers a missing
// file with index.html (200), so an HTML answer to a request for a non-HTML file counts as 404,
// which is what the model and dataset loaders take for "not there" (optional files such as
// model.safetensors.index.json or chat_template.jinja).
import type { Fetch } from '../../../workers/http-io';

/** `fetchFn` with the SPA fallback turned back into 404s. */
export function staticFetch(fetchFn: Fetch): Fetch {
  return async (url, init) => {
    const r = await fetchFn(url, init);
    const html = (r.headers.get('content-type') ?? '').startsWith('text/html');
    if (r.ok && html && !/\.html?$/i.test(new URL(url).pathname)) {
      await r.body?.cancel();
      return new Response(null, { status: 404, statusText: 'Not Found' });
    }
    return r;
  };
}
