"""The chorale grid on numpy: tokens without a copy, metadata, round trips, vocabularies."""

import gc

import numpy as np
import pytest

import deepbach


@pytest.fixture
def grid(chorale_path):
    return deepbach.read_score(chorale_path).to_chorale()


def test_tokens_are_int16_voices_by_ticks(grid):
    tokens = grid.tokens
    assert isinstance(tokens, np.ndarray)
    assert tokens.dtype == np.int16
    assert tokens.shape == (deepbach.NUM_VOICES, grid.num_ticks)
    assert tokens.flags.c_contiguous and tokens.flags.writeable
    assert grid.num_ticks == 22 * 16 or grid.num_ticks > 0
    assert grid.at(deepbach.BASS, 0) == tokens[3, 0] == grid.at("bass", 0)


def test_tokens_share_the_chorales_memory(grid):
    a = grid.tokens
    b = grid.tokens
    assert np.shares_memory(a, b)
    bass = deepbach.token_parse("C3")
    a[3, 0] = bass
    assert grid.at(3, 0) == bass
    assert b[3, 0] == bass


def test_tokens_keep_the_chorale_alive(chorale_path):
    tokens = deepbach.read_score(chorale_path).to_chorale().tokens  # the chorale is a temporary
    fermata = deepbach.read_score(chorale_path).to_chorale().metadata.fermata
    gc.collect()
    assert isinstance(tokens.base, deepbach.Chorale)
    first = deepbach.decode(tokens[:, 0])
    assert all(name != "__" for name in first)
    assert fermata.sum() > 0


def test_metadata(grid):
    md = grid.metadata
    assert isinstance(md, deepbach.ChoraleMetadata)
    assert md.fermata.dtype == np.uint8 and md.fermata.shape == (grid.num_ticks,)
    assert md.beat_position.dtype == np.uint8 and set(np.unique(md.beat_position)) <= {0, 1, 2, 3}
    assert md.key_fifths.dtype == np.int8 and (md.key_fifths == -2).all()
    assert md.fermata.sum() > 0
    measures = md.measures
    assert measures[0][0] == 0 and all(isinstance(n, str) for _, n in measures)
    assert [t for t, _ in measures] == grid.measure_ticks
    assert md.keys[0].fifths == -2 and md.times[0].beats == 4
    # The views write through.
    md.fermata[:] = 0
    assert grid.fermata.sum() == 0
    assert np.shares_memory(grid.fermata, md.fermata)


def test_tokens_setter_copies_in_place(grid):
    view = grid.tokens
    new = view.copy()
    new[1, :] = deepbach.REST
    new[1, 1:] = deepbach.HOLD
    grid.tokens = new
    assert (view[1, 1:] == deepbach.HOLD).all()  # the old view sees the new values
    with pytest.raises(deepbach.Error, match=r"shape \(4, "):
        grid.tokens = np.zeros((4, 3), dtype=np.int16)
    with pytest.raises(deepbach.Error, match="shape"):
        grid.fermata = np.zeros(3)


def test_numpy_round_trip_through_files(grid, tmp_path):
    """tokens -> modify -> to_score -> write -> read back -> the same tokens."""
    tokens = grid.tokens
    first_bar = slice(*grid.bar_ticks(grid.measure_numbers[1]))
    # The bass of the second bar: one G2 over the whole bar.
    tokens[deepbach.BASS, first_bar] = deepbach.HOLD
    tokens[deepbach.BASS, first_bar.start] = deepbach.token_parse("G2")
    # The tenor's first note an octave up, spelled the same.
    t0 = deepbach.token_to_pitch(int(tokens[deepbach.TENOR, 0]))
    tokens[deepbach.TENOR, 0] = deepbach.token_from_pitch(deepbach.Pitch(t0.step, t0.alter, t0.octave + 1))
    expected = tokens.copy()
    score = grid.to_score()
    assert [p.name for p in score.parts] == ["Soprano", "Alto", "Tenor", "Bass"]
    for extension in (".musicxml", ".mxl"):
        path = tmp_path / ("round" + extension)
        deepbach.write_score(score, path)
        back = deepbach.read_score(path).to_chorale()
        np.testing.assert_array_equal(back.tokens, expected)
        np.testing.assert_array_equal(back.metadata.fermata, grid.metadata.fermata)
        np.testing.assert_array_equal(back.metadata.beat_position, grid.metadata.beat_position)
        np.testing.assert_array_equal(back.metadata.key_fifths, grid.metadata.key_fifths)
        assert back.measure_numbers == grid.measure_numbers
    assert deepbach.decode(expected[deepbach.BASS, first_bar])[0] == "G2"


def test_to_score_rejects_a_bad_grid(grid):
    grid.tokens[2, 0] = deepbach.HOLD
    with pytest.raises(deepbach.Error, match="Tenor"):
        grid.to_score()
    grid.tokens[2, 0] = deepbach.REST
    grid.tokens[1, 5] = deepbach.START
    with pytest.raises(deepbach.Error, match=r"bar .*Alto: START/END"):
        grid.validate()


