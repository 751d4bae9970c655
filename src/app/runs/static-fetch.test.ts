import { describe, expect, it } from 'vitest';
import { staticFetch } from './static-fetch';

const answer = (type: string, status = 200) => async () => new Response('x', { status, headers: { 'content-type': type } });

describe('staticFetch', () => {
  it('turns the SPA fallback (index.html for a missing file) into a 404', async () => {
    const r = await staticFetch(answer('text/html'))('http://h/demo/model/model.safetensors.index.json');
    expect(r.status).toBe(404);
  });
  it('keeps real files, real HTML pages and real errors', async () => {
    expect((await staticFetch(answer('application/json'))('http://h/demo/model/config.json')).status).toBe(200);
    expect((await staticFetch(answer('text/html'))('http://h/page.html')).status).toBe(200);
    expect((await staticFetch(answer('text/plain', 403))('http://h/x.json')).status).toBe(403);
  });
});
