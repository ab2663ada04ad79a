// Shareable views: query, grouping, columns, selected event and theme live in the URL
// fragment (no event data); the URL opened in a fresh page with the same files shows the
// same view; back and forward move between views.
const { test, expect, openApp, idle } = require('../fixtures');
const { invictusFiles, invictusRecords, loadFiles, matchCount, query } = require('./viewer-helpers');

test('a view opened from its URL in a fresh page with the same files is the same view', async ({ page, problems }) => {
  await openApp(page);
  await loadFiles(page, invictusFiles());
  const records = invictusRecords();
  await query(page, 'eventSource:ec2.amazonaws.com -errorCode:*');
  await page.getByTestId('group-by').selectOption('eventName');
  await idle(page);
  const count = await matchCount(page);
  expect(count).toBe(records.filter((r) => r.eventSource === 'ec2.amazonaws.com' && !r.errorCode).length);
  const row = page.getByTestId('event-row').nth(2);
  const eventId = await row.getAttribute('data-event-id');
  await row.click();
  await expect(page.getByTestId('event-detail')).toHaveAttribute('data-event-id', eventId);
  await page.getByTestId('theme-toggle').click();
  const theme = await page.locator('html').getAttribute('data-theme');

  const url = page.url();
  const fragment = decodeURIComponent(new URL(url).hash);
  expect(fragment).toContain('q=eventSource:ec2.amazonaws.com -errorCode:*');
  expect(fragment).toContain('g=eventName');
  expect(fragment).toContain(`sel=${eventId}`);
  // Nothing from the events themselves beyond the chosen id: no names, addresses or ARNs.
  const someIp = records.find((r) => r.eventID === eventId).sourceIPAddress;
  expect(fragment).not.toContain(someIp);

  const fresh = await page.context().newPage();
  fresh.on('console', (m) => { if (m.type() === 'error') problems.push(`fresh page: ${m.text()}`); });
  fresh.on('pageerror', (e) => problems.push(`fresh page: ${e.message}`));
  await fresh.goto(url);
  await idle(fresh);
  await expect(fresh.getByTestId('filter-input')).toHaveValue('eventSource:ec2.amazonaws.com -errorCode:*');
  await expect(fresh.getByTestId('group-by')).toHaveValue('eventName');
  await expect(fresh.locator('html')).toHaveAttribute('data-theme', theme);
  await loadFiles(fresh, invictusFiles());
  expect(await matchCount(fresh)).toBe(count);
  await expect(fresh.getByTestId('event-detail')).toHaveAttribute('data-event-id', eventId);
  await fresh.close();
});

test('back and forward move between views', async ({ page }) => {
  await openApp(page);
  await loadFiles(page, invictusFiles());
  const records = invictusRecords();
  await query(page, 'eventSource:iam.amazonaws.com');
  const iam = records.filter((r) => r.eventSource === 'iam.amazonaws.com').length;
  expect(await matchCount(page)).toBe(iam);
  await query(page, 'eventSource:s3.amazonaws.com');
  const s3 = records.filter((r) => r.eventSource === 's3.amazonaws.com').length;
  expect(await matchCount(page)).toBe(s3);
  await page.getByTestId('group-by').selectOption('principal');
  await idle(page);

  await page.goBack();
  await idle(page);
  await expect(page.getByTestId('group-by')).toHaveValue('');
  await expect(page.getByTestId('filter-input')).toHaveValue('eventSource:s3.amazonaws.com');
  await page.goBack();
  await idle(page);
  await expect(page.getByTestId('filter-input')).toHaveValue('eventSource:iam.amazonaws.com');
  expect(await matchCount(page)).toBe(iam);
  await page.goForward();
  await idle(page);
  await expect(page.getByTestId('filter-input')).toHaveValue('eventSource:s3.amazonaws.com');
  expect(await matchCount(page)).toBe(s3);
  // The events are still loaded: moving between views never reloads the page.
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(records.length));
});
