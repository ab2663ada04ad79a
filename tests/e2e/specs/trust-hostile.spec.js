// Issue 6, hostile content is only ever text: a CloudTrail file whose keys and values
// carry markup, script, `javascript:` URLs, a right-to-left override and a 200 KB string
// is loaded and every view is opened (each grouping and group, each facet value, each
// event's detail with every node expanded and every long value shown whole, the payloads
// typed into the query box). A global sentinel that any executed payload would set stays
// unset, no markup from the file becomes an element, and long values are shown truncated
// with a way to see them whole.
const { test, expect, openApp, idle } = require('../fixtures');

const LONG_LENGTH = 200_000;
const LONG = `<b>start of a long value</b>${'A'.repeat(LONG_LENGTH)}<img src=x onerror=window.__pwned=1>END-OF-LONG`;
const PAYLOADS = {
  img: '<img src=x onerror=window.__pwned=1>',
  script: '<script>window.__pwned=1</script>',
  svg: '"><svg onload=window.__pwned=1>',
  js: 'javascript:window.__pwned=1',
  rtl: 'invoice\u202Efdp.exe',
  long: LONG,
};
const NAMES = Object.keys(PAYLOADS);

/** An event carrying payload `p` in every place an attacker controls, keys included. */
function hostileEvent(name, p, i) {
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'AssumedRole', principalId: `AROAEXAMPLE:${p}`, accountId: '123456789012',
      arn: `arn:aws:sts::123456789012:assumed-role/Hostile/${p}`,
      sessionContext: { sessionIssuer: { type: 'Role', userName: p, arn: 'arn:aws:iam::123456789012:role/Hostile' } },
    },
    eventTime: `2024-03-01T10:00:0${i}Z`,
    eventSource: p,
    eventName: p,
    awsRegion: p,
    sourceIPAddress: p,
    userAgent: p,
    errorCode: p,
    errorMessage: p,
    requestParameters: {
      bucketName: p, roleSessionName: p, roleArn: `arn:aws:iam::123456789012:role/${p}`, [p]: p,
      policy: JSON.stringify({ Statement: [{ [p]: p, Resource: `javascript:${p}` }] }),
      list: [p, { [p]: p }],
    },
    responseElements: { assumedRoleUser: { arn: `arn:aws:sts::123456789012:assumed-role/Hostile/${p}` }, [p]: [p] },
    resources: [{ ARN: `arn:aws:s3:::${p}`, type: p, accountId: '123456789012' }],
    eventID: `hostile-${name}`,
    eventType: 'AwsApiCall',
    recipientAccountId: '123456789012',
    [p]: { [p]: p },
  };
}

/** An ordinary-looking event with the payload only in parameters and the bucket name. */
function bucketEvent(name, p, i) {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::123456789012:user/alice',
      accountId: '123456789012', userName: 'alice' },
    eventTime: `2024-03-01T11:00:0${i}Z`,
    eventSource: 's3.amazonaws.com',
    eventName: 'CreateBucket',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.7',
    userAgent: p,
    requestParameters: { bucketName: p, [p]: p, 'x-amz-acl': 'private' },
    responseElements: null,
    eventID: `bucket-${name}`,
    eventType: 'AwsApiCall',
    recipientAccountId: '123456789012',
  };
}

const EVENTS = [
  ...NAMES.map((n, i) => hostileEvent(n, PAYLOADS[n], i)),
  ...NAMES.map((n, i) => bucketEvent(n, PAYLOADS[n], i)),
];
const FILE_NAME = '<img src=x onerror=window.__pwned=1>.json';

