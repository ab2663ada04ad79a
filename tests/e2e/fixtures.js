// Shared fixtures for every spec: a page that fails the test on any console error,
// page error or CSP violation, and that records every request leaving the page's origin.
const base = require('@playwright/test');
const path = require('path');
const fs = require('fs');
const os = require('os');

/** Root of the shared material (seeds, corpus) beside the repository. */
const SHARED = process.env.TRAILSCOPE_SHARED || path.resolve(__dirname, '../../../shared');
/** Files the project wrote itself for its tests. */
const FIXTURES = path.resolve(__dirname, 'fixtures');

/** Folders made by `tempDir` during the current test, removed when it ends. */
const scratch = [];

/** A new empty folder under the system's temporary folder, removed with everything in it
 * when the test that made it ends (generated logs run to hundreds of MB a run). */
function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

const test = base.test.extend({
  removeTempDirs: [async ({}, use) => {
    await use();
    for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }, { auto: true }],
  problems: async ({}, use) => { await use([]); },
  foreignRequests: async ({}, use) => { await use([]); },
  page: async ({ page, problems, foreignRequests, baseURL }, use) => {
    const origin = new URL(baseURL).origin;
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('request', (req) => {
      const url = req.url();
      if (url.startsWith('data:') || url.startsWith('blob:')) return;
      if (new URL(url).origin !== origin) foreignRequests.push(url);
    });
    await use(page);
    base.expect(problems, 'no console errors, page errors or CSP violations').toEqual([]);
    base.expect(foreignRequests, 'no request leaves the page origin').toEqual([]);
  },
});

/** Open the app and wait until it is idle. */
async function openApp(page) {
  await page.goto('./');
  await base.expect(page.getByTestId('app')).toHaveAttribute('data-busy', 'false');
}

/** Wait until the app is idle again after an action. */
async function idle(page) {
  await base.expect(page.getByTestId('app')).toHaveAttribute('data-busy', 'false');
}

/** Absolute path of a file in ../shared/corpus. */
function corpus(rel) { return path.join(SHARED, 'corpus', rel); }
/** Absolute path of a seed document. */
function seed(prefix) {
  const dir = path.join(SHARED, 'seeds');
  const name = fs.readdirSync(dir).find((f) => f.startsWith(prefix));
  return path.join(dir, name);
}

module.exports = { test, expect: base.expect, openApp, idle, corpus, seed, tempDir, SHARED, FIXTURES };
