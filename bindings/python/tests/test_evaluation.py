"""Voice-leading statistics and agreement (deepbach.voice_leading_stats,
chord_events, summarize, agreement): hand-built grids with one fault each,
options, sums, and the figures `deepbach evaluate --rules --json` prints."""

import json
import pathlib
import subprocess

import numpy as np
import pytest

import deepbach

COUNTS = (
    "parallel_fifths",
    "parallel_octaves",
    "contrary_fifths",
    "contrary_octaves",
    "hidden_fifths",
    "hidden_octaves",
    "voice_crossings",
    "spacing",
    "out_of_range",
    "out_of_key",
    "augmented_melodic",
    "large_leaps",
    "sixteenths",
)


def grid(soprano="rest", alto="rest", tenor="rest", bass="rest"):
    """A chorale from four voices written as quarter notes: 'C5 D5 __ rest'
    (a name starts a note, '__' holds the one before on, 'rest' rests)."""
    voices = [v.split() for v in (soprano, alto, tenor, bass)]
    quarters = max(len(v) for v in voices)
    ticks = quarters * deepbach.TICKS_PER_QUARTER
    tokens = np.full((deepbach.NUM_VOICES, ticks), deepbach.HOLD, dtype=np.int16)
    for v, names in enumerate(voices):
        for q, name in enumerate(names):
            tokens[v, q * deepbach.TICKS_PER_QUARTER] = deepbach.token_parse(name)
        if len(names) < quarters:  # silent to the end
            tokens[v, len(names) * deepbach.TICKS_PER_QUARTER] = deepbach.REST
    return deepbach.Chorale.from_tokens(tokens)


def nonzero(stats):
    return {name: getattr(stats, name) for name in COUNTS if getattr(stats, name)}


