// libdeepbach studio: the page `deepbach serve` serves (docs/server.md, "The page").
// Everything runs on this machine: the server samples, Verovio (if installed)
// engraves, a small WebAudio synth plays. No framework, no build step.

const VOICES = ['soprano', 'alto', 'tenor', 'bass'];
const VOICE_LETTERS = 'SATB';
const TICKS_PER_QUARTER = 4;
const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ state

// What undo restores: the score (MusicXML text, the truth), what is kept.
const state = {
  xml: null,          // the current score, MusicXML as the library wrote it (or the melody loaded)
  title: 'chorale',   // for file names
  harmonized: false,  // four parts written by the library
  fixes: [],          // {voice, start, end, pitch}: notes kept over grid ticks [start, end)
  cadences: [],       // {tick, beat, type}
};
let model = null;      // parseScore(state.xml)
let selected = null;   // a sounding note of model (see parseScore)
let rangeAnchor = null;
const undoStack = [];
const redoStack = [];
let busy = null;       // the AbortController of the running request
let toolkit = null;    // Verovio's toolkit, once loaded
let verovioState = 'loading';  // loading | ready | missing

// ---------------------------------------------------------- MusicXML model

const STEP_SEMITONES = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

function pitchName(step, alter, octave) {
  const acc = alter > 0 ? '#'.repeat(alter) : 'b'.repeat(-alter);
  return `${step}${acc}${octave}`;
}

function parsePitchName(text) {
  const m = /^\s*([A-Ga-g])(#{1,2}|b{1,2}|x)?(-?\d)\s*$/.exec(text);
  if (!m) return null;
  const step = m[1].toUpperCase();
  const acc = m[2] || '';
  const alter = acc === 'x' ? 2 : acc.startsWith('#') ? acc.length : -acc.length;
  const octave = Number(m[3]);
  return { step, alter, octave, midi: 12 * (octave + 1) + STEP_SEMITONES[step] + alter, name: pitchName(step, alter, octave) };
}

function childText(el, name) {
  const c = el.getElementsByTagName(name)[0];
  return c ? c.textContent.trim() : null;
}

// The score as notes on the library's grid (4 ticks a quarter, 0 the
// piece's first). Each <note> element gets an id (p<part>n<index>), which
// the copy given to Verovio carries, so a click on the engraving finds its
// note. Tied notes are one sounding note (`segments`).
function parseScore(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) throw new Error('not well-formed MusicXML');
  const root = doc.documentElement;
  if (root.nodeName !== 'score-partwise') throw new Error(`expected a score-partwise MusicXML file, found <${root.nodeName}>`);
  const title = childText(root, 'work-title') || childText(root, 'movement-title');
  const partEls = [...root.children].filter((e) => e.nodeName === 'part');
  const names = {};
  for (const sp of root.getElementsByTagName('score-part')) names[sp.getAttribute('id')] = childText(sp, 'part-name') || '';
  const parts = [];
  const measures = [];
  let fifths = 0;
  partEls.forEach((partEl, p) => {
    let divisions = 1;
    let tick = 0;  // in divisions-based quarters * 4, kept exact as a fraction of divisions
    let pos = 0;   // position in divisions
    let base = 0;  // tick at the measure's start
    const segments = [];
    const sounding = [];
    let k = 0;
    let measureIndex = 0;
    for (const m of partEl.children) {
      if (m.nodeName !== 'measure') continue;
      const start = base;
      pos = 0;
      let longest = 0;
      for (const el of m.children) {
        if (el.nodeName === 'attributes') {
          const d = childText(el, 'divisions');
          if (d) divisions = Number(d);
          const f = childText(el, 'fifths');
          if (f !== null && p === 0 && measureIndex === 0) fifths = Number(f);
        } else if (el.nodeName === 'backup') {
          pos -= Number(childText(el, 'duration') || 0);
        } else if (el.nodeName === 'forward') {
          pos += Number(childText(el, 'duration') || 0);
        } else if (el.nodeName === 'note') {
          const id = `p${p}n${k++}`;
          el.setAttribute('id', id);
          if (el.getElementsByTagName('grace').length) continue;
          const isChord = el.getElementsByTagName('chord').length > 0;
          const dur = Number(childText(el, 'duration') || 0);
          if (isChord) continue;  // a chorale voice is one line; a chord's upper notes are ignored here
          const from = start + Math.round((pos * TICKS_PER_QUARTER) / divisions);
          pos += dur;
          const to = start + Math.round((pos * TICKS_PER_QUARTER) / divisions);
          const pitchEl = el.getElementsByTagName('pitch')[0];
          const ties = [...el.getElementsByTagName('tie')].map((t) => t.getAttribute('type'));
          const seg = { id, voice: p, start: from, end: to, rest: !pitchEl, measureIndex,
            fermata: el.getElementsByTagName('fermata').length > 0 };
          if (pitchEl) {
            const step = childText(pitchEl, 'step');
            const alter = Number(childText(pitchEl, 'alter') || 0);
            const octave = Number(childText(pitchEl, 'octave'));
            seg.midi = 12 * (octave + 1) + STEP_SEMITONES[step] + alter;
            seg.name = pitchName(step, Math.round(alter), octave);
          }
          segments.push(seg);
          const prev = sounding[sounding.length - 1];
          if (ties.includes('stop') && prev && !prev.rest && prev.midi === seg.midi && prev.end === seg.start) {
            prev.end = seg.end;
            prev.segments.push(seg);
            prev.fermata = prev.fermata || seg.fermata;
            seg.note = prev;
          } else {
            const note = { voice: p, start: seg.start, end: seg.end, midi: seg.midi, name: seg.name, rest: seg.rest,
              segments: [seg], fermata: seg.fermata };
            seg.note = note;
            sounding.push(note);
          }
        }
        longest = Math.max(longest, pos);
      }
      const end = start + Math.round((longest * TICKS_PER_QUARTER) / divisions);
      if (p === 0) measures.push({ number: m.getAttribute('number') || String(measureIndex + 1), start, end });
      base = end;
      measureIndex++;
    }
    tick = base;
    parts.push({ name: names[partEl.getAttribute('id')] || `Part ${p + 1}`, segments, notes: sounding, ticks: tick });
  });
  if (!parts.length) throw new Error('the file has no parts');
  const byId = new Map();
  for (const part of parts) for (const s of part.segments) byId.set(s.id, s);
  const numTicks = Math.max(...parts.map((q) => q.ticks));
  const withIds = new XMLSerializer().serializeToString(doc);
  return { doc, title, parts, measures, numTicks, fifths, byId, withIds };
}

