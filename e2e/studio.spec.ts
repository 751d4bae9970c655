// The studio's data pages in the built app: the demo project loads through the real data
// loaders over HTTP, a dropped bad file shows its errors, the simulation preview is seeded,
// Review draws the word diff and one waveform region per word, and Judge labels blind A/B
// pairs with the keyboard, persists them across a reload and exports the right chosen/rejected.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const screens = 'test-results/screens';
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../tests/fixtures/data', name));

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return errors;
}

async function shot(page: Page, name: string) {
  mkdirSync(screens, { recursive: true });
  await page.screenshot({ path: `${screens}/${name}.png`, fullPage: true });
}

async function previewTexts(page: Page, seed: number): Promise<string[]> {
  const preview = page.getByTestId('sim-preview');
  await expect(preview).toHaveAttribute('data-seed', String(seed));
  await expect(preview).toHaveAttribute('data-state', 'fresh');
  return preview.getByTestId('sim-pair').allInnerTexts();
}

test('the studio starts on the demo project, and a dropped bad file shows its errors', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/');
  await expect(page.locator('.topbar h1')).toHaveText('Data');
  await expect(page.getByTestId('project-label')).toHaveText('LibriSpeech demo (synthetic speech)');
  await expect(page.getByTestId('format')).toHaveText('LibriSpeech tree (openasr)');
  await expect(page.getByTestId('count-read')).toContainText('10');
  await expect(page.getByTestId('count-kept')).toContainText('10');
  await expect(page.getByTestId('count-skipped')).toContainText('0');
  await expect(page.getByTestId('all-good')).toBeVisible();
  await expect(page.getByTestId('config')).toContainText('dataset-config.json');
  await expect(page.getByTestId('records').locator('tbody tr')).toHaveCount(10);
  await expect(page.getByTestId('records')).toContainText('THE CAPTAIN LOWERED THE LANTERN INTO THE HOLD');
  await shot(page, 'data');

  await page.getByTestId('pick-files').setInputFiles({ name: 'preference-bad.jsonl', mimeType: 'application/x-ndjson', buffer: fixture('preference-bad.jsonl') });
  await expect(page.getByTestId('project-label')).toHaveText('preference-bad.jsonl');
  await expect(page.getByTestId('format')).toHaveText('TRL preference');
  await expect(page.getByTestId('count-read')).toContainText('9');
  await expect(page.getByTestId('count-kept')).toContainText('1');
  await expect(page.getByTestId('count-skipped')).toContainText('8');
  const reasons = page.getByTestId('skip-reasons');
  await expect(reasons.locator('[data-reason="field"]')).toHaveText('field · 6');
  await expect(reasons.locator('[data-reason="syntax"]')).toHaveText('syntax · 1');
  await expect(reasons.locator('[data-reason="path"]')).toHaveText('path · 1');
  const lines = page.getByTestId('errors').locator('li');
  await expect(lines).toHaveCount(8);
  await expect(lines.nth(0)).toHaveText(/^preference-bad\.jsonl:2: record: invalid JSON at column 62/);
  await expect(lines.nth(1)).toHaveText('preference-bad.jsonl:3: chosen: expected a string or a list of messages, got number');
  await expect(lines.nth(7)).toHaveText('preference-bad.jsonl:9: audio: path "../../etc/passwd" escapes the dataset root');
  await expect(page.getByTestId('records').locator('tbody tr')).toHaveCount(1);

  // Export the kept record as TRL JSONL.
  const download = page.waitForEvent('download');
  await page.getByTestId('export-records').click();
  const rows = readFileSync(await (await download).path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(rows).toEqual([{ prompt: 'ok', chosen: ' fine', rejected: ' worse' }]);
  await shot(page, 'data-errors');

  // A folder picked with webkitdirectory: a LibriSpeech tree with broken chapters.
  await page.getByTestId('pick-folder').setInputFiles(join(import.meta.dirname, '../tests/fixtures/data/librispeech-bad'));
  await expect(page.getByTestId('project-label')).toHaveText('librispeech-bad');
  await expect(page.getByTestId('format')).toHaveText('LibriSpeech tree (openasr)');
  await expect(page.getByTestId('skip-reasons').locator('[data-reason="missing-file"]')).toBeVisible();
  await expect(page.getByTestId('skip-reasons').locator('[data-reason="orphan-audio"]')).toBeVisible();
  await expect(page.getByTestId('errors')).toContainText('test-clean/121/121726/121-121726.trans.txt:2: audio: no audio file 121-121726-0001.flac next to the transcript');

  // A file dragged onto the drop zone.
  const good = fixture('preference-good.jsonl').toString('utf8');
  const drop = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'preference-good.jsonl', { type: 'application/x-ndjson' }));
    return dt;
  }, good);
  await page.getByTestId('file-drop').dispatchEvent('drop', { dataTransfer: drop });
  await expect(page.getByTestId('project-label')).toHaveText('preference-good.jsonl');
  await expect(page.getByTestId('all-good')).toBeVisible();
  await expect(page.getByTestId('count-kept')).toContainText(String(good.split('\n').filter((l) => l.trim() !== '').length));

  await page.getByRole('button', { name: 'Back to the demo project' }).click();
  await expect(page.getByTestId('count-kept')).toContainText('10');
  expect(errors).toEqual([]);
});