def test_empty_from_tokens_and_copy(melody):
    empty = deepbach.Chorale.empty(32)
    assert empty.num_ticks == 32 and (empty.tokens[:, 0] == deepbach.REST).all()
    assert (empty.tokens[:, 1:] == deepbach.HOLD).all()
    assert empty.metadata.measures == [(0, "1"), (16, "2")]
    melody_grid = melody.melody_chorale()
    tokens = melody_grid.tokens.copy()
    tokens[3, 0] = deepbach.token_parse("G2")
    made = deepbach.Chorale.from_tokens(tokens, like=melody_grid)
    assert made.at(3, 0) == deepbach.token_parse("G2") and made.title == melody_grid.title
    assert not np.shares_memory(made.tokens, tokens)
    plain = deepbach.Chorale.from_tokens(tokens)
    assert plain.num_ticks == tokens.shape[1] and plain.metadata.measures[0] == (0, "1")
    with pytest.raises(deepbach.Error, match="shape"):
        deepbach.Chorale.from_tokens(np.zeros((3, 8)))
    with pytest.raises(deepbach.Error):
        deepbach.Chorale.from_tokens(np.zeros((4, 8)))  # holds from the start
    other = melody_grid.copy()
    other.tokens[0, 0] = deepbach.REST
    assert melody_grid.tokens[0, 0] != deepbach.REST
    import copy
    assert not np.shares_memory(copy.copy(melody_grid).tokens, melody_grid.tokens)
    assert not np.shares_memory(deepbach.Chorale(melody_grid).tokens, melody_grid.tokens)


def test_melody_chorale_and_queries(melody):
    grid = melody.melody_chorale()
    assert (grid.tokens[1:, 0] == deepbach.REST).all() and (grid.tokens[1:, 1:] == deepbach.HOLD).all()
    assert grid.sounding("soprano", 2) == deepbach.Pitch("D5")
    assert grid.sounding(1, 2) is None
    assert grid.bar_at(0) == "0" and grid.bar_at(4) == "1"
    assert grid.measure_index_at(4) == 1
    assert grid.bar_ticks("1") == (4, 20) and grid.bar_ticks(1, 2) == (4, 36)
    r = grid.midi_range("S")
    assert r.lowest <= 74 <= r.highest and 74 in r
    assert grid.midi_range("alto").empty
    with pytest.raises(deepbach.Error, match="no bar 9"):
        grid.bar_ticks("9")
    with pytest.raises(IndexError):
        grid.at(0, grid.num_ticks)
    with pytest.raises(deepbach.Error):
        grid.at("sopranino", 0)


def test_transpose_chorale(grid):
    up = grid.transpose(2)
    assert (up.metadata.key_fifths == 0).all()
    a = deepbach.token_to_pitch(int(grid.tokens[3, 0])).midi
    assert deepbach.token_to_pitch(int(up.tokens[3, 0])).midi == a + 2


def test_token_functions():
    assert (deepbach.HOLD, deepbach.REST, deepbach.START, deepbach.END) == (0, 1, 2, 3)
    assert deepbach.token_name(deepbach.HOLD) == "__" and deepbach.token_name(deepbach.REST) == "rest"
    c4 = deepbach.token_parse("C4")
    assert deepbach.is_pitch(c4) and not deepbach.is_pitch(deepbach.REST)
    assert deepbach.token_name(c4) == "C4" == deepbach.TOKEN_NAMES[c4]
    assert deepbach.token_from_pitch("C4") == c4 == deepbach.token_from_pitch(deepbach.Pitch("C4"))
    assert deepbach.token_to_pitch(c4) == deepbach.Pitch("C4")
    assert len(deepbach.TOKEN_NAMES) == deepbach.TOKEN_COUNT
    names = deepbach.decode(np.array([[c4, 0], [1, c4]], dtype=np.int16))
    assert names.shape == (2, 2) and names.tolist() == [["C4", "__"], ["rest", "C4"]]
    assert deepbach.encode(names).tolist() == [[c4, 0], [1, c4]]
    with pytest.raises(deepbach.Error, match="X9"):
        deepbach.token_parse("X9")
    with pytest.raises(deepbach.Error):
        deepbach.decode([deepbach.TOKEN_COUNT])
    with pytest.raises(deepbach.Error):
        deepbach.token_to_pitch(deepbach.REST)


def test_voices():
    assert deepbach.VOICES == ("Soprano", "Alto", "Tenor", "Bass")
    assert [deepbach.SOPRANO, deepbach.ALTO, deepbach.TENOR, deepbach.BASS] == [0, 1, 2, 3]
    assert deepbach.voice_name(2) == "Tenor"
    assert deepbach.parse_voice("alto") == 1 == deepbach.parse_voice("A") == deepbach.parse_voice(1)
    with pytest.raises(deepbach.Error, match="quintus"):
        deepbach.parse_voice("quintus")


def test_vocabulary_decodes_model_indices(model):
    vocabularies = model.vocabularies
    assert len(vocabularies) == 4
    bass = vocabularies[deepbach.BASS]
    assert bass.names()[:4] == ["START", "END", "rest", "__"]
    assert len(bass) == bass.size == len(bass.tokens)
    assert bass.tokens.dtype == np.int16
    g2 = deepbach.token_parse("G2")
    assert g2 in bass and "G2" in bass and bass.token(bass.index(g2)) == g2
    assert bass.index(deepbach.token_parse("C7")) == -1
    names = deepbach.decode(bass.tokens)
    assert names.tolist() == bass.names()
    again = deepbach.Vocabulary.from_names(bass.names())
    assert again == bass
    assert deepbach.Vocabulary([g2]).names() == ["START", "END", "rest", "__", "G2"]
