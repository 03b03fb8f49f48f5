// web/engrave.mjs (CTest docs.engrave, label docs): engraves small MusicXML
// files with the pinned Verovio and checks that the SVG has as many notes
// (Verovio's class="note") as each file has pitched <note>s, and that the
// same score gives the same bytes. Exit 77 (CTest skip) only when
// web/node_modules/verovio is absent.
//
// node engrave_test.mjs --web DIR --out DIR FILE.musicxml...
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const files = [];
const args = {};
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i].startsWith('--')) args[process.argv[i].slice(2)] = process.argv[++i];
  else files.push(process.argv[i]);
}
const web = path.resolve(args.web);
const out = path.resolve(args.out);
fs.mkdirSync(out, { recursive: true });
if (!fs.existsSync(path.join(web, 'node_modules', 'verovio', 'dist', 'verovio-module.mjs'))) {
  console.log(`SKIP: no Verovio in ${web}/node_modules (run npm ci there; scripts/install-deps does)`);
  process.exit(77);
}

let failed = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok' : 'FAILED'}: ${what}`);
  if (!ok) failed++;
};
const engrave = (input, output) =>
  execFileSync(process.execPath, [path.join(web, 'engrave.mjs'), input, output], { encoding: 'utf8' });

for (const file of files) {
  const xml = fs.readFileSync(file, 'utf8');
  const expected = (xml.match(/<note[\s>][\s\S]*?<\/note>/g) || []).filter((n) => !/<rest[\s/>]/.test(n)).length;
  const svgPath = path.join(out, path.basename(file).replace(/\.[^.]+$/, '') + '.svg');
  const t0 = Date.now();
  const said = engrave(file, svgPath).trim();
  const svg = fs.readFileSync(svgPath, 'utf8');
  const notes = (svg.match(/class="note"/g) || []).length;
  check(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>') && /Engraved by Verovio/.test(svg),
    `${path.basename(file)}: an SVG engraved by Verovio (${((Date.now() - t0) / 1000).toFixed(1)} s; "${said}")`);
  check(notes === expected && notes > 0, `${path.basename(file)}: ${notes} notes engraved, ${expected} in the MusicXML`);
  const again = path.join(out, 'again.svg');
  engrave(file, again);
  check(fs.readFileSync(again, 'utf8') === svg, `${path.basename(file)}: the same bytes again`);
}

// A file that is not MusicXML is refused (exit 1), an empty command line too (2).
const bad = path.join(out, 'not-a-score.musicxml');
fs.writeFileSync(bad, 'not a score');
const status = (argv) => {
  try {
    execFileSync(process.execPath, [path.join(web, 'engrave.mjs'), ...argv], { stdio: 'pipe' });
    return 0;
  } catch (e) {
    return e.status;
  }
};
check(status([bad, path.join(out, 'bad.svg')]) === 1, 'a file that is not a score: exit 1');
check(status([]) === 2, 'no files named: exit 2 (usage)');

process.exit(failed ? 1 : 0);
