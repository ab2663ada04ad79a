#!/usr/bin/env node
// Browser benchmark: loads generated CloudTrail logs through the release page in headless
// Chromium and prints what a person would feel. Run through scripts/bench, which generates
// the data, builds and serves the page; this script only drives the browser.
//
//   node tests/bench/bench.js --url http://127.0.0.1:8190/ --set 100MB=bench-data/100mb [--set 1GB=bench-data/1gb]
//     [--set "1M events=bench-data/1m"]
//
// For every set, plain (*.json) and gzip (*.json.gz), in one fresh page (the files read
// once by this script first, so that both loads find them alike in the file cache):
//   0. The page is opened and left until the engine's worker has warmed its code up
//      (`data-engine-warm`; the time it took is printed), as it has by the time a person
//      has chosen files.
//   1. Trailscope: the files chosen in the `file-input` hook; done when `app` data-busy is
//      false again. Measured in the page with performance.now(): load time, time to the first
//      `event-row`, the longest main-thread task (PerformanceObserver 'longtask').
//   2. baseline: the same files (chosen again) read with TextDecoder + JSON.parse (gzip through
//      DecompressionStream('gzip')), file by file, in the page's main thread.
//   Memory: the renderer process's peak resident set (VmHWM from /proc, reset just before
//   the Trailscope load via clear_refs; the engine's worker runs in the same process, and
//   the baseline runs after, so its garbage does not count), the engine's wasm memory (the
//   worker's WebAssembly.Memory, shown on the app element; it never shrinks, so its end is
//   its peak) and the JS heap (CDP Performance.getMetrics JSHeapUsedSize, sampled during
//   the load).
// On the last set, plain (with scripts/bench --gb, exactly 1,000,000 events): median
// latencies of a field query, a wildcard query, a free-text search and a regrouping at
// whatever event count was loaded, and the number of `event-row` elements in the DOM
// while scrolling the whole table.
// With --folder LABEL=DIR (scripts/bench makes a folder of about 9,400 small .json.gz files in
// an S3 trail's layout), in a fresh page: the folder dropped on the page as a person drops
// one (Chromium's own drag and drop, through CDP Input.dispatchDragEvent), timed from the
// drop to data-busy=false, with the time until the first bytes are read (the progress line
// counts bytes; the rest of the folder is walked while they load) and until the first event
// row shows, files a second and the longest main-thread task; then the baseline on the same
// files.
// Figures are printed, never asserted.
'use strict';
const fs = require('fs');
const path = require('path');

const E2E = path.resolve(__dirname, '../e2e');
const { chromium } = require(require.resolve('@playwright/test', { paths: [E2E] }));

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run',
];

function parseArgs() {
  const o = { url: 'http://127.0.0.1:8190/', sets: [], folders: [], reps: 5, skipBaseline: false };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--url') o.url = a[++i];
    else if (a[i] === '--set') {
      const [label, dir] = a[++i].split('=');
      o.sets.push({ label, dir: path.resolve(dir) });
    } else if (a[i] === '--folder') {
      const [label, dir] = a[++i].split('=');
      o.folders.push({ label, dir: path.resolve(dir) });
    } else if (a[i] === '--reps') o.reps = Number(a[++i]);
    else throw new Error(`unknown option ${a[i]}`);
  }
  if (!o.sets.length && !o.folders.length) throw new Error('give at least one --set LABEL=DIR or --folder LABEL=DIR');
  return o;
}

