// Prints Playwright's JSON report as one plain closing line: "LABEL: N passed, N failed".
const fs = require('fs');
const [file, label] = process.argv.slice(2);
let passed = 0, failed = 0, skipped = 0;
try {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed = report.stats.expected;
  failed = report.stats.unexpected + report.stats.flaky;
  skipped = report.stats.skipped;
} catch (e) {
  console.log(`${label}: could not read ${file}: ${e.message}`);
  failed = 1;
}
console.log(`${label}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