function measureAt(tick) {
  const ms = model.measures;
  for (let i = ms.length - 1; i >= 0; i--) if (tick >= ms[i].start) return ms[i];
  return ms[0];
}

// BAR.BEAT as the library reads it (docs/cli.md): the bar as written, the
// quarter from 1 within it.
function beatOf(tick) {
  const m = measureAt(tick);
  return `${m.number}.${Math.floor((tick - m.start) / TICKS_PER_QUARTER) + 1}`;
}

function quarterName(ticks) {
  const names = { 1: 'sixteenth', 2: 'eighth', 3: 'dotted eighth', 4: 'quarter', 6: 'dotted quarter', 8: 'half',
    12: 'dotted half', 16: 'whole' };
  return names[ticks] || `${ticks / TICKS_PER_QUARTER} quarters`;
}

function notesOf(voice) {
  return model && model.parts[voice] ? model.parts[voice].notes.filter((n) => !n.rest) : [];
}

// ------------------------------------------------------------- the server

class Refusal extends Error {}

async function api(path, params, body, { binary = false } = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of params) query.append(k, v);
  // A sampling job names itself, so that Cancel stops it on the server too.
  const job = /harmonize|generate/.test(path) ? `page-${Date.now()}-${Math.floor(Math.random() * 1e9)}` : null;
  if (job) query.append('job', job);
  const url = `${path}${query.toString() ? '?' + query : ''}`;
  const controller = new AbortController();
  controller.job = job;
  setBusy(controller, path);
  const progress = job ? watchProgress(job, controller, path.replace('/api/', '')) : null;
  const started = performance.now();
  try {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(url, {
        method: 'POST', signal: controller.signal,
        headers: body === null ? { 'Content-Length': '0' } : { 'Content-Type': 'application/xml' },
        body: body === null ? '' : body,
      });
      if (res.status === 503 && res.headers.get('Retry-After') && attempt < 300) {
        // Another job (perhaps one cancelled here: the server finishes it) holds the slot.
        setStatus('The server is busy with another job; waiting…');
        await sleep(1000, controller.signal);
        continue;
      }
      if (!res.ok) {
        let message = `HTTP ${res.status}`;
        try { message = (await res.json()).error || message; } catch { /* not JSON */ }
        throw new Refusal(message);
      }
      const out = binary ? await res.blob() : await res.json();
      return { out, seconds: (performance.now() - started) / 1000 };
    }
  } finally {
    if (progress) progress.stop();
    if (busy === controller) setBusy(null);
  }
}

// How far the server is with a job: GET /api/progress?job=ID every 250 ms
// while the request waits, shown in the header's bar (without a value, the
// bar is indeterminate: not started yet, or waiting for the slot).
function watchProgress(job, controller, what) {
  let stopped = false;
  let timer = null;
  const tick = async () => {
    try {
      const res = await fetch(`/api/progress?job=${encodeURIComponent(job)}`, { cache: 'no-store' });
      const p = res.ok ? await res.json() : null;
      if (!stopped && busy === controller && p && p.running && p.total > 0) {
        const bar = $('progress');
        bar.value = p.fraction;
        bar.title = `${p.done} of about ${p.total} sampler iterations`;
        setStatus(`Working (${what})… ${Math.round(100 * p.fraction)} %`);
      }
    } catch { /* the request itself says when the server is gone */ }
    if (!stopped) timer = setTimeout(tick, 250);
  };
  timer = setTimeout(tick, 100);
  return { stop() { stopped = true; clearTimeout(timer); } };
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); reject(new DOMException('aborted', 'AbortError')); });
  });
}

function setBusy(controller, what) {
  busy = controller;
  document.body.dataset.busy = controller ? 'true' : 'false';
  $('cancel').hidden = !controller;
  const bar = $('progress');
  bar.hidden = !controller;
  bar.removeAttribute('value');
  bar.title = '';
  if (controller) setStatus(`Working (${what.replace('/api/', '')})…`);
  updateButtons();
}

function setStatus(text) {
  $('status').textContent = text;
}

function showMessage(text, kind = 'error') {
  const m = $('message');
  m.textContent = text;
  m.className = kind;
  m.hidden = !text;
}

// Runs an action that talks to the server: errors become the message bar.
async function run(action) {
  showMessage('');
  try {
    await action();
  } catch (e) {
    if (e.name === 'AbortError') {
      setStatus('Cancelled.');
      showMessage('Cancelled: the score is as it was.', 'info');
    } else if (e instanceof Refusal) {
      setStatus('Refused.');
      showMessage(e.message);
    } else if (e instanceof TypeError && /fetch/i.test(e.message)) {
      setStatus('No server.');
      showMessage('The server does not answer: is deepbach serve still running?');
    } else {
      setStatus('Error.');
      showMessage(e.message || String(e));
      console.error(e);
    }
  }
}

// The options every sampling request carries.
function samplerParams() {
  const p = [];
  if ($('new-seed').checked) $('seed').value = String(Math.floor(Math.random() * 2147483647));
  if ($('seed').value !== '') p.push(['seed', $('seed').value]);
  if ($('temperature').value !== '') p.push(['temperature', $('temperature').value]);
  if ($('chains').value !== '') p.push(['chains', $('chains').value]);
  if ($('sweeps').value !== '') p.push(['sweeps', $('sweeps').value]);
  return p;
}

function keyParams(forGenerate) {
  const p = [];
  for (const k of $('key').value.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (k.includes(':') || forGenerate) p.push(['key', k]);
    else p.push(['key', `${model.measures[0].number}:${k}`]);
  }
  return p;
}

function constraintParams(range) {
  const p = [];
  const inRange = (start, end, voice) =>
    !range || (start < range.end && end > range.start && (voice === undefined || range.voices[voice]));
  for (const f of state.fixes) if (inRange(f.start, f.end, f.voice)) p.push(['note', `${VOICES[f.voice]}:${f.start}-${f.end}:${f.pitch}`]);
  for (const c of state.cadences) if (inRange(c.tick, c.tick + 1)) p.push(['cadence', `${c.beat}:${c.type}`]);
  if (!$('final-cadence').checked) p.push(['final_cadence', '0']);
  if ($('allow-rests').checked) p.push(['allow_rests', '1']);
  return p;
}

