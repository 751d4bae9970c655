import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildMode, ensureBuilt, staleReason } from './build';

function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'build-'));
  mkdirSync(join(root, 'src', 'app'), { recursive: true });
  writeFileSync(join(root, 'src', 'app', 'main.tsx'), 'x');
  writeFileSync(join(root, 'index.html'), '<div>');
  return root;
}
const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

describe('dist/ freshness', () => {
  it('missing, stale after a source edit, fresh after a build; tests do not count', () => {
    const root = project();
    expect(staleReason(root)).toMatch(/has no build/);
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', 'index.html'), 'built');
    at(join(root, 'src', 'app', 'main.tsx'), 1000);
    at(join(root, 'index.html'), 1000);
    at(join(root, 'dist', 'index.html'), 2000);
    expect(staleReason(root)).toBeNull();
    writeFileSync(join(root, 'src', 'app', 'x.test.ts'), 'test');
    at(join(root, 'src', 'app', 'x.test.ts'), 3000);
    expect(staleReason(root)).toBeNull();
    at(join(root, 'src', 'app', 'main.tsx'), 3000);
    expect(staleReason(root)).toBe(`src changed since ${join(root, 'dist')} was built`);
  });

  it('PREFSTUDIO_BUILD: auto by default, never serves as is (or says to build), unknown values fail', async () => {
    expect([buildMode(undefined), buildMode(''), buildMode('never'), buildMode('always')]).toEqual(['auto', 'auto', 'never', 'always']);
    expect(() => buildMode('sometimes')).toThrow(/PREFSTUDIO_BUILD=sometimes: expected auto, never or always/);
    const root = project();
    await expect(ensureBuilt(root, 'never', () => {})).rejects.toThrow(/has no build: run `npm run build`/);
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', 'index.html'), 'built');
    at(join(root, 'dist', 'index.html'), 1);
    const said: string[] = [];
    expect(await ensureBuilt(root, 'never', (l) => said.push(l))).toBe(join(root, 'dist'));
    expect(said).toEqual([expect.stringMatching(/changed since .* serving it anyway/)]);
  });
});
