// Issue 5, scale: whole folders of small files, as an S3 trail delivers them (a file every
// five minutes per region). A folder dropped on the page through Chromium's own drag and
// drop (CDP Input.dispatchDragEvent, so the page walks real directory entries), its first
// files loading while the rest are found and Cancel then, a folder past the memory budget,
// Cancel in a load of small files, and a files list that stays short past 500 files
// without hiding the ones that did not load whole.
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { test, expect, openApp, idle, tempDir } = require('../fixtures');

/** One small CloudTrail event; `n` makes its eventID and time. */
function event(n) {
  const t = new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString().replace('.000Z', 'Z');
  return { eventVersion: '1.08', eventTime: t, eventSource: 's3.amazonaws.com', eventName: 'GetObject',
    awsRegion: 'us-east-1', sourceIPAddress: '10.0.0.1', eventID: `ev-${n}` };
}

/** Writes `count` `.json.gz` files of three events each into an S3 trail's folders under
 * a new temporary folder (a hundred files to a folder). The files whose index is in
 * `damaged` end in the middle of their third record (two events read). Returns the
 * folder dropped, the relative names and the events the page should count. */
function trail(count, damaged = new Set()) {
  const root = path.join(tempDir('ts-trail-'), 'logs');
  const names = [];
  let events = 0;
  for (let f = 0; f < count; f++) {
    const rel = path.join('AWSLogs', '123456789012', 'CloudTrail', 'us-east-1', '2024', '01',
      String(1 + Math.floor(f / 100)).padStart(2, '0'), `file-${String(f).padStart(5, '0')}.json.gz`);
    const records = [0, 1, 2].map((k) => JSON.stringify(event(f * 3 + k)));
    let text = `{"Records":[${records.join(',')}]}`;
    if (damaged.has(f)) {
      text = text.slice(0, text.length - 40);
      events += 2;
    } else {
      events += 3;
    }
    fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), zlib.gzipSync(Buffer.from(text), { level: 1 }));
    names.push(`logs/${rel.split(path.sep).join('/')}`);
  }
  return { root, names, events };
}

/** Drops `paths` (folders or files) on the middle of the page as a person drops them. */
async function drop(page, ...paths) {
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) {
    await cdp.send('Input.dispatchDragEvent', { type, x: 720, y: 450, data });
  }
  await cdp.detach();
}

const rows = (page) => page.getByTestId('file-row');

test('a dropped folder of 1,200 files loads whole; 500 are listed, those that did not load whole first', async ({ page }) => {
  test.setTimeout(180_000);
  const damaged = new Set([7, 640, 1111]);
  const { root, names, events } = trail(1200, damaged);
  await openApp(page);
  await drop(page, root);
  await expect(page.getByTestId('app')).toHaveAttribute('data-busy', 'true');
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(events));
  // Every file is counted; 500 rows, the three damaged files first, in load order.
  await expect(page.locator('.ts-files .ts-panel__count')).toHaveText('1200');
  await expect(rows(page)).toHaveCount(500);
  const listed = await rows(page).evaluateAll((els) => els.map((e) => [e.dataset.name, e.dataset.status, Number(e.dataset.events)]));
  expect(listed.slice(0, 3)).toEqual([...damaged].map((i) => [names[i], 'partial', 2]));
  // Then the whole files, in load order (by path), named by their path in the drop.
  const whole = names.filter((_, i) => !damaged.has(i)).slice(0, 497);
  expect(listed.slice(3).map(([n]) => n)).toEqual(whole);
  expect(listed.slice(3).every(([, s, n]) => s === 'ok' && n === 3)).toBe(true);
  await expect(page.getByTestId('files-unlisted')).toContainText('1,200 files loaded: 1,197 ok, 3 partial. 500 are listed');
});

/** Counts, in the page, the `File`s asked for through handles (`getFile`); with `handles`
 * false the page has no `getAsFileSystemHandle`, as in a browser without the File System
 * Access API, and walks entries (Chromium has no global for their prototype to count). */
async function countHandleWalks(page, handles) {
  await page.addInitScript((handles) => {
    window.__asked = 0;
    const getFile = FileSystemFileHandle.prototype.getFile;
    FileSystemFileHandle.prototype.getFile = function () { window.__asked++; return getFile.call(this); };
    if (!handles) delete DataTransferItem.prototype.getAsFileSystemHandle;
  }, handles);
}

