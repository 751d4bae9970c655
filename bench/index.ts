// `npm run bench [filter...] [--quick]`: runs the default export of every bench/*.bench.ts in
// name order; filters (substrings of the file name) pick some.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Bench, type BenchContext } from './harness';

const dir = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const filters = argv.filter((a) => !a.startsWith('--'));
const ctx: BenchContext = { args: argv.filter((a) => a.startsWith('--')), outDir: join(dir, 'out'), quick: argv.includes('--quick') };

const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
const picked = files.filter((f) => !filters.length || filters.some((x) => f.includes(x)));
if (!picked.length) {
  console.error(`no benchmark matches ${filters.join(', ')}; have: ${files.join(', ')}`);
  process.exit(1);
}
for (const f of picked) {
  console.log(`\n=== ${f}`);
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default?: Bench };
  if (typeof mod.default !== 'function') throw new Error(`${f} has no default export function`);
  await mod.default(ctx);
}