// A result of harmonize, reharmonize or generate: the new score.
function takeResult(result, seconds, what) {
  pushUndo();
  setScore(result.musicxml, true);
  $('seed').value = String(result.seed);
  const s = result.stats || {};
  // The rule counts of evaluate --rules (events, notes and the sum of the
  // parallels are not faults of their own).
  const counts = Object.entries(s)
    .filter(([k, v]) => typeof v === 'number' && v > 0 && !['events', 'notes', 'parallels'].includes(k))
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`);
  $('stats').textContent = `${what} in ${result.seconds.toFixed(2)} s (seed ${result.seed}) · ` +
    (counts.length ? `${counts.join(', ')} (Check lists them)` : 'no voice-leading faults counted');
  setStatus(`${what}: done in ${seconds.toFixed(1)} s.`);
}

async function harmonize() {
  if (!state.xml) return;
  const range = null;
  const params = [...samplerParams(), ...keyParams(false), ...constraintParams(range).filter(([k, v]) => k !== 'note' || !v.startsWith('soprano:'))];
  const { out, seconds } = await api('/api/harmonize', params, state.xml);
  takeResult(out, seconds, 'Harmonized');
}

function regionOf(fromBar, toBar, voices) {
  const a = model.measures.find((m) => m.number === fromBar);
  const b = model.measures.find((m) => m.number === toBar);
  if (!a) throw new Refusal(`There is no bar ${fromBar} (bars ${model.measures[0].number} to ${model.measures.at(-1).number}).`);
  if (!b) throw new Refusal(`There is no bar ${toBar} (bars ${model.measures[0].number} to ${model.measures.at(-1).number}).`);
  if (b.start < a.start) throw new Refusal(`Bar ${toBar} comes before bar ${fromBar}.`);
  return { start: a.start, end: b.end, voices };
}

async function reharmonize(fromBar, toBar, voices, extraFixes = []) {
  const letters = voices.map((on, v) => (on ? VOICE_LETTERS[v] : '')).join('');
  if (!letters) throw new Refusal('Pick at least one voice to regenerate.');
  const range = regionOf(fromBar, toBar, voices);
  const params = [['bars', fromBar === toBar ? fromBar : `${fromBar}-${toBar}`], ['voices', letters],
    ...samplerParams(), ...keyParams(false), ...constraintParams(range)];
  for (const f of extraFixes) params.push(['note', `${VOICES[f.voice]}:${f.start}-${f.end}:${f.pitch}`]);
  const { out, seconds } = await api('/api/reharmonize', params, state.xml);
  takeResult(out, seconds, `Bars ${fromBar}–${toBar} ${letters} regenerated`);
}

async function generate() {
  const params = [['bars', $('gen-bars').value || '8'], ['time', $('gen-time').value || '4/4'],
    ...samplerParams(), ...keyParams(true)];
  if ($('allow-rests').checked) params.push(['allow_rests', '1']);
  const { out, seconds } = await api('/api/generate', params, null);
  state.fixes = [];
  state.cadences = [];
  takeResult(out, seconds, 'Generated');
}

async function check() {
  const { out } = await api('/api/evaluate', [], state.xml);
  const list = $('faults');
  list.replaceChildren();
  const head = document.createElement('li');
  head.className = 'head';
  head.textContent = out.faults.length ? `${out.faults.length} voice-leading faults:` : 'No voice-leading faults.';
  list.append(head);
  for (const f of out.faults) {
    const li = document.createElement('li');
    li.textContent = `${f.where}: ${f.text}`;
    li.addEventListener('click', () => {
      const v = Math.max(0, VOICES.indexOf(String(f.voice).toLowerCase()));
      const n = notesOf(v).find((x) => x.start <= f.tick && f.tick < x.end);
      if (n) select(n);
    });
    list.append(li);
  }
  setStatus(`Checked: ${out.faults.length} faults.`);
}

// ------------------------------------------------------- loading a melody

function setScore(xml, harmonized) {
  const parsed = parseScore(xml);
  state.xml = xml;
  model = parsed;
  $('faults').replaceChildren();  // they were the previous score's
  state.harmonized = harmonized && parsed.parts.length === 4;
  if (parsed.title) state.title = parsed.title;
  selected = selected && findSame(selected);
  // Fixes and cadences off the piece (a shorter score) are dropped.
  state.fixes = state.fixes.filter((f) => f.end <= model.numTicks && f.voice < model.parts.length);
  state.cadences = state.cadences.filter((c) => c.tick < model.numTicks);
  if ($('bar-from').value === '' && model.measures.length > 2) {
    $('bar-from').placeholder = model.measures[Math.min(2, model.measures.length - 1)].number;
  }
  const kind = state.harmonized ? 'four voices' : `${model.parts.length} part${model.parts.length > 1 ? 's' : ''}`;
  $('piece').textContent = `${state.title}: ${kind}, ${model.measures.length} bars (${model.measures[0].number}–${model.measures.at(-1).number}), ${model.numTicks / TICKS_PER_QUARTER} quarters`;
  render();
}

function findSame(note) {
  return model.parts[note.voice]?.notes.find((n) => n.start === note.start && !n.rest) || null;
}

async function loadFile(file) {
  const text = await file.text();
  if (/\.mxl$/i.test(file.name) || text.startsWith('PK')) {
    throw new Refusal(`${file.name}: compressed MusicXML (.mxl) is not read here; save it as uncompressed .musicxml (or convert it: deepbach convert ${file.name} tune.musicxml).`);
  }
  let parsed;
  try {
    parsed = parseScore(text);
  } catch (e) {
    throw new Refusal(`${file.name}: ${e.message}`);
  }
  pushUndo();
  state.fixes = [];
  state.cadences = [];
  selected = null;
  state.title = parsed.title || file.name.replace(/\.(musicxml|xml)$/i, '');
  setScore(text, parsed.parts.length === 4);
  $('stats').textContent = '';
  setStatus(`Loaded ${file.name}. ${parsed.parts.length === 4 ? 'Harmonize takes its soprano; Regenerate redraws bars.' : 'Harmonize it.'}`);
}

const TYPE_TICKS = { w: 16, h: 8, q: 4, e: 2, s: 1 };
const TICK_TYPES = [[16, 'whole', 0], [12, 'half', 1], [8, 'half', 0], [6, 'quarter', 1], [4, 'quarter', 0],
  [3, 'eighth', 1], [2, 'eighth', 0], [1, '16th', 0]];
const KEY_NAMES = { '-7': 'Cb', '-6': 'Gb', '-5': 'Db', '-4': 'Ab', '-3': 'Eb', '-2': 'Bb', '-1': 'F', 0: 'C', 1: 'G',
  2: 'D', 3: 'A', 4: 'E', 5: 'B', 6: 'F#', 7: 'C#' };
const MINOR_NAMES = { '-7': 'ab', '-6': 'eb', '-5': 'bb', '-4': 'f', '-3': 'c', '-2': 'g', '-1': 'd', 0: 'a', 1: 'e',
  2: 'b', 3: 'f#', 4: 'c#', 5: 'g#', 6: 'd#', 7: 'a#' };

// The typed melody as MusicXML (one part, 4 divisions a quarter, notes
// split at bar lines and tied).
function melodyXml(text, fifths, time, pickupQuarters) {
  const tm = /^(\d+)\/(2|4|8)$/.exec(time.trim());
  if (!tm) throw new Refusal(`time '${time}': expected e.g. 4/4 or 3/4`);
  const barTicks = (Number(tm[1]) * 16) / Number(tm[2]);
  const events = [];
  for (const raw of text.split(/\s+/).filter(Boolean)) {
    if (raw === '|') continue;
    const m = /^([A-Ga-g](?:#{1,2}|b{1,2})?-?\d|[rR])(?::([whqes])(\.?))?(\^)?$/.exec(raw.replace(/\|/g, ''));
    if (!m) throw new Refusal(`'${raw}': expected a pitch and octave (G4, F#4, Bb3) or r, then :w :h :q :e :s (a dot for dotted), ^ for a fermata`);
    let ticks = TYPE_TICKS[m[2] || 'q'];
    if (m[3]) ticks += ticks / 2;
    if (!Number.isInteger(ticks)) throw new Refusal(`'${raw}': a dotted sixteenth is shorter than the grid`);
    const pitch = /^[rR]$/.test(m[1]) ? null : parsePitchName(m[1]);
    events.push({ pitch, ticks, fermata: !!m[4] });
  }
  if (!events.length) throw new Refusal('Type at least one note.');
  const pickup = Math.round(Number(pickupQuarters || 0) * 4);
  if (pickup < 0 || pickup >= barTicks || !Number.isInteger(pickup)) throw new Refusal(`pickup: 0 to under a bar, in quarters (a bar here is ${barTicks / 4})`);
  const measures = [];
  let cur = null;
  let left = 0;
  const newMeasure = () => {
    const number = measures.length + (pickup ? 0 : 1);
    cur = { number, notes: [], implicit: pickup && measures.length === 0 };
    measures.push(cur);
    left = pickup && measures.length === 1 ? pickup : barTicks;
  };
  newMeasure();
  for (const e of events) {
    let remaining = e.ticks;
    let first = true;
    while (remaining > 0) {
      if (left === 0) newMeasure();
      const take = Math.min(remaining, left);
      // one or more written notes for `take` ticks
      let t = take;
      while (t > 0) {
        const [len, type, dot] = TICK_TYPES.find(([l]) => l <= t);
        const piece = { pitch: e.pitch, type, dot, len, tieStart: false, tieStop: !first, fermata: false };
        first = false;
        cur.notes.push(piece);
        t -= len;
        remaining -= len;
      }
      left -= take;
    }
    const written = measures.flatMap((m) => m.notes);
    const lastOfEvent = written[written.length - 1];
    if (e.fermata) lastOfEvent.fermata = true;
    // tie the pieces of this event together
    let i = written.length - 1;
    while (i > 0 && written[i].tieStop && written[i].pitch) { written[i - 1].tieStart = true; i--; }
  }
  if (left > 0 && left !== barTicks) {
    // fill the last bar with a rest
    let t = left;
    while (t > 0) {
      const [len, type, dot] = TICK_TYPES.find(([l]) => l <= t);
      cur.notes.push({ pitch: null, type, dot, len });
      t -= len;
    }
  }
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n<score-partwise version="4.0">\n' +
    `<work><work-title>${esc('Typed melody')}</work-title></work>\n` +
    '<part-list><score-part id="P1"><part-name>Soprano</part-name></score-part></part-list>\n<part id="P1">\n';
  measures.forEach((m, i) => {
    out += `<measure number="${m.number}"${m.implicit ? ' implicit="yes"' : ''}>`;
    if (i === 0) {
      out += `<attributes><divisions>4</divisions><key><fifths>${fifths}</fifths></key>` +
        `<time><beats>${tm[1]}</beats><beat-type>${tm[2]}</beat-type></time><clef><sign>G</sign><line>2</line></clef></attributes>`;
    }
    for (const n of m.notes) {
      out += '<note>';
      out += n.pitch
        ? `<pitch><step>${n.pitch.step}</step>${n.pitch.alter ? `<alter>${n.pitch.alter}</alter>` : ''}<octave>${n.pitch.octave}</octave></pitch>`
        : '<rest/>';
      out += `<duration>${n.len}</duration>`;
      if (n.tieStop) out += '<tie type="stop"/>';
      if (n.tieStart) out += '<tie type="start"/>';
      out += `<voice>1</voice><type>${n.type}</type>${n.dot ? '<dot/>' : ''}`;
      const notations = [];
      if (n.tieStop && n.pitch) notations.push('<tied type="stop"/>');
      if (n.tieStart && n.pitch) notations.push('<tied type="start"/>');
      if (n.fermata) notations.push('<fermata type="upright"/>');
      if (notations.length) out += `<notations>${notations.join('')}</notations>`;
      out += '</note>';
    }
    out += '</measure>\n';
  });
  out += '</part>\n</score-partwise>\n';
  return out;
}

