// Shared by the investigation specs (issue 7): the presets' meaning written out
// independently of the engine, and small readers for downloads.
const fs = require('fs');
const { expect } = require('../fixtures');
const { at, matches } = require('./viewer-helpers');

/** Whether a record failed: an errorCode, or a ConsoleLogin whose response says Failure. */
function failed(r) {
  if (r.errorCode) return true;
  return r.eventName === 'ConsoleLogin' && at(r, 'responseElements.ConsoleLogin') === 'Failure';
}

/** Each preset's question, as a predicate over one record. */
const PRESET_PREDICATES = {
  'root-activity': (r) => at(r, 'userIdentity.type') === 'Root',
  'console-no-mfa': (r) => r.eventName === 'ConsoleLogin' && !failed(r)
    && at(r, 'additionalEventData.MFAUsed') === 'No',
  'console-failed': (r) => r.eventName === 'ConsoleLogin' && failed(r),
  'cloudtrail-tampering': (r) => r.eventSource === 'cloudtrail.amazonaws.com'
    && ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors',
      'DeleteEventDataStore', 'StopEventDataStoreIngestion'].includes(r.eventName),
  'iam-changes': (r) => r.eventSource === 'iam.amazonaws.com' && String(r.readOnly) === 'false',
  'access-denied': (r) => matches(r.errorCode, '*AccessDenied*') || matches(r.errorCode, '*Unauthorized*'),
  deletions: (r) => matches(r.eventName, 'Delete*') || matches(r.eventName, 'Terminate*'),
};

/** The saved file of a Playwright download, as text. */
async function downloadText(download) {
  const file = await download.path();
  return fs.readFileSync(file, 'utf8');
}

/** RFC 4180 CSV into rows of cells. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 1; } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** Open an event by id through the query box and a click on its row. */
async function openEvent(page, eventId) {
  const box = page.getByTestId('filter-input');
  await box.fill(`eventID:${eventId}`);
  await box.press('Enter');
  await expect(page.getByTestId('app')).toHaveAttribute('data-busy', 'false');
  await page.locator(`[data-testid="event-row"][data-event-id="${eventId}"]`).click();
  await expect(page.getByTestId('event-detail')).toHaveAttribute('data-event-id', eventId);
}

module.exports = { failed, PRESET_PREDICATES, downloadText, parseCsv, openEvent };
