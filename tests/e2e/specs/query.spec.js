// Issue 4, finding: the query language against counts computed here from the corpus,
// syntax errors, typing, facets (include and exclude) and grouping.
const { test, expect, openApp, idle } = require('../fixtures');
const { invictusFiles, invictusRecords, at, matches, query, loadFiles, matchCount } = require('./viewer-helpers');

const records = invictusRecords();
const count = (pred) => records.filter(pred).length;

test.beforeEach(async ({ page }) => {
  await openApp(page);
  await loadFiles(page, invictusFiles());
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(records.length));
});

test('field terms, wildcards, negation, OR and bare words count as computed independently', async ({ page }) => {
  const cases = [
    ['eventSource:kms.amazonaws.com', (r) => r.eventSource === 'kms.amazonaws.com'],
    ['eventName:Delete*', (r) => matches(r.eventName, 'Delete*')],
    ['eventName:delete*', (r) => matches(r.eventName, 'delete*')],
    ['eventName:decrypt', (r) => r.eventName === 'decrypt'],
    ['-eventSource:ssm.amazonaws.com', (r) => r.eventSource !== 'ssm.amazonaws.com'],
    ['errorCode:AccessDenied OR errorCode:ThrottlingException', (r) => ['AccessDenied', 'ThrottlingException'].includes(r.errorCode)],
    ['userIdentity.type:AssumedRole eventSource:sts.amazonaws.com', (r) => at(r, 'userIdentity.type') === 'AssumedRole' && r.eventSource === 'sts.amazonaws.com'],
    ['stratus', (r) => JSON.stringify(r).toLowerCase().includes('stratus')],
    ['eventSource:ec2.amazonaws.com -errorCode:*', (r) => r.eventSource === 'ec2.amazonaws.com' && r.errorCode === undefined],
  ];
  for (const [q, pred] of cases) {
    await query(page, q);
    const expected = count(pred);
    await expect(page.getByTestId('match-count'), q).toHaveAttribute('data-value', String(expected));
    if (expected > 0) await expect(page.getByTestId('event-row').first(), q).toBeVisible();
  }
  await query(page, '');
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', String(records.length));
});

test('a query applies after a pause in typing, and a syntax error keeps the previous results', async ({ page }) => {
  const box = page.getByTestId('filter-input');
  await box.pressSequentially('eventName:Encrypt', { delay: 20 });
  await idle(page);
  const encrypt = count((r) => r.eventName === 'Encrypt');
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', String(encrypt));

  await box.pressSequentially(' requestParameters.x:"unclosed', { delay: 10 });
  await idle(page);
  await expect(page.getByTestId('query-error')).toBeVisible();
  await expect(page.getByTestId('query-error')).toContainText('quote');
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', String(encrypt));
  // The table still shows the Encrypt events (as many as fit its window), nothing else.
  const encryptIds = new Set(records.filter((r) => r.eventName === 'Encrypt').map((r) => r.eventID));
  const shownIds = await page.getByTestId('event-row').evaluateAll((rows) => rows.map((r) => r.dataset.eventId));
  expect(shownIds.length).toBeGreaterThan(0);
  expect(shownIds.length).toBeLessThanOrEqual(encrypt);
  for (const id of shownIds) expect(encryptIds.has(id), `row ${id} is an Encrypt event`).toBe(true);

  await box.press('Escape');
  await idle(page);
  await expect(page.getByTestId('query-error')).toHaveCount(0);
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', String(records.length));
});

