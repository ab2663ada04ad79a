// Issue 4, the detail pane: JSON tree, nested table, decoded JSON strings, dates for epoch
// numbers, ARN parts, "filter by this value", copy; the theme toggle; log text is text.
const { test, expect, openApp, idle } = require('../fixtures');
const { sampleRecords, query, matchCount } = require('./viewer-helpers');

async function openSample(page, q) {
  await openApp(page);
  await page.getByTestId('load-sample').click();
  await idle(page);
  await query(page, q);
  await page.getByTestId('event-row').first().click();
  await expect(page.getByTestId('event-detail')).toBeVisible();
  return page.getByTestId('event-detail');
}

test('Personalize ListDatasetGroups: the response list is a nested table', async ({ page }) => {
  const detail = await openSample(page, 'eventName:ListDatasetGroups');
  const record = sampleRecords().find((r) => r.eventName === 'ListDatasetGroups');
  await expect(detail).toHaveAttribute('data-event-id', record.eventID);
  const table = detail.getByTestId('json-table');
  await expect(table).toHaveCount(1);
  for (const key of Object.keys(record.responseElements.datasetGroups[0])) {
    await expect(table.locator('th', { hasText: key })).toHaveCount(1);
  }
  await expect(table.locator('td').first()).toHaveText('testdatasetgroup');
  await expect(table.locator('tbody tr')).toHaveCount(record.responseElements.datasetGroups.length);
});

test('EventBridge PutRule: the eventPattern string is decoded and the rule ARN split', async ({ page }) => {
  const detail = await openSample(page, 'eventName:PutRule');
  const decoded = detail.getByTestId('decoded-json');
  await expect(decoded).toHaveCount(1);
  await expect(decoded).toContainText('source');
  await expect(decoded).toContainText('"aws.ec2"');
  await expect(decoded).toContainText('"EC2 Instance State-change Notification"');
  const arn = detail.getByTestId('arn-parts').filter({ hasText: 'rule/cttest2' });
  await expect(arn).toHaveCount(1);
  for (const part of ['partition', 'aws', 'service', 'events', 'region', 'us-east-1', 'account', '123456789012', 'resource']) {
    await expect(arn).toContainText(part);
  }
});

test('CloudWatch Logs CreateExportTask: from/to epoch milliseconds show as dates', async ({ page }) => {
  const detail = await openSample(page, 'eventName:CreateExportTask');
  const dates = await detail.getByTestId('date-note').allTextContents();
  expect(dates.join(' | ')).toContain('1970-01-01 00:00:00 UTC');
  expect(dates.join(' | ')).toContain('1973-11-29 21:33:09.012 UTC');
});

test('"filter by this value" on a leaf adds the term to the query', async ({ page }) => {
  const detail = await openSample(page, 'eventSource:monitoring.amazonaws.com');
  const all = sampleRecords();
  const before = all.filter((r) => r.eventSource === 'monitoring.amazonaws.com').length;
  expect(await matchCount(page)).toBe(before);
  await detail.locator('[data-testid="filter-value"][data-path="requestParameters.alarmName"]').click();
  await idle(page);
  await expect(page.getByTestId('filter-input')).toHaveValue('eventSource:monitoring.amazonaws.com requestParameters.alarmName:"CloudTrail Test Alarm"');
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', '1');
  // Alt-click excludes: the one alarm event goes away.
  await page.getByTestId('event-row').first().click();
  await page.getByTestId('event-detail').locator('[data-testid="filter-value"][data-path="eventName"]').click({ modifiers: ['Alt'] });
  await idle(page);
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', '0');
});

test('the tree collapses, the raw view and copy give the event\'s JSON', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseURL).origin });
  const detail = await openSample(page, 'eventName:GetResourceMetrics');
  const record = sampleRecords().find((r) => r.eventName === 'GetResourceMetrics');
  await expect(detail).toContainText('os.cpuUtilization.user.avg');
  // Collapse userIdentity: its members are no longer visible.
  const principal = detail.locator('[data-testid="filter-value"][data-path="userIdentity.principalId"]');
  await expect(principal).toBeAttached();
  await expect(detail.getByText('AKIAIOSFODNN7EXAMPLE', { exact: false }).first()).toBeVisible();
  await detail.locator('summary', { hasText: 'userIdentity' }).click();
  await expect(detail.getByText('"AKIAIOSFODNN7EXAMPLE"')).toBeHidden();

  await detail.getByTestId('copy-event').click();
  await expect(detail).toContainText('Copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(JSON.parse(copied)).toEqual(record);
});

test('the theme follows the system until toggled', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openApp(page);
  const toggle = page.getByTestId('theme-toggle');
  await expect(toggle).toHaveAttribute('data-theme', 'dark');
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const dark = await bg();
  await toggle.click();
  await expect(toggle).toHaveAttribute('data-theme', 'light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await bg()).not.toBe(dark);
  await toggle.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await bg()).toBe(dark);
});

test('values from a log are shown as text, never run', async ({ page }) => {
  await openApp(page);
  const evil = {
    eventVersion: '1.08', eventID: 'evil-1', eventTime: '2024-01-01T00:00:00Z',
    eventSource: 's3.amazonaws.com', eventName: '<img src=x onerror="window.__pwned=1">',
    userAgent: '<script>window.__pwned=2</script>', sourceIPAddress: '"><svg onload="window.__pwned=3">',
    userIdentity: { type: 'IAMUser', userName: '\u202Egnp.exe' },
    requestParameters: { '<b onmouseover="window.__pwned=4">key</b>': 'javascript:window.__pwned=5' },
  };
  await page.getByTestId('paste-input').fill(JSON.stringify(evil));
  await page.getByTestId('paste-load').click();
  await idle(page);
  await page.getByTestId('group-by').selectOption('eventName');
  await expect(page.getByTestId('group-row').first()).toHaveAttribute('data-key', evil.eventName);
  await page.getByTestId('event-row').first().click();
  const detail = page.getByTestId('event-detail');
  await expect(detail).toContainText(evil.userAgent);
  await expect(detail).toContainText('<b onmouseover="window.__pwned=4">key</b>');
  await expect(page.getByTestId('event-row').first()).toContainText(evil.eventName);
  await expect(page.locator('img, svg, b[onmouseover]')).toHaveCount(0);
  expect(await page.evaluate(() => [...document.scripts].some((s) => s.textContent.includes('__pwned')))).toBe(false);
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
});