// ------------------------------------------------------------ editing

function pushUndo() {
  if (!state.xml) return;
  undoStack.push(JSON.stringify(state));
  if (undoStack.length > 100) undoStack.shift();
  redoStack.length = 0;
  updateButtons();
}

function restore(snapshot) {
  const s = JSON.parse(snapshot);
  Object.assign(state, s);
  setScore(state.xml, state.harmonized);
  renderConstraints();
}

function undo() {
  if (!undoStack.length || busy) return;
  redoStack.push(JSON.stringify(state));
  restore(undoStack.pop());
  setStatus('Undone.');
  updateButtons();
}

function redo() {
  if (!redoStack.length || busy) return;
  undoStack.push(JSON.stringify(state));
  restore(redoStack.pop());
  setStatus('Redone.');
  updateButtons();
}

function fixOf(note) {
  return state.fixes.find((f) => f.voice === note.voice && f.start === note.start);
}

function select(note, extend = false) {
  if (extend && selected && note) {
    const a = measureAt(Math.min(selected.start, note.start));
    const b = measureAt(Math.max(selected.start, note.start));
    $('bar-from').value = a.number;
    $('bar-to').value = b.number;
    setStatus(`Bars ${a.number}–${b.number} picked: Regenerate redraws them.`);
    renderRoll();
    return;
  }
  selected = note;
  rangeAnchor = note;
  showInspector();
  highlight();
}