const MB = 1e6;
const fmtMB = (b) => `${(b / MB).toFixed(0)} MB`;
const fmtMiB = (b) => `${(b / 1048576).toFixed(0)} MiB`;
const ms = (x) => (x == null ? 'n/a' : `${x.toFixed(0)} ms`);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** Installed before the page's own scripts: long tasks, the engine's wasm memory. */
function initScript() {
  window.__longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (_) { /* no long task API: reported as n/a */ }
  // The engine's wasm memory lives in its worker; the page shows it on the app element.
  window.__wasmBytes = () => Number(document.querySelector('[data-testid="app"]')?.dataset.engineMemory || 0);
  // Times a load in the page: `start` at the first `type` event (on the element with this
  // data-testid, if given), `mark` when `markSelector` first matches, `done` when the app
  // is idle again after having been busy.
  window.__watch = (type, testid, markSelector) => {
    const app = document.querySelector('[data-testid="app"]');
    const s = { start: null, mark: null, done: null, sawBusy: false };
    document.addEventListener(type, (e) => {
      if ((testid == null || e.target?.dataset?.testid === testid) && s.start == null) s.start = performance.now();
    }, true);
    const check = () => {
      if (s.start == null) return;
      if (s.mark == null && document.querySelector(markSelector)) s.mark = performance.now();
      const busy = app.dataset.busy === 'true';
      if (busy) s.sawBusy = true;
      else if (s.sawBusy && s.done == null) s.done = performance.now();
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-busy'] });
    return s;
  };
  // The long tasks during what `__watch` timed: how many, the longest, and the three
  // longest with when they started (ms after its start).
  window.__tasksDuring = (s) => {
    const during = window.__longtasks.filter(([t, d]) => t + d >= s.start && t <= s.done);
    return {
      longest: during.length ? Math.max(...during.map(([, d]) => d)) : 0,
      top: [...during].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([t, d]) => `${d.toFixed(0)} ms at ${(t - s.start).toFixed(0)}`),
      longTasks: during.length,
    };
  };
}

/** Peak resident set of a process, in bytes (VmHWM), and resetting it. */
function vmHwm(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch (_) { return null; }
}
function resetHwm(pid) {
  try { fs.writeFileSync(`/proc/${pid}/clear_refs`, '5'); return true; } catch (_) { return false; }
}

/** Renderer processes, the one that has worked most first: with one page open, once it
 * has loaded files, that is the page's (Chromium may keep an idle spare besides it). */
async function renderers(browserCdp) {
  const info = await browserCdp.send('SystemInfo.getProcessInfo');
  return info.processInfo.filter((p) => p.type === 'renderer').sort((a, b) => b.cpuTime - a.cpuTime);
}

async function openPage(context, url) {
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`   page error: ${err.message}`));
  await page.goto(url);
  // Ready when idle with the engine's worker answering (it reports its memory).
  await page.waitForFunction(() => document.querySelector('[data-testid="app"]')?.dataset.busy === 'false'
    && window.__wasmBytes() > 0);
  // Then until the engine's worker has warmed its code up (data-engine-warm), as it has
  // by the time a person has chosen files: how long that took is printed.
  const t0 = Date.now();
  const warm = await page.waitForFunction(
    () => document.querySelector('[data-testid="app"]')?.dataset.engineWarm === 'true',
    null, { timeout: 15_000 },
  ).then(() => true, () => false);
  page.warmMs = warm ? Date.now() - t0 : null;
  return page;
}

/** Chooses `files` on a hidden file input of the bench's own, with this id. */
async function chooseOnOwnInput(page, id, files) {
  await page.evaluate((id) => {
    const input = document.createElement('input');
    input.type = 'file'; input.multiple = true; input.id = id; input.hidden = true;
    document.body.append(input);
  }, id);
  await page.setInputFiles(`#${id}`, files);
}

