// The studio page in a real headless browser (CTest label `browser`):
// Debian's chromium driven by the pinned playwright-core of web/ (which
// downloads no browser). Starts `deepbach serve --port 0`, loads Old
// Hundredth, harmonizes, watches a long harmonization's progress bar and
// cancels it, regenerates bars 2-3 ATB, fixes a note, plays, downloads
// MusicXML (validated against the MusicXML 4.0 XSD), MIDI and WAV, undoes,
// and checks the page without Verovio. Exit 77 (CTest skip) only when
// chromium or web/node_modules is absent.
//
// node studio_test.mjs --deepbach BIN --web DIR --melody FILE --out DIR
//      [--chromium /usr/bin/chromium] [--xmllint xmllint] [--schema DIR]
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const chromiumPath = args.chromium || '/usr/bin/chromium';
const web = path.resolve(args.web);
const out = path.resolve(args.out);
fs.mkdirSync(out, { recursive: true });

const SKIP = 77;
function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(SKIP);
}
const playwrightEntry = path.join(web, 'node_modules', 'playwright-core', 'index.mjs');
if (!fs.existsSync(chromiumPath)) skip(`no browser at ${chromiumPath} (apt-get install chromium; scripts/install-deps does)`);
if (!fs.existsSync(playwrightEntry)) skip(`no ${playwrightEntry} (run npm ci in ${web}; scripts/install-deps does)`);
if (!fs.existsSync(path.join(web, 'node_modules', 'verovio', 'dist', 'verovio-module.mjs')))
  skip(`no Verovio in ${web}/node_modules (run npm ci there; scripts/install-deps does)`);

if (Number(process.versions.node.split('.')[0]) < 20) {
  console.error(`FAILED: playwright-core (web/package.json) needs Node 20 or later; this is ${process.version}`);
  process.exit(1);
}
const { chromium } = await import(pathToFileURL(playwrightEntry).href);