test('a dropped folder is walked through its handles, or through its entries where the browser has none: same files, same names', async ({ page }) => {
  test.setTimeout(120_000);
  const { root, names, events } = trail(250, new Set([3, 120]));
  const walked = [];
  for (const handles of [true, false]) {
    const p = handles ? page : await page.context().newPage();
    await countHandleWalks(p, handles);
    await openApp(p);
    await drop(p, root);
    await expect(p.getByTestId('app')).toHaveAttribute('data-busy', 'true');
    await idle(p);
    await expect(p.getByTestId('event-count')).toHaveAttribute('data-value', String(events));
    const asked = await p.evaluate(() => window.__asked);
    expect(asked).toBe(handles ? 250 : 0);
    walked.push(await rows(p).evaluateAll((els) => els.map((e) => [e.dataset.name, e.dataset.status])));
  }
  // Listed alike: every file by its path in the drop, in load order (by path).
  expect(walked[1]).toEqual(walked[0]);
  expect(walked[0]).toEqual(names.map((n, i) => [n, i === 3 || i === 120 ? 'partial' : 'ok']));
});

test('files and a folder dropped together through the browser\'s drag and drop load under their names', async ({ page }) => {
  const { root, names, events } = trail(3);
  const loose = path.join(tempDir('ts-loose-'), 'loose.json');
  fs.writeFileSync(loose, JSON.stringify({ Records: [event(900), event(901)] }));
  await countHandleWalks(page, true);
  await openApp(page);
  await drop(page, loose, root);
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(events + 2));
  expect(await rows(page).evaluateAll((els) => els.map((e) => e.dataset.name))).toEqual(['loose.json', ...names]);
  expect(await page.evaluate(() => window.__asked)).toBe(4);
});

test('the worker answers a run of small-file loads in batches, not a message a file', async ({ page }) => {
  test.setTimeout(120_000);
  const { root, events } = trail(1000);
  // Counts the messages the page hears from the engine's worker.
  await page.addInitScript(() => {
    window.__heard = 0;
    const Original = window.Worker;
    window.Worker = class extends Original {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', () => { window.__heard += 1; });
      }
    };
  });
  await openApp(page);
  const before = await page.evaluate(() => window.__heard);
  await drop(page, root);
  await expect(page.getByTestId('app')).toHaveAttribute('data-busy', 'true');
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(events));
  // One message a file (and more for progress and views) before; a few files' answers
  // to a message now (held back 8 ms at most, while more loads wait).
  const heard = (await page.evaluate(() => window.__heard)) - before;
  expect(heard).toBeLessThan(750);
});

