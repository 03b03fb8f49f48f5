"""deepbach.Constraints: every kind, placed on the piece and held by the sampler;
contradictions and bad arguments raise deepbach.Error naming the bar and voice."""

import copy

import numpy as np
import pytest

import deepbach

G2 = deepbach.token_parse("G2")


@pytest.fixture
def grid(melody):
    """The melody's grid: a pickup bar '0' (ticks 0-4), bars '1'..'4' of 16 ticks."""
    return melody.melody_chorale()


def test_resolve_each_kind(grid):
    c = (deepbach.Constraints()
         .fix("bass", "2", "G2")
         .fix("A", ("1", "2"), "rest")
         .fix(2, ticks=(8, 12), pitch="hold")
         .rhythm("tenor", 3)
         .fermata("2.3")
         .fermata([1, "4"], )
         .fermata(ticks=(40, 44))
         .cadence("4.1", "perfect")
         .cadence(tick=36, type="half")
         .key("3", "e minor")
         .key(tick=52, key=-1)
         .range("tenor", "D3", "E4")
         .range("bass", "E2-C4")
         .region("1-2", "ATB")
         .region(ticks=range(0, 4), voices=["alto", 3]))
    r = c.resolve(grid, melody=True)
    assert r["fixed"] == [(3, 20, 36, G2), (1, 4, 36, deepbach.REST), (2, 8, 12, deepbach.HOLD)]
    assert r["rhythm"] == [(2, 36, 52)]
    # Beat 2.3 = tick 28: the soprano note sounding there; beat 1 = the pickup note; ticks as given.
    ferm = r["fermatas"]
    assert ferm[0][0] <= 28 < ferm[0][1] and ferm[1] == (0, 4) and ferm[3] == (40, 44)
    assert r["cadences"] == [(52, "authentic"), (36, "half")]
    assert r["keys"] == [(36, 1, "minor"), (52, -1, "")]
    assert r["ranges"] == [None, None, (50, 64), (40, 60)]
    assert r["regions"] == [(4, 36, (False, True, True, True)), (0, 4, (False, True, False, True))]
    # Without a melody a fermata is one quarter long.
    assert c.resolve(grid)["fermatas"][0] == (28, 32)
    assert len(c) == 15 and bool(c) and not deepbach.Constraints()
    assert repr(c).startswith("Constraints().fix('bass', '2', 'G2').fix('A', ('1', '2'), 'rest')")
    copied = copy.copy(c).fix("bass", "1", "C3")
    assert len(copied) == 16 and len(c) == 15
    assert len(deepbach.Constraints(c)) == 15


def test_fixed_notes_hold(model, melody, fast):
    c = (deepbach.Constraints().fix("bass", "2", "G2").fix("alto", "3", "rest")
         .fix("tenor", "1", deepbach.Pitch("D3")))
    result = deepbach.harmonize(melody, c, model=model, **fast)
    t = result.chorale.tokens
    assert t[3, 20] == G2 and (t[3, 21:36] == deepbach.HOLD).all() and t[3, 36] != deepbach.HOLD
    assert t[1, 36] == deepbach.REST and (t[1, 37:52] == deepbach.HOLD).all()
    assert deepbach.decode(t[2, 4]) == "D3"


def test_rhythm_is_kept(model, melody, fast):
    grid = melody.melody_chorale()
    result = deepbach.harmonize(melody, deepbach.Constraints().rhythm("tenor", "1-2"), model=model, **fast)
    t = result.chorale.tokens
    span = slice(*grid.bar_ticks("1", "2"))
    # The tenor takes the melody's rhythm there: onsets where it has onsets, holds where it holds.
    melody_onsets = grid.tokens[0, span] != deepbach.HOLD
    np.testing.assert_array_equal(t[2, span] != deepbach.HOLD, melody_onsets)


def test_fermata_cadence_key_range(model, melody, fast):
    grid = melody.melody_chorale()
    c = (deepbach.Constraints().fermata("1.1").cadence("4.3", "authentic").key("3", "e minor")
         .range("tenor", "D3", "E4"))
    result = deepbach.harmonize(melody, c, model=model, seed=2, **fast)
    out = result.chorale
    assert out.metadata.fermata[4] == 1 and grid.metadata.fermata[4] == 0
    assert (out.metadata.key_fifths[36:52] == 1).all() and (out.metadata.key_fifths[:36] == 1).all()
    assert any(k.tick == 36 and k.mode == "minor" for k in out.metadata.keys)
    # An authentic cadence on the last note (tick 60), in E minor from bar 3 on: the bass
    # starts E there and sounds B a quarter before.
    bass_at = deepbach.token_to_pitch(int(out.tokens[3, 60]))
    bass_before = out.sounding(3, 56)
    assert bass_at.midi % 12 == 4
    assert bass_before is not None and bass_before.midi % 12 == 11
    tenor = out.tokens[2]
    for tok in tenor[tenor >= deepbach.FIRST_PITCH]:
        assert 50 <= deepbach.token_to_pitch(int(tok)).midi <= 64


