"""Models, corpora and evaluation (the Eigen engine: no LibTorch needed)."""

import math

import pytest

import deepbach


def test_model_load_and_attributes(model, window_model_path):
    assert isinstance(model, deepbach.Model)
    assert model.mode == "window" and model.config.mode == "window"
    assert model.config.lstm_hidden == 24 and model.num_parameters > 0
    assert len(model.vocabularies) == 4 and all(len(v) > 4 for v in model.vocabularies)
    ranges = model.ranges
    assert len(ranges) == 4 and all(isinstance(r, deepbach.VoiceRange) for r in ranges)
    assert ranges[deepbach.BASS].lowest < ranges[deepbach.SOPRANO].lowest
    lowest, highest = ranges[deepbach.BASS]
    assert lowest < highest
    assert isinstance(model.training, deepbach.TrainingRecord)
    assert len(model.training.validation) == 4
    model.validate()
    assert "window mode" in repr(model)


def test_model_save_load_round_trip(model, tmp_path):
    path = tmp_path / "copy.safetensors"
    model.save(path)
    again = deepbach.Model.load(path)
    assert again.num_parameters == model.num_parameters
    assert again.vocabularies == model.vocabularies
    model.save(tmp_path / "half.safetensors", float16=True)
    assert (tmp_path / "half.safetensors").stat().st_size < path.stat().st_size


def test_model_initialize_from_a_corpus(corpus_dir, tmp_path):
    calls = []
    corpus = deepbach.load_corpus(corpus_dir, threads=2, progress=lambda d, t, w: calls.append(d))
    assert len(corpus) == len(corpus.files) == len(corpus.chorales) > 300
    assert calls[-1] == len(corpus.files) + len(corpus.rejected)
    assert all(isinstance(r, tuple) and len(r) == 2 for r in corpus.rejected)
    assert len(corpus.checksum) == 64 and corpus.total_ticks() > 0
    assert corpus.folder.endswith("bach")
    config = deepbach.ModelConfig(mode="full", lstm_hidden=8, mlp_hidden=8, note_embedding=4, meta_embedding=2)
    assert config.mode == "full" and config.lstm_hidden == 8
    model = deepbach.Model.initialize(config, corpus.vocabularies(), corpus.ranges(), seed=3)
    assert model.mode == "full"
    model.save(tmp_path / "tiny.safetensors")
    assert deepbach.Model.load(tmp_path / "tiny.safetensors").config.lstm_hidden == 8
    with pytest.raises(deepbach.Error, match="window or full|mode"):
        deepbach.ModelConfig(mode="sideways")
    with pytest.raises(deepbach.Error, match="4 vocabularies"):
        deepbach.Model.initialize(config, corpus.vocabularies()[:2], corpus.ranges())


def test_load_corpus_cancel_and_errors(corpus_dir, tmp_path):
    with pytest.raises(deepbach.Cancelled):
        deepbach.load_corpus(corpus_dir, progress=lambda d, t, w: d < 3)
    with pytest.raises(deepbach.Error, match="nowhere"):
        deepbach.load_corpus(tmp_path / "nowhere")


def test_model_errors(tmp_path):
    with pytest.raises(deepbach.Error, match="missing.safetensors"):
        deepbach.Model.load(tmp_path / "missing.safetensors")
    corrupt = tmp_path / "corrupt.safetensors"
    corrupt.write_bytes(b"not a model")
    with pytest.raises(deepbach.Error, match="corrupt.safetensors"):
        deepbach.Model.load(corrupt)


def test_model_default(window_model_path, monkeypatch):
    monkeypatch.setenv("DEEPBACH_MODEL", str(window_model_path))
    assert deepbach.default_model_path() == str(window_model_path)
    assert deepbach.Model.default().mode == "window"
    monkeypatch.setenv("DEEPBACH_MODEL", str(window_model_path) + ".nope")
    with pytest.raises(deepbach.Error, match="nope"):
        deepbach.Model.default()


def test_harmonize_uses_deepbach_model(window_model_path, melody, monkeypatch):
    monkeypatch.setenv("DEEPBACH_MODEL", str(window_model_path))
    result = deepbach.harmonize(melody, iterations=2)
    assert result.iterations == 2


def test_evaluate(model, window_model_path, chorale_path, corpus_dir, melody_path, tmp_path):
    one = deepbach.evaluate(model, chorale_path)
    assert isinstance(one, deepbach.Evaluation) and one.chorales == 1 and one.skipped == []
    assert len(one.voices) == 4
    for v in one.voices:
        assert math.isfinite(v.nll) and 0 <= v.accuracy <= 1 and 0 <= v.onset_accuracy <= 1
        assert v.targets > v.onset_targets > 0
    assert one.mean_nll == pytest.approx(sum(v.nll for v in one.voices) / 4)
    d = one.to_dict()
    assert d["chorales"] == 1 and [v["voice"] for v in d["voices"]] == list(deepbach.VOICES)
    # A path, a list of files, and a folder mixing a chorale and a melody (skipped, with the reason).
    by_path = deepbach.evaluate(window_model_path, [chorale_path, corpus_dir / "bwv26.6.mxl"], threads=1)
    assert by_path.chorales == 2
    same = deepbach.evaluate(model, [chorale_path])
    assert same.mean_nll == one.mean_nll  # deterministic
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a.mxl").write_bytes(chorale_path.read_bytes())
    (folder / "b.musicxml").write_bytes(melody_path.read_bytes())
    (folder / "notes.txt").write_text("not a score")
    mixed = deepbach.evaluate(model, folder)
    assert mixed.chorales == 1 and mixed.mean_nll == one.mean_nll
    assert len(mixed.skipped) == 1 and mixed.skipped[0][0].endswith("b.musicxml")
    assert "b.musicxml" in mixed.skipped[0][1]


def test_evaluate_errors(model, tmp_path, melody_path, chorale_path):
    with pytest.raises(deepbach.Error, match="nowhere"):
        deepbach.evaluate(model, tmp_path / "nowhere")
    with pytest.raises(deepbach.Error, match="no chorale to evaluate"):
        deepbach.evaluate(model, melody_path)
    with pytest.raises(deepbach.Cancelled):
        deepbach.evaluate(model, chorale_path, progress=lambda d, t, w: False)
