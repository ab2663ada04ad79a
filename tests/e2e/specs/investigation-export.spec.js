// Exports of the current view, made in the page: CloudTrail JSON that loads back into a
// fresh page with the same events, JSON lines, and CSV of the visible columns with
// formula-looking cells escaped. Log text is shown as text, never as markup.
const { test, expect, openApp, idle } = require('../fixtures');
const { invictusFiles, invictusRecords, loadFiles, matchCount, query } = require('./viewer-helpers');
const { downloadText, parseCsv } = require('./investigation-helpers');

test('JSON export of the view loads back into a fresh page with the same events', async ({ page }, testInfo) => {
  await openApp(page);
  await loadFiles(page, invictusFiles());
  await query(page, 'eventSource:ec2.amazonaws.com');
  const expected = invictusRecords().filter((r) => r.eventSource === 'ec2.amazonaws.com');
  expect(await matchCount(page)).toBe(expected.length);

  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  expect(json.suggestedFilename()).toBe('trailscope-export.json');
  const exported = JSON.parse(await downloadText(json));
  expect(exported.Records.length).toBe(expected.length);
  expect(new Set(exported.Records.map((r) => r.eventID))).toEqual(new Set(expected.map((r) => r.eventID)));

  const [jsonl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-jsonl').click()]);
  const lines = (await downloadText(jsonl)).split('\n').filter((l) => l.trim() !== '');
  expect(lines.length).toBe(expected.length);
  expect(lines.map((l) => JSON.parse(l).eventID).sort()).toEqual(expected.map((r) => r.eventID).sort());

  // A fresh page reads the export back: the same number of events, all from EC2.
  const saved = testInfo.outputPath('export.json');
  await json.saveAs(saved);
  await openApp(page);
  await loadFiles(page, [saved]);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(expected.length));
  await expect(page.locator('[data-testid="file-row"]')).toHaveAttribute('data-format', 'records');
  await query(page, 'eventSource:ec2.amazonaws.com');
  expect(await matchCount(page)).toBe(expected.length);
});

test('CSV export has the visible columns and escapes formula cells; log text stays text', async ({ page }) => {
  await openApp(page);
  const hostile = {
    Records: [{
      eventVersion: '1.08', eventID: 'csv-1', eventTime: '2023-07-10T12:00:00Z',
      eventSource: 'iam.amazonaws.com', eventName: '=HYPERLINK("http://x.invalid","<img src=x onerror=alert(1)>")',
      awsRegion: 'us-east-1', sourceIPAddress: '-2+3', userAgent: '@SUM(1,2)',
      userIdentity: { type: 'IAMUser', userName: '+bob', arn: 'arn:aws:iam::111122223333:user/+bob' },
      recipientAccountId: '111122223333',
    }, {
      eventVersion: '1.08', eventID: 'csv-2', eventTime: '2023-07-10T12:01:00Z',
      eventSource: 'iam.amazonaws.com', eventName: 'ListUsers', awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.7', userAgent: 'aws-cli, "quoted"',
      userIdentity: { type: 'IAMUser', userName: 'alice', arn: 'arn:aws:iam::111122223333:user/alice' },
      recipientAccountId: '111122223333',
    }],
  };
  await page.getByTestId('paste-input').fill(JSON.stringify(hostile));
  await page.getByTestId('paste-load').click();
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', '2');

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  expect(csv.suggestedFilename()).toBe('trailscope-export.csv');
  const rows = parseCsv(await downloadText(csv));
  const header = rows[0];
  expect(header[0]).toBe('eventID');
  expect(header).toEqual(expect.arrayContaining(['eventTime', 'eventName', 'sourceIPAddress']));
  expect(rows.length).toBe(3);
  const byId = Object.fromEntries(rows.slice(1).map((r) => [r[0], Object.fromEntries(header.map((h, k) => [h, r[k]]))]));
  expect(byId['csv-1'].eventName).toBe(`'${hostile.Records[0].eventName}`);
  expect(byId['csv-1'].sourceIPAddress).toBe("'-2+3");
  expect(byId['csv-2'].eventName).toBe('ListUsers');
  expect(byId['csv-2'].sourceIPAddress).toBe('198.51.100.7');

  // The hostile name is shown as text in the table and the detail pane, never as an element.
  await page.locator('[data-testid="event-row"][data-event-id="csv-1"]').click();
  await expect(page.getByTestId('event-detail')).toContainText('<img src=x onerror=alert(1)>');
  await expect(page.locator('[data-testid="app"] img')).toHaveCount(0);
});