test('Simulate: the preview is reproducible for a seed and changes with another', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/#/simulate');
  const first = await previewTexts(page, 42);
  expect(first).toHaveLength(8);
  await expect(page.getByTestId('sim-bias_prob')).toHaveValue('0.9');
  await expect(page.getByTestId('sim-error_high')).toHaveValue('0.3');
  await expect(page.getByTestId('rates-chart').locator('.recharts-bar-rectangle').first()).toBeVisible();

  await page.getByTestId('sim-seed').fill('7');
  const other = await previewTexts(page, 7);
  expect(other).not.toEqual(first);
  await page.getByTestId('sim-seed').fill('42');
  expect(await previewTexts(page, 42)).toEqual(first);

  // A bad value is reported with its field, and fixing it brings the preview back.
  await page.getByTestId('sim-bias_prob').fill('1.5');
  await expect(page.getByTestId('sim-error')).toContainText('biasing.bias_prob');
  await page.getByTestId('sim-bias_prob').fill('0.9');
  await expect(page.getByTestId('sim-error')).toHaveCount(0);
  expect(await previewTexts(page, 42)).toEqual(first);
  await shot(page, 'simulate');

  const download = page.waitForEvent('download');
  await page.getByTestId('export-pairs').click();
  const rows = readFileSync(await (await download).path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; prompt: string; chosen: string; rejected: string; audio: string });
  expect(rows).toHaveLength(10);
  expect(rows[0].id).toBe('1272-128104-0000');
  expect(rows[0].audio).toBe('LibriSpeech/test-clean/1272/128104/1272-128104-0000.flac');
  const preview = page.getByTestId('sim-pair').first();
  expect((await preview.getByTestId('diff-chosen').innerText()).trim()).toBe(rows[0].chosen);
  expect((await preview.getByTestId('diff-rejected').innerText()).trim()).toBe(rows[0].rejected);
  expect(errors).toEqual([]);
});

test('Review: word diff and one waveform region per reference word', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/#/review');
  await page.getByTestId('review-sort').selectOption('wer-desc');
  const detail = page.getByTestId('review-detail');
  const wave = page.getByTestId('waveform');
  await expect(wave).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });

  // The highest-WER pair has edits, shown in both the text diff and the regions.
  const refWords = detail.getByTestId('diff-chosen').locator('[data-status]');
  const statuses = await refWords.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
  const hypStatuses = await detail.getByTestId('diff-rejected').locator('[data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
  expect([...statuses, ...hypStatuses].some((s) => s !== 'equal')).toBe(true);
  const regions = wave.locator('[part~="region"]');
  await expect(regions).toHaveCount(statuses.length);
  const parts = await regions.evaluateAll((els) => els.map((e) => e.getAttribute('part') ?? ''));
  statuses.forEach((s, i) => expect(parts.some((p) => p.split(' ').includes(`word-${i}-${s}`)), `region of word ${i} (${s})`).toBe(true));
  const insertRuns = hypStatuses.filter((h, i) => h === 'insert' && hypStatuses[i - 1] !== 'insert').length;
  await expect(wave.locator('[part~="marker"]')).toHaveCount(insertRuns);
  await expect(wave).toContainText('word timing estimated');

  // A pair with insertions has one marker per run of inserted words, labelled with them.
  let runs = 0;
  for (let step = 0; step < 10 && runs === 0; step++) {
    if (step > 0) await page.keyboard.press('j');
    await expect(wave).toHaveAttribute('data-ready', 'true');
    const hyp = await detail.getByTestId('diff-rejected').locator('[data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    runs = hyp.filter((h, i) => h === 'insert' && hyp[i - 1] !== 'insert').length;
  }
  expect(runs, 'a demo pair with insertions').toBeGreaterThan(0);
  await expect(wave.locator('[part~="marker"]')).toHaveCount(runs);
  await expect(wave.locator('[part~="marker"]').first()).toContainText('+');
  await shot(page, 'review-insertions');
  await page.getByTestId('review-sort').selectOption('index');
  await page.getByTestId('review-sort').selectOption('wer-desc');
  await expect(page.getByTestId('review-count')).toContainText('pair 1 of 10');

  // WERs in the list are sorted, highest first.
  const wers = await page.getByTestId('review-list').locator('tbody tr').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-wer'))));
  expect(wers).toEqual([...wers].sort((a, b) => b - a));

  // Space plays and pauses; clicking a word plays it.
  await page.keyboard.press(' ');
  await expect(wave).toHaveAttribute('data-playing', 'true');
  await page.keyboard.press(' ');
  await expect(wave).toHaveAttribute('data-playing', 'false');
  await refWords.first().click();
  await expect(refWords.first()).toHaveClass(/w-active/);
  await expect(wave).toHaveAttribute('data-playing', 'true');
  await shot(page, 'review');

  // j / k step through the list.
  const firstId = await detail.getAttribute('data-pair');
  await page.keyboard.press('j');
  await expect(detail).not.toHaveAttribute('data-pair', firstId ?? '');
  await expect(page.getByTestId('review-count')).toContainText('pair 2 of 10');
  await page.keyboard.press('k');
  await expect(detail).toHaveAttribute('data-pair', firstId ?? '');

  // A WER filter narrows the list.
  await page.getByTestId('review-min-wer').fill(String(Math.floor(wers[0] * 100)));
  await expect(page.getByTestId('review-list').locator('tbody tr')).toHaveCount(wers.filter((w) => w * 100 >= Math.floor(wers[0] * 100) - 1e-9).length);
  expect(errors).toEqual([]);
});