function showInspector() {
  const tools = $('note-tools');
  if (!selected) {
    $('note-info').textContent = 'Click a note in the score or the piano roll.';
    tools.hidden = true;
    return;
  }
  const n = selected;
  const fix = fixOf(n);
  $('note-info').textContent = `${VOICES[n.voice] ?? 'part ' + (n.voice + 1)}, bar ${beatOf(n.start).replace('.', ' beat ')}: ` +
    `${n.name}, ${quarterName(n.end - n.start)}${fix ? ' · fixed' : ''}${n.fermata ? ' · fermata' : ''}`;
  tools.hidden = false;
  $('pitch').value = n.name;
  $('unfix').hidden = !fix;
  $('pitch-hint').hidden = true;
  const cad = state.cadences.find((c) => c.tick === n.start);
  $('cadence').value = cad ? cad.type : '';
  $('fermata').textContent = n.fermata ? 'Remove fermata' : 'Fermata';
  $('fermata').disabled = n.voice !== 0;
  $('fermata').title = n.voice === 0 ? 'a fermata on this melody note' : 'fermatas go on the soprano';
  updateButtons();
}

function spell(midi) {
  const sharps = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
  const flats = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'Gb', 'G', 'Ab', 'A', 'Bb', 'B'];
  const names = (model?.fifths ?? 0) < 0 ? flats : sharps;
  return `${names[((midi % 12) + 12) % 12]}${Math.floor(midi / 12) - 1}`;
}

function nudgePitch(step) {
  const p = parsePitchName($('pitch').value) || parsePitchName(selected.name);
  $('pitch').value = spell(p.midi + step);
  $('pitch-hint').hidden = $('pitch').value === selected.name;
}

async function fixSelected() {
  const n = selected;
  if (!n) return;
  const p = parsePitchName($('pitch').value);
  if (!p) throw new Refusal(`'${$('pitch').value}': not a pitch (expected e.g. C4, F#3, Bb2)`);
  const fix = { voice: n.voice, start: n.start, end: n.end, pitch: p.name };
  if (p.midi === n.midi) {
    pushUndo();
    state.fixes = state.fixes.filter((f) => !(f.voice === n.voice && f.start < n.end && f.end > n.start));
    state.fixes.push(fix);
    renderConstraints();
    showInspector();
    render();
    setStatus(`${VOICES[n.voice]} ${n.name} at ${beatOf(n.start)} is kept.`);
    return;
  }
  if (!state.harmonized) throw new Refusal('Harmonize first: a new pitch is written by regenerating its bar.');
  // A new pitch: the bar is redrawn around it, its own voice kept elsewhere.
  const first = measureAt(n.start);
  const last = measureAt(n.end - 1);
  const voices = [false, true, true, true];
  voices[n.voice] = true;
  const range = { start: first.start, end: last.end };
  const keep = notesOf(n.voice)
    .filter((x) => x !== n && x.start < range.end && x.end > range.start && !fixOf(x))
    .map((x) => ({ voice: x.voice, start: x.start, end: x.end, pitch: x.name }));
  const before = state.fixes;
  state.fixes = state.fixes.filter((f) => !(f.voice === n.voice && f.start < n.end && f.end > n.start)).concat([fix]);
  try {
    await reharmonize(first.number, last.number, voices, keep);
  } catch (e) {
    state.fixes = before;
    throw e;
  }
  // undo (pushed by the result) restores the fixes of before
  undoStack[undoStack.length - 1] = JSON.stringify({ ...JSON.parse(undoStack[undoStack.length - 1]), fixes: before });
  selected = findSame(n);
  renderConstraints();
  showInspector();
  render();
}

function unfixSelected() {
  if (!selected) return;
  pushUndo();
  state.fixes = state.fixes.filter((f) => !(f.voice === selected.voice && f.start === selected.start));
  renderConstraints();
  showInspector();
  render();
}

// A fermata is written into the score itself (the library reads it as the
// piece's own); the score is then put through the library (/api/convert)
// so that what is downloaded is what it writes.
async function toggleFermata() {
  const n = selected;
  if (!n || n.voice !== 0) return;
  const doc = new DOMParser().parseFromString(model.withIds, 'application/xml');
  const on = !n.fermata;
  for (const part of model.parts) {
    for (const seg of part.segments) {
      const hit = on ? seg === n.segments[0]
        : seg.note && seg.note.start <= n.start && n.start < seg.note.end && seg.fermata;
      if (!hit) continue;
      const el = doc.querySelector(`note[id="${seg.id}"]`);
      if (!el) continue;
      if (on) {
        let notations = [...el.children].find((c) => c.nodeName === 'notations');
        if (!notations) {
          notations = doc.createElement('notations');
          const after = [...el.children].find((c) => ['lyric', 'play', 'listen'].includes(c.nodeName));
          el.insertBefore(notations, after || null);
        }
        const f = doc.createElement('fermata');
        f.setAttribute('type', 'upright');
        notations.append(f);
      } else {
        for (const f of [...el.getElementsByTagName('fermata')]) f.remove();
        for (const nt of [...el.getElementsByTagName('notations')]) if (!nt.children.length) nt.remove();
      }
    }
  }
  for (const el of doc.querySelectorAll('note[id]')) el.removeAttribute('id');
  const edited = new XMLSerializer().serializeToString(doc);
  const { out } = await api('/api/convert', [['format', 'musicxml']], edited, { binary: true });
  pushUndo();
  setScore(await out.text(), state.harmonized);
  selected = findSame(n);
  showInspector();
  setStatus(on ? `Fermata at ${beatOf(n.start)}.` : `Fermata at ${beatOf(n.start)} removed.`);
}

function setCadence(type) {
  const n = selected;
  if (!n) return;
  pushUndo();
  state.cadences = state.cadences.filter((c) => c.tick !== n.start);
  if (type) state.cadences.push({ tick: n.start, beat: beatOf(n.start), type });
  state.cadences.sort((a, b) => a.tick - b.tick);
  renderConstraints();
  setStatus(type ? `A ${type} cadence at ${beatOf(n.start)}: it is written at the next Harmonize or Regenerate.` : 'Cadence removed.');
}

