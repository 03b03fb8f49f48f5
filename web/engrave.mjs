#!/usr/bin/env node
// Engraves a MusicXML score as SVG with Verovio (the studio page's engraver,
// from web/node_modules/verovio as package-lock.json pins it; nothing is
// fetched from the network). For pictures of results: docs/server.md,
// "An engraved picture".
//
//   node web/engrave.mjs IN.musicxml OUT.svg [--width 1500] [--scale 40]
//
// Every page of the score goes into one SVG, one under the other. Prints the
// number of pages and of notes (Verovio's class="note") on stdout. Exit 2 for
// a bad command line, 1 when Verovio cannot read the score, 3 when Verovio
// is not installed (run npm ci in web/; scripts/install-deps does).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const usage = 'usage: node web/engrave.mjs IN.musicxml OUT.svg [--width PIXELS] [--scale PERCENT]';

const positional = [];
const options = { width: 1500, scale: 40 };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '-h' || a === '--help') {
    console.log(usage);
    process.exit(0);
  } else if (a === '--width' || a === '--scale') {
    const v = Number(process.argv[++i]);
    if (!Number.isFinite(v) || v <= 0) {
      console.error(`engrave: ${a} needs a positive number\n${usage}`);
      process.exit(2);
    }
    options[a.slice(2)] = v;
  } else if (a.startsWith('--')) {
    console.error(`engrave: unknown option ${a}\n${usage}`);
    process.exit(2);
  } else {
    positional.push(a);
  }
}
if (positional.length !== 2) {
  console.error(usage);
  process.exit(2);
}
const [input, output] = positional;

const dist = path.join(here, 'node_modules', 'verovio', 'dist');
if (!fs.existsSync(path.join(dist, 'verovio-module.mjs'))) {
  console.error(`engrave: Verovio is not installed in ${path.join(here, 'node_modules')} (run npm ci in ${here}; scripts/install-deps does)`);
  process.exit(3);
}
let xml;
try {
  xml = fs.readFileSync(input, 'utf8');
} catch (e) {
  console.error(`engrave: cannot read ${input}: ${e.message}`);
  process.exit(1);
}

// Verovio's ESM promise API, as the page uses it.
const { default: createVerovioModule } = await import(pathToFileURL(path.join(dist, 'verovio-module.mjs')).href);
const { VerovioToolkit } = await import(pathToFileURL(path.join(dist, 'verovio.mjs')).href);
const toolkit = new VerovioToolkit(await createVerovioModule());

// The page's layout: page width in Verovio's units (pixels / scale).
toolkit.setOptions({
  scale: options.scale,
  pageWidth: Math.round((options.width * 100) / options.scale),
  pageHeight: 60000,
  adjustPageHeight: true,
  breaks: 'auto',
  pageMarginLeft: 50,
  pageMarginRight: 50,
  pageMarginTop: 50,
  pageMarginBottom: 50,
  header: 'auto',
  footer: 'none',
  svgViewBox: true,
  svgRemoveXlink: true,
  xmlIdSeed: 1, // the same ids each run: the same bytes for the same score
});
if (!toolkit.loadData(xml)) {
  console.error(`engrave: Verovio could not read ${input}`);
  process.exit(1);
}

// One page: as it is. Several: each page's <svg> nested in one, stacked.
const pages = [];
for (let p = 1; p <= toolkit.getPageCount(); p++) pages.push(toolkit.renderToSVG(p, false));
let svg;
if (pages.length === 1) {
  svg = pages[0];
} else {
  const size = (s) => {
    const m = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(s);
    return m ? { w: Number(m[1]), h: Number(m[2]) } : { w: 0, h: 0 };
  };
  const sizes = pages.map(size);
  const width = Math.max(...sizes.map((s) => s.w));
  const height = sizes.reduce((h, s) => h + s.h, 0);
  let y = 0;
  const body = pages.map((s, i) => {
    const placed = s.replace(/^<svg /, `<svg y="${y}" `);
    y += sizes[i].h;
    return placed;
  });
  svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">\n${body.join('\n')}\n</svg>\n`;
}
// A white page under the notes (the SVG is transparent; on a dark page the
// black notes would vanish).
svg = svg.replace(/(<svg [^>]*>)/, '$1<rect width="100%" height="100%" fill="#ffffff"/>');

fs.writeFileSync(output, svg);
const notes = (svg.match(/class="note"/g) || []).length;
console.log(`engrave: ${output}: ${pages.length} page${pages.length === 1 ? '' : 's'}, ${notes} notes`);
