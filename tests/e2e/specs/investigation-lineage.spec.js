// Lineage: a call made with temporary credentials shows its chain back to the identity
// that assumed the role (the invictus corpus has bert-jan's AssumeRole whose key is used
// by later EC2 calls); a step click opens that event; the session button lists every call
// made with the key, oldest first; an issuer that is not loaded is said to be missing.
const { test, expect, openApp, idle, corpus } = require('../fixtures');
const { invictusFiles, invictusRecords, loadFiles, matchCount } = require('./viewer-helpers');
const { openEvent } = require('./investigation-helpers');

test('a call with temporary credentials shows the chain to the AssumeRole that issued them', async ({ page }) => {
  await openApp(page);
  await loadFiles(page, invictusFiles());
  const records = invictusRecords();
  // Found independently: an AssumeRole whose returned key is later used.
  const issuers = new Map(records.filter((r) => r.responseElements && r.responseElements.credentials)
    .map((r) => [r.responseElements.credentials.accessKeyId, r]));
  const used = records.filter((r) => r.userIdentity && issuers.has(r.userIdentity.accessKeyId));
  expect(used.length).toBeGreaterThan(0);
  const call = used.find((r) => r.eventName === 'GetPasswordData') || used[0];
  const key = call.userIdentity.accessKeyId;
  const issuer = issuers.get(key);
  expect(issuer.eventName).toBe('AssumeRole');

  await openEvent(page, call.eventID);
  const lineage = page.getByTestId('lineage');
  await expect(lineage).toBeVisible();
  const steps = lineage.getByTestId('lineage-step');
  await expect(steps).toHaveCount(2);
  await expect(steps.nth(0)).toHaveAttribute('data-event-name', call.eventName);
  await expect(steps.nth(1)).toHaveAttribute('data-event-name', 'AssumeRole');
  await expect(steps.nth(1)).toContainText(issuer.userIdentity.arn);
  await expect(steps.nth(1)).toContainText(issuer.sourceIPAddress);
  await expect(steps.nth(1)).toContainText(/MFA (yes|no|not recorded)/);
  await expect(steps.nth(1)).toContainText(/console|programmatic/);
  await expect(lineage.getByTestId('lineage-missing')).toHaveCount(0);

  // A step opens its event.
  await steps.nth(1).click();
  await expect(page.getByTestId('event-detail')).toHaveAttribute('data-event-id', issuer.eventID);

  // The session: the issuing event and every call made with the key, oldest first.
  await openEvent(page, call.eventID);
  await page.getByTestId('session-button').click();
  await idle(page);
  await expect(page.getByTestId('filter-input')).toHaveValue(`session:${key}`);
  await expect(page.getByTestId('session-view')).toHaveAttribute('data-key', key);
  const session = records.filter((r) => r === issuer || (r.userIdentity && r.userIdentity.accessKeyId === key));
  expect(await matchCount(page)).toBe(session.length);
  const firstShown = await page.getByTestId('event-row').first().getAttribute('data-event-id');
  const oldest = session.map((r) => r.eventTime).sort()[0];
  expect(session.find((r) => r.eventID === firstShown).eventTime).toBe(oldest);
});

test('an issuer that is not in the loaded logs is said to be missing', async ({ page }) => {
  await openApp(page);
  const file = corpus('otrf_security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json');
  await loadFiles(page, [file]);
  const records = require('fs').readFileSync(file, 'utf8').split('\n').filter(Boolean).map(JSON.parse);
  const issued = new Set(records.filter((r) => r.responseElements && r.responseElements.credentials)
    .map((r) => r.responseElements.credentials.accessKeyId));
  const orphan = records.find((r) => r.userIdentity && /^ASIA/.test(r.userIdentity.accessKeyId || '')
    && !issued.has(r.userIdentity.accessKeyId));
  expect(orphan).toBeTruthy();
  await openEvent(page, orphan.eventID);
  const lineage = page.getByTestId('lineage');
  await expect(lineage).toHaveAttribute('data-missing', orphan.userIdentity.accessKeyId);
  await expect(lineage.getByTestId('lineage-missing')).toContainText(orphan.userIdentity.accessKeyId);
  await expect(lineage).toContainText('not in the loaded logs');
});
