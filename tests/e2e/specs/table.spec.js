// Issue 4, reading: the virtualised table (a million rows, bounded elements), sorting,
// columns, time zones, failed calls, keyboard use and the per-service parameter columns.
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { test, expect, openApp, idle } = require('../fixtures');
const { invictusFiles, invictusRecords, query, loadFiles } = require('./viewer-helpers');

/** Writes (once) a gzipped `{"Records":[...]}` file of `n` small generated events, one
 * second apart, and returns its path. */
function bigFile(n) {
  const file = path.join(os.tmpdir(), `trailscope-${n}.json.gz`);
  if (fs.existsSync(file)) return file;
  const t0 = Date.UTC(2024, 0, 1);
  const parts = ['{"Records":['];
  for (let i = 0; i < n; i++) {
    const t = new Date(t0 + i * 1000).toISOString().replace('.000Z', 'Z');
    parts.push(`${i ? ',' : ''}{"eventVersion":"1.08","eventTime":"${t}","eventSource":"s3.amazonaws.com","eventName":"${i % 7 ? 'GetObject' : 'PutObject'}","awsRegion":"us-east-1","sourceIPAddress":"10.0.${(i >> 8) & 255}.${i & 255}","eventID":"ev-${i}"}`);
  }
  parts.push(']}');
  fs.writeFileSync(file, zlib.gzipSync(Buffer.from(parts.join('')), { level: 1 }));
  return file;
}

const scroller = (page) => page.getByTestId('event-table');

test('a million rows: the table renders a bounded window wherever it is scrolled', async ({ page }) => {
  test.setTimeout(300_000);
  const N = 1_000_000;
  const file = bigFile(N);
  await openApp(page);
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('app')).toHaveAttribute('data-busy', 'false', { timeout: 240_000 });
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(N));
  const rows = page.getByTestId('event-row');
  expect(await rows.count()).toBeGreaterThan(10);
  expect(await rows.count()).toBeLessThanOrEqual(120);
  // Newest first: the last generated event leads.
  await expect(rows.first()).toHaveAttribute('data-event-id', `ev-${N - 1}`);

  for (const fraction of [0.5, 0.123, 0.999, 1]) {
    // The jump is drawn over a few frames: the page says busy until its window is full
    // (after the scroll event, which comes with the next frame).
    await scroller(page).evaluate((el, f) => new Promise((resolve) => {
      el.scrollTop = (el.scrollHeight - el.clientHeight) * f;
      requestAnimationFrame(() => setTimeout(resolve, 0));
    }), fraction);
    await idle(page);
    const [placeholders, viewport] = await scroller(page).evaluate((el) => [
      el.querySelectorAll('[aria-busy="true"]').length, el.clientHeight]);
    expect(placeholders, `rows still to come at ${fraction}`).toBe(0);
    expect(await rows.count()).toBeGreaterThanOrEqual(Math.floor(viewport / 24) - 1);
    const ids = await rows.evaluateAll((r) => r.map((x) => Number(x.dataset.eventId.slice(3))));
    expect(ids.length, `rows at ${fraction}`).toBeGreaterThan(10);
    expect(ids.length, `rows at ${fraction}`).toBeLessThanOrEqual(120);
    // Rows are consecutive and near the scrolled position.
    const expectedTop = (N - 1) - Math.round(fraction * (N - 1));
    expect(Math.abs(ids[0] - expectedTop), `first row at ${fraction}`).toBeLessThan(150);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[i - 1] - 1);
  }
  await expect(rows.last()).toHaveAttribute('data-event-id', 'ev-0');

  // Querying a million events keeps the page usable and the window bounded.
  await query(page, 'eventName:PutObject');
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', String(Math.ceil(N / 7)));
  expect(await rows.count()).toBeLessThanOrEqual(120);
});

