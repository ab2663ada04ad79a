// Playwright drives Debian's Chromium (never a downloaded browser) against the release
// build, which scripts/test serves from dist/ on 127.0.0.1. BASE_URL selects the server:
// the suite runs once at the root and once under a GitHub-Pages-like sub-path.
const { defineConfig } = require('@playwright/test');

const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run',
];

module.exports = defineConfig({
  testDir: './specs',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  use: {
    baseURL: process.env.BASE_URL || 'http://127.0.0.1:8080/',
    headless: true,
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: chromiumArgs,
    },
  },
});