function renderConstraints() {
  const list = $('constraints');
  list.replaceChildren();
  const chip = (text, title, remove) => {
    const li = document.createElement('li');
    li.textContent = text;
    li.title = title;
    const x = document.createElement('button');
    x.type = 'button';
    x.textContent = '×';
    x.title = 'remove';
    x.addEventListener('click', () => { pushUndo(); remove(); renderConstraints(); render(); showInspector(); });
    li.append(x);
    list.append(li);
  };
  for (const f of state.fixes) {
    chip(`${VOICE_LETTERS[f.voice]} ${f.pitch} @${beatOf(f.start)}`, `${VOICES[f.voice]} ${f.pitch} kept over ${quarterName(f.end - f.start)}`,
      () => { state.fixes = state.fixes.filter((x) => x !== f); });
  }
  for (const c of state.cadences) {
    chip(`${c.type} cadence @${c.beat}`, 'a cadence the next Harmonize or Regenerate writes',
      () => { state.cadences = state.cadences.filter((x) => x !== c); });
  }
  if (!list.children.length) {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = 'Nothing fixed yet.';
    list.append(li);
  }
}

// ---------------------------------------------------------- drawing

function render() {
  renderScore();
  renderRoll();
  renderConstraints();
  updateButtons();
}

function renderScore() {
  const box = $('score');
  if (!model) { box.replaceChildren(); return; }
  if (!toolkit) {
    if (verovioState === 'loading') box.innerHTML = '<p class="hint">Loading the engraver…</p>';
    else box.replaceChildren();
    return;
  }
  const width = Math.max(600, box.clientWidth - 8);
  const scale = 38;
  toolkit.setOptions({
    scale, pageWidth: Math.round((width * 100) / scale), pageHeight: 60000, adjustPageHeight: true,
    breaks: 'auto', pageMarginLeft: 20, pageMarginRight: 20, pageMarginTop: 20, pageMarginBottom: 20,
    header: 'auto', footer: 'none', svgViewBox: false,
  });
  if (!toolkit.loadData(model.withIds)) {
    box.innerHTML = '<p class="error">Verovio could not read this score.</p>';
    return;
  }
  let svg = '';
  for (let page = 1; page <= toolkit.getPageCount(); page++) svg += toolkit.renderToSVG(page);
  box.innerHTML = svg;
  // A transparent box under each note, so that a click anywhere on it (the
  // hole of a half note, between head and stem) finds it.
  for (const g of box.querySelectorAll('g.note')) {
    const b = g.getBBox();
    const hit = document.createElementNS(SVGNS, 'rect');
    for (const [k, v] of Object.entries({ x: b.x, y: b.y, width: b.width, height: b.height, class: 'hitbox' })) hit.setAttribute(k, v);
    g.prepend(hit);
  }
  box.dataset.notes = String(box.querySelectorAll('g.note').length);
  highlight();
}

function highlight() {
  const box = $('score');
  for (const el of box.querySelectorAll('.sel, .kept')) el.classList.remove('sel', 'kept');
  if (model) {
    for (const f of state.fixes) {
      const n = model.parts[f.voice]?.notes.find((x) => x.start === f.start);
      if (n) for (const s of n.segments) document.getElementById(s.id)?.classList.add('kept');
    }
    if (selected) for (const s of selected.segments) document.getElementById(s.id)?.classList.add('sel');
  }
  renderRoll();
}

const SVGNS = 'http://www.w3.org/2000/svg';

function renderRoll() {
  const box = $('roll');
  if (!model) { box.replaceChildren(); return; }
  const all = model.parts.flatMap((p) => p.notes.filter((n) => !n.rest));
  if (!all.length) { box.replaceChildren(); return; }
  const lo = Math.min(...all.map((n) => n.midi)) - 2;
  const hi = Math.max(...all.map((n) => n.midi)) + 2;
  const px = Math.max(6, Math.min(16, (box.clientWidth - 40) / model.numTicks));
  const row = 6;
  const w = 30 + model.numTicks * px + 10;
  const h = (hi - lo + 1) * row + 20;
  const svg = document.createElementNS(SVGNS, 'svg');
  svg.setAttribute('width', w);
  svg.setAttribute('height', h);
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  const add = (name, attrs, parent = svg) => {
    const el = document.createElementNS(SVGNS, name);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    parent.append(el);
    return el;
  };
  const x = (t) => 30 + t * px;
  const y = (m) => 14 + (hi - m) * row;
  for (let m = lo; m <= hi; m++) if ([1, 3, 6, 8, 10].includes(m % 12)) add('rect', { x: 30, y: y(m), width: model.numTicks * px, height: row, class: 'black-key' });
  const from = $('bar-from').value, to = $('bar-to').value;
  const a = model.measures.find((m) => m.number === from), b = model.measures.find((m) => m.number === to);
  if (a && b && b.start >= a.start) add('rect', { x: x(a.start), y: 12, width: x(b.end) - x(a.start), height: h - 12, class: 'region' });
  for (const m of model.measures) {
    add('line', { x1: x(m.start), x2: x(m.start), y1: 12, y2: h, class: 'bar' });
    const t = add('text', { x: x(m.start) + 2, y: 10, class: 'bar-number' });
    t.textContent = m.number;
  }
  for (let m = lo; m <= hi; m++) if (m % 12 === 0) { const t = add('text', { x: 2, y: y(m) + row, class: 'octave' }); t.textContent = `C${m / 12 - 1}`; }
  for (const n of all) {
    const kept = !!fixOf(n);
    const r = add('rect', { x: x(n.start) + 0.5, y: y(n.midi), width: Math.max(1, (n.end - n.start) * px - 1), height: row,
      rx: 1.5, class: `note v${n.voice}${kept ? ' kept' : ''}${n === selected ? ' sel' : ''}` });
    r.dataset.id = n.segments[0].id;
    const tip = add('title', {}, r);
    tip.textContent = `${VOICES[n.voice] ?? 'part'} ${n.name}, bar ${beatOf(n.start).replace('.', ' beat ')}${kept ? ' (fixed)' : ''}`;
    if (n.fermata && n.voice === 0) {
      const cx = x(n.start) + 5;
      const cy = y(n.midi) - 2;
      add('path', { d: `M ${cx - 4} ${cy} a 4 3.5 0 0 1 8 0`, class: 'fermata' });
      add('circle', { cx, cy: cy - 0.6, r: 0.9, class: 'fermata-dot' });
    }
  }
  add('line', { x1: 0, x2: 0, y1: 12, y2: h, class: 'playhead', id: 'playhead', visibility: 'hidden' });
  box.replaceChildren(svg);
}

