// Screenshots of the main views for the README, taken from the real build: the corpus
// with grouping and the detail pane (light), per-service columns (dark), and the seeds'
// detail tree. Written to docs/screenshots/; each shot also checks the view it shows.
const path = require('path');
const { test, expect, openApp, idle, SHARED } = require('../fixtures');
const { query } = require('./viewer-helpers');

// Only `UPDATE_SCREENSHOTS=1` writes into the repository; other runs (CI) still check every
// view and write their pictures under test-results/.
const OUT = process.env.UPDATE_SCREENSHOTS
  ? path.resolve(__dirname, '../../../docs/screenshots')
  : path.resolve(__dirname, '../test-results/screenshots');

test.use({ viewport: { width: 1600, height: 960 } });

test('light: the corpus grouped by service and event name, with an event open', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await openApp(page);
  await page.getByTestId('folder-input').setInputFiles(path.join(SHARED, 'corpus', 'invictus-ir_aws_dataset'));
  await idle(page);
  await page.getByTestId('group-by').selectOption('service>eventName');
  await query(page, 'errorCode:* OR eventSource:iam.amazonaws.com');
  await page.getByTestId('event-row').nth(2).click();
  await expect(page.getByTestId('event-detail')).toBeVisible();
  await page.screenshot({ path: path.join(OUT, 'viewer-light.png') });
});

test('dark: per-service parameter columns and the detail tree of the seeds', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openApp(page);
  await page.getByTestId('load-sample').click();
  await idle(page);
  await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-theme', 'dark');
  await query(page, 'eventName:ConfigureAgent OR eventName:PutMetricAlarm');
  await page.getByTestId('group-by').selectOption('eventName');
  await page.locator('[data-testid="group-row"][data-key="PutMetricAlarm"] .ts-group__main').click();
  await expect(page.getByTestId('param-column').first()).toBeVisible();
  await page.screenshot({ path: path.join(OUT, 'parameters-dark.png') });

  await page.getByTestId('group-by').selectOption('');
  await query(page, 'eventSource:personalize.amazonaws.com');
  await page.getByTestId('event-row').first().click();
  await expect(page.getByTestId('json-table')).toBeVisible();
  await page.screenshot({ path: path.join(OUT, 'detail-dark.png') });
});
