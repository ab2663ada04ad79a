// Issue 6, broken input gets a clear answer and nothing else is lost: damaged, empty,
// binary, foreign and enormous files are dropped together with valid ones; every file
// gets a row with the right status and a reason in plain words, the valid files' counts
// stay exact, and the page shows no error. Every file is generated here, and every
// expectation is computed here, independently of the engine.
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { test, expect, openApp, idle, corpus } = require('../fixtures');

const VALID_PLAIN = 'invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json';
const VALID_GZ = 'invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1205Z_zs3JGxETHr59VpkX.json.gz';
const TO_TRUNCATE = 'invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1200Z_iLj9fb7yyUG9X4Bf.json.gz';
const ICON = path.resolve(__dirname, '../../../assets/icons/icon-192.png');

/** A deterministic byte generator (so a failure can be reproduced). */
function randomBytes(n, seed) {
  let x = seed >>> 0;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += 1) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 16;
  }
  return out;
}

/** A plausible CloudTrail record, all ASCII, with a unique eventID. */
function event(prefix, i) {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: `arn:aws:iam::123456789012:user/${prefix}`,
      accountId: '123456789012', userName: prefix },
    eventTime: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString().replace('.000Z', 'Z'),
    eventSource: 's3.amazonaws.com',
    eventName: i % 2 ? 'GetObject' : 'PutObject',
    awsRegion: 'eu-west-1',
    sourceIPAddress: `10.0.${(i >> 8) & 255}.${i & 255}`,
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { bucketName: `bucket-${prefix}`, key: `k/${i}` },
    responseElements: null,
    eventID: `${prefix}-${String(i).padStart(8, '0')}`,
    readOnly: i % 2 === 1,
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: '123456789012',
  };
}

/** Records complete before the end of a cut `{"Records":[...` text: objects closed at depth 2. */
function completeRecords(text) {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let n = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') {
      depth -= 1;
      if (c === '}' && depth === 2) n += 1;
    }
  }
  return n;
}

/** Records in a whole `{"Records":[...]}` file, plain or gzipped. */
function recordsIn(file) {
  let bytes = fs.readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8')).Records;
}

/** Every file of the drop, with what the page must say about it. */
function brokenFiles(dir) {
  const files = [];
  const add = (name, bytes, expect) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    files.push({ name, file, ...expect });
  };

  add('empty.json', Buffer.alloc(0), { status: 'failed', events: 0, format: 'unknown', reason: /empty/i });
  add('empty.json.gz', zlib.gzipSync(Buffer.alloc(0)), { status: 'failed', events: 0, format: 'unknown', reason: /empty/i });

  // A real trail file cut in half: the records complete before the cut load.
  const whole = fs.readFileSync(corpus(TO_TRUNCATE));
  const half = whole.subarray(0, Math.floor(whole.length / 2));
  const prefix = zlib.gunzipSync(half, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString('utf8');
  const kept = completeRecords(prefix);
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(recordsIn(corpus(TO_TRUNCATE)).length);
  add('truncated.json.gz', half, { status: 'partial', events: kept, format: 'records', reason: /truncated|damaged|ends early/i });

  add('random.bin.gz', zlib.gzipSync(randomBytes(4096, 6)), { status: 'failed', events: 0, format: 'unknown', reason: /not a cloudtrail log/i });

  // Two gzip members one after the other (as `cat a.gz b.gz` makes): every record loads.
  const multi = JSON.stringify({ Records: [0, 1, 2, 3, 4, 5].map((i) => event('multi', i)) });
  const cut = Math.floor(multi.length / 2);
  add('two-members.json.gz', Buffer.concat([zlib.gzipSync(multi.slice(0, cut)), zlib.gzipSync(multi.slice(cut))]),
    { status: 'ok', events: 6, format: 'records', reason: /6 events/ });
  add('picture.png', fs.readFileSync(ICON), { status: 'failed', events: 0, format: 'unknown', reason: /PNG/ });

  // Bytes that are not UTF-8 inside the second record (line 3 of the file): every record
  // still loads, the damaged one with a replacement character, and the row says where.
  const utf8Records = [0, 1, 2, 3].map((i) => event('utf8', i));
  const lines = ['{"Records":[', ...utf8Records.map((r, i) => JSON.stringify(r) + (i < 3 ? ',' : '')), ']}'];
  const badLine = lines[2].replace('aws-cli/2.15.0', 'aws-cli/2.15.#');
  const badColumn = badLine.indexOf('#') + 1;
  const bad = Buffer.from([lines[0], lines[1], badLine, ...lines.slice(3)].join('\n'), 'utf8');
  bad[bad.indexOf('aws-cli/2.15.#') + 'aws-cli/2.15.'.length] = 0xff;
  add('invalid-utf8.json', bad, { status: 'partial', events: 4, format: 'records', reason: /UTF-8/, where: `line 3 column ${badColumn}` });

  const bomRecords = [0, 1, 2].map((i) => event('bom', i));
  add('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ Records: bomRecords }))]),
    { status: 'ok', events: 3, format: 'records', reason: /3 events/ });

  add('package.json', Buffer.from(JSON.stringify({ name: 'left-pad', version: '1.3.0', main: 'index.js',
    scripts: { test: 'node test' }, dependencies: { lodash: '^4.17.21' } }, null, 2)),
  { status: 'failed', events: 0, format: 'unknown', reason: /not a cloudtrail log/i });

  // Every field of an unexpected type: the record is still an event, shown as it is.
  const odd = { eventVersion: 1.08, userIdentity: 'root', eventTime: 1688986800000, eventSource: { name: 's3' },
    eventName: ['GetObject'], awsRegion: null, sourceIPAddress: 42, userAgent: true, readOnly: 'yes',
    requestParameters: 'a string', responseElements: [1, 2], eventID: 7, errorCode: false, errorMessage: { x: 1 },
    resources: { not: 'an array' }, managementEvent: 'true', recipientAccountId: 123456789012, eventType: [] };
  add('odd-types.json', Buffer.from(JSON.stringify({ Records: [odd] })), { status: 'ok', events: 1, format: 'records', reason: /1 event/ });

  // The outer array is JSON (the page may call it `array`); what matters is the refusal.
  add('deep.json', Buffer.concat([Buffer.alloc(200_000, '['), Buffer.alloc(200_000, ']')]),
    { status: 'failed', events: 0, format: null, reason: /nesting deeper than \d+ levels/ });

  // 50 MB on one line: a Records file of generated events, count known.
  const parts = ['{"Records":['];
  let size = parts[0].length;
  let n = 0;
  while (size < 50_000_000) {
    const s = (n ? ',' : '') + JSON.stringify(event('big', n));
    parts.push(s);
    size += s.length;
    n += 1;
  }
  parts.push(']}');
  const big = Buffer.from(parts.join(''), 'utf8');
  expect(big.length).toBeGreaterThanOrEqual(50_000_000);
  expect(big.includes(0x0a)).toBe(false);
  add('fifty-megabytes.json', big, { status: 'ok', events: n, format: 'records', reason: new RegExp(`${n.toLocaleString('en-US').replace(/,/g, '.?')} events`) });
  return files;
}