/** Baseline: TextDecoder + JSON.parse of the same files, in the page. */
async function baseline(page, files, gz) {
  await chooseOnOwnInput(page, 'bench-input', files);
  return page.evaluate(async (gz) => {
    const files = [...document.getElementById('bench-input').files];
    const t0 = performance.now();
    let records = 0; let bytes = 0;
    for (const f of files) {
      let buf;
      if (gz) buf = await new Response(f.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
      else buf = await f.arrayBuffer();
      bytes += buf.byteLength;
      const doc = JSON.parse(new TextDecoder().decode(buf));
      records += doc.Records.length;
    }
    const elapsed = performance.now() - t0;
    document.getElementById('bench-input').remove();
    return { elapsed, records, bytes };
  }, gz);
}

/** Loads files through the `file-input` hook and times it in the page. */
async function trailscopeLoad(page, cdp, files) {
  await page.evaluate(() => { window.__load = window.__watch('change', 'file-input', '[data-testid="event-row"]'); });
  let peakHeap = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        const m = await cdp.send('Performance.getMetrics');
        const h = m.metrics.find((x) => x.name === 'JSHeapUsedSize');
        if (h) peakHeap = Math.max(peakHeap, h.value);
      } catch (_) { /* page busy or gone */ }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  // The files are chosen on an input of the bench's own first, then handed to the page's
  // `file-input` as a person's choice reaches it: one `change` event. Playwright's own
  // scripting for `setInputFiles` (about 100 ms on this machine, in the same task as the
  // event when aimed at the page's input) is then not counted as the page's.
  await chooseOnOwnInput(page, 'bench-pick', files);
  await page.evaluate(() => {
    const pick = document.getElementById('bench-pick');
    const target = document.querySelector('[data-testid="file-input"]');
    const chosen = new DataTransfer();
    for (const f of pick.files) chosen.items.add(f);
    pick.remove();
    target.files = chosen.files;
    target.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForFunction(() => window.__load.done != null, null, { timeout: 0, polling: 100 });
  sampling = false;
  await sampler;
  return page.evaluate((peakHeap) => {
    const s = window.__load;
    return {
      elapsed: s.done - s.start,
      firstRow: s.mark == null ? null : s.mark - s.start,
      ...window.__tasksDuring(s),
      events: Number(document.querySelector('[data-testid="event-count"]').dataset.value),
      wasm: window.__wasmBytes(),
      heap: peakHeap,
      statuses: [...document.querySelectorAll('[data-testid="file-row"]')].reduce((acc, r) => {
        acc[r.dataset.status] = (acc[r.dataset.status] || 0) + 1; return acc;
      }, {}),
    };
  }, peakHeap);
}

/** Drops the folder `dir` on the page and times it in the page: from the drop to the
 * progress line counting bytes (the first files found and their sizes read; the rest are
 * found while they load), to the first event row on screen, and to idle. */
async function folderDrop(page, cdp, dir) {
  await page.evaluate(() => {
    window.__drop = window.__watch('drop', null, '[data-testid="load-progress"]');
    window.__dropRow = window.__watch('drop', null, '[data-testid="event-row"]');
  });
  const { width, height } = page.viewportSize();
  const data = { items: [], files: [dir], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) {
    await cdp.send('Input.dispatchDragEvent', { type, x: width / 2, y: height / 2, data });
  }
  await page.waitForFunction(() => window.__drop.done != null, null, { timeout: 0, polling: 250 });
  return page.evaluate(() => {
    const s = window.__drop;
    return {
      elapsed: s.done - s.start,
      finding: s.mark == null ? null : s.mark - s.start,
      firstRow: window.__dropRow.mark == null ? null : window.__dropRow.mark - window.__dropRow.start,
      ...window.__tasksDuring(s),
      events: Number(document.querySelector('[data-testid="event-count"]').dataset.value),
      files: Number(document.querySelector('.ts-files .ts-panel__count')?.textContent || 0),
    };
  });
}

/** Reads `files` once (into the system's file cache, as far as it holds them); the ms it took. */
function readFirst(files) {
  const start = Date.now();
  for (const f of files) fs.readFileSync(f);
  return Date.now() - start;
}

/** Every log file (.json, .json.gz) under `dir`, by path. */
function filesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name))
      : /\.json(\.gz)?$/.test(e.name) ? [path.join(dir, e.name)] : []))
    .sort();
}