/** Nothing from the file ran or became markup. */
async function assertSafe(page, where) {
  const found = await page.evaluate(() => {
    const bad = [];
    if (window.__pwned !== undefined) bad.push(`window.__pwned = ${window.__pwned}`);
    for (const el of document.querySelectorAll('*')) {
      for (const a of el.attributes) {
        if (/^on/i.test(a.name)) bad.push(`<${el.localName} ${a.name}>`);
        if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(a.name) && /^\s*javascript:/i.test(a.value)) {
          bad.push(`<${el.localName} ${a.name}="${a.value.slice(0, 40)}">`);
        }
      }
    }
    if (document.querySelector('img[src="x"], svg[onload], b')) bad.push('markup from the file became an element');
    const scripts = [...document.scripts].filter((s) => s.src === '' && !s.textContent.includes('wasmBindings'));
    if (scripts.length) bad.push(`${scripts.length} unexpected inline script(s)`);
    return bad;
  });
  expect(found, `nothing executed or injected (${where})`).toEqual([]);
}

/** Where a text or an attribute (other than data-* hooks) outside the detail pane is
 *  longer than `max` characters: what the lists and the table would show untruncated. */
async function untruncatedOutsideDetail(page, max) {
  return page.evaluate((limit) => {
    const detail = document.querySelector('[data-testid="event-detail"]');
    const app = document.querySelector('[data-testid="app"]');
    const out = new Set();
    const walker = document.createTreeWalker(app, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if ((detail && detail.contains(n)) || n.parentElement.closest('textarea, input')) continue;
      if (n.data.length > limit) out.add(`text of .${n.parentElement.className.split(' ')[0]}`);
    }
    for (const el of app.querySelectorAll('*')) {
      if (detail && detail.contains(el)) continue;
      for (const a of el.attributes) {
        if (a.name.startsWith('data-') || a.name === 'value') continue;
        if (a.value.length > limit) out.add(`${a.name} of .${el.className.split(' ')[0]}`);
      }
    }
    return [...out].sort();
  }, max);
}

/** Elements whose text carries a right-to-left override that can reorder text around it. */
async function leakingOverrides(page) {
  return page.evaluate(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.data.includes('\u202E')) continue;
      // Safe when some element from the text up to its line's block isolates it, or the
      // text is its own paragraph (a block, flex or grid item, or an inline-block).
      let el = n.parentElement;
      let safe = false;
      while (el) {
        const s = getComputedStyle(el);
        if (el.localName === 'bdi' || /isolate|plaintext/.test(s.unicodeBidi)) { safe = true; break; }
        if (s.display !== 'inline' && s.display !== 'contents') {
          // A block: safe when the override's text is all the block holds.
          safe = el.textContent.trim() === n.data.trim();
          break;
        }
        el = el.parentElement;
      }
      if (!safe) out.push(`${n.parentElement.className || n.parentElement.localName}: ${el ? el.textContent.slice(0, 60) : ''}`);
    }
    return [...new Set(out)];
  });
}

async function clearQuery(page) {
  const box = page.getByTestId('filter-input');
  await box.fill('');
  await box.press('Enter');
  await idle(page);
}

/** Load the events as one file with a hostile name; checks its row and counts. */
async function loadHostile(page, events) {
  await openApp(page);
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  const body = JSON.stringify({ Records: events });
  await page.getByTestId('file-input').setInputFiles({ name: FILE_NAME, mimeType: 'application/json', buffer: Buffer.from(body) });
  await idle(page);
  const row = page.getByTestId('file-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-name', FILE_NAME);
  await expect(row).toHaveAttribute('data-status', 'ok');
  await expect(row).toHaveAttribute('data-events', String(events.length));
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(events.length));
  await expect(row).toContainText(FILE_NAME);
  await assertSafe(page, 'loaded');
}

/** Every grouping; with `clickGroups`, every group in it selected and unselected. */
async function everyGrouping(page, clickGroups) {
  const select = page.getByTestId('group-by');
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => o.value));
  expect(options).toEqual(expect.arrayContaining(['eventSource', 'eventName', 'principal', 'awsRegion', 'errorCode',
    'recipientAccountId', 'sourceIPAddress']));
  for (const option of options) {
    await select.selectOption(option);
    await idle(page);
    const groups = page.getByTestId('group-row');
    const n = await groups.count();
    if (option) expect(n, `groups for ${option}`).toBeGreaterThan(0);
    for (let i = 0; clickGroups && i < n; i += 1) {
      await groups.nth(i).locator('.ts-group__main').click();
      await idle(page);
      await groups.nth(i).locator('.ts-group__main').click();
      await idle(page);
    }
    await assertSafe(page, `group by ${option || 'nothing'}`);
  }
  await select.selectOption('');
  await idle(page);
}