function noteFromElement(target) {
  const el = target.closest('g.note, g.rest, rect.note');
  if (!el) return null;
  const id = el.dataset.id || el.id;
  const seg = model?.byId.get(id);
  return seg && !seg.rest ? seg.note : null;
}

// A click between a note's head and its stem (or just beside it) still
// finds it: the nearest engraved note within a few pixels.
function nearestNote(x, y) {
  let best = null;
  let bestDistance = 8;
  for (const el of $('score').querySelectorAll('g.note')) {
    const r = el.getBoundingClientRect();
    const dx = Math.max(r.left - x, 0, x - r.right);
    const dy = Math.max(r.top - y, 0, y - r.bottom);
    const d = Math.hypot(dx, dy);
    if (d < bestDistance || (d === 0 && best && r.width * r.height < best.area)) {
      bestDistance = d;
      best = { el, area: r.width * r.height };
    }
  }
  return best ? noteFromElement(best.el) : null;
}

// ------------------------------------------------------------- sound

// A small organ-ish voice: two detuned partials through a low-pass filter.
function scheduleNotes(ctx, destination, notes, secondsPerTick, t0) {
  const master = ctx.createGain();
  master.gain.value = 0.22;
  const filter = ctx.createBiquadFilter();
  filter.type = 'lowpass';
  filter.frequency.value = 2600;
  master.connect(filter).connect(destination);
  const nodes = [];
  for (const n of notes) {
    const start = t0 + n.start * secondsPerTick;
    const end = t0 + n.end * secondsPerTick;
    const f = 440 * 2 ** ((n.midi - 69) / 12);
    const g = ctx.createGain();
    g.gain.setValueAtTime(0, start);
    g.gain.linearRampToValueAtTime(0.5, start + 0.02);
    g.gain.linearRampToValueAtTime(0.35, start + 0.12);
    g.gain.setValueAtTime(0.35, Math.max(start + 0.12, end - 0.06));
    g.gain.linearRampToValueAtTime(0, end);
    g.connect(master);
    for (const [type, mult, level] of [['triangle', 1, 0.8], ['sine', 2, 0.25]]) {
      const o = ctx.createOscillator();
      o.type = type;
      o.frequency.value = f * mult;
      const og = ctx.createGain();
      og.gain.value = level;
      o.connect(og).connect(g);
      o.start(start);
      o.stop(end + 0.05);
      nodes.push(o);
    }
  }
  return { master, nodes };
}

let playing = null;

function secondsPerTick() {
  const bpm = Math.min(240, Math.max(30, Number($('tempo').value) || 80));
  return 60 / bpm / TICKS_PER_QUARTER;
}

function soundingNotes() {
  return model.parts.flatMap((p) => p.notes.filter((n) => !n.rest));
}

function play() {
  if (!model) return;
  stop();
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) { showMessage('This browser has no Web Audio.'); return; }
  const ctx = new Ctx();
  const spt = secondsPerTick();
  const from = selected ? measureAt(selected.start).start : 0;
  const notes = soundingNotes().filter((n) => n.end > from).map((n) => ({ ...n, start: Math.max(n.start, from) - from, end: n.end - from, orig: n }));
  const t0 = ctx.currentTime + 0.1;
  const graph = scheduleNotes(ctx, ctx.destination, notes, spt, t0);
  playing = { ctx, graph, t0, spt, from, notes, lit: new Set() };
  document.body.dataset.playing = 'true';
  setStatus('Playing…');
  updateButtons();
  const frame = () => {
    if (!playing || playing.ctx !== ctx) return;
    const tick = (ctx.currentTime - t0) / spt + from;
    const end = model.numTicks;
    if (tick >= end) { stop(); setStatus('Played.'); return; }
    const now = new Set();
    for (const n of notes) if (n.orig.start <= tick && tick < n.orig.end) for (const s of n.orig.segments) if (s.start <= tick && tick < s.end) now.add(s.id);
    for (const id of playing.lit) if (!now.has(id)) document.getElementById(id)?.classList.remove('playing');
    for (const id of now) document.getElementById(id)?.classList.add('playing');
    playing.lit = now;
    const head = $('playhead');
    if (head && tick >= 0) {
      const px = (Number(head.ownerSVGElement.getAttribute('width')) - 40) / model.numTicks;
      head.setAttribute('x1', 30 + tick * px);
      head.setAttribute('x2', 30 + tick * px);
      head.setAttribute('visibility', 'visible');
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

function stop() {
  if (!playing) return;
  const p = playing;
  playing = null;
  for (const id of p.lit) document.getElementById(id)?.classList.remove('playing');
  try { p.graph.master.disconnect(); } catch { /* already */ }
  p.ctx.close();
  $('playhead')?.setAttribute('visibility', 'hidden');
  document.body.dataset.playing = 'false';
  setStatus('Stopped.');
  updateButtons();
}

function encodeWav(buffer) {
  const channels = buffer.numberOfChannels;
  const frames = buffer.length;
  const bytes = 44 + frames * channels * 2;
  const view = new DataView(new ArrayBuffer(bytes));
  const text = (o, s) => { for (let i = 0; i < s.length; i++) view.setUint8(o + i, s.charCodeAt(i)); };
  text(0, 'RIFF'); view.setUint32(4, bytes - 8, true); text(8, 'WAVE');
  text(12, 'fmt '); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, channels, true);
  view.setUint32(24, buffer.sampleRate, true); view.setUint32(28, buffer.sampleRate * channels * 2, true);
  view.setUint16(32, channels * 2, true); view.setUint16(34, 16, true);
  text(36, 'data'); view.setUint32(40, frames * channels * 2, true);
  const data = [...Array(channels).keys()].map((c) => buffer.getChannelData(c));
  let o = 44;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const s = Math.max(-1, Math.min(1, data[c][i]));
      view.setInt16(o, s < 0 ? s * 0x8000 : s * 0x7fff, true);
      o += 2;
    }
  }
  return new Blob([view], { type: 'audio/wav' });
}

async function downloadWav() {
  const spt = secondsPerTick();
  const rate = 44100;
  const seconds = model.numTicks * spt + 0.5;
  const ctx = new OfflineAudioContext(2, Math.ceil(seconds * rate), rate);
  scheduleNotes(ctx, ctx.destination, soundingNotes(), spt, 0.05);
  setStatus('Rendering the WAV…');
  const buffer = await ctx.startRendering();
  save(encodeWav(buffer), `${fileBase()}.wav`);
  setStatus(`WAV written (${seconds.toFixed(1)} s of sound, the page's synth).`);
}

// --------------------------------------------------------- downloads

