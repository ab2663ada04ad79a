// Issue 5, scale: progress you can trust while files load, a Cancel that keeps what has
// loaded, and files that would not fit in the page's memory named as skipped up front.
const fs = require('fs');
const path = require('path');
const { test, expect, openApp, idle, tempDir } = require('../fixtures');
const { invictusRecords, query } = require('./viewer-helpers');

/** Writes `count` `{"Records":[...]}` files of about `mb` MB each from the corpus
 * records (unique eventIDs starting with `prefix`, which also names the files), into a
 * fresh temporary folder, removed when the test ends; returns their paths. */
function bigFiles(count, mb, prefix = 'big') {
  const dir = tempDir('ts-scale-');
  const records = invictusRecords();
  let serial = 0;
  const files = [];
  for (let f = 0; f < count; f++) {
    const parts = [];
    let size = 0;
    while (size < mb * 1e6) {
      const r = { ...records[serial % records.length], eventID: `${prefix}-${serial}` };
      serial++;
      const text = JSON.stringify(r);
      parts.push(text);
      size += text.length + 1;
    }
    const file = path.join(dir, `${prefix}-${String(f).padStart(3, '0')}.json`);
    fs.writeFileSync(file, `{"Records":[${parts.join(',')}]}`);
    files.push({ file, events: parts.length });
  }
  return files;
}

test('progress counts bytes up to the total of the chosen files, then goes away', async ({ page }) => {
  await openApp(page);
  const files = bigFiles(6, 8);
  const total = files.reduce((s, f) => s + fs.statSync(f.file).size, 0);
  const events = files.reduce((s, f) => s + f.events, 0);
  // Record every value the progress line shows while it is there.
  await page.evaluate(() => {
    window.__seen = [];
    new MutationObserver(() => {
      const p = document.querySelector('[data-testid="load-progress"]');
      if (p) window.__seen.push([Number(p.dataset.bytes), Number(p.dataset.total), Number(p.dataset.events)]);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.getByTestId('file-input').setInputFiles(files.map((f) => f.file));
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(events));
  await expect(page.getByTestId('load-progress')).toHaveCount(0);
  const seen = await page.evaluate(() => window.__seen);
  expect(seen.length).toBeGreaterThan(1);
  for (const [bytes, t] of seen) {
    expect(t).toBe(total);
    expect(bytes).toBeLessThanOrEqual(total);
  }
  for (let i = 1; i < seen.length; i++) {
    expect(seen[i][0]).toBeGreaterThanOrEqual(seen[i - 1][0]);
    expect(seen[i][2]).toBeGreaterThanOrEqual(seen[i - 1][2]);
  }
  // Bytes were seen part-way, not only at the end, and events were counted while loading.
  expect(seen.some(([b]) => b > 0 && b < total)).toBe(true);
  expect(seen.some(([, , e]) => e > 0 && e < events)).toBe(true);
});

test('Cancel stops loading, keeps the files already loaded and names the rest as skipped', async ({ page }) => {
  await openApp(page);
  const files = bigFiles(30, 6);
  await page.getByTestId('file-input').setInputFiles(files.map((f) => f.file));
  const progress = page.getByTestId('load-progress');
  await expect.poll(async () => Number(await progress.getAttribute('data-events')), { timeout: 60_000 })
    .toBeGreaterThan(0);
  await page.getByTestId('load-cancel').click();
  await idle(page);
  const rows = page.getByTestId('file-row');
  await expect(rows).toHaveCount(30);
  const all = await rows.evaluateAll((els) => els.map((e) => [e.dataset.name, e.dataset.status, Number(e.dataset.events)]));
  const ok = all.filter(([, s]) => s === 'ok');
  const skipped = all.filter(([, s]) => s === 'skipped');
  expect(ok.length).toBeGreaterThan(0);
  expect(skipped.length).toBeGreaterThan(0);
  expect(ok.length + skipped.length).toBe(30);
  // What loaded is whole: each kept file has all its events, and the total is their sum.
  const byName = Object.fromEntries(files.map((f) => [path.basename(f.file), f.events]));
  for (const [name, , n] of ok) expect(n).toBe(byName[name]);
  const kept = ok.reduce((s, [, , n]) => s + n, 0);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(kept));
  await expect(page.locator('[data-testid="file-row"][data-status="skipped"]').first()).toContainText('cancelled');
  // Reading goes on after a Cancel: a file of several 4 MiB slices chosen next loads whole
  // (the worker's read buffers came back from the cancelled reads; with all four lost it
  // would never finish).
  const [after] = bigFiles(1, 14, 'after-cancel');
  await page.getByTestId('file-input').setInputFiles([after.file]);
  await idle(page);
  await expect(page.locator('[data-testid="file-row"][data-name="after-cancel-000.json"]'))
    .toHaveAttribute('data-status', 'ok', { timeout: 60_000 });
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(kept + after.events));
});

test('a file too big for the page\'s memory is named as skipped before loading; the rest loads', async ({ page }) => {
  await openApp(page);
  const [small] = bigFiles(1, 1);
  // A gzip header and then 320 MB of nothing (a sparse file): taken as about 3.2 GB of
  // logs, more than the page can hold. It is never read, only its size and first bytes.
  const dir = tempDir('ts-huge-');
  const huge = path.join(dir, 'huge.json.gz');
  const fd = fs.openSync(huge, 'w');
  fs.writeSync(fd, Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
  fs.ftruncateSync(fd, 320e6);
  fs.closeSync(fd);
  await page.getByTestId('file-input').setInputFiles([small.file, huge]);
  await idle(page);
  const row = page.locator('[data-testid="file-row"][data-name="huge.json.gz"]');
  await expect(row).toHaveAttribute('data-status', 'skipped');
  await expect(row).toContainText('budget');
  await expect(page.getByTestId('memory-note')).toBeVisible();
  const smallRow = page.locator(`[data-testid="file-row"][data-name="${path.basename(small.file)}"]`);
  await expect(smallRow).toHaveAttribute('data-status', 'ok');
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(small.events));
});

test('the engine warms its code up while the page waits, and its warm-up events never show', async ({ page }) => {
  await openApp(page);
  const app = page.getByTestId('app');
  // The worker parses the built-in sample's events into an engine of its own, then says so.
  await expect(app).toHaveAttribute('data-engine-warm', 'true', { timeout: 30_000 });
  // A view asked for after the warm-up (the warm-up's events have eventIDs warm-up-N).
  await query(page, 'eventID:warm-up-*');
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', '0');
  await expect(page.getByTestId('event-row')).toHaveCount(0);
  await expect(page.getByTestId('file-row')).toHaveCount(0);
  await query(page, '');
  const [file] = bigFiles(1, 1);
  await page.getByTestId('file-input').setInputFiles([file.file]);
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(file.events));
  await expect(page.getByTestId('file-row')).toHaveCount(1);
});
