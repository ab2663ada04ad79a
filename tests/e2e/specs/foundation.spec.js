// Issue 2: the page builds, loads cleanly, and does one real thing end to end.
const fs = require('fs');
const { test, expect, openApp, idle, corpus, FIXTURES } = require('../fixtures');

const PLAIN = 'invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json';
const GZ = 'invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1200Z_iLj9fb7yyUG9X4Bf.json.gz';

/** Count records the way the corpus README does, independently of the engine. */
function recordsIn(rel) {
  const zlib = require('zlib');
  let bytes = fs.readFileSync(corpus(rel));
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8')).Records.length;
}

test('the page loads with every contract hook and no console error', async ({ page }) => {
  await openApp(page);
  for (const id of ['app', 'file-input', 'folder-input', 'paste-input', 'paste-load', 'load-sample',
    'event-count', 'filter-input', 'match-count', 'group-by', 'theme-toggle']) {
    await expect(page.getByTestId(id), id).toHaveCount(1);
  }
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', '0');
  await expect(page.getByTestId('file-input')).toHaveAttribute('multiple', '');
  await expect(page.getByTestId('folder-input')).toHaveAttribute('webkitdirectory', '');
});

test('the favicon and every asset load from the page origin', async ({ page, baseURL }) => {
  const failed = [];
  page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
  await openApp(page);
  const icon = await page.locator('link[rel~="icon"]').getAttribute('href');
  const res = await page.request.get(new URL(icon, page.url()).href);
  expect(res.status()).toBe(200);
  expect(failed).toEqual([]);
  expect(page.url().startsWith(baseURL)).toBeTruthy();
});

test('a Records file, plain and gzipped, shows its event count', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('file-input').setInputFiles(corpus(PLAIN));
  await idle(page);
  const plain = recordsIn(PLAIN);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(plain));
  await page.getByTestId('file-input').setInputFiles(corpus(GZ));
  await idle(page);
  const gz = recordsIn(GZ);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(plain + gz));
  const row = page.locator(`[data-testid="file-row"][data-name$=".json.gz"]`);
  await expect(row).toHaveAttribute('data-format', 'records');
  await expect(row).toHaveAttribute('data-status', 'ok');
  await expect(row).toHaveAttribute('data-events', String(gz));
});

test('a file that is not JSON gets a failed row with a reason and the page keeps working', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('file-input').setInputFiles({
    name: 'notes.bin', mimeType: 'application/octet-stream',
    buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
  });
  await idle(page);
  const row = page.locator('[data-testid="file-row"][data-name="notes.bin"]');
  await expect(row).toHaveAttribute('data-status', 'failed');
  await expect(row).toHaveAttribute('data-events', '0');
  expect((await row.innerText()).length).toBeGreaterThan(10);
  await page.getByTestId('file-input').setInputFiles(corpus(PLAIN));
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(recordsIn(PLAIN)));
});

test('the page carries a same-origin-only Content-Security-Policy', async ({ page }) => {
  await openApp(page);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("connect-src 'self'");
  expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/=]+')*;/);
  expect(csp).not.toMatch(/https?:|unsafe-inline/);
  // Every script and stylesheet comes from the page's own origin.
  const origin = new URL(page.url()).origin;
  const urls = await page.evaluate(() => [...document.querySelectorAll('script[src],link[href]')]
    .map((e) => e.src || e.href));
  for (const u of urls) expect(new URL(u).origin).toBe(origin);
});