test('Judge: blind A/B with the keyboard, undo, labels survive a reload, export maps back', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/#/judge');
  const current = page.getByTestId('judge-current');
  const progress = page.getByTestId('judge-progress');
  await expect(current).toBeVisible();
  await expect(progress).toHaveAttribute('data-total', '10');
  await expect(page.getByTestId('shortcuts')).toContainText('both bad');
  // Blind: nothing on the card says which side is which.
  await expect(current).not.toContainText(/chosen|rejected|reference/i);

  const seen: { id: string; a: string; b: string }[] = [];
  const look = async () => {
    const id = (await current.getAttribute('data-pair')) ?? '';
    seen.push({ id, a: await current.getByTestId('text-a').innerText(), b: await current.getByTestId('text-b').innerText() });
    return id;
  };
  const labeled = (n: number) => expect(progress).toHaveAttribute('data-labeled', String(n));

  const id1 = await look();
  await page.keyboard.press('1');
  await labeled(1);
  await expect(current).not.toHaveAttribute('data-pair', id1);
  await look();
  await page.keyboard.press('2');
  await labeled(2);
  const id3 = await look();
  await page.keyboard.press('T');
  await labeled(3);
  await expect(current).not.toHaveAttribute('data-pair', id3);
  await page.keyboard.press('U');
  await labeled(2);
  await expect(current).toHaveAttribute('data-pair', id3);
  await page.keyboard.press('1');
  await labeled(3);
  await expect(page.getByTestId('tally')).toContainText('A better · 2');
  await expect(page.getByTestId('tally')).toContainText('B better · 1');
  await expect(page.getByTestId('tally')).toContainText('tie · 0');
  await expect(page.getByRole('progressbar')).toContainText('3/10');

  await page.reload();
  await labeled(3);
  await expect(current).toBeVisible();
  const id4 = await current.getAttribute('data-pair');
  expect([id1, seen[1].id, id3]).not.toContain(id4);
  await page.keyboard.press('b');
  await labeled(4);
  await shot(page, 'judge');

  const download = page.waitForEvent('download');
  await page.getByTestId('export-labels').click();
  const rows = readFileSync(await (await download).path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; chosen: string; rejected: string; audio?: string });
  expect(rows.map((r) => r.id)).toEqual([seen[0].id, seen[1].id, seen[2].id]);
  expect(rows[0]).toMatchObject({ chosen: seen[0].a, rejected: seen[0].b }); // 1: A better
  expect(rows[1]).toMatchObject({ chosen: seen[1].b, rejected: seen[1].a }); // 2: B better
  expect(rows[2]).toMatchObject({ chosen: seen[2].a, rejected: seen[2].b }); // undone tie, then 1
  expect(rows[0].audio).toMatch(/\.flac$/);
  await expect(page.getByTestId('export-report')).toContainText('Exported 3 pairs; 0 ties and 1 both-bad not exported');
  expect(errors).toEqual([]);
});
