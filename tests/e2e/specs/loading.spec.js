// Issue 4, loading: the sample, files, folders, drops, paste, the files panel and removal.
const fs = require('fs');
const path = require('path');
const { test, expect, openApp, idle, corpus, seed, SHARED } = require('../fixtures');
const { invictusFiles, recordsOf, sampleRecords, loadFiles } = require('./viewer-helpers');

test('"Try sample logs" loads the seed documents\' examples, one file row each', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('load-sample').click();
  await idle(page);
  const records = sampleRecords();
  // Two CodeGuru examples share an eventID with different content: both are kept.
  const distinct = new Set(records.map((r) => JSON.stringify(r))).size;
  expect(distinct).toBe(8);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(distinct));
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', String(distinct));
  const rows = page.getByTestId('file-row');
  await expect(rows).toHaveCount(5);
  for (const name of ['sample/cloudwatch.json', 'sample/personalize.json', 'sample/performance-insights.json']) {
    const row = page.locator(`[data-testid="file-row"][data-name="${name}"]`);
    await expect(row).toHaveAttribute('data-status', 'ok');
    await expect(row).toHaveAttribute('data-format', 'records');
  }
  await expect(page.locator('[data-testid="file-row"][data-name="sample/cloudwatch.json"]')).toHaveAttribute('data-events', '3');
  await expect(page.getByTestId('event-row')).toHaveCount(8);
});

test('the seed documents load as text, with the damaged example located', async ({ page }) => {
  await openApp(page);
  const seeds = ['000', '001', '002', '003', '004'].map(seed);
  await loadFiles(page, seeds);
  const expected = { '000': 1, '001': 1, '002': 2, '003': 0, '004': 3 };
  for (const file of seeds) {
    const row = page.locator(`[data-testid="file-row"][data-name="${path.basename(file)}"]`);
    await expect(row).toHaveAttribute('data-format', 'text');
    await expect(row).toHaveAttribute('data-events', String(expected[path.basename(file).slice(0, 3)]));
  }
  const broken = page.locator(`[data-testid="file-row"][data-name="${path.basename(seeds[3])}"]`);
  await expect(broken).toHaveAttribute('data-status', 'failed');
  await expect(broken).toContainText('line 40 column 35');
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', '7');
});

test('chosen files load with per-file counts, and removing one takes its events away', async ({ page }) => {
  await openApp(page);
  const files = invictusFiles().slice(0, 4);
  await loadFiles(page, files);
  let total = 0;
  for (const f of files) {
    const n = recordsOf(f).length;
    total += n;
    const row = page.locator(`[data-testid="file-row"][data-name="${path.basename(f)}"]`);
    await expect(row).toHaveAttribute('data-events', String(n));
    await expect(row).toHaveAttribute('data-status', 'ok');
    await expect(row).toHaveAttribute('data-format', 'records');
    await expect(row).toContainText(`${n} events`);
  }
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(total));

  // Loading the same file again adds duplicates, not events.
  await loadFiles(page, [files[0]]);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(total));
  await expect(page.getByTestId('file-row')).toHaveCount(5);
  await expect(page.getByTestId('file-row').last()).toContainText('duplicates');

  const victim = page.locator(`[data-testid="file-row"][data-name="${path.basename(files[2])}"]`);
  await victim.getByTestId('file-remove').click();
  await idle(page);
  await expect(page.getByTestId('file-row')).toHaveCount(4);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(total - recordsOf(files[2]).length));

  // A query leaves the files list as it is (the worker sends it only when it changed).
  const box = page.getByTestId('filter-input');
  for (const q of ['amazonaws', '']) {
    await box.fill(q);
    await box.press('Enter');
    await idle(page);
    await expect(page.getByTestId('file-row')).toHaveCount(4);
    await expect(victim).toHaveCount(0);
    const first = page.locator(`[data-testid="file-row"][data-name="${path.basename(files[0])}"]`).first();
    await expect(first).toHaveAttribute('data-events', String(recordsOf(files[0]).length));
  }
});

test('a folder loads recursively with relative paths as names', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('folder-input').setInputFiles(path.join(SHARED, 'corpus'));
  await idle(page);
  // The corpus README's total: 1285 CloudTrail records in 14 files; the CSV is not CloudTrail.
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', '1285');
  const rows = page.getByTestId('file-row');
  await expect(rows).toHaveCount(14 + 1); // + README.md, which holds no events
  await expect(page.locator('[data-testid="file-row"][data-name="corpus/log2timeline_plaso/aws_cloudtrail.jsonl"]'))
    .toHaveAttribute('data-events', '6');
  const csv = page.locator('[data-testid="file-row"][data-name="corpus/otrf_security-datasets/AWS_S3_HoneyBucketLogs.csv"]');
  await expect(csv).toHaveAttribute('data-events', '0');
  await expect(csv).not.toHaveAttribute('data-status', 'ok');
});

test('files dropped on the window load like chosen ones', async ({ page }) => {
  await openApp(page);
  const file = invictusFiles().find((f) => f.endsWith('.json'));
  const text = fs.readFileSync(file, 'utf8');
  const dt = await page.evaluateHandle(([name, body]) => {
    const d = new DataTransfer();
    d.items.add(new File([body], name, { type: 'application/json' }));
    return d;
  }, [path.basename(file), text]);
  await page.dispatchEvent('.ts-app', 'dragenter', { dataTransfer: dt });
  await page.dispatchEvent('.ts-app', 'drop', { dataTransfer: dt });
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(recordsOf(file).length));
  await expect(page.locator(`[data-testid="file-row"][data-name="${path.basename(file)}"]`)).toHaveCount(1);
});

test('pasted text loads as a file named "pasted"', async ({ page }) => {
  await openApp(page);
  const records = recordsOf(invictusFiles()[0]).slice(0, 3);
  await page.getByTestId('paste-input').fill(records.map((r) => JSON.stringify(r)).join('\n'));
  await page.getByTestId('paste-load').click();
  await idle(page);
  const row = page.locator('[data-testid="file-row"][data-name="pasted"]');
  await expect(row).toHaveAttribute('data-events', '3');
  await expect(row).toHaveAttribute('data-format', 'ndjson');
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', '3');
});

test('a file that is not a log gets a failed row with a reason and the page keeps working', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('file-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, not a log') });
  await idle(page);
  const row = page.locator('[data-testid="file-row"][data-name="notes.txt"]');
  await expect(row).toHaveAttribute('data-status', 'failed');
  await expect(row).toHaveAttribute('data-format', 'unknown');
  await expect(row.locator('.ts-file__message')).not.toBeEmpty();
  await page.getByTestId('load-sample').click();
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', '8');
});