function fileBase() {
  return (state.title || 'chorale').replace(/[^A-Za-z0-9 _.-]+/g, '').trim().replace(/\s+/g, '-').toLowerCase() || 'chorale';
}

function save(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

async function downloadMusicXml() {
  // Through the library, so that an edited score is written as it writes one.
  const { out } = await api('/api/convert', [['format', 'musicxml']], state.xml, { binary: true });
  save(new Blob([await out.text()], { type: 'application/vnd.recordare.musicxml+xml' }), `${fileBase()}.musicxml`);
  setStatus('MusicXML downloaded.');
}

async function downloadMidi() {
  const { out } = await api('/api/convert', [['format', 'midi']], state.xml, { binary: true });
  save(new Blob([out], { type: 'audio/midi' }), `${fileBase()}.mid`);
  setStatus('MIDI downloaded.');
}

// ------------------------------------------------------------- wiring

function updateButtons() {
  const has = !!model;
  const idle = !busy;
  $('harmonize').disabled = !has || !idle;
  $('regenerate').disabled = !has || !idle || !state.harmonized;
  $('generate').disabled = !idle;
  $('check').disabled = !has || !idle || model.parts.length !== 4;
  for (const id of ['dl-musicxml', 'dl-midi']) $(id).disabled = !has || !idle;
  $('dl-wav').disabled = !has;
  $('play').disabled = !has || !!playing;
  $('stop').disabled = !playing;
  $('undo').disabled = !undoStack.length || !idle;
  $('redo').disabled = !redoStack.length || !idle;
  for (const id of ['fix', 'unfix', 'fermata']) $(id).disabled = !idle || (id === 'fermata' && selected?.voice !== 0);
  $('cadence').disabled = !idle;
}

function on(id, event, handler) {
  $(id).addEventListener(event, handler);
}

function wire() {
  const keySelect = $('melody-key');
  for (let f = -7; f <= 7; f++) {
    const o = document.createElement('option');
    o.value = String(f);
    o.textContent = `${KEY_NAMES[f]} major / ${MINOR_NAMES[f]} minor`;
    if (f === 1) o.selected = true;
    keySelect.append(o);
  }
  on('file', 'change', (e) => { const f = e.target.files[0]; if (f) run(() => loadFile(f)); e.target.value = ''; });
  on('use-melody', 'click', () => run(async () => {
    const xml = melodyXml($('melody-text').value, Number($('melody-key').value), $('melody-time').value, $('melody-pickup').value);
    pushUndo();
    state.fixes = [];
    state.cadences = [];
    state.title = 'Typed melody';
    selected = null;
    setScore(xml, false);
    setStatus('Melody ready: Harmonize it.');
  }));
  on('harmonize', 'click', () => run(harmonize));
  on('regenerate', 'click', () => run(() => {
    const from = $('bar-from').value.trim() || $('bar-from').placeholder;
    const to = $('bar-to').value.trim() || from;
    $('bar-from').value = from;
    $('bar-to').value = to;
    return reharmonize(from, to, [0, 1, 2, 3].map((v) => $(`voice-${VOICE_LETTERS[v]}`).checked));
  }));
  for (const id of ['bar-from', 'bar-to']) on(id, 'input', renderRoll);
  on('generate', 'click', () => run(generate));
  on('check', 'click', () => run(check));
  on('cancel', 'click', () => {
    if (!busy) return;
    const { job } = busy;
    busy.abort();
    if (job) fetch(`/api/cancel?job=${encodeURIComponent(job)}`, { method: 'POST', body: '' }).catch(() => {});
  });
  on('undo', 'click', undo);
  on('redo', 'click', redo);
  on('play', 'click', play);
  on('stop', 'click', stop);
  on('dl-musicxml', 'click', () => run(downloadMusicXml));
  on('dl-midi', 'click', () => run(downloadMidi));
  on('dl-wav', 'click', () => run(downloadWav));
  on('pitch-up', 'click', () => nudgePitch(1));
  on('pitch-down', 'click', () => nudgePitch(-1));
  on('pitch', 'input', () => { $('pitch-hint').hidden = $('pitch').value === selected?.name; });
  on('fix', 'click', () => run(fixSelected));
  on('unfix', 'click', unfixSelected);
  on('fermata', 'click', () => run(toggleFermata));
  on('cadence', 'change', (e) => setCadence(e.target.value));
  for (const id of ['score', 'roll']) {
    on(id, 'click', (e) => {
      const n = noteFromElement(e.target) || (id === 'score' ? nearestNote(e.clientX, e.clientY) : null);
      if (n) select(n, e.shiftKey);
    });
  }
  document.addEventListener('keydown', (e) => {
    if (e.target.matches('input, textarea, select, button, summary')) return;
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') { e.preventDefault(); (e.shiftKey ? redo : undo)(); }
    if (e.key === ' ' && model) { e.preventDefault(); (playing ? stop : play)(); }
    if (e.key === 'Escape') select(null);
  });
  let resizeTimer = 0;
  window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(render, 200); });
}

// Verovio: the ESM build (verovio/wasm + verovio/esm, as npm installs it,
// served by deepbach serve from web/node_modules). The promise API, never
// the classic onRuntimeInitialized callback (which raced in headless tests).
async function loadVerovio() {
  try {
    const [{ default: createVerovioModule }, { VerovioToolkit }] = await Promise.all([
      import('./verovio/verovio-module.mjs'), import('./verovio/verovio.mjs')]);
    const module = await createVerovioModule();
    toolkit = new VerovioToolkit(module);
    verovioState = 'ready';
    document.body.dataset.verovio = 'ready';
    if (model) renderScore();
  } catch (e) {
    verovioState = 'missing';
    document.body.dataset.verovio = 'missing';
    const n = $('engraver');
    n.hidden = false;
    n.innerHTML = '<strong>No engraved score: Verovio is not installed.</strong> Run <code>npm ci</code> in the ' +
      'project\'s <code>web/</code> folder (<code>scripts/install-deps</code> does it) and reload. The piano roll, ' +
      'playback and every other control work without it.';
    console.warn('Verovio:', e);
    renderScore();
  }
}

async function start() {
  wire();
  updateButtons();
  renderConstraints();
  loadVerovio();
  try {
    const res = await fetch('/api/health');
    const h = await res.json();
    setStatus(`Ready. Model: ${h.model.split('/').pop()}. Open a MusicXML melody or type one.`);
  } catch {
    setStatus('The server does not answer.');
  }
}

// For tests and the console.
window.studio = { state, get model() { return model; }, get selected() { return selected; }, select, get verovio() { return verovioState; } };

start();
