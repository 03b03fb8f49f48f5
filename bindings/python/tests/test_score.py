"""Scores: reading, writing (MusicXML, .mxl, MIDI), the notation classes, errors."""

import copy
from fractions import Fraction

import pytest

import deepbach


def test_read_score_melody(melody_path):
    score = deepbach.read_score(melody_path)
    assert isinstance(score, deepbach.Score)
    assert score.title == "Hymn Tune"
    assert len(score.parts) == 1
    assert score.source.endswith("melody_musescore.musicxml")
    assert [m.number for m in score.measures] == ["0", "1", "2", "3", "4"]
    assert score.pickup == Fraction(1)
    assert isinstance(score.length, Fraction) and score.length == 17
    assert score.keys[0].fifths == 1
    assert (score.times[0].beats, score.times[0].beat_type) == (4, 4)
    notes = score.parts[0].notes
    assert notes[0].pitch == deepbach.Pitch("D5")
    assert isinstance(notes[0].onset, Fraction) and isinstance(notes[0].duration, Fraction)
    assert sum(n.fermata for n in notes) == 2
    assert score.bar_at(Fraction(1, 2)) == "0" and score.bar_at(1) == "1"
    assert score.measure_index_at(5) == 2
    assert score.key_at(3).fifths == 1 and score.time_at(3).measure_length == 4


def test_read_score_accepts_pathlike_and_str(melody_path):
    assert deepbach.read_score(str(melody_path)).title == deepbach.read_score(melody_path).title


def test_read_mxl_chorale(chorale_path):
    score = deepbach.read_score(chorale_path)
    assert len(score.parts) == 4
    assert [p.name for p in score.parts][0].lower().startswith("soprano")
    assert score.keys[0].fifths == -2


def test_pitch():
    p = deepbach.Pitch("F#3")
    assert (p.step, p.alter, p.octave, p.midi, p.name, p.fifths) == (3, 1, 3, 54, "F#3", 6)
    assert deepbach.Pitch(6, -1, 2).name == "Bb2"
    assert deepbach.Pitch.parse("c4") == deepbach.Pitch("C4")
    assert deepbach.Pitch("C#4") != deepbach.Pitch("Db4")
    assert deepbach.Pitch("C#4").midi == deepbach.Pitch("Db4").midi
    assert deepbach.Pitch("Db4") < deepbach.Pitch("C#4")  # by MIDI, then flats first
    assert deepbach.Pitch.from_midi(61, fifths=7).name == "C#4"
    assert str(p) == "F#3" and repr(p) == "Pitch('F#3')"
    assert len({deepbach.Pitch("C4"), deepbach.Pitch("C4"), deepbach.Pitch("B#3")}) == 2
    with pytest.raises(deepbach.Error, match="H4"):
        deepbach.Pitch("H4")
    with pytest.raises(deepbach.Error, match="step"):
        deepbach.Pitch(7, 0, 4)


def test_note_and_score_built_in_python(tmp_path):
    notes = [
        deepbach.Note("G4", 0, 2),
        deepbach.Note(deepbach.Pitch("A4"), 2, Fraction(1, 2)),
        deepbach.Note(None, Fraction(5, 2), Fraction(3, 2)),
        deepbach.Note("B4", 4, 4, fermata=True, measure=1),
    ]
    assert notes[2].is_rest and notes[2].pitch is None
    assert notes[1].end == Fraction(5, 2)
    part = deepbach.Part("Soprano", notes, id="P1")
    measures = [deepbach.Measure(0, 4, "1"), deepbach.Measure(4, 4, "2")]
    score = deepbach.Score("Made here", [part], measures, [deepbach.KeySignature(1, "major")],
                           [deepbach.TimeSignature(4, 4)], composer="pytest")
    path = tmp_path / "made.musicxml"
    deepbach.write_score(score, path)
    back = deepbach.read_score(path)
    assert back.title == "Made here" and back.composer == "pytest"
    got = [(str(n.pitch) if n.pitch else None, n.onset, n.duration, n.fermata) for n in back.parts[0].notes]
    assert got == [("G4", 0, 2, False), ("A4", 2, Fraction(1, 2), False), (None, Fraction(5, 2), Fraction(3, 2), False),
                   ("B4", 4, 4, True)]
    with pytest.raises(deepbach.Error, match="duration"):
        deepbach.Note("G4", 0, 0)