# Each grid breaks one rule once (docs/evaluation.md has the definitions).
CASES = {
    # C5 -> D5 over F4 -> G4; tenor and bass in other intervals.
    "parallel_fifth": (
        dict(soprano="C5 D5", alto="F4 G4", tenor="A3 B3", bass="F3 E3"),
        {"parallel_fifths": 1},
    ),
    # Soprano and bass a double octave apart, both up a step.
    "parallel_octave": (dict(soprano="C5 D5", bass="C3 D3"), {"parallel_octaves": 1}),
    # Tenor G3 -> C4 against bass C3 -> F2: a fifth, then a twelfth.
    "contrary_fifth": (dict(tenor="G3 C4", bass="C3 F2"), {"contrary_fifths": 1}),
    # Soprano leaps G4 -> C5 (a fourth) while the bass climbs A2 -> C3 into the octave.
    "hidden_octave": (dict(soprano="G4 C5", bass="A2 C3"), {"hidden_octaves": 1}),
    # The same bass under a soprano step B4 -> C5: nothing.
    "hidden_octave_by_step": (dict(soprano="B4 C5", bass="A2 C3"), {}),
    # Soprano leaps E5 -> G5 (3 semitones) while the bass climbs G2 -> C3: a sixth into a fifth.
    "hidden_fifth": (dict(soprano="E5 G5", bass="G2 C3"), {"hidden_fifths": 1}),
    # Alto D5 above soprano C5.
    "crossing": (dict(soprano="C5", alto="D5"), {"voice_crossings": 1}),
    # A unison is no crossing.
    "unison": (dict(soprano="C5", alto="C5"), {}),
    # Soprano G5 over alto E4: 15 semitones.
    "spacing": (dict(soprano="G5", alto="E4"), {"spacing": 1}),
    # Bass D2 (MIDI 38, below E2), held over two quarters: one onset.
    "out_of_range": (dict(bass="D2 __"), {"out_of_range": 1}),
    # F#4 under no sharps or flats (the grids are in C major).
    "out_of_key": (dict(soprano="G4 F#4 G4"), {"out_of_key": 1}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_fault_each(case):
    voices, expected = CASES[case]
    stats = deepbach.voice_leading_stats(grid(**voices))
    assert isinstance(stats, deepbach.VoiceLeadingStats)
    assert nonzero(stats) == expected
    assert stats.parallels == stats.parallel_fifths + stats.parallel_octaves


def test_faults_say_where_and_agree_with_the_counts():
    chorale = grid(soprano="C5 D5", alto="F4 G4", tenor="C#4 __")
    faults = deepbach.voice_leading_faults(chorale)
    assert [f["rule"] for f in faults] == ["out_of_key", "parallel_fifths"]
    assert faults[1]["where"] == "bar 1 beat 2"
    assert faults[1]["voice"] == "Soprano" and faults[1]["other"] == "Alto"
    assert faults[1]["text"] == "parallel fifths, soprano and alto: C5 F4 to D5 G4"
    assert faults[0]["other"] is None and faults[0]["text"] == "out of key: tenor C#4"
    for case in sorted(CASES):
        voices, expected = CASES[case]
        listed = {}
        for f in deepbach.voice_leading_faults(grid(**voices)):
            listed[f["rule"]] = listed.get(f["rule"], 0) + 1
        assert listed == expected, case


def test_details_by_pair_and_voice():
    crossing = deepbach.voice_leading_stats(grid(soprano="C5", alto="D5"))
    assert crossing.crossings_by_pair == (1, 0, 0)
    assert crossing.events == 1 and crossing.notes == 2
    # Tenor above alto and bass above tenor at once: one event, two pairs.
    both = deepbach.voice_leading_stats(grid(soprano="C5", alto="E4", tenor="G4", bass="A4"))
    assert both.voice_crossings == 1 and both.crossings_by_pair == (0, 1, 1)
    spacing = deepbach.voice_leading_stats(grid(soprano="G5", alto="E4"))
    assert spacing.spacing_by_pair == (1, 0)
    wide = deepbach.voice_leading_stats(grid(soprano="C5", alto="F4", tenor="C3"))
    assert wide.spacing == 1 and wide.spacing_by_pair == (0, 1)
    low = deepbach.voice_leading_stats(grid(bass="D2 __"))
    assert low.out_of_range_by_voice == (0, 0, 0, 1) and low.notes == 1 and low.events == 1
    high = deepbach.voice_leading_stats(grid(soprano="A5 rest C5", bass="C4 D4 E2"))
    assert high.out_of_range_by_voice == (1, 0, 0, 1) and high.out_of_range == 2
    assert isinstance(crossing.crossings_by_pair, tuple) and isinstance(low.out_of_range_by_voice, tuple)


def test_the_fifth_of_the_docs_contrary_with_spacing():
    # docs/evaluation.md: soprano C5 -> G5 over alto F4 -> C4: a contrary fifth and a spacing.
    stats = deepbach.voice_leading_stats(grid(soprano="C5 G5", alto="F4 C4"))
    assert nonzero(stats) == {"contrary_fifths": 1, "spacing": 1}


def test_rests_and_holds_take_no_part():
    # The soprano holds C5 while the alto moves F4 -> G4: no motion, nothing.
    assert nonzero(deepbach.voice_leading_stats(grid(soprano="C5 __", alto="F4 G4"))) == {}
    # Fifths into a rest are not compared: the alto rests at the second event.
    assert nonzero(deepbach.voice_leading_stats(grid(soprano="C5 D5", alto="F4 rest"))) == {}


def test_options_change_the_counts():
    wide = grid(soprano="G5", alto="E4")  # 15 semitones apart
    assert deepbach.voice_leading_stats(wide).spacing == 1
    assert deepbach.voice_leading_stats(wide, deepbach.VoiceLeadingOptions(max_spacing=15)).spacing == 0
    assert deepbach.voice_leading_stats(wide, deepbach.VoiceLeadingOptions(max_spacing=14)).spacing == 1

    hidden = grid(soprano="G4 C5", bass="A2 C3")  # the soprano leaps 5 semitones
    assert deepbach.voice_leading_stats(hidden, deepbach.VoiceLeadingOptions(hidden_leap=4)).hidden_octaves == 1
    assert deepbach.voice_leading_stats(hidden, deepbach.VoiceLeadingOptions(hidden_leap=5)).hidden_octaves == 0

    low = grid(bass="D2")
    assert deepbach.voice_leading_stats(low).out_of_range == 1
    ranges = [(60, 79), (55, 74), (48, 67), (36, 60)]
    options = deepbach.VoiceLeadingOptions(ranges=ranges)
    assert deepbach.voice_leading_stats(low, options).out_of_range == 0
    options.ranges = [(60, 79), (55, 74), (48, 67), deepbach.VoiceRange(39, 60)]
    assert options.ranges == [(60, 79), (55, 74), (48, 67), (39, 60)]
    assert deepbach.voice_leading_stats(low, options).out_of_range == 1


def test_options_defaults_and_errors():
    o = deepbach.VoiceLeadingOptions()
    assert o.ranges == [(60, 79), (55, 74), (48, 67), (40, 60)]
    assert (o.hidden_leap, o.max_spacing) == (2, 12)
    assert o == deepbach.VoiceLeadingOptions(ranges=[[60, 79], [55, 74], [48, 67], [40, 60]])
    assert o != deepbach.VoiceLeadingOptions(max_spacing=14)
    assert repr(o) == (
        "VoiceLeadingOptions(ranges=[(60, 79), (55, 74), (48, 67), (40, 60)], hidden_leap=2, max_spacing=12)"
    )
    o.max_spacing = 19
    assert o.max_spacing == 19
    with pytest.raises(TypeError):
        deepbach.VoiceLeadingOptions(None)  # keywords only
    with pytest.raises(deepbach.Error, match="four"):
        deepbach.VoiceLeadingOptions(ranges=[(60, 79)] * 3)
    with pytest.raises(deepbach.Error, match="Tenor"):
        deepbach.VoiceLeadingOptions(ranges=[(60, 79), (55, 74), (67, 48), (40, 60)])
    with pytest.raises(deepbach.Error, match="Alto"):
        deepbach.VoiceLeadingOptions(ranges=[(60, 79), "G3", (48, 67), (40, 60)])


def test_chord_events():
    c = grid(soprano="C5 __ D5", alto="F4 G4 rest", bass="rest F3 __")
    events = deepbach.chord_events(c)
    assert [e.tick for e in events] == [0, 4, 8]
    assert isinstance(events[0], deepbach.ChordEvent)
    assert events[0].midi == (72, 65, -1, -1)
    assert events[0].onset == (True, True, False, False)
    assert events[1].midi == (72, 67, -1, 53)  # the soprano held, the bass starts
    assert events[1].onset == (False, True, False, True)
    assert events[2].midi == (74, -1, -1, 53)
    assert events[2].sounds("soprano") and not events[2].sounds(deepbach.ALTO) and events[2].sounds("B")
    assert events[0] == deepbach.chord_events(c)[0] and events[0] != events[1]
    assert repr(events[0]) == "ChordEvent(tick=0, midi=(72, 65, -1, -1), onset=(True, True, False, False))"
    assert deepbach.voice_leading_stats(c).events == len(events)


def test_stats_arithmetic_and_dict():
    a = deepbach.voice_leading_stats(grid(soprano="C5 D5", alto="F4 G4", tenor="A3 B3", bass="F3 E3"))
    b = deepbach.voice_leading_stats(grid(soprano="C5", alto="D5"))
    total = a + b
    assert total.parallel_fifths == 1 and total.voice_crossings == 1
    assert total.events == a.events + b.events and total.notes == a.notes + b.notes
    assert total.crossings_by_pair == (1, 0, 0)
    assert sum([a, b]) == total
    acc = deepbach.VoiceLeadingStats()
    assert acc.events == 0 and acc == deepbach.VoiceLeadingStats()
    same = acc
    acc += a
    acc += b
    assert acc is same and acc == total and acc != a
    with pytest.raises(AttributeError):
        a.events = 3  # read-only
    with pytest.raises(TypeError):
        a + 1
    d = total.to_dict()
    assert d["parallels"] == 1 and d["parallel_fifths"] == 1 and d["voice_crossings"] == 1
    assert d["voice_crossings_by_pair"] == {"soprano_alto": 1, "alto_tenor": 0, "tenor_bass": 0}
    assert d["spacing_by_pair"] == {"soprano_alto": 0, "alto_tenor": 0}
    assert d["out_of_range_by_voice"] == {"soprano": 0, "alto": 0, "tenor": 0, "bass": 0}
    assert set(COUNTS) <= set(d)
    assert repr(b).startswith("VoiceLeadingStats(events=1, notes=2, parallel_fifths=0,")
    assert "voice_crossings=1" in repr(b)
    counts = deepbach.rule_counts(total)
    assert [key for key, _, _ in counts] == list(COUNTS)
    assert counts[0] == ("parallel_fifths", "parallel fifths", 1)
    assert all(count == getattr(total, key) for key, _, count in counts)


def test_agreement_hand_built():
    reference = grid(soprano="C5 D5 E5 F5", alto="G4 A4 B4 C5", tenor="E4 F4 G4 A4", bass="C3 D3 E3 F3")
    same = deepbach.agreement(reference, reference.copy())
    assert isinstance(same, deepbach.Agreement)
    assert same.ticks == 16 and same.same_pitch == (16, 16, 16, 16) == same.same_pitch_class
    assert [same.pitch(v) for v in range(4)] == [1.0] * 4
    assert same.lower_pitch == 1.0 and same.lower_pitch_class == 1.0
    # The alto's last two notes an octave down: half the alto's ticks differ
    # in pitch, none in pitch class; the tenor's last note a tone up: a
    # quarter of its ticks differ in both.
    changed = grid(soprano="C5 D5 E5 F5", alto="G4 A4 B3 C4", tenor="E4 F4 G4 B4", bass="C3 D3 E3 F3")
    a = deepbach.agreement(changed, reference)
    assert a.same_pitch == (16, 8, 12, 16) and a.same_pitch_class == (16, 16, 12, 16)
    assert a.pitch("alto") == 0.5 and a.pitch_class("alto") == 1.0
    assert a.pitch(deepbach.TENOR) == 0.75 and a.pitch_class("T") == 0.75
    assert a.lower_pitch == pytest.approx((8 + 12 + 16) / 48)
    assert a.lower_pitch_class == pytest.approx((16 + 12 + 16) / 48)
    # A rest against a rest agrees; a rest against a note does not.
    rests = deepbach.agreement(grid(soprano="C5", bass="rest"), grid(soprano="C5", bass="C3"))
    assert rests.pitch("alto") == 1.0 and rests.pitch("bass") == 0.0
    d = a.to_dict()
    assert d["ticks"] == 16 and d["alto"] == {"pitch": 0.5, "pitch_class": 1.0}
    assert d["lower_voices"]["pitch"] == pytest.approx(a.lower_pitch)
    assert "soprano" not in d
    # Sums weigh every tick alike.
    total = same + a
    assert total.ticks == 32 and total.pitch("alto") == 0.75
    acc = deepbach.Agreement()
    assert acc.ticks == 0 and acc.lower_pitch == 0.0
    acc += same
    acc += a
    assert acc == total
    assert "alto+tenor+bass" in repr(a)
    with pytest.raises(deepbach.Error):
        a.pitch("quintus")
    with pytest.raises(deepbach.Error, match="ticks"):
        deepbach.agreement(grid(soprano="C5 D5"), reference)


def test_agreement_with_bach(chorale_path):
    bach = deepbach.read_score(chorale_path).to_chorale()
    itself = deepbach.agreement(bach, bach)
    assert itself.ticks == bach.num_ticks
    assert all(itself.pitch(v) == 1.0 and itself.pitch_class(v) == 1.0 for v in range(4))
    assert itself.lower_pitch == 1.0 and itself.lower_pitch_class == 1.0
    # The alto an octave up: it agrees in pitch only where it rests.
    moved = bach.copy()
    alto = moved.tokens[deepbach.ALTO]
    for t in np.flatnonzero(alto >= deepbach.FIRST_PITCH):
        p = deepbach.token_to_pitch(int(alto[t]))
        alto[t] = deepbach.token_from_pitch(deepbach.Pitch(p.step, p.alter, p.octave + 1))
    resting = sum(moved.sounding(deepbach.ALTO, t) is None for t in range(bach.num_ticks))
    a = deepbach.agreement(moved, bach)
    assert a.pitch("alto") == pytest.approx(resting / bach.num_ticks)
    assert a.pitch("alto") < 0.1
    assert a.pitch_class("alto") == 1.0
    assert a.pitch("soprano") == a.pitch("tenor") == a.pitch("bass") == 1.0
    assert a.lower_pitch == pytest.approx((2 + resting / bach.num_ticks) / 3)
    # Scores and paths are read and converted.
    assert deepbach.agreement(chorale_path, bach) == itself
    assert deepbach.agreement(deepbach.read_score(chorale_path), str(chorale_path)) == itself


def test_summarize_three_chorales(corpus_dir):
    paths = [corpus_dir / name for name in ("bwv10.7.mxl", "bwv101.7.mxl", "bwv103.6.mxl")]
    stats = [deepbach.voice_leading_stats(deepbach.read_score(p).to_chorale()) for p in paths]
    summary = deepbach.summarize(stats)
    assert isinstance(summary, deepbach.VoiceLeadingSummary)
    assert summary.chorales == 3
    total = stats[0] + stats[1] + stats[2]
    assert summary.total == total == sum(stats)
    for name in COUNTS + ("events", "notes"):
        assert getattr(summary.total, name) == sum(getattr(s, name) for s in stats), name
    assert summary.total.crossings_by_pair == tuple(sum(s.crossings_by_pair[i] for s in stats) for i in range(3))
    assert summary.per_chorale(summary.total.notes) == pytest.approx(total.notes / 3)
    assert summary.per_chorale("parallels") == pytest.approx(total.parallels / 3)
    assert summary.per_100_events("voice_crossings") == pytest.approx(100 * total.voice_crossings / total.events)
    assert summary.per_100_events(total.events) == pytest.approx(100.0)
    assert deepbach.summarize(iter(stats)).total == total  # any iterable
    assert "3 chorales" in repr(summary)
    empty = deepbach.summarize([])
    assert empty.chorales == 0 and empty.per_chorale(5) == 0.0 and empty.per_100_events(5) == 0.0
    with pytest.raises(deepbach.Error, match="no count named"):
        summary.per_chorale("fifths")
    with pytest.raises(TypeError):
        deepbach.summarize([stats[0], 3])


# `deepbach evaluate --rules bwv10.7.mxl --json`: results[0].stats.
BWV10_7 = {
    "events": 68,
    "notes": 206,
    "parallels": 0,
    "parallel_fifths": 0,
    "parallel_octaves": 0,
    "contrary_fifths": 0,
    "contrary_octaves": 0,
    "hidden_fifths": 1,
    "hidden_octaves": 0,
    "voice_crossings": 12,
    "spacing": 1,
    "out_of_range": 1,
    "out_of_key": 4,
    "augmented_melodic": 0,
    "large_leaps": 1,
    "sixteenths": 0,
    "voice_crossings_by_pair": {"soprano_alto": 0, "alto_tenor": 7, "tenor_bass": 5},
    "spacing_by_pair": {"soprano_alto": 0, "alto_tenor": 1},
    "out_of_range_by_voice": {"soprano": 0, "alto": 0, "tenor": 0, "bass": 1},
}


def cli() -> pathlib.Path:
    """The command line tool of the build this module comes from (BUILD/bin/deepbach)."""
    return pathlib.Path(deepbach.__file__).resolve().parents[2] / "bin" / "deepbach"


def test_as_the_command_line_counts(chorale_path):
    stats = deepbach.voice_leading_stats(chorale_path)
    assert stats == deepbach.voice_leading_stats(deepbach.read_score(chorale_path).to_chorale())
    assert stats == deepbach.voice_leading_stats(deepbach.read_score(chorale_path))
    assert stats.to_dict() == BWV10_7
    tool = cli()
    if not tool.is_file():
        pytest.skip(f"no command line tool at {tool}")
    run = subprocess.run([str(tool), "evaluate", "--rules", str(chorale_path), "--json"], capture_output=True,
                         text=True, check=True)
    out = json.loads(run.stdout)
    assert out["chorales"] == 1
    assert out["results"][0]["stats"] == stats.to_dict()
    summary = deepbach.summarize([stats]).to_dict()
    assert summary["totals"] == out["summary"]["totals"]
    for key in ("mean_per_chorale", "per_100_events"):
        assert summary[key] == pytest.approx(out["summary"][key]), key
    assert out["ranges"] == {
        name.lower(): list(r) for name, r in zip(deepbach.VOICES, deepbach.VoiceLeadingOptions().ranges)
    }


def test_errors(chorale_path):
    bad = grid(soprano="C5 D5")
    bad.tokens[1, 0] = deepbach.HOLD  # a voice starting with a hold
    with pytest.raises(deepbach.Error, match="Alto"):
        deepbach.voice_leading_stats(bad)
    with pytest.raises(deepbach.Error):
        deepbach.chord_events(bad)
    with pytest.raises(deepbach.Error):
        deepbach.agreement(bad, bad)
    with pytest.raises(deepbach.Error):
        deepbach.voice_leading_stats(chorale_path.with_name("no-such-chorale.mxl"))
    with pytest.raises(TypeError, match="Chorale"):
        deepbach.voice_leading_stats(42)
    with pytest.raises(TypeError):
        deepbach.voice_leading_stats(grid(soprano="C5"), options={"max_spacing": 3})