test('sorting, columns, time zone and failed calls', async ({ page }) => {
  const records = invictusRecords();
  await openApp(page);
  await loadFiles(page, invictusFiles());
  const rows = page.getByTestId('event-row');
  const byId = new Map(records.map((r) => [r.eventID, r]));
  const times = async () => (await rows.evaluateAll((r) => r.map((x) => x.dataset.eventId))).map((id) => byId.get(id).eventTime);

  // Newest first by default.
  const newest = records.map((r) => r.eventTime).sort().reverse();
  const shown = await times();
  expect(shown[0]).toBe(newest[0]);
  for (let i = 1; i < shown.length; i++) expect(shown[i] <= shown[i - 1]).toBe(true);
  // Clicking Time flips to oldest first (the rows come back from the worker a moment
  // after the click: wait for them).
  await page.locator('[data-testid="column-header"][data-column="time"]').click();
  await expect.poll(async () => (await times())[0]).toBe(newest[newest.length - 1]);
  // Sorting by event name.
  await page.locator('[data-testid="column-header"][data-column="event-name"]').click();
  const names = async () => (await rows.evaluateAll((r) => r.map((x) => x.dataset.eventId))).map((id) => byId.get(id).eventName);
  await expect.poll(async () => {
    const shownNames = await names();
    return shownNames.length > 0 && JSON.stringify(shownNames) === JSON.stringify([...shownNames].sort());
  }).toBe(true);

  // Column chooser adds a column.
  await expect(page.locator('[data-testid="column-header"][data-column="user-agent"]')).toHaveCount(0);
  await page.getByTestId('column-chooser').click();
  await page.locator('[data-testid="column-option"][data-column="user-agent"]').check();
  await expect(page.locator('[data-testid="column-header"][data-column="user-agent"]')).toHaveCount(1);
  await page.getByTestId('column-chooser').click();

  // A call that did not fail has nothing in its error cell, not even the warning sign
  // failed calls get (both cells are the error column's).
  await query(page, '-errorCode:*');
  const cleanCell = rows.first().locator('.ts-table__td--error');
  await expect(cleanCell).toHaveText('');
  expect(await cleanCell.evaluate((el) => getComputedStyle(el, '::before').content)).toBe('none');

  // Failed calls are marked in words and with a class, not by colour alone.
  await query(page, 'errorCode:AccessDenied');
  const sign = await rows.first().locator('.ts-table__td--error').evaluate((el) => getComputedStyle(el, '::before').content);
  expect(sign).toContain('⚠');
  const failed = rows.first();
  await expect(failed).toHaveAttribute('data-failed', 'true');
  await expect(failed).toHaveClass(/ts-table__row--failed/);
  await expect(failed).toContainText('✖');
  await expect(failed).toContainText('AccessDenied');
});

test.describe('local time', () => {
  test.use({ timezoneId: 'Asia/Kolkata' });
  test('times show in UTC, or in the browser zone after the toggle', async ({ page }) => {
    await openApp(page);
    await page.getByTestId('load-sample').click();
    await idle(page);
    await query(page, 'eventName:PutMetricAlarm');
    const row = page.getByTestId('event-row').first();
    await expect(row).toContainText('2014-03-23 21:50:34');
    await page.getByTestId('time-local').click();
    await expect(row).toContainText('2014-03-24 03:20:34');
    await page.getByTestId('time-utc').click();
    await expect(row).toContainText('2014-03-23 21:50:34');
  });
});

test('keyboard: / focuses the query, j/k move, Enter opens the detail, Esc closes', async ({ page }) => {
  await openApp(page);
  await loadFiles(page, [invictusFiles()[0]]);
  const rows = page.getByTestId('event-row');
  const ids = await rows.evaluateAll((r) => r.map((x) => x.dataset.eventId));

  await page.locator('body').press('/');
  await expect(page.getByTestId('filter-input')).toBeFocused();
  await page.getByTestId('filter-input').press('Escape');
  await page.getByTestId('filter-input').blur();

  await page.keyboard.press('j');
  await expect(rows.nth(0)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('j');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('k');
  await expect(rows.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('event-detail')).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('event-detail')).toHaveAttribute('data-event-id', ids[1]);
  await page.keyboard.press('j');
  await expect(page.getByTestId('event-detail')).toHaveAttribute('data-event-id', ids[2]);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('event-detail')).toHaveCount(0);

  // Moving far down scrolls the selection into view.
  for (let i = 0; i < 40; i++) await page.keyboard.press('j');
  const selected = page.locator('[data-testid="event-row"][aria-selected="true"]');
  await expect(selected).toHaveAttribute('data-event-id', ids.length > 42 ? ids[42] : /.+/);
  await expect(selected).toBeInViewport();
});