/** Open an event's detail, expand every node and press every "show all". */
async function openDetail(page, id) {
  await page.locator(`[data-testid="event-row"][data-event-id="${id}"]`).click();
  const detail = page.getByTestId('event-detail');
  await expect(detail).toHaveAttribute('data-event-id', id);
  for (let round = 0; round < 30; round += 1) {
    const closed = detail.locator('details:not([open]) > summary');
    if (await closed.count() === 0) break;
    await closed.first().click();
  }
  expect(await detail.locator('details:not([open])').count()).toBe(0);
  return detail;
}

test('hostile values are only ever text, in every view', async ({ page }) => {
  test.setTimeout(240_000);
  const events = EVENTS.filter((e) => !e.eventID.endsWith('-long'));
  await loadHostile(page, events);

  await everyGrouping(page, true);
  // The group keys are the values themselves, whole and as text.
  const select = page.getByTestId('group-by');
  await select.selectOption('eventName');
  await idle(page);
  const keys = await page.getByTestId('group-row').evaluateAll((rs) => rs.map((r) => r.dataset.key));
  for (const [name, p] of Object.entries(PAYLOADS)) if (name !== 'long') expect(keys).toContain(p);
  await select.selectOption('');
  await idle(page);

  // Every facet value, clicked; the first of each facet Alt-clicked too.
  const fields = await page.getByTestId('facet').evaluateAll((fs) => fs.map((f) => f.dataset.field));
  expect(fields.length).toBeGreaterThan(5);
  for (const field of fields) {
    const values = page.locator(`[data-testid="facet"][data-field="${field}"] [data-testid="facet-value"]`);
    const n = await values.count();
    for (let i = 0; i < n; i += 1) {
      await values.nth(i).click();
      await idle(page);
      expect(Number(await page.getByTestId('match-count').getAttribute('data-value')), `${field} #${i}`).toBeGreaterThan(0);
      await clearQuery(page);
    }
    if (n) {
      await values.first().click({ modifiers: ['Alt'] });
      await idle(page);
      await clearQuery(page);
    }
    await assertSafe(page, `facet ${field}`);
  }

  // Every column on, so the user agent and every other value has a cell.
  await page.getByTestId('column-chooser').click();
  const columnOptions = page.getByTestId('column-option');
  for (let i = 0; i < await columnOptions.count(); i += 1) {
    if (!(await columnOptions.nth(i).isChecked())) await columnOptions.nth(i).check();
  }
  await page.getByTestId('column-chooser').click();
  await idle(page);
  await assertSafe(page, 'every column');

  // Every event's detail: every node expanded, raw view too, a value's filter button.
  const rows = page.getByTestId('event-row');
  await expect(rows).toHaveCount(events.length);
  const ids = await rows.evaluateAll((rs) => rs.map((r) => r.dataset.eventId));
  expect([...ids].sort()).toEqual(events.map((e) => e.eventID).sort());
  for (const id of ids) {
    const detail = await openDetail(page, id);
    await assertSafe(page, `detail of ${id}`);
    await detail.getByRole('button', { name: 'Raw' }).click();
    await expect(detail.locator('.ts-detail__raw')).toContainText(id);
    await assertSafe(page, `raw detail of ${id}`);
    await detail.getByRole('button', { name: 'Tree' }).click();
    // A value's filter button puts the hostile value in the query, as text.
    const filter = detail.locator('[data-testid="filter-value"][data-path="eventName"]');
    if (await filter.count()) {
      await filter.first().click();
      await idle(page);
      expect(Number(await page.getByTestId('match-count').getAttribute('data-value')), `filter from ${id}`).toBeGreaterThan(0);
      await clearQuery(page);
    }
  }

  // The payloads typed into the query box, bare and as field values.
  const box = page.getByTestId('filter-input');
  for (const [name, p] of Object.entries(PAYLOADS)) {
    if (name === 'long') continue;
    await box.fill('');
    await box.pressSequentially(p);
    await box.press('Enter');
    await idle(page);
    await assertSafe(page, `query ${name}`);
    if (!p.includes('"') && !p.includes(' ')) {
      await box.fill(`eventName:"${p}"`);
      await box.press('Enter');
      await idle(page);
      await expect(page.getByTestId('match-count'), `eventName:${name}`).toHaveAttribute('data-value', '1');
    }
  }
  await clearQuery(page);
  await page.getByTestId('theme-toggle').click();
  await assertSafe(page, 'theme');

  // A right-to-left override cannot reorder the text around the value that carries it.
  await openDetail(page, 'hostile-rtl');
  await select.selectOption('eventName');
  await idle(page);
  expect.soft(await leakingOverrides(page), 'right-to-left overrides stay inside their value').toEqual([]);
  await assertSafe(page, 'end');
});