/** In-page helpers for the interaction latencies. */
function installInteractions() {
  const app = document.querySelector('[data-testid="app"]');
  const matchCount = () => Number(document.querySelector('[data-testid="match-count"]').dataset.value);
  const idle = () => app.dataset.busy === 'false';
  // Waits for the page to change by itself (a MutationObserver, no polling tasks that
  // would compete with the page's own) until every condition has held: resolves with the
  // time each first held, from performance.now() in the callback of the mutation that
  // made it true.
  const until = (conds, limitMs = 120000) => new Promise((resolve, reject) => {
    const at = conds.map(() => null);
    const check = () => {
      const t = performance.now();
      conds.forEach((c, k) => { if (at[k] == null && c()) at[k] = t; });
      return at.every((x) => x != null);
    };
    if (check()) { resolve(at); return; }
    const mo = new MutationObserver(() => { if (check()) { mo.disconnect(); clearTimeout(timer); resolve(at); } });
    const timer = setTimeout(() => { mo.disconnect(); reject(new Error('timed out')); }, limitMs);
    mo.observe(app, { attributes: true, childList: true, subtree: true, characterData: true });
  });
  const setQuery = (q) => {
    const input = document.querySelector('[data-testid="filter-input"]');
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    setter.call(input, q);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
  };
  /** Applies q; waits until the count differs from `before` (or equals `expect`), which is
   * the first answer (the count and the table's first rows), and until data-busy is false
   * with that count, which is the whole view (facets, groups, summary, timeline too). */
  window.__query = async (q, expect) => {
    const before = matchCount();
    const counted = () => (expect != null ? matchCount() === expect : matchCount() !== before);
    const t0 = performance.now();
    const done = until([counted, () => idle() && counted()]);
    setQuery(q);
    const [first, whole] = await done;
    // Whether a head answer went first: the worker's laps then name it (data-view-parts).
    const head = /head rows/.test(app.dataset.viewParts || '');
    return { firstMs: first - t0, ms: whole - t0, count: matchCount(), head };
  };
  window.__clearQuery = async () => {
    const total = Number(document.querySelector('[data-testid="event-count"]').dataset.value);
    if (idle() && matchCount() === total) return;
    const done = until([() => idle() && matchCount() === total]);
    setQuery('');
    await done;
  };
  const firstGroup = () => document.querySelector('[data-testid="group-row"]')?.dataset.key ?? null;
  window.__group = async (key, expectFirst) => {
    const sel = document.querySelector('[data-testid="group-by"]');
    const before = firstGroup();
    const t0 = performance.now();
    const done = until([() => idle() && (expectFirst != null ? firstGroup() === expectFirst : firstGroup() !== before && firstGroup() != null)]);
    sel.value = key;
    sel.dispatchEvent(new Event('change', { bubbles: true }));
    const [t] = await done;
    return { ms: t - t0, first: firstGroup() };
  };
  /** Scrolls the whole table top to bottom in steps; counts event-row elements at each. */
  window.__scrollRows = async (steps) => {
    const sc = document.querySelector('[data-testid="event-table"]');
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const counts = [];
    const max = sc.scrollHeight - sc.clientHeight;
    for (let i = 0; i <= steps; i++) {
      sc.scrollTop = Math.round((max * i) / steps);
      sc.dispatchEvent(new Event('scroll'));
      await frame();
      counts.push(document.querySelectorAll('[data-testid="event-row"]').length);
    }
    return { min: Math.min(...counts), max: Math.max(...counts), scrollHeight: sc.scrollHeight, reachedBottom: Math.abs(sc.scrollTop - max) < 2 };
  };
}

