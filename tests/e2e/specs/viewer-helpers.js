// Shared by the viewer specs (loading, query, table, detail): reading the corpus and the
// built-in sample in node, independently of the engine, so the page's counts can be
// checked against numbers computed here.
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { corpus, expect } = require('../fixtures');

/** The Stratus Red Team trail files (S3 `{"Records":[...]}`, plain and gzipped). */
const INVICTUS_DIR = 'invictus-ir_aws_dataset';

/** Absolute paths of every invictus file, sorted. */
function invictusFiles() {
  const dir = corpus(INVICTUS_DIR);
  return fs.readdirSync(dir).sort().map((f) => path.join(dir, f));
}

/** The records of a `{"Records":[...]}` file, gunzipped by magic bytes. */
function recordsOf(file) {
  let bytes = fs.readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8')).Records;
}

/** Every invictus record. */
function invictusRecords() {
  return invictusFiles().flatMap(recordsOf);
}

/** The built-in sample's files as the repository ships them. */
function sampleRecords() {
  const dir = path.resolve(__dirname, '../../../assets/sample');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).Records);
}

/** A dotted path's value in a record. */
function at(record, dotted) {
  return dotted.split('.').reduce((v, k) => (v == null ? undefined : v[k]), record);
}

/** CloudTrail-style value match: exact, or a case-insensitive `*` pattern. */
function matches(value, pattern) {
  if (value == null) return false;
  const s = String(value);
  if (!pattern.includes('*')) return s === pattern;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(s);
}

/** Apply a query in the box with Enter and wait until the page is idle. */
async function query(page, text) {
  const box = page.getByTestId('filter-input');
  await box.fill(text);
  await box.press('Enter');
  await expect(page.getByTestId('app')).toHaveAttribute('data-busy', 'false');
}

/** Load files through the file picker and wait for the page to settle. */
async function loadFiles(page, files) {
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.getByTestId('app')).toHaveAttribute('data-busy', 'false');
}

/** The match count as a number. */
async function matchCount(page) {
  return Number(await page.getByTestId('match-count').getAttribute('data-value'));
}

module.exports = {
  INVICTUS_DIR, invictusFiles, recordsOf, invictusRecords, sampleRecords, at, matches, query, loadFiles, matchCount,
};
