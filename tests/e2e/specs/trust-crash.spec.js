// Issue 6, a panic anywhere in the engine becomes a failed row naming an internal error,
// never a dead page. Test builds are made with the `crash-probe` feature: a file named
// `*crash-probe.json` makes the engine's worker panic while loading it. The page must
// name that file as failed, load the other files of the same drop (those before it are
// loaded again into a new worker), and keep working.
const fs = require('fs');
const zlib = require('zlib');
const { test, expect, openApp, idle, corpus } = require('../fixtures');

const BEFORE = 'invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json';
const AFTER = 'invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1205Z_zs3JGxETHr59VpkX.json.gz';

function records(file) {
  let bytes = fs.readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8')).Records;
}

/** The worker's death is reported by the browser as an uncaught error in the worker; that
 *  one expected report is taken out of the problems the fixture checks. */
function dropExpectedCrashReports(problems) {
  for (let i = problems.length - 1; i >= 0; i -= 1) {
    if (/unreachable|RuntimeError|crash probe/i.test(problems[i])) problems.splice(i, 1);
  }
}

test('a panic in the engine fails one file; the others load, and the page keeps working', async ({ page, problems }) => {
  const before = records(corpus(BEFORE));
  const after = records(corpus(AFTER));
  const probe = { name: 'x-crash-probe.json', mimeType: 'application/json', buffer: Buffer.from('{"Records":[]}') };

  await openApp(page);
  await page.getByTestId('file-input').setInputFiles(corpus(BEFORE));
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(before.length));

  await page.getByTestId('file-input').setInputFiles([
    probe,
    { name: 'after.json.gz', mimeType: 'application/gzip', buffer: fs.readFileSync(corpus(AFTER)) },
  ]);
  await idle(page);

  const failed = page.locator('[data-testid="file-row"][data-name="x-crash-probe.json"]');
  await expect(failed).toHaveAttribute('data-status', 'failed');
  await expect(failed).toContainText(/internal error/);
  await expect(failed).toContainText(/crash probe/);
  await expect(page.locator('[data-testid="file-row"][data-status="ok"]')).toHaveCount(2);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(before.length + after.length));

  // The page still answers: a query over both files, and an event's detail.
  const box = page.getByTestId('filter-input');
  await box.fill(`eventID:${before[0].eventID} OR eventID:${after[0].eventID}`);
  await box.press('Enter');
  await idle(page);
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', '2');
  await page.getByTestId('event-row').first().click();
  await expect(page.getByTestId('event-detail')).toBeVisible();

  dropExpectedCrashReports(problems);
});