test('while small files read ahead load one after another, the page is still answered: rows show before the last file', async ({ page }) => {
  test.setTimeout(120_000);
  // 30 .json.gz files of 6,000 events each, all small enough to be read whole and ahead.
  const dir = tempDir('ts-ahead-');
  const files = [];
  for (let f = 0; f < 30; f++) {
    const records = [];
    for (let k = 0; k < 6000; k++) records.push(JSON.stringify(event(f * 6000 + k)));
    const file = path.join(dir, `part-${String(f).padStart(2, '0')}.json.gz`);
    fs.writeFileSync(file, zlib.gzipSync(Buffer.from(`{"Records":[${records.join(',')}]}`), { level: 1 }));
    files.push(file);
  }
  await openApp(page);
  // The events counted when the first row shows.
  await page.evaluate(() => {
    window.__atFirstRow = null;
    new MutationObserver((_, mo) => {
      if (document.querySelector('[data-testid="event-row"]')) {
        window.__atFirstRow = Number(document.querySelector('[data-testid="event-count"]').dataset.value);
        mo.disconnect();
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.getByTestId('file-input').setInputFiles(files);
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(30 * 6000));
  // Shown with the first files' events, not after the last (the worker hears the page
  // between loads; before, every file read ahead loaded first).
  const atFirstRow = await page.evaluate(() => window.__atFirstRow);
  expect(atFirstRow).toBeGreaterThan(0);
  expect(atFirstRow).toBeLessThan(30 * 6000);
});

test('a dropped folder\'s first files load while the rest are found; Cancel then stops the walk and keeps them', async ({ page }) => {
  test.setTimeout(180_000);
  // (Walking 5,000 files takes one to a few seconds here: the Cancel lands in the middle.)
  const { root, names } = trail(5000);
  await openApp(page);
  await drop(page, root);
  const progress = page.getByTestId('load-progress');
  // Events loaded while the walk is still finding files.
  await expect.poll(async () => {
    const text = await progress.textContent().catch(() => '');
    return /finding files: [\d,]+ found/.test(text ?? '') && Number(await progress.getAttribute('data-events')) > 0;
  }, { intervals: [20], timeout: 60_000 }).toBe(true);
  await progress.getByTestId('load-cancel').click();
  await idle(page);
  await expect(progress).toHaveCount(0);
  // What loaded stays, each file whole; the files found and not loaded are named as
  // cancelled; no more were looked for.
  const count = Number(await page.getByTestId('event-count').getAttribute('data-value'));
  expect(count).toBeGreaterThan(0);
  expect(count % 3).toBe(0);
  const listed = Number(await page.locator('.ts-files .ts-panel__count').textContent());
  expect(listed).toBeLessThan(5000);
  const skipped = page.locator('[data-testid="file-row"][data-status="skipped"]');
  expect(await skipped.count()).toBe(Math.min(500, listed - count / 3));
  // The whole files listed after them (500 rows in all), in load order: the trail's
  // first files by path.
  const ok = await page.locator('[data-testid="file-row"][data-status="ok"]').evaluateAll((els) => els.map((e) => [e.dataset.name, Number(e.dataset.events)]));
  expect(ok.map(([n]) => n)).toEqual(names.slice(0, ok.length));
  expect(ok.every(([, n]) => n === 3)).toBe(true);
  await expect(skipped.first()).toContainText('cancelled');
});

test('a dropped folder too big for the page\'s memory: the files before the one that would not fit load, the rest are named', async ({ page }) => {
  // a/ holds small plain logs, b/ a gzip file taken as about 3.2 GB of logs (a sparse
  // file: a gzip header, then nothing; never read, only its size and first bytes), c/ a
  // small log after it.
  const root = path.join(tempDir('ts-huge-folder-'), 'logs');
  for (const d of ['a', 'b', 'c']) fs.mkdirSync(path.join(root, d), { recursive: true });
  for (let f = 0; f < 3; f++) {
    fs.writeFileSync(path.join(root, 'a', `small-${f}.json`), JSON.stringify({ Records: [event(f * 2), event(f * 2 + 1)] }));
  }
  const fd = fs.openSync(path.join(root, 'b', 'huge.json.gz'), 'w');
  fs.writeSync(fd, Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
  fs.ftruncateSync(fd, 320e6);
  fs.closeSync(fd);
  fs.writeFileSync(path.join(root, 'c', 'after.json'), JSON.stringify({ Records: [event(99)] }));
  await openApp(page);
  await drop(page, root);
  await expect(page.getByTestId('app')).toHaveAttribute('data-busy', 'true');
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', '6');
  const status = (name) => page.locator(`[data-testid="file-row"][data-name="${name}"]`);
  for (let f = 0; f < 3; f++) await expect(status(`logs/a/small-${f}.json`)).toHaveAttribute('data-status', 'ok');
  for (const name of ['logs/b/huge.json.gz', 'logs/c/after.json']) {
    await expect(status(name)).toHaveAttribute('data-status', 'skipped');
    await expect(status(name)).toContainText('budget');
  }
  await expect(page.getByTestId('memory-note')).toBeVisible();
});

test('Cancel during a load of 4,000 small files keeps whole files and names the rest', async ({ page }) => {
  test.setTimeout(180_000);
  // (4,000 files take seconds to load: the Cancel lands in the middle.)
  const { root, names, events: all } = trail(4000);
  const files = names.map((n) => path.join(path.dirname(root), n));
  await openApp(page);
  await page.getByTestId('file-input').setInputFiles(files);
  const progress = page.getByTestId('load-progress');
  await expect.poll(async () => Number(await progress.getAttribute('data-events')), { timeout: 60_000 })
    .toBeGreaterThan(0);
  await page.getByTestId('load-cancel').click();
  await idle(page);
  const count = Number(await page.getByTestId('event-count').getAttribute('data-value'));
  expect(count).toBeGreaterThan(0);
  expect(count).toBeLessThan(all);
  // Each loaded file whole (three events), and the count is theirs: files counted in the
  // panel's title, the not-loaded ones listed after the loaded (500 at most of each).
  expect(count % 3).toBe(0);
  const loaded = count / 3;
  const skipped = await page.locator('[data-testid="file-row"][data-status="skipped"]').count();
  expect(skipped).toBe(Math.min(500, 4000 - loaded));
  await expect(page.locator('.ts-files .ts-panel__count')).toHaveText(String(4000));
  const okEvents = await page.locator('[data-testid="file-row"][data-status="ok"]').evaluateAll((els) => els.map((e) => Number(e.dataset.events)));
  expect(okEvents.every((n) => n === 3)).toBe(true);
});

test('Cancel while the sizes of 4,000 chosen files are read: nothing loads, every file is named', async ({ page }) => {
  test.setTimeout(180_000);
  const { root, names } = trail(4000);
  await openApp(page);
  await page.getByTestId('file-input').setInputFiles(names.map((n) => path.join(path.dirname(root), n)));
  const scan = page.getByTestId('load-scan');
  await expect(scan).toContainText(/Reading file sizes · [\d,]+ of 4,000 files/);
  await scan.getByTestId('load-cancel').click();
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', '0');
  await expect(page.locator('.ts-files .ts-panel__count')).toHaveText('4000');
  await expect(rows(page)).toHaveCount(500);
  await expect(page.locator('.ts-files__more')).toHaveText('… and 3,500 more skipped');
});
