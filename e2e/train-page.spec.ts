// The Train and Runs pages in the built app: a 3-step LoRA DPO run of the built-in tiny Llama on
// the demo pairs (WASM, fast) streams progress and chart points, finishes with 3 logged steps,
// survives a reload in the IndexedDB run history, and its adapter downloads as a PEFT adapter; a
// long run stopped from the page ends with a checkpoint and is kept as stopped.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';

const screens = 'test-results/screens';

async function shot(page: Page, name: string) {
  mkdirSync(screens, { recursive: true });
  await page.screenshot({ path: `${screens}/${name}.png`, fullPage: true });
}

async function download(page: Page, testId: string): Promise<Buffer> {
  const d = page.waitForEvent('download');
  await page.getByTestId(testId).click();
  return readFileSync(await (await d).path());
}

test('a 3-step DPO run on the demo model trains live, is kept in the run history and downloads a PEFT adapter', async ({ page }) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  await page.goto('/#/train');
  await expect(page.locator('.topbar h1')).toHaveText('Train');
  await expect(page.getByTestId('train-model')).toHaveValue('/demo/model');
  await expect(page.getByTestId('train-dataset')).toHaveValue('/demo/train/pairs.jsonl');

  // A bad value is named next to its field and blocks Start.
  await page.getByTestId('train-learning_rate').fill('-1');
  await expect(page.locator('label', { has: page.getByTestId('train-learning_rate') }).locator('.field-error')).toContainText('expected number to be >0');
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await page.getByTestId('train-learning_rate').fill('0.001');

  await page.getByTestId('train-device').selectOption('wasm');
  await page.getByTestId('train-max_steps').fill('3');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-stop')).toBeVisible();

  // Progress and the charts update while it runs; it ends with 3 logged steps.
  await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuemax', '3', { timeout: 60_000 });
  const summary = page.getByTestId('train-summary');
  await expect(summary).toHaveAttribute('data-status', 'finished', { timeout: 90_000 });
  await expect(summary).toHaveAttribute('data-logged', '3');
  await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '3');
  for (const m of ['loss', 'rewards/margins', 'rewards/accuracies', 'grad_norm', 'learning_rate']) {
    await expect(page.getByTestId(`chart-${m}`)).toHaveAttribute('data-points', '3');
  }
  await expect(page.getByTestId('chart-loss').locator('.recharts-line-curve')).toHaveCount(1);
  const id = await summary.getAttribute('data-run');
  expect(id).toMatch(/^run-/);
  await shot(page, 'train');

  // Stop: a long run ends after its current step with a checkpoint, and is kept as stopped.
  await page.getByTestId('train-max_steps').fill('500');
  await page.getByTestId('train-start').click();
  await expect.poll(async () => Number(await page.getByTestId('chart-loss').getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.getByTestId('train-stop').click();
  const stopped = page.getByTestId('train-summary');
  await expect(stopped).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });
  await expect(stopped).toContainText('checkpoint saved');
  const stoppedId = await stopped.getAttribute('data-run');
  expect(stoppedId).not.toBe(id);

  // The run is in the history after a reload.
  await page.goto('/#/runs');
  await page.reload();
  await expect(page.locator('.topbar h1')).toHaveText('Runs');
  await expect(page.locator(`[data-testid="run-row"][data-run="${stoppedId}"]`)).toHaveAttribute('data-status', 'stopped');
  const row = page.locator(`[data-testid="run-row"][data-run="${id}"]`);
  await expect(row).toHaveAttribute('data-status', 'finished');
  await row.click();
  await expect(page.getByTestId('run-detail')).toHaveAttribute('data-run', id!);
  await expect(page.getByTestId('run-logs').locator('tbody tr')).toHaveCount(3);

  const config = JSON.parse((await download(page, 'download-adapter_config.json')).toString('utf8')) as Record<string, unknown>;
  expect(config).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8 });
  expect(Array.isArray(config.target_modules)).toBe(true);
  const st = await download(page, 'download-adapter_model.safetensors');
  const n = Number(st.readBigUInt64LE(0));
  const names = Object.keys(JSON.parse(st.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>).filter((k) => k !== '__metadata__');
  expect(names.length).toBeGreaterThan(0);
  expect(names.every((k) => /^base_model\.model\..*\.lora_[AB]\.weight$/.test(k))).toBe(true);
  const metrics = (await download(page, 'download-metrics.jsonl')).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  expect(metrics.map((m) => m.step)).toEqual([1, 2, 3]);
  await shot(page, 'runs');
  expect(errors).toEqual([]);
});
