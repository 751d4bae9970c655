// Paths of the data fixtures (tests only; Node).
import { fileURLToPath } from 'node:url';

/** Absolute path of `tests/fixtures/data/<rel>`. */
export function fixture(rel = ''): string {
  return fileURLToPath(new URL(`../../../tests/fixtures/data/${rel}`, import.meta.url));
}
