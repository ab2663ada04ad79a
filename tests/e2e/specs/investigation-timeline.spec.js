// Timeline and compare: the histogram's bars add up to the events in view, stacked by
// outcome; dragging across it puts after:/before: (ISO UTC) into the query and the count
// equals the corpus events in that span. Two events side by side flag differing fields.
const { test, expect, openApp, idle } = require('../fixtures');
const { invictusFiles, invictusRecords, loadFiles, matchCount } = require('./viewer-helpers');
const { failed } = require('./investigation-helpers');

async function barSums(page) {
  return page.getByTestId('timeline-bar').evaluateAll((bars) => bars.reduce((s, b) => ({
    count: s.count + Number(b.getAttribute('data-count')),
    failed: s.failed + Number(b.getAttribute('data-failed')),
  }), { count: 0, failed: 0 }));
}

test('timeline bars add up to the view, failures apart; a drag sets after:/before:', async ({ page }) => {
  await openApp(page);
  await loadFiles(page, invictusFiles());
  const records = invictusRecords();
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toBeVisible();
  const sums = await barSums(page);
  expect(sums.count).toBe(records.length);
  expect(sums.failed).toBe(records.filter(failed).length);
  expect(sums.failed).toBeGreaterThan(0);

  const plot = page.getByTestId('timeline-plot');
  const box = await plot.boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.3, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.45, y, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.7, y, { steps: 5 });
  await page.mouse.up();
  await idle(page);

  const q = await page.getByTestId('filter-input').inputValue();
  const m = q.match(/^after:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) before:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/);
  expect(m, `query ${q}`).toBeTruthy();
  const from = Date.parse(m[1]);
  const to = Date.parse(m[2]);
  expect(to).toBeGreaterThan(from);
  const inside = records.filter((r) => { const t = Date.parse(r.eventTime); return t >= from && t < to; });
  expect(await matchCount(page)).toBe(inside.length);
  expect(inside.length).toBeGreaterThan(0);
  expect(inside.length).toBeLessThan(records.length);
  // The histogram now spans the narrower view (the zoom) and still adds up.
  expect((await barSums(page)).count).toBe(inside.length);

  // "All time" drops the time terms again.
  await page.getByTestId('timeline-all').click();
  await idle(page);
  await expect(page.getByTestId('filter-input')).toHaveValue('');
  expect(await matchCount(page)).toBe(records.length);
});

test('two events compared side by side with differing fields flagged', async ({ page }) => {
  await openApp(page);
  await loadFiles(page, invictusFiles());
  const records = invictusRecords();
  const rows = page.getByTestId('event-row');
  const a = await rows.nth(0).getAttribute('data-event-id');
  const b = await rows.nth(1).getAttribute('data-event-id');
  await rows.nth(0).click({ modifiers: ['Control'] });
  await rows.nth(1).click({ modifiers: ['Control'] });
  await expect(page.getByTestId('compare-tray')).toHaveAttribute('data-count', '2');
  await page.getByTestId('compare-open').click();
  const view = page.getByTestId('compare-view');
  await expect(view).toBeVisible();
  const ra = records.find((r) => r.eventID === a);
  const rb = records.find((r) => r.eventID === b);
  await expect(view.locator('[data-testid="compare-row"][data-path="eventID"]')).toHaveAttribute('data-differs', 'true');
  await expect(view.locator('[data-testid="compare-row"][data-path="eventID"]')).toContainText(a);
  await expect(view.locator('[data-testid="compare-row"][data-path="eventID"]')).toContainText(b);
  const same = ra.eventVersion === rb.eventVersion ? 'false' : 'true';
  await expect(view.locator('[data-testid="compare-row"][data-path="eventVersion"]')).toHaveAttribute('data-differs', same);
  // Only differences hides the equal rows.
  await view.getByTestId('compare-only-diff').check();
  await expect(view.locator('[data-testid="compare-row"][data-differs="false"]')).toHaveCount(0);
  await expect(view.locator('[data-testid="compare-row"][data-differs="true"]').first()).toBeVisible();
  await view.getByTestId('compare-close').click();
  await expect(view).toHaveCount(0);

  // The detail pane's toggle adds a third.
  await rows.nth(2).click();
  await page.getByTestId('compare-toggle').click();
  await expect(page.getByTestId('compare-tray')).toHaveAttribute('data-count', '3');
});
