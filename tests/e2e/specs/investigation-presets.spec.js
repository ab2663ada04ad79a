// Investigation presets: each shows its count before it is clicked, and the counts equal
// those computed here from the corpus JSON; a click puts the query in the box (editable)
// and applies the preset's grouping.
const { test, expect, openApp, idle } = require('../fixtures');
const { invictusFiles, invictusRecords, loadFiles, matchCount } = require('./viewer-helpers');
const { PRESET_PREDICATES } = require('./investigation-helpers');

test('preset counts shown before clicking match counts computed from the corpus', async ({ page }) => {
  await openApp(page);
  await loadFiles(page, invictusFiles());
  const records = invictusRecords();
  for (const [id, pred] of Object.entries(PRESET_PREDICATES)) {
    const expected = records.filter(pred).length;
    await expect(page.locator(`[data-testid="preset"][data-preset-id="${id}"]`), id)
      .toHaveAttribute('data-count', String(expected));
  }
  // The corpus has access-denied errors and IAM changes: the test is not all zeros.
  expect(records.filter(PRESET_PREDICATES['access-denied']).length).toBeGreaterThan(0);
  expect(records.filter(PRESET_PREDICATES['iam-changes']).length).toBeGreaterThan(0);
  await expect(page.locator('[data-testid="preset"][data-preset-id="new-source-ip"]')).toHaveAttribute('data-count', /^\d+$/);
});

test('clicking a preset fills the query box, applies its grouping, and stays editable', async ({ page }) => {
  await openApp(page);
  await loadFiles(page, invictusFiles());
  const records = invictusRecords();
  const denied = records.filter(PRESET_PREDICATES['access-denied']);

  await page.locator('[data-testid="preset"][data-preset-id="access-denied"]').click();
  await idle(page);
  await expect(page.getByTestId('filter-input')).toHaveValue(/errorCode:\*AccessDenied\*/);
  await expect(page.getByTestId('group-by')).toHaveValue('principal');
  expect(await matchCount(page)).toBe(denied.length);
  // Grouped by principal: one group per principal among the denied calls.
  const principals = new Set(denied.map((r) => r.userIdentity && (r.userIdentity.arn || r.userIdentity.type)));
  await expect(page.getByTestId('group-row').first()).toBeVisible();
  expect(await page.getByTestId('group-row').count()).toBeGreaterThanOrEqual(Math.min(principals.size, 1));

  // Editing the preset's query narrows it like any query.
  const box = page.getByTestId('filter-input');
  await box.fill(`(${await box.inputValue()}) eventSource:ec2.amazonaws.com`);
  await box.press('Enter');
  await idle(page);
  expect(await matchCount(page)).toBe(denied.filter((r) => r.eventSource === 'ec2.amazonaws.com').length);
});
