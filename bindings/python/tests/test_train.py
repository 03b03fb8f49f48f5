"""deepbach.train: LibTorch builds train a tiny model; builds without LibTorch
raise deepbach.Error saying so."""

import math

import pytest

import deepbach

needs_torch = pytest.mark.skipif(not deepbach.HAVE_TORCH, reason="built without LibTorch: deepbach.train is absent")


@pytest.mark.skipif(deepbach.HAVE_TORCH, reason="built with LibTorch: train works (see test_train_tiny_model)")
def test_train_without_libtorch_says_so(tmp_path):
    with pytest.raises(deepbach.Error, match="LibTorch"):
        deepbach.train(tmp_path, tmp_path / "m.safetensors")
    assert not deepbach.cuda_available()


@needs_torch
def test_train_tiny_model(corpus_dir, tmp_path, chorale_path):
    seen = []

    def progress(p):
        seen.append((p.phase, p.step, p.total_steps))
        assert isinstance(p, deepbach.TrainProgress)

    out = tmp_path / "trained.safetensors"
    config = deepbach.ModelConfig(mode="full", lstm_hidden=16, mlp_hidden=16, note_embedding=8, meta_embedding=4)
    record = deepbach.train(corpus_dir, out, config=config, epochs=1, max_steps=2, batch_sequences=2,
                            device="cpu", threads=1, seed=3, progress=progress)
    assert isinstance(record, deepbach.TrainingRecord)
    assert record.steps == 2 and record.device == "cpu" and record.seed == 3
    assert len(record.validation) == 4 and all(math.isfinite(v.nll) for v in record.validation)
    assert seen and any(phase == "training" for phase, _, _ in seen)
    model = deepbach.Model.load(out)
    assert model.mode == "full" and model.training.steps == 2
    assert deepbach.evaluate(model, chorale_path).chorales == 1


@needs_torch
def test_train_cancel_and_errors(corpus_dir, tmp_path):
    with pytest.raises(deepbach.Cancelled):
        deepbach.train(corpus_dir, tmp_path / "m.safetensors", mode="window", max_steps=2, device="cpu",
                       threads=1, progress=lambda p: False)
    with pytest.raises(deepbach.Error, match="mode|window or full"):
        deepbach.train(corpus_dir, tmp_path / "m.safetensors", mode="sideways")
    with pytest.raises(deepbach.Error):
        deepbach.train(tmp_path / "no-corpus", tmp_path / "m.safetensors", max_steps=1, device="cpu")
