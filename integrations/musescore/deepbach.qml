//=============================================================================
//  DeepBach for MuseScore 3 (3.2.3 plugin API)
//
//  Redraws the selected bars and voices of an open four-staff chorale with
//  `deepbach reharmonize`, or writes alto, tenor and bass under the melody
//  with `deepbach harmonize` when the lower staves are empty, and writes the
//  result back into the open score in place (one undo step).
//
//  The score is exported with writeScore, `deepbach` runs in a QProcess
//  (asynchronously in the GUI, so the window never freezes), and the
//  result comes back as `deepbach notes --json`: per voice, each note's tick
//  and length in MuseScore ticks, MIDI pitch and spelling (tpc), so nothing
//  here parses MusicXML. See README.md beside this file for the settings,
//  the headless test mode and the limits.
//=============================================================================
import QtQuick 2.0
import QtQuick.Dialogs 1.2
import MuseScore 3.0
import FileIO 3.0

MuseScore {
    id: plugin
    menuPath: "Plugins.DeepBach.Reharmonize Selection"
    description: "Redraw the selected bars and voices of a four-part chorale with deepbach (or harmonize a melody)"
    version: "0.1.0"
    requiresScore: true

    // The job under way: its steps, where it writes, what it found.
    property var job: null
    // Settings from deepbach-musescore.json beside this file (optional).
    property var settings: ({})

    QProcess {
        id: proc
        // The GUI path: the window stays responsive while deepbach runs.
        onFinished: {
            if (plugin.job && !plugin.job.sync)
                plugin.stepFinished();
        }
    }
    FileIO { id: io }
    MessageDialog {
        id: message
        title: "DeepBach"
        onAccepted: Qt.quit()
    }

    // ------------------------------------------------------------ utilities

    function readJsonFile(path) {
        io.source = path;
        if (!io.exists())
            return null;
        try {
            return JSON.parse(io.read());
        } catch (e) {
            throw "cannot read " + path + ": " + e;
        }
    }

    function logTo(j, text) {
        console.log("deepbach: " + text);
        if (j && j.logFile) {
            io.source = j.logFile;
            io.write(j.logText = (j.logText || "") + text + "\n");
        }
    }

    function log(text) {
        logTo(job, text);
    }

    // Finishes the job: in the test mode the score is saved (writeScore) and
    // MuseScore exits when onRun returns; in the GUI a message says how it went.
    function finish(error) {
        var j = job;
        if (!j)
            return;
        if (error)
            log("error: " + error);
        job = null;
        if (j.test) {
            if (!error && j.test.output)
                logTo(j, writeScore(j.score, j.test.output, "musicxml") ? "saved " + j.test.output
                                                                        : "error: writeScore " + j.test.output + " failed");
            if (!error)
                logTo(j, "done");
            return;
        }
        if (error) {
            message.text = "DeepBach: " + error;
            message.open();
        } else {
            Qt.quit();
        }
    }

    // One argument for /bin/sh, single-quoted.
    function shellQuote(s) {
        return "'" + String(s).replace(/'/g, "'\\''") + "'";
    }

    // Runs the next step of the job: sh -c "deepbach ... 2>&1; echo deepbach-exit:$?"
    // (the 3.2.3 QProcess gives neither stderr nor the exit code to QML).
    function startStep() {
        var args = job.steps[job.step];
        var line = args.map(shellQuote).join(" ") + " 2>&1; echo deepbach-exit:$?";
        log("running " + args.join(" "));
        proc.start("/bin/sh -c \"" + line.replace(/"/g, "\"\"\"") + "\"");
        if (job.sync) {
            // Headless (mscore3 -p) the event loop ends when onRun returns: wait here.
            if (!proc.waitForFinished(job.timeoutMs)) {
                proc.kill();
                finish("deepbach did not finish within " + job.timeoutMs / 1000 + " s");
                return;
            }
            stepFinished();
        }
    }

    function stepFinished() {
        var out = String(proc.readAllStandardOutput());
        var m = out.match(/deepbach-exit:(\d+)\s*$/);
        var code = m ? parseInt(m[1]) : -1;
        out = m ? out.substring(0, m.index) : out;
        if (code !== 0) {
            var lines = out.trim().split("\n");
            finish(code < 0 ? "deepbach could not be started (" + job.steps[job.step][0] + ")"
                            : lines[lines.length - 1] || ("deepbach exited with " + code));
            return;
        }
        job.outputs.push(out);
        job.step += 1;
        if (job.step < job.steps.length) {
            startStep();
            return;
        }
        try {
            writeBack(JSON.parse(job.outputs[job.outputs.length - 1]));
            finish(null);
        } catch (e) {
            finish(String(e));
        }
    }

    // ------------------------------------------------------- reading the score

    function ticksOf(fraction) {
        return Math.round(fraction.numerator * 4 * division / fraction.denominator);
    }

    // The chord or rest of `track` sounding at `tick`: {tick, length, element}, or null.
    function elementAt(cursor, track, tick) {
        cursor.track = track;
        cursor.rewind(0);
        while (cursor.segment) {
            var e = cursor.element;
            if (e) {
                var len = ticksOf(e.duration);
                if (cursor.tick <= tick && tick < cursor.tick + len)
                    return { tick: cursor.tick, length: len, element: e };
                if (cursor.tick > tick)
                    return null;
            }
            cursor.next();
        }
        return null;
    }

    // Puts the cursor on `track` at `tick` exactly; false when nothing starts there.
    function seek(cursor, track, tick) {
        cursor.track = track;
        cursor.rewind(0);
        while (cursor.segment && cursor.tick < tick)
            cursor.next();
        return cursor.segment && cursor.tick === tick;
    }

    function hasChords(score, track) {
        var c = score.newCursor();
        c.track = track;
        c.rewind(0);
        while (c.segment) {
            if (c.element && c.element.type === Element.CHORD)
                return true;
            c.next();
        }
        return false;
    }

    // ------------------------------------------------------- writing it back

    function gcd(a, b) { return b ? gcd(b, a % b) : a; }

    // A length in ticks as note values one head can show (up to two dots),
    // longest first; MuseScore ties them over barlines itself.
    function noteValues(ticks) {
        var whole = 4 * division;
        var values = [];
        for (var v = 2 * whole; v >= whole / 32; v /= 2) {
            values.push(v * 7 / 4);  // double dotted
            values.push(v * 3 / 2);  // dotted
            values.push(v);
        }
        var out = [];
        while (ticks > 0) {
            var picked = 0;
            for (var i = 0; i < values.length; ++i)
                if (values[i] <= ticks && values[i] === Math.round(values[i])) { picked = values[i]; break; }
            if (!picked)
                throw "a length of " + ticks + " ticks cannot be written";
            out.push(picked);
            ticks -= picked;
        }
        return out;
    }

    // The notes of the part's first voice, a note and the notes tied on to it
    // joined into one when one note value can show their whole length:
    // MuseScore then ties it over the barline itself (there is no tie call
    // in the 3.2.3 API). Pieces that cannot be joined stay as they are.
    function joinTies(notes) {
        var out = [];
        for (var i = 0; i < notes.length; ++i) {
            var n = notes[i];
            if (n.voice !== notes[0].voice)
                continue;  // deepbach writes one voice per part
            var last = out.length ? out[out.length - 1] : null;
            if (last && !last.rest && !n.rest && last.tie_start && n.tie_stop && last.midi === n.midi
                    && last.tick + last.length === n.tick
                    && noteValues((last.length + n.length) * division / 480).length === 1) {
                out[out.length - 1] = { tick: last.tick, length: last.length + n.length, rest: false,
                                        midi: n.midi, tpc: last.tpc, tie_start: n.tie_start, voice: n.voice };
                continue;
            }
            out.push(n);
        }
        return out;
    }

    // Writes one piece: the note values of `length` at the cursor, each a
    // chord of `pitch` (or a placeholder for a rest, removed afterwards).
    function writePiece(cursor, length, pitch) {
        var parts = noteValues(length);
        for (var i = 0; i < parts.length; ++i) {
            var g = gcd(parts[i], 4 * division);
            cursor.setDuration(parts[i] / g, 4 * division / g);
            cursor.addNote(pitch);
        }
    }

    // Cuts what sounds across `tick` on `track` in two (the same pitch struck
    // again at `tick`, or a rest on both sides), so that the selection's
    // edge is a boundary: MuseScore has no tie call in the 3.2.3 API, so the
    // two halves are not tied.
    function splitAt(cursor, track, tick, edgeFrom, pieces) {
        var at = elementAt(cursor, track, tick);
        if (!at || at.tick === tick)
            return;
        var isChord = at.element.type === Element.CHORD;
        var pitch = isChord ? at.element.notes[0].pitch : 60;
        var tpc = isChord ? at.element.notes[0].tpc : 14;
        seek(cursor, track, at.tick);
        writePiece(cursor, tick - at.tick, pitch);
        if (!seek(cursor, track, tick))
            throw "could not split the note at tick " + tick;
        writePiece(cursor, at.tick + at.length - tick, pitch);
        // What stays outside the selection keeps its spelling (and rests stay rests).
        if (tick === edgeFrom)
            pieces.push({ tick: at.tick, end: tick, rest: !isChord, tpc: tpc });
        else
            pieces.push({ tick: tick, end: at.tick + at.length, rest: !isChord, tpc: tpc });
    }

    // Spells the chords written over [from, to) and turns rest placeholders into rests.
    function finishPieces(score, track, from, to, pieces) {
        var cursor = score.newCursor();
        cursor.track = track;
        cursor.rewind(0);
        var toRemove = [];
        while (cursor.segment && cursor.tick < to) {
            var e = cursor.element;
            if (cursor.tick >= from && e && e.type === Element.CHORD) {
                for (var i = 0; i < pieces.length; ++i) {
                    var p = pieces[i];
                    if (p.tick <= cursor.tick && cursor.tick < p.end) {
                        if (p.rest) {
                            toRemove.push(e);
                        } else {
                            for (var n = 0; n < e.notes.length; ++n) {
                                e.notes[n].tpc1 = p.tpc;
                                e.notes[n].tpc2 = p.tpc;
                            }
                        }
                        break;
                    }
                }
            }
            cursor.next();
        }
        for (var r = 0; r < toRemove.length; ++r)
            removeElement(toRemove[r]);
    }

    function writeBack(notes) {
        var score = job.score;
        // (Each read of curScore is a new wrapper: compare what they wrap.)
        if (!curScore || curScore.scoreName !== job.scoreName || curScore.nmeasures !== job.nmeasures)
            throw "another score became current while deepbach ran; nothing was written";
        var from = job.from * division / 480, to = job.to * division / 480;
        score.startCmd();
        try {
            for (var k = 0; k < job.staves.length; ++k) {
                var staff = job.staves[k];
                var track = staff * 4;
                var part = notes.parts[staff];
                var cursor = score.newCursor();
                var pieces = [];
                // The selection's edges become boundaries in this staff.
                splitAt(cursor, track, from, from, pieces);
                if (to < job.scoreEnd)
                    splitAt(cursor, track, to, from, pieces);
                if (!seek(cursor, track, from))
                    throw "staff " + (staff + 1) + ": nothing starts at tick " + from;
                var written = [];
                var at = from;
                var list = joinTies(part.notes);
                for (var i = 0; i < list.length; ++i) {
                    var n = list[i];
                    var start = n.tick * division / 480, len = n.length * division / 480;
                    if (start > at) {  // a gap: a rest
                        writePiece(cursor, start - at, 60);
                        written.push({ tick: at, end: start, rest: true });
                    }
                    writePiece(cursor, len, n.rest ? 60 : n.midi);
                    written.push({ tick: start, end: start + len, rest: n.rest, tpc: n.tpc });
                    at = start + len;
                }
                if (at < to) {
                    writePiece(cursor, to - at, 60);
                    written.push({ tick: at, end: to, rest: true });
                }
                var first = from, last = to;
                for (var p = 0; p < pieces.length; ++p) {
                    first = Math.min(first, pieces[p].tick);
                    last = Math.max(last, pieces[p].end);
                }
                finishPieces(score, track, first, last, written.concat(pieces));
            }
        } catch (e) {
            score.endCmd();
            throw e;
        }
        score.endCmd();
        log("wrote staves " + job.staves.map(function (s) { return s + 1; }).join(", ") + " over ticks "
            + from + "-" + to);
    }

    // ------------------------------------------------------------------ run

    onRun: {
        try {
            settings = readJsonFile(filePath + "/deepbach-musescore.json") || {};
        } catch (e) {
            message.text = String(e);
            message.open();
            return;
        }
        var test = settings.test || null;
        var score = curScore;
        job = {
            score: score, scoreName: score.scoreName, nmeasures: score.nmeasures,
            test: test, sync: !!test, step: 0, steps: [], outputs: [],
            timeoutMs: (settings.timeoutSeconds || 600) * 1000,
            logFile: test ? test.log : ""
        };
        try {
            if (score.nstaves !== 4)
                throw "this plugin needs a four-staff chorale (soprano, alto, tenor, bass); this score has "
                      + score.nstaves + " staves";
            var cursor = score.newCursor();
            var end = score.lastSegment.tick;
            var from, to, firstStaff, lastStaff;
            if (test) {
                // Headless there is no selection: the test names one (MuseScore ticks, staves from 0).
                from = test.ticks[0]; to = test.ticks[1];
                firstStaff = test.staves[0]; lastStaff = test.staves[1];
            } else {
                cursor.rewind(1);
                if (!cursor.segment) {
                    from = 0; to = end; firstStaff = 0; lastStaff = 3;  // no selection: everything
                } else {
                    from = cursor.tick;
                    firstStaff = cursor.staffIdx;
                    cursor.rewind(2);
                    to = (cursor.segment && cursor.tick > from) ? cursor.tick : end;
                    lastStaff = cursor.staffIdx;
                }
            }
            job.scoreEnd = end;
            // deepbach counts 480 ticks a quarter, as MuseScore does by default.
            job.from = Math.round(from * 480 / division);
            job.to = Math.round(to * 480 / division);
            var harmonize = !hasChords(score, 4) && !hasChords(score, 8) && !hasChords(score, 12);
            job.staves = [];
            for (var s = harmonize ? 1 : firstStaff; s <= (harmonize ? 3 : lastStaff); ++s)
                job.staves.push(s);
            var voices = job.staves.map(function (s) { return "SATB"[s]; }).join("");

            var dir = test && test.workdir ? test.workdir : io.tempPath();
            var stamp = test ? "" : "-" + Date.now();
            var input = dir + "/deepbach-in" + stamp + ".musicxml";
            var output = dir + "/deepbach-out" + stamp + ".musicxml";
            if (!writeScore(score, input, "musicxml"))
                throw "could not export the score to " + input;
            var exe = settings.deepbach || "deepbach";
            var ticks = job.from + "-" + job.to;
            var sample = harmonize ? [exe, "harmonize", input, "-o", output]
                                   : [exe, "reharmonize", input, "--ticks", ticks, "--voices", voices, "-o", output];
            if (!(settings.args || []).some(function (a) { return a === "--seed"; }))
                sample = sample.concat(["--seed", String(Math.floor(Math.random() * 2147483647) + 1)]);
            job.steps = [sample.concat(settings.args || []), [exe, "notes", output, "--ticks", ticks, "--json"]];
            log((harmonize ? "harmonize" : "reharmonize") + " ticks " + ticks + " voices " + voices);
            startStep();
        } catch (e) {
            finish(String(e));
        }
    }
}