test('per-service parameter columns for the seed operations', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('load-sample').click();
  await idle(page);
  const column = (p) => page.locator(`[data-testid="param-column"][data-path="${p}"]`);
  const cell = (p) => page.getByTestId('event-row').first().locator(`[data-path="${p}"]`);
  // Every row's cells line up with the headers, base and parameter columns alike, as
  // parameter columns come, change and go (a row keeps its cells in three lists).
  const columnsOf = () => page.evaluate(() => {
    const heads = [...document.querySelectorAll('[data-testid="column-header"], [data-testid="param-column"]')]
      .map((h) => h.dataset.column ?? `param ${h.dataset.path}`);
    const rows = [...document.querySelectorAll('[data-testid="event-row"]')].map((r) => [...r.querySelectorAll('.ts-table__td:not(.ts-table__td--mark)')]
      .map((c) => (c.dataset.path ? `param ${c.dataset.path}` : [...c.classList].find((k) => k.startsWith('ts-table__td--')).slice('ts-table__td--'.length))));
    return { heads, rows };
  });
  const aligned = async () => {
    await idle(page);
    const { heads, rows } = await columnsOf();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r).toEqual(heads);
    return heads;
  };

  // Mixed services: no parameter columns.
  await expect(page.getByTestId('param-column')).toHaveCount(0);

  await query(page, 'eventName:PutMetricAlarm');
  for (const p of ['alarmName', 'metricName', 'namespace', 'threshold', 'comparisonOperator', 'evaluationPeriods', 'period', 'statistic']) {
    await expect(column(`requestParameters.${p}`), p).toHaveCount(1);
  }
  await expect(cell('requestParameters.alarmName')).toHaveText('CloudTrail Test Alarm');
  await expect(cell('requestParameters.comparisonOperator')).toHaveText('GreaterThanThreshold');
  const heads = await aligned();
  expect(heads.indexOf('param requestParameters.alarmName')).toBe(heads.indexOf('event-name') + 1);
  // A header's name stays inside its header, and a name cut short ends with an ellipsis
  // (a header is a flex box, which would clip its own text mid-letter).
  const names = await page.evaluate(() => [...document.querySelectorAll('[data-testid="column-header"], [data-testid="param-column"]')]
    .map((h) => {
      const label = h.querySelector('.ts-table__th-label');
      return label && {
        name: h.dataset.column ?? h.dataset.path,
        ellipsis: getComputedStyle(label).textOverflow,
        inside: label.getBoundingClientRect().right <= h.getBoundingClientRect().right + 0.5,
      };
    }));
  expect(names.length).toBe(heads.length);
  for (const n of names) expect(n).toEqual({ name: n?.name, ellipsis: 'ellipsis', inside: true });

  await query(page, 'eventName:GetResourceMetrics');
  await expect(column('requestParameters.periodInSeconds')).toHaveCount(1);
  await expect(cell('requestParameters.periodInSeconds')).toHaveText('60');
  const metricPath = await page.locator('[data-testid="param-column"][data-path^="requestParameters.metricQueries"]').first().getAttribute('data-path');
  await expect(cell(metricPath)).toContainText('os.cpuUtilization.user.avg');
  await expect(cell(metricPath)).toContainText('os.cpuUtilization.idle.avg');

  await query(page, 'eventName:PutRule');
  await expect(cell('requestParameters.eventPattern')).toHaveText('{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"]}');
  await expect(cell('responseElements.ruleArn')).toHaveText('arn:aws:events:us-east-1:123456789012:rule/cttest2');

  await query(page, 'eventName:CreateExportTask');
  await expect(cell('requestParameters.from')).toHaveText('1970-01-01 00:00:00 (0)');
  await expect(cell('requestParameters.to')).toHaveText('1973-11-29 21:33:09.012 (123456789012)');
  await aligned();

  // A group of one operation gets its columns too.
  await query(page, '');
  await page.getByTestId('group-by').selectOption('eventName');
  await page.locator('[data-testid="group-row"][data-key="ConfigureAgent"] .ts-group__main').click();
  await idle(page);
  await expect(column('requestParameters.profilingGroupName')).toHaveCount(1);
  await expect(page.getByTestId('event-row')).toHaveCount(2);
  await aligned();
  await page.getByTestId('group-by').selectOption('');
  await expect(page.getByTestId('param-column')).toHaveCount(0);
  expect((await aligned()).some((h) => h.startsWith('param'))).toBe(false);
});