test('a 200 KB value is shown truncated, with a way to see it whole', async ({ page }) => {
  test.setTimeout(240_000);
  await loadHostile(page, EVENTS);
  await everyGrouping(page, false);
  const box = page.getByTestId('filter-input');
  await box.fill(LONG);
  await box.press('Enter');
  await idle(page);
  await assertSafe(page, 'long query');
  await clearQuery(page);
  const facetValue = page.locator('[data-testid="facet"][data-field="eventName"] [data-testid="facet-value"]')
    .filter({ hasText: 'start of a long value' });
  await expect(facetValue).toHaveCount(1);
  await facetValue.click();
  await idle(page);
  await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', '1');
  await clearQuery(page);

  for (const id of ['hostile-long', 'bucket-long']) {
    const detail = await openDetail(page, id);
    // Shown truncated, each with a button naming the whole length...
    const values = await detail.locator('.ts-json__value').evaluateAll((vs) => vs.map((v) => v.textContent.length));
    expect.soft(Math.max(...values), `${id}: long values are truncated in the tree`).toBeLessThan(2_000);
    const keys = await detail.locator('.ts-json__key').evaluateAll((ks) => ks.map((k) => k.textContent.length));
    expect.soft(Math.max(...keys), `${id}: long keys are truncated in the tree`).toBeLessThan(2_000);
    const head = await detail.locator('.ts-detail__head').evaluate((h) => h.textContent.length);
    expect.soft(head, `${id}: the detail title (event name, service) is truncated`).toBeLessThan(2_000);
    const facts = await detail.locator('.ts-detail__facts').evaluate((h) => h.textContent.length);
    expect.soft(facts, `${id}: the detail facts (principal, source IP, region) are truncated`).toBeLessThan(2_000);
    const line = detail.locator('.ts-json__line').filter({ has: page.locator('.ts-json__key', { hasText: /^userAgent$/ }) });
    await expect(line).toHaveCount(1);
    const more = line.locator('button', { hasText: /show all/ });
    await expect(more).toHaveText(`show all (${LONG.length} chars)`);
    // ...which shows the value whole.
    await more.click();
    await expect(line.locator('.ts-json__value')).toHaveText(`"${LONG}"`);
    expect(await detail.locator('button', { hasText: /show all/ }).count()).toBeGreaterThan(1);
    await assertSafe(page, `detail of ${id}`);
  }

  // The lists and the table show long values truncated (the detail pane shows them whole
  // on request), and the page does not grow sideways.
  await page.getByTestId('column-chooser').click();
  const columnOptions = page.getByTestId('column-option');
  for (let i = 0; i < await columnOptions.count(); i += 1) {
    if (!(await columnOptions.nth(i).isChecked())) await columnOptions.nth(i).check();
  }
  await page.getByTestId('column-chooser').click();
  await page.getByTestId('group-by').selectOption('eventName');
  await idle(page);
  expect.soft(await untruncatedOutsideDetail(page, 2_000), 'values shown whole outside the detail pane').toEqual([]);
  expect.soft(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways growth').toBe(true);
  await assertSafe(page, 'end');
});
