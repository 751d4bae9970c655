// The foundation's end-to-end check: the worker trains the one-block transformer on WebGPU
// (SwiftShader in CI) with state kept on the GPU, and its losses match the WASM run.
import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';

interface Result { backend: string; losses: number[]; fallbacks: string[]; placementLines: number; detectorCaught: string[] | null }

test('one-block transformer trains on WebGPU, matches WASM, no CPU fallback', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto('/#/engine');
  const runtime = page.getByTestId('runtime');
  await expect(runtime).toContainText('WebGPU');
  await expect(runtime).toContainText('isolated');

  await page.getByTestId('run-engine-check').click();
  const summary = page.getByTestId('engine-summary');
  const failure = page.getByTestId('engine-error');
  await expect(summary.or(failure)).toBeVisible({ timeout: 540_000 });
  await expect(failure).toHaveCount(0);
  const results = JSON.parse((await summary.getAttribute('data-results')) ?? '[]') as Result[];
  const gpu = results.find((r) => r.backend === 'webgpu')!;
  const cpu = results.find((r) => r.backend === 'wasm')!;
  expect(gpu, 'a WebGPU run').toBeTruthy();
  expect(cpu, 'a WASM run').toBeTruthy();
  expect(gpu.losses.length).toBe(cpu.losses.length);

  // Same graph, same seed: per-step losses agree to float32 reduction-order noise.
  for (let i = 0; i < gpu.losses.length; i++) {
    expect(Math.abs(gpu.losses[i] - cpu.losses[i]) / Math.abs(cpu.losses[i]), `step ${i + 1}`).toBeLessThan(2e-3);
  }
  // Training did something: the last loss is well below the first.
  expect(gpu.losses.at(-1)!).toBeLessThan(0.7 * gpu.losses[0]);
  // The placement log was captured and nothing fell back to the CPU.
  expect(gpu.placementLines, 'ORT printed a placement log').toBeGreaterThan(0);
  expect(gpu.fallbacks).toEqual([]);
  // ...and the detector is not blind: a LogSoftmax graph (no WebGPU kernel) is caught.
  expect(gpu.detectorCaught?.join(' ')).toMatch(/LogSoftmax/);
  await expect(page.getByTestId('engine-verdict')).toContainText('WebGPU matches WASM');

  mkdirSync('test-results/screens', { recursive: true });
  await page.screenshot({ path: 'test-results/screens/engine.png', fullPage: true });
  expect(consoleErrors).toEqual([]);
});