def test_region_limits_harmonize(model, melody, fast):
    base = melody.melody_chorale()
    result = deepbach.harmonize(melody, deepbach.Constraints().region("2", "B"), model=model, **fast)
    t = result.chorale.tokens
    begin, end = base.bar_ticks("2")
    np.testing.assert_array_equal(t[1:3], base.tokens[1:3])  # alto and tenor stay silent
    np.testing.assert_array_equal(t[3, :begin], base.tokens[3, :begin])
    np.testing.assert_array_equal(t[3, end:], base.tokens[3, end:])


def test_contradictions_name_bar_and_voice(model, melody):
    out_of_range = deepbach.Constraints().fix("bass", "2", "C7")
    with pytest.raises(deepbach.Error, match=r"bar 2, Bass: C7 .*outside the Bass range"):
        deepbach.harmonize(melody, out_of_range, model=model, iterations=1)
    clash = deepbach.Constraints().fix("bass", "2", "G2").fix("bass", "2-3", "C3")
    with pytest.raises(deepbach.Error, match=r"melody_musescore\.musicxml, bar 2, Bass: .*G2.*C3"):
        deepbach.harmonize(melody, clash, model=model, iterations=1)
    against_melody = deepbach.Constraints().fix("soprano", "1", "C4")
    with pytest.raises(deepbach.Error, match=r"bar 1, Soprano"):
        deepbach.harmonize(melody, against_melody, model=model, iterations=1)
    too_wide = deepbach.Constraints().range("bass", "C1", "C4")
    with pytest.raises(deepbach.Error, match=r"Bass: the voice range .* wider than the model's"):
        deepbach.harmonize(melody, too_wide, model=model, iterations=1)
    cadence_vs_fix = deepbach.Constraints().cadence("4.3", "authentic").fix("bass", "4", "A2")
    with pytest.raises(deepbach.Error, match=r"bar 4, Bass: the authentic cadence in G major needs"):
        deepbach.harmonize(melody, cadence_vs_fix, model=model, iterations=1)
    cadence_vs_melody = deepbach.Constraints().cadence("2.1", "authentic")
    with pytest.raises(deepbach.Error, match=r"bar 2, Soprano: the authentic cadence in G major needs a tone "
                                             r"of its chord \(G B D\), but the note fixed here is C5"):
        deepbach.harmonize(melody, cadence_vs_melody, model=model, iterations=1)


def test_positions_not_in_the_piece(model, melody):
    with pytest.raises(deepbach.Error, match=r"fix\('bass', '9', 'G2'\): no bar 9 in .*melody_musescore"):
        deepbach.harmonize(melody, deepbach.Constraints().fix("bass", "9", "G2"), model=model)
    with pytest.raises(deepbach.Error, match=r"fermata\('40'\): beat 40 is past the end"):
        deepbach.harmonize(melody, deepbach.Constraints().fermata("40"), model=model)
    with pytest.raises(deepbach.Error, match=r"cadence\('2.7', 'half'\): bar 2 has 4 beats"):
        deepbach.harmonize(melody, deepbach.Constraints().cadence("2.7", "half"), model=model)
    with pytest.raises(deepbach.Error, match="outside the piece"):
        deepbach.harmonize(melody, deepbach.Constraints().fix("bass", ticks=(60, 80), pitch="G2"), model=model)


def test_bad_arguments_raise_at_once():
    c = deepbach.Constraints()
    with pytest.raises(deepbach.Error, match=r"fix\('quintus', '2', 'G2'\): .*quintus"):
        c.fix("quintus", "2", "G2")
    with pytest.raises(deepbach.Error, match=r"fix\('bass', '2', 'H2'\)"):
        c.fix("bass", "2", "H2")
    with pytest.raises(deepbach.Error, match="give the pitch"):
        c.fix("bass", "2")
    with pytest.raises(deepbach.Error, match="bars or ticks, not both"):
        c.fix("bass", "2", "G2", ticks=(0, 4))
    with pytest.raises(deepbach.Error, match="unknown cadence|cadence"):
        c.cadence("4", "amen")
    with pytest.raises(deepbach.Error, match="expected a key"):
        c.key("2", "H")
    with pytest.raises(deepbach.Error, match="at most 7"):
        c.key("2", 9)
    with pytest.raises(deepbach.Error, match="above the highest"):
        c.range("bass", "C4", "C3")
    with pytest.raises(deepbach.Error, match="no voice|voice"):
        c.region("2", "")
    with pytest.raises(TypeError):
        c.fix("bass", 2.5, "G2")
    with pytest.raises(TypeError):
        c.fermata(4.4)
    assert len(c) == 0  # nothing half-added


def test_keys_accept_every_form(grid):
    c = (deepbach.Constraints().key("1", "D").key("2", "Bb").key("3", "F#m").key("4", "g minor")
         .key("1", "Eb major").key("2", 3, "minor").key("3", "A", mode="minor").key("4", "-2"))
    keys = [(f, m) for _, f, m in c.resolve(grid)["keys"]]
    assert keys == [(2, "major"), (-2, "major"), (3, "minor"), (-2, "minor"), (-3, "major"), (3, "minor"),
                    (0, "minor"), (-2, "")]