def test_lists_are_copies_assign_to_change(melody):
    score = deepbach.Score(melody)
    score.parts[0].name = "changed"          # a copy: no effect
    assert score.parts[0].name != "changed"
    parts = score.parts
    parts[0].name = "Melody"
    score.parts = parts
    assert score.parts[0].name == "Melody"
    assert melody.parts[0].name != "Melody"  # Score(other) copied
    assert copy.deepcopy(score).parts[0].name == "Melody"


@pytest.mark.parametrize("extension", [".musicxml", ".xml", ".mxl", ".mid", ".midi"])
def test_write_score_by_extension(melody, tmp_path, extension):
    path = tmp_path / ("out" + extension)
    deepbach.write_score(melody, path)
    data = path.read_bytes()
    if extension in (".mid", ".midi"):
        assert data[:4] == b"MThd"
    elif extension == ".mxl":
        assert data[:2] == b"PK"
        assert deepbach.read_score(path).parts[0].notes[0].pitch == melody.parts[0].notes[0].pitch
    else:
        assert b"<score-partwise" in data
        back = deepbach.read_score(path)
        assert [(n.pitch, n.onset, n.duration) for n in back.parts[0].notes] == \
               [(n.pitch, n.onset, n.duration) for n in melody.parts[0].notes]


def test_write_musicxml_midi_and_in_memory(melody, tmp_path):
    deepbach.write_musicxml(melody, tmp_path / "a.musicxml", software="pytest")
    assert b"<software>pytest</software>" in (tmp_path / "a.musicxml").read_bytes()
    deepbach.write_midi(melody, tmp_path / "a.mid", tempo_bpm=60, velocity=100, fermata_holds=True)
    assert (tmp_path / "a.mid").read_bytes()[:4] == b"MThd"
    xml = melody.to_musicxml()
    assert xml.startswith("<?xml")
    back = deepbach.Score.from_musicxml(xml, "memory.musicxml")
    assert back.source == "memory.musicxml" and len(back.parts[0].notes) == len(melody.parts[0].notes)
    midi = melody.to_midi(tempo_bpm=100)
    assert isinstance(midi, bytes) and midi[:4] == b"MThd"
    melody.write(tmp_path / "b.mid")
    assert (tmp_path / "b.mid").exists()


def test_transpose_score(melody):
    up = melody.transpose(2)
    assert up.keys[0].fifths == 3
    assert up.parts[0].notes[0].pitch == deepbach.Pitch("E5")


def test_errors_are_deepbach_errors_with_the_message(tmp_path, melody):
    assert issubclass(deepbach.Error, Exception)
    with pytest.raises(deepbach.Error, match="nowhere.musicxml"):
        deepbach.read_score(tmp_path / "nowhere.musicxml")
    bad = tmp_path / "bad.musicxml"
    bad.write_text("<score-partwise><part-list>")
    with pytest.raises(deepbach.Error, match="bad.musicxml"):
        deepbach.read_score(bad)
    zipped = tmp_path / "bad.mxl"
    zipped.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(deepbach.Error, match="bad.mxl"):
        deepbach.read_score(zipped)
    with pytest.raises(deepbach.Error, match=r"\.txt"):
        deepbach.write_score(melody, tmp_path / "out.txt")
    with pytest.raises(deepbach.Error):
        deepbach.Score.from_musicxml("not xml at all")
    with pytest.raises(TypeError):
        deepbach.read_score(42)


def test_error_message_is_one_line(tmp_path):
    with pytest.raises(deepbach.Error) as info:
        deepbach.read_score(tmp_path / "missing.mxl")
    assert "\n" not in str(info.value) and "missing.mxl" in str(info.value)