test('facets count under the query; click includes, Alt-click excludes', async ({ page }) => {
  const names = page.locator('[data-testid="facet"][data-field="eventName"] [data-testid="facet-value"]');
  const top = names.first();
  await expect(top).toHaveAttribute('data-value', 'Decrypt');
  await expect(top).toHaveAttribute('data-count', String(count((r) => r.eventName === 'Decrypt')));

  await top.click();
  await idle(page);
  await expect(page.getByTestId('filter-input')).toHaveValue('eventName:Decrypt');
  const decrypt = records.filter((r) => r.eventName === 'Decrypt');
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', String(decrypt.length));

  // Facets now count only the Decrypt events.
  const types = page.locator('[data-testid="facet"][data-field="userIdentity.type"] [data-testid="facet-value"]');
  const byType = {};
  for (const r of decrypt) { const t = at(r, 'userIdentity.type') || ''; byType[t] = (byType[t] || 0) + 1; }
  const [topType, topCount] = Object.entries(byType).sort((a, b) => b[1] - a[1])[0];
  await expect(types.first()).toHaveAttribute('data-value', topType);
  await expect(types.first()).toHaveAttribute('data-count', String(topCount));

  await types.first().click({ modifiers: ['Alt'] });
  await idle(page);
  await expect(page.getByTestId('filter-input')).toHaveValue(`eventName:Decrypt -userIdentity.type:${topType}`);
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', String(decrypt.length - topCount));
});

test('grouping by a field lists its values with counts; a group narrows the table', async ({ page }) => {
  await page.getByTestId('group-by').selectOption('eventSource');
  await idle(page);
  const bySource = {};
  for (const r of records) bySource[r.eventSource] = (bySource[r.eventSource] || 0) + 1;
  await expect(page.getByTestId('group-row')).toHaveCount(Object.keys(bySource).length);
  for (const [source, n] of Object.entries(bySource)) {
    await expect(page.locator(`[data-testid="group-row"][data-key="${source}"]`)).toHaveAttribute('data-count', String(n));
  }
  // The biggest group first.
  await expect(page.getByTestId('group-row').first()).toHaveAttribute('data-key', 'ssm.amazonaws.com');

  await page.locator('[data-testid="group-row"][data-key="kms.amazonaws.com"] .ts-group__main').click();
  await idle(page);
  const kmsIds = new Set(records.filter((r) => r.eventSource === 'kms.amazonaws.com').map((r) => r.eventID));
  const shown = await page.getByTestId('event-row').evaluateAll((rows) => rows.map((r) => r.dataset.eventId));
  expect(shown.length).toBeGreaterThan(10);
  for (const id of shown) expect(kmsIds.has(id), id).toBe(true);
  // The match count is the query's; the group is a view of it.
  expect(await matchCount(page)).toBe(records.length);

  // Groups follow the query.
  await query(page, 'errorCode:*');
  const failedSources = new Set(records.filter((r) => r.errorCode).map((r) => r.eventSource));
  await expect(page.getByTestId('group-row')).toHaveCount(failedSources.size);
});

test('two-level grouping nests event names under services and collapses', async ({ page }) => {
  await page.getByTestId('group-by').selectOption('service>eventName');
  await idle(page);
  const top = page.locator('[data-testid="group-row"][data-level="0"]');
  const children = page.locator('[data-testid="group-row"][data-level="1"]');
  const pairs = new Set(records.map((r) => `${r.eventSource} ${r.eventName}`));
  await expect(top).toHaveCount(new Set(records.map((r) => r.eventSource)).size);
  await expect(children).toHaveCount(pairs.size);
  const sum = await top.evaluateAll((rows) => rows.reduce((s, r) => s + Number(r.dataset.count), 0));
  expect(sum).toBe(records.length);
  // Collapsing the first service hides its event names.
  const firstCount = await top.first().getAttribute('data-count');
  await top.first().locator('.ts-group__toggle').click();
  await expect(children).not.toHaveCount(pairs.size);
  const visibleChildren = await children.evaluateAll((rows) => rows.reduce((s, r) => s + Number(r.dataset.count), 0));
  expect(visibleChildren).toBe(records.length - Number(firstCount));
});

test('the group-by select offers the contract keys', async ({ page }) => {
  const values = await page.getByTestId('group-by').locator('option').evaluateAll((o) => o.map((x) => x.value));
  for (const v of ['eventSource', 'eventName', 'principal', 'awsRegion', 'errorCode', 'recipientAccountId', 'sourceIPAddress']) {
    expect(values).toContain(v);
  }
});