/** Words that mean a programmer's message leaked to the reader. */
const JARGON = /serde|panicked|unwrap|RuntimeError|Error\(|Err\(|Some\(|None\b|EOF while|\bat src\//;

test('broken files get a clear row each, and valid files beside them keep exact counts', async ({ page }) => {
  test.setTimeout(240_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trailscope-broken-'));
  try {
    const broken = brokenFiles(dir);
    const valid = [VALID_PLAIN, VALID_GZ].map((rel) => {
      const file = corpus(rel);
      const n = recordsIn(file).length;
      return { name: path.basename(file), file, status: 'ok', events: n, format: 'records', reason: new RegExp(`${n} events`) };
    });
    const all = [valid[0], ...broken, valid[1]];

    await openApp(page);
    await page.getByTestId('file-input').setInputFiles(all.map((f) => f.file));
    await idle(page);

    await expect(page.getByTestId('file-row')).toHaveCount(all.length);
    for (const f of all) {
      const row = page.locator(`[data-testid="file-row"][data-name="${f.name}"]`);
      await expect(row, f.name).toHaveCount(1);
      await expect(row, `${f.name} status`).toHaveAttribute('data-status', f.status);
      await expect(row, `${f.name} events`).toHaveAttribute('data-events', String(f.events));
      if (f.format) await expect(row, `${f.name} format`).toHaveAttribute('data-format', f.format);
      const text = (await row.innerText()).replace(/\s+/g, ' ');
      expect(text, `${f.name} says why`).toMatch(f.reason);
      expect(text, `${f.name} in plain words`).not.toMatch(JARGON);
      if (f.status !== 'ok') expect(text.length, `${f.name} has a reason`).toBeGreaterThan(f.name.length + 20);
      if (f.where) expect(text, `${f.name} says where`).toContain(f.where);
      if (process.env.SHOW_ROWS) console.log(`${f.name}: ${text}`);
    }
    const total = all.reduce((sum, f) => sum + f.events, 0);
    await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(total));
    await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', String(total));

    // The page keeps working: the valid files' events are all there and queryable.
    const box = page.getByTestId('filter-input');
    for (const f of valid) {
      const ids = recordsIn(f.file).map((r) => r.eventID);
      await box.fill(`eventID:${ids[0]} OR eventID:${ids[ids.length - 1]}`);
      await box.press('Enter');
      await idle(page);
      await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', ids[0] === ids[ids.length - 1] ? '1' : '2');
    }
    // The odd record opens in the detail pane without breaking anything.
    await box.fill('requestParameters:"a string"');
    await box.press('Enter');
    await idle(page);
    await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', '1');
    await page.getByTestId('event-row').first().click();
    await expect(page.getByTestId('event-detail')).toBeVisible();
    await expect(page.getByTestId('event-detail')).toContainText('an array');
    // The damaged UTF-8 record is there, with a replacement character where the byte was.
    await box.fill('eventID:utf8-00000001');
    await box.press('Enter');
    await idle(page);
    await expect(page.getByTestId('match-count')).toHaveAttribute('data-value', '1');
    await page.getByTestId('event-row').first().click();
    await expect(page.getByTestId('event-detail')).toContainText('aws-cli/2.15.\ufffd');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken file alone, then a valid one: the page answers both and stays usable', async ({ page }) => {
  await openApp(page);
  const deep = Buffer.concat([Buffer.alloc(200_000, '['), Buffer.alloc(200_000, ']')]);
  await page.getByTestId('file-input').setInputFiles({ name: 'deep.json', mimeType: 'application/json', buffer: deep });
  await idle(page);
  await expect(page.locator('[data-testid="file-row"][data-name="deep.json"]')).toHaveAttribute('data-status', 'failed');
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', '0');
  await page.getByTestId('file-input').setInputFiles(corpus(VALID_PLAIN));
  await idle(page);
  await expect(page.getByTestId('event-count')).toHaveAttribute('data-value', String(recordsIn(corpus(VALID_PLAIN)).length));
});
