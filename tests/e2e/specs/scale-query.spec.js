// Issue 5, scale: over many events, a new query's count and first rows are on the page
// before its panels (facets, groups, summary, timeline) are counted, and the whole view
// that follows agrees with them. (The suite's build carries the `eager-head` feature: a
// release build posts the head only when the panels are expected to be slow, which a
// 60,000-event load never is; see src/worker/head.rs.)
const fs = require('fs');
const path = require('path');
const { test, expect, openApp, idle, tempDir } = require('../fixtures');

const SOURCES = ['ec2.amazonaws.com', 's3.amazonaws.com', 'iam.amazonaws.com'];

/** Writes `files` files holding `events` small records in all, one in three from each of
 * SOURCES, a second apart; returns their paths. */
function manyEvents(files, events) {
  const dir = tempDir('ts-many-');
  const start = Date.parse('2024-03-01T00:00:00Z');
  const per = Math.ceil(events / files);
  const out = [];
  for (let f = 0; f < files; f++) {
    const parts = [];
    for (let i = f * per; i < Math.min(events, (f + 1) * per); i++) {
      const source = SOURCES[i % SOURCES.length];
      parts.push(JSON.stringify({
        eventVersion: '1.08',
        userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/u${i % 7}`, accountId: '111122223333' },
        eventTime: new Date(start + i * 1000).toISOString().replace('.000Z', 'Z'),
        eventSource: source,
        eventName: `Describe${i % 5}`,
        awsRegion: 'us-east-1',
        sourceIPAddress: `10.0.${i % 250}.1`,
        userAgent: 'aws-cli/2',
        eventID: `many-${i}`,
        readOnly: true,
        eventType: 'AwsApiCall',
        recipientAccountId: '111122223333',
      }));
    }
    const file = path.join(dir, `many-${f}.json`);
    fs.writeFileSync(file, `{"Records":[${parts.join(',')}]}`);
    out.push(file);
  }
  return out;
}

test('a new query over many events shows its count and first rows first, then the rest agrees', async ({ page }) => {
  test.setTimeout(120000);
  await openApp(page);
  const events = 60000;
  await page.getByTestId('file-input').setInputFiles(manyEvents(2, events));
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(events));
  await page.getByTestId('group-by').selectOption('eventSource');
  await idle(page);
  await expect(page.getByTestId('group-row')).toHaveCount(SOURCES.length);

  // Every state of the page while the query is answered, as a MutationObserver sees it:
  // the count, whether busy, whether a head answer is shown (`data-view-partial`), the
  // first rows' events and the groups shown.
  await page.evaluate(() => {
    window.__states = [];
    const app = document.querySelector('[data-testid="app"]');
    new MutationObserver(() => {
      window.__states.push({
        count: Number(document.querySelector('[data-testid="match-count"]').dataset.value),
        busy: app.dataset.busy,
        partial: app.dataset.viewPartial,
        rows: [...document.querySelectorAll('[data-testid="event-row"]')].slice(0, 5).map((r) => r.dataset.eventId),
        groups: [...document.querySelectorAll('[data-testid="group-row"]')].map((g) => `${g.dataset.key}=${g.dataset.count}`),
      });
    }).observe(app, { subtree: true, childList: true, attributes: true });
  });
  const box = page.getByTestId('filter-input');
  await box.fill('eventSource:ec2.amazonaws.com');
  await box.press('Enter');
  await idle(page);

  const ec2 = events / SOURCES.length;
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', String(ec2));
  const states = await page.evaluate(() => window.__states);
  const last = states[states.length - 1];
  // The whole view: the groups are counted on the query's events.
  expect(last.groups).toEqual([`ec2.amazonaws.com=${ec2}`]);
  // Newest first: the last event of ec2 (index 59997) leads the table.
  expect(last.rows[0]).toBe('many-59997');
  expect(last.partial).toBe('false');
  // The head: once the page has drawn it (at the end of its task, before the whole
  // answer comes), the new count and the whole view's first rows, with the page still
  // busy and the groups not counted yet.
  const heads = states.filter((s) => s.partial === 'true');
  expect(heads.length, `states showing a head answer, among ${states.length}`).toBeGreaterThan(0);
  const drawn = heads.find((s) => s.count === ec2 && s.busy === 'true'
    && s.groups.length === SOURCES.length && s.rows.join() === last.rows.join());
  expect(drawn, JSON.stringify(heads.slice(-3))).toBeTruthy();
});