const started = Date.now();
const log = (...a) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s]`, ...a);
function check(ok, what) {
  if (!ok) throw new Error(`FAILED: ${what}`);
  log(`ok: ${what}`);
}

// ---------------------------------------------------------------- server
function startServer() {
  const child = spawn(args.deepbach, ['serve', '--port', '0', '--web', web], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`deepbach serve said nothing in 60 s; stderr: ${stderr}`)), 60000);
    child.stdout.on('data', (d) => {
      buffer += d;
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n')) {
        clearTimeout(timer);
        const m = /listening on (http:\/\/\S+?\/)/.exec(line);
        if (!m) reject(new Error(`unexpected first line: ${line}`));
        else resolve({ child, url: m[1], stderr: () => stderr });
      }
    });
    child.on('exit', (code) => reject(new Error(`deepbach serve exited (${code}): ${stderr}`)));
  });
}

// GET with Brotli and gzip accepted: the answer's headers and how long it took.
function rawGet(url) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    http.get(url, { headers: { 'Accept-Encoding': 'br, gzip' } }, (res) => {
      let bytes = 0;
      res.on('data', (d) => { bytes += d.length; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes, seconds: (Date.now() - t0) / 1000 }));
    }).on('error', reject);
  });
}

const server = await startServer();
log(`server at ${server.url}`);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'deepbach-chromium-'));
let context;
let failed = null;
const pageErrors = [];
try {
  // Verovio's 7 MB module is served as it is, not compressed on the fly.
  const module = await rawGet(`${server.url}verovio/verovio-module.mjs`);
  check(module.status === 200 && !module.headers['content-encoding'] && module.bytes > 1e6 && module.seconds < 10,
    `Verovio's module served uncompressed (${(module.bytes / 1e6).toFixed(1)} MB in ${module.seconds} s, ${module.headers['content-type']})`);

  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1440, height: 1130 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(60000);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // A refusal the page shows (400, or 503 busy) is logged by the browser as a
  // failed resource; anything else said as an error is a fault of the page.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: .*status of (400|503)/.test(m.text())) pageErrors.push(`console: ${m.text()}`);
  });

  await page.goto(server.url);
  await page.waitForSelector('body[data-verovio="ready"]', { timeout: 90000 });
  check(true, 'the page loaded Verovio (ESM promise API)');

  const idle = () => page.waitForSelector('body[data-busy="false"]');
  const message = () => page.evaluate(() => (document.getElementById('message').hidden ? '' : document.getElementById('message').textContent));
  // Every voice as grid tokens: per tick 'h' (hold), 'r' (rest) or the MIDI
  // pitch of a note starting there.
  const tokens = () => page.evaluate(() => studio.model.parts.map((p) => {
    const row = new Array(studio.model.numTicks).fill('h');
    for (const n of p.notes) row[n.start] = n.rest ? 'r' : n.midi;
    return row;
  }));
  const notes = (voice) => page.evaluate((v) => studio.model.parts[v].notes.filter((n) => !n.rest)
    .map((n) => ({ start: n.start, end: n.end, midi: n.midi })), voice);
  const rendered = () => page.evaluate(() => ({
    svg: document.querySelectorAll('#score svg g.note').length,
    model: studio.model.parts.flatMap((p) => p.segments.filter((s) => !s.rest)).length,
    staves: document.querySelectorAll('#score svg g.measure')[0]?.querySelectorAll('g.staff').length,
  }));
  const measure = (n) => page.evaluate((num) => studio.model.measures.find((m) => m.number === num), n);

  // One seed throughout, so that a run is repeatable.
  await page.uncheck('#new-seed');
  await page.fill('#seed', '1');

  // ------------------------------------------------------ load the melody
  await page.setInputFiles('#file', path.resolve(args.melody));
  await page.waitForFunction(() => studio.model && document.querySelectorAll('#score svg g.note').length > 0);
  const melody = await notes(0);
  let r = await rendered();
  check(melody.length === 32 && r.svg === r.model && r.model === 32, `Old Hundredth loaded: 32 notes, ${r.svg} engraved`);

  // ------------------------------------------------------------ harmonize
  await page.click('#harmonize');
  await idle();
  await page.waitForFunction(() => studio.state.harmonized);
  check(await message() === '', 'harmonize answered without an error');
  r = await rendered();
  check(r.svg === r.model && r.staves === 4 && r.svg > 90, `harmonized: four staves, ${r.svg} notes engraved, as many as the score has`);
  const soprano = await notes(0);
  check(JSON.stringify(soprano) === JSON.stringify(melody), 'the soprano is the melody, note for note');
  for (const v of [1, 2, 3]) check((await notes(v)).length >= 20, `voice ${v} has its notes`);

  // ------------------------------------- progress of a long job, cancelled
  // 256 sweeps take seconds: the header's bar shows how far the server is
  // (GET /api/progress), and Cancel leaves the score as it was.
  const xmlHarmonized = await page.evaluate(() => studio.state.xml);
  await page.fill('#sweeps', '256');
  await page.click('#harmonize');
  const shown = await page.waitForFunction(() => {
    const bar = document.getElementById('progress');
    return !bar.hidden && bar.hasAttribute('value') && bar.value > 0.03 && bar.value < 1 &&
      { value: bar.value, status: document.getElementById('status').textContent };
  }, null, { timeout: 30000 }).then((h) => h.jsonValue());
  check(/%/.test(shown.status), `the progress bar shows the job ${Math.round(shown.value * 100)} % done ("${shown.status}")`);
  await page.locator('header').screenshot({ path: path.join(out, 'progress.png') });
  await page.click('#cancel');
  await idle();
  check(await page.evaluate(() => document.getElementById('progress').hidden), 'cancelled: the progress bar is gone');
  check(await page.evaluate((x) => studio.state.xml === x, xmlHarmonized), 'and the score is as it was');
  await page.fill('#sweeps', '');

  // ----------------------------------------------- regenerate bars 2-3 ATB
  const unchangedOutside = async (before, region, what) => {
    const after = await tokens();
    // The pitch sounding at a tick (the last onset's), for a note held over
    // the region's end that the library strikes again just after it.
    const heard = (row, t) => { while (t > 0 && row[t] === 'h') t--; return row[t]; };
    let diffs = 0;
    for (let v = 0; v < 4; v++) {
      for (let t = 0; t < after[v].length; t++) {
        const inside = t >= region.start && t < region.end && region.voices.includes(v);
        if (!inside && before[v][t] !== after[v][t] && heard(before[v], t) !== heard(after[v], t)) diffs++;
      }
    }
    check(diffs === 0 && before[0].length === after[0].length, `${what}: nothing outside the region changed`);
    return after;
  };
  await page.fill('#bar-from', '2');
  await page.fill('#bar-to', '3');
  const before = await tokens();
  const xmlBefore = await page.evaluate(() => studio.state.xml);
  await page.click('#regenerate');
  await idle();
  check(await message() === '', 'regenerate answered without an error');
  const b2 = await measure('2');
  const b3 = await measure('3');
  await unchangedOutside(before, { start: b2.start, end: b3.end, voices: [1, 2, 3] }, 'bars 2-3 ATB regenerated');
  r = await rendered();
  check(r.svg === r.model, `the engraving shows the new score (${r.svg} notes)`);

  // -------------------------------------------------------- fix a note
  const b4 = await measure('4');
  const target = await page.evaluate((tick) => {
    const n = studio.model.parts[1].notes.find((x) => !x.rest && x.start === tick) ||
      studio.model.parts[1].notes.find((x) => !x.rest && x.start >= tick);
    return { id: n.segments[0].id, start: n.start, end: n.end, midi: n.midi };
  }, b3.start);
  await page.click(`#score [id="${target.id}"]`);
  await page.waitForFunction(() => !document.getElementById('note-tools').hidden);
  check((await page.textContent('#note-info')).startsWith('alto'), `clicking the engraved note selects it: ${await page.textContent('#note-info')}`);
  let wanted = 0;
  for (const step of [2, -2, 1, -1]) {
    await page.click(`#score [id="${(await page.evaluate(() => studio.selected.segments[0].id))}"]`);
    const button = step > 0 ? '#pitch-up' : '#pitch-down';
    for (let i = 0; i < Math.abs(step); i++) await page.click(button);
    await page.click('#fix');
    await idle();
    const m = await message();
    if (!m) { wanted = target.midi + step; break; }
    log(`(a fix ${step} semitones refused: ${m}; trying another)`);
  }
  check(wanted !== 0, 'a note moved and fixed');
  const fixedNow = async () => page.evaluate((t) => {
    const n = studio.model.parts[1].notes.find((x) => x.start === t.start);
    return n && { midi: n.midi, end: n.end, id: n.segments[0].id };
  }, target);
  let fixed = await fixedNow();
  check(fixed && fixed.midi === wanted && fixed.end === target.end, `the alto note at bar 3 is now MIDI ${wanted}`);
  check(await page.evaluate(() => studio.state.fixes.length === 1), 'it is listed as kept');
  check(await page.evaluate((t) => document.getElementById(studio.model.parts[1].notes.find((x) => x.start === t.start).segments[0].id).classList.contains('kept'), target),
    'the engraving marks it as kept');
  const beforeFixRegen = await tokens();
  await page.fill('#bar-from', '2');
  await page.fill('#bar-to', '4');
  await page.click('#regenerate');
  await idle();
  check(await message() === '', 'regenerating bars 2-4 ATB around the fixed note answered without an error');
  fixed = await fixedNow();
  check(fixed && fixed.midi === wanted && fixed.end === target.end, 'the fixed note is kept through the regeneration');
  await unchangedOutside(beforeFixRegen, { start: b2.start, end: b4.end, voices: [1, 2, 3] }, 'bars 2-4 ATB regenerated');
  check(JSON.stringify(await notes(0)) === JSON.stringify(melody), 'the soprano is still the melody');

  // ------------------------------------------------------------- screenshot
  await page.click(`#score [id="${(await fixedNow()).id}"]`);
  await page.screenshot({ path: path.join(out, 'studio.png') });
  log(`screenshot: ${path.join(out, 'studio.png')}`);

  // ------------------------------------------------------------------ play
  await page.click('#play');
  await page.waitForSelector('body[data-playing="true"]');
  await page.waitForFunction(() => document.querySelectorAll('#score g.playing').length > 0, null, { timeout: 10000 });
  check(true, 'playing: the sounding notes light up in the engraving');
  await page.click('#stop');
  await page.waitForSelector('body[data-playing="false"]');
  check(await page.evaluate(() => document.querySelectorAll('#score g.playing').length === 0), 'stopped');

  // ------------------------------------------------------------- downloads
  const download = async (button, name) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    const file = path.join(out, name);
    await dl.saveAs(file);
    return { file, suggested: dl.suggestedFilename(), bytes: fs.readFileSync(file) };
  };
  const xml = await download('#dl-musicxml', 'studio.musicxml');
  check(xml.suggested.endsWith('.musicxml') && xml.bytes.toString().includes('<score-partwise'), `MusicXML downloaded (${xml.suggested})`);
  if (args.schema) {
    const env = { ...process.env, XML_CATALOG_FILES: path.join(args.schema, 'catalog.xml') };
    try {
      execFileSync(args.xmllint || 'xmllint', ['--nonet', '--noout', '--schema', path.join(args.schema, 'musicxml.xsd'), xml.file], { env, stdio: 'pipe' });
    } catch (e) {
      throw new Error(`FAILED: the downloaded MusicXML does not validate: ${e.stderr}`);
    }
    check(true, 'the downloaded MusicXML validates against the MusicXML 4.0 XSD');
  }
  const midi = await download('#dl-midi', 'studio.mid');
  check(midi.bytes.subarray(0, 4).toString() === 'MThd' && midi.bytes.length > 200, `MIDI downloaded (${midi.bytes.length} bytes)`);
  const wav = await download('#dl-wav', 'studio.wav');
  check(wav.bytes.subarray(0, 4).toString() === 'RIFF' && wav.bytes.subarray(8, 12).toString() === 'WAVE' && wav.bytes.length > 100000,
    `WAV downloaded (${(wav.bytes.length / 1e6).toFixed(1)} MB)`);

  // ------------------------------------------------------------------ undo
  for (let i = 0; i < 2; i++) { await page.click('#undo'); }
  check(await page.evaluate((x) => studio.state.xml === x, xmlBefore) === false, 'two undos leave the first regeneration\'s result');
  await page.click('#undo');
  check(await page.evaluate((x) => studio.state.xml === x, xmlBefore), 'a third undo restores the score before any regeneration');
  check(pageErrors.length === 0, `no errors in the page${pageErrors.length ? ': ' + pageErrors.join('; ') : ''}`);

  // ------------------------------------------------- the page without Verovio
  const bare = await context.newPage();
  await bare.route('**/verovio/**', (route) => route.fulfill({ status: 404, body: 'not here' }));
  await bare.goto(server.url);
  await bare.waitForSelector('body[data-verovio="missing"]', { timeout: 30000 });
  const notice = await bare.textContent('#engraver');
  check(/Verovio is not installed/.test(notice) && /npm ci/.test(notice), 'without Verovio the page says how to get it');
  await bare.setInputFiles('#file', path.resolve(args.melody));
  await bare.waitForFunction(() => document.querySelectorAll('#roll rect.note').length === 32);
  check(true, 'and the piano roll still shows the melody');
  await bare.close();
} catch (e) {
  failed = e;
} finally {
  if (context) await context.close().catch(() => {});
  server.child.kill('SIGTERM');
  fs.rmSync(profile, { recursive: true, force: true });
}
if (failed) {
  console.error(failed.stack || String(failed));
  if (pageErrors.length) console.error(`page errors: ${pageErrors.join('\n')}`);
  console.error(`server stderr: ${server.stderr()}`);
  process.exit(1);
}
log('all passed');
process.exit(0);