async function interactions(page, reps) {
  await page.evaluate(installInteractions);
  const out = {};
  const queries = [
    ['field query', 'eventSource:ec2.amazonaws.com'],
    ['wildcard query', 'eventName:Describe*'],
    ['free-text search', 'assumerole'],
  ];
  for (const [label, q] of queries) {
    const times = [];
    const firsts = [];
    let heads = 0;
    let expect = null;
    for (let i = 0; i <= reps; i++) {
      await page.evaluate(() => window.__clearQuery());
      const r = await page.evaluate(([q, e]) => window.__query(q, e), [q, expect]);
      if (i === 0) expect = r.count; // the first run finds the count (and warms up)
      else { times.push(r.ms); firsts.push(r.firstMs); heads += r.head ? 1 : 0; }
    }
    out[label] = { median: median(times), first: median(firsts), matches: expect, query: q, heads: `${heads} of ${times.length}` };
  }
  await page.evaluate(() => window.__clearQuery());
  const keys = ['eventSource', 'eventName'];
  const firsts = {};
  const times = [];
  for (let i = 0; i <= reps; i++) {
    for (const k of keys) {
      const r = await page.evaluate(([k, e]) => window.__group(k, e), [k, firsts[k] ?? null]);
      if (i === 0) firsts[k] = r.first; else times.push(r.ms);
    }
  }
  out.regrouping = { median: median(times), query: 'group by eventSource <-> eventName' };
  await page.evaluate(() => {
    const sel = document.querySelector('[data-testid="group-by"]');
    sel.value = ''; sel.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForFunction(() => document.querySelector('[data-testid="app"]').dataset.busy === 'false');
  out.scroll = await page.evaluate(() => window.__scrollRows(60));
  return out;
}

function filesOf(dir, gz) {
  return fs.readdirSync(dir)
    .filter((f) => (gz ? f.endsWith('.json.gz') : f.endsWith('.json')))
    .sort()
    .map((f) => path.join(dir, f));
}

async function main() {
  const o = parseArgs();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  const browserCdp = await browser.newBrowserCDPSession();
  const rows = [];
  let inter = null;
  for (const [si, set] of o.sets.entries()) {
    for (const gz of [false, true]) {
      const files = filesOf(set.dir, gz);
      if (!files.length) continue;
      const onDisk = files.reduce((s, f) => s + fs.statSync(f).size, 0);
      const name = `${set.label} ${gz ? '.json.gz' : '.json'}`;
      console.error(`== ${name}: ${files.length} files, ${fmtMB(onDisk)} on disk`);
      // The files are read once first, so that Trailscope and the baseline after it find
      // them alike in the system's file cache (as far as it holds them: on this machine
      // about 1 GB, and its disk read cold files at 70 to 400 MB/s over a day).
      const preRead = readFirst(files);
      console.error(`   read first: ${ms(preRead)} (${(onDisk / MB / (preRead / 1000)).toFixed(0)} MB/s)`);
      // Trailscope loads first, into a fresh page, so the page's memory is its own and
      // not what the baseline's JSON.parse garbage left resident; the baseline runs
      // after it in the same page.
      // A context of its own: its page gets a renderer process of its own, not one a
      // closed page's memory is still resident in.
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addInitScript(initScript);
      const page = await openPage(context, o.url);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      // Every renderer's peak is reset (which one is the page's shows only once it has
      // worked), and the busiest one's is read after the load.
      const starts = new Map((await renderers(browserCdp)).map((p) => [p.id, resetHwm(p.id) ? vmHwm(p.id) : null]));
      console.error(`   engine warm ${page.warmMs == null ? 'never reported' : `${page.warmMs} ms after the page was ready`}`);
      const load = await trailscopeLoad(page, cdp, files);
      const pid = (await renderers(browserCdp))[0]?.id ?? null;
      const hwmReset = pid != null && starts.get(pid) != null;
      const before = hwmReset ? starts.get(pid) : null;
      const rss = pid != null ? vmHwm(pid) : null;
      console.error(`   trailscope: ${ms(load.elapsed)}, ${load.events} events, files ${JSON.stringify(load.statuses)}`);
      console.error(`   longest main-thread tasks: ${load.top.join(', ') || 'none over 50 ms'}`);
      if (si === o.sets.length - 1 && !gz) {
        console.error('   interactions...');
        inter = { events: load.events, ...(await interactions(page, o.reps)) };
      }
      const base = await baseline(page, files, gz);
      console.error(`   baseline: ${ms(base.elapsed)} for ${fmtMB(base.bytes)} (${base.records} records)`);
      rows.push({ name, files: files.length, onDisk, base, load, rss, rssBefore: before, hwmReset, preRead });
      await cdp.detach();
      await page.close();
      await context.close();
    }
  }
  const drops = [];
  for (const folder of o.folders) {
    const files = filesUnder(folder.dir);
    const onDisk = files.reduce((s, f) => s + fs.statSync(f).size, 0);
    console.error(`== folder ${folder.label}: ${files.length} files, ${fmtMB(onDisk)} on disk`);
    console.error(`   read first: ${ms(readFirst(files))}`);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(initScript);
    const page = await openPage(context, o.url);
    const cdp = await context.newCDPSession(page);
    const starts = new Map((await renderers(browserCdp)).map((p) => [p.id, resetHwm(p.id) ? vmHwm(p.id) : null]));
    const drop = await folderDrop(page, cdp, folder.dir);
    const pid = (await renderers(browserCdp))[0]?.id ?? null;
    drop.rss = pid != null && starts.get(pid) != null ? vmHwm(pid) : null;
    console.error(`   trailscope: ${ms(drop.elapsed)} (first bytes ${ms(drop.finding)}, first row ${ms(drop.firstRow)}), ${drop.events} events, ${drop.files} files`);
    console.error(`   longest main-thread tasks: ${drop.top.join(', ') || 'none over 50 ms'}`);
    const base = await baseline(page, files, files[0].endsWith('.gz'));
    console.error(`   baseline: ${ms(base.elapsed)} for ${fmtMB(base.bytes)} (${base.records} records)`);
    drops.push({ name: folder.label, count: files.length, onDisk, drop, base });
    await cdp.detach();
    await page.close();
    await context.close();
  }
  await browser.close();
  report(rows, inter, drops);
}

function report(rows, inter, drops) {
  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  if (drops.length) {
    console.log('\nFolder dropped on the page (first bytes = from the drop until bytes are read, the rest of the folder is walked');
    console.log('while they load; first row = until the first event row is on screen; baseline as below, same files;');
    console.log('peak RSS: the renderer\'s, as below)');
    const head = ['folder', 'files', 'on disk', 'JSON', 'events', 'first bytes', 'first row', 'load', 'files/s', 'baseline', 'ratio', 'longest task', 'peak RSS'];
    const w = [16, 7, 9, 9, 9, 12, 10, 9, 8, 9, 6, 13, 9];
    console.log(head.map((h, i) => (i ? lpad(h, w[i]) : pad(h, w[i]))).join(' '));
    for (const d of drops) {
      const cells = [d.name, d.drop.files, fmtMB(d.onDisk), fmtMB(d.base.bytes), d.drop.events, ms(d.drop.finding), ms(d.drop.firstRow), ms(d.drop.elapsed),
        (d.drop.files / (d.drop.elapsed / 1000)).toFixed(0), ms(d.base.elapsed), (d.base.elapsed / d.drop.elapsed).toFixed(2) + 'x', ms(d.drop.longest),
        d.drop.rss == null ? 'n/a' : fmtMiB(d.drop.rss)];
      console.log(cells.map((c, i) => (i ? lpad(c, w[i]) : pad(c, w[i]))).join(' '));
    }
  }
  if (!rows.length) return;
  console.log('\nLoad (MB/s of uncompressed JSON; baseline = TextDecoder + JSON.parse, with DecompressionStream for .gz, same page;');
  console.log('read first: the files read once from disk by the bench before both, MB/s on disk)');
  const head = ['input', 'files', 'on disk', 'JSON', 'events', 'baseline MB/s', 'Trailscope MB/s', 'ratio', 'load', 'first row', 'longest task', 'tasks>50ms', 'read first'];
  const w = [16, 6, 9, 9, 9, 14, 16, 6, 9, 10, 13, 11, 11];
  console.log(head.map((h, i) => (i ? lpad(h, w[i]) : pad(h, w[i]))).join(' '));
  for (const r of rows) {
    const bMBs = r.base.bytes / MB / (r.base.elapsed / 1000);
    const tMBs = r.base.bytes / MB / (r.load.elapsed / 1000);
    const cells = [r.name, r.files, fmtMB(r.onDisk), fmtMB(r.base.bytes), r.load.events, bMBs.toFixed(0), tMBs.toFixed(0),
      (tMBs / bMBs).toFixed(2) + 'x', ms(r.load.elapsed), ms(r.load.firstRow), ms(r.load.longest), r.load.longTasks,
      `${(r.onDisk / MB / (r.preRead / 1000)).toFixed(0)} MB/s`];
    console.log(cells.map((c, i) => (i ? lpad(c, w[i]) : pad(c, w[i]))).join(' '));
  }
  console.log('\nMemory of the page during the Trailscope load (input = uncompressed JSON)');
  const mh = ['input', 'JSON', 'RSS at start', 'renderer peak RSS', 'RSS / input', 'wasm memory', 'wasm / input', 'JS heap peak'];
  const mw = [16, 9, 13, 18, 12, 12, 13, 13];
  console.log(mh.map((h, i) => (i ? lpad(h, mw[i]) : pad(h, mw[i]))).join(' '));
  for (const r of rows) {
    const cells = [r.name, fmtMB(r.base.bytes), r.rssBefore == null ? 'n/a' : fmtMiB(r.rssBefore), r.rss == null ? 'n/a' : fmtMiB(r.rss) + (r.hwmReset ? '' : '*'),
      r.rss == null ? 'n/a' : (r.rss / r.base.bytes).toFixed(2) + 'x', fmtMiB(r.load.wasm), (r.load.wasm / r.base.bytes).toFixed(2) + 'x', fmtMiB(r.load.heap)];
    console.log(cells.map((c, i) => (i ? lpad(c, mw[i]) : pad(c, mw[i]))).join(' '));
  }
  console.log('  RSS at start: the renderer\'s resident set just before the Trailscope load (a fresh page with its idle');
  console.log('  worker; the baseline runs after); renderer peak RSS: VmHWM of the page\'s renderer process, reset at that point');
  console.log('  (includes Chromium\'s own baseline of the renderer, about 100 MiB); * = could not reset, includes the baseline run.');
  if (inter) {
    console.log(`\nInteraction latencies at ${inter.events} events (median; from the change in the page until the count and the first rows`);
    console.log('are on the page, "first answer", and until the whole view is, with data-busy=false, "whole view"; "head first":');
    console.log('in how many runs the worker posted the count and first rows ahead of the panels, src/worker/head.rs)');
    console.log(`  ${pad('', 18)} ${lpad('first answer', 12)} ${lpad('whole view', 11)}`);
    for (const k of ['field query', 'wildcard query', 'free-text search', 'regrouping']) {
      const v = inter[k];
      const first = v.first == null ? '' : ms(v.first);
      const about = [v.matches != null ? `${v.matches} matches` : null, v.heads ? `head first in ${v.heads}` : null].filter(Boolean);
      console.log(`  ${pad(k, 18)} ${lpad(first, 12)} ${lpad(ms(v.median), 11)}   ${v.query}${about.length ? ` (${about.join('; ')})` : ''}`);
    }
    const s = inter.scroll;
    console.log(`\nScrolling the full table (${inter.events} rows, ${s.scrollHeight} px tall, 61 positions top to bottom${s.reachedBottom ? '' : ', bottom NOT reached'}):`);
    console.log(`  event-row elements in the DOM: ${s.min} to ${s.max}`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
