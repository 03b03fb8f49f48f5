"""deepbach.calibrate: the relational tables fitted to what the sampler writes."""

import numpy as np
import pytest

import deepbach


def test_calibrate_returns_a_new_model_and_its_record(corpus_dir, chorale_path):
    model = deepbach.Model.default()
    seen = []
    calibrated, record = deepbach.calibrate(
        model, corpus_dir, rounds=2, batch=1, sweeps=1, threads=1, generate_bars=2,
        progress=lambda p: seen.append(p.round),
    )
    assert seen == [1, 2]
    assert record["rounds"] == 2 and record["chorales"] == 2 and record["generated"] == 2
    assert isinstance(record["last"], deepbach.CalibrationProgress)
    assert 0 <= record["last"].distance <= 1
    assert record["validation_nll"] > 0
    assert isinstance(calibrated, deepbach.Model)
    # The model given is unchanged; the calibrated one samples.
    assert model.training.validation[1].nll != pytest.approx(calibrated.training.validation[1].nll, abs=0)
    h = deepbach.harmonize(
        deepbach.read_score(chorale_path), model=calibrated, sweeps=1, voice_leading=0
    )
    assert np.asarray(h.chorale.tokens).shape[0] == 4


def test_calibrate_can_be_cancelled(corpus_dir):
    with pytest.raises(deepbach.Cancelled):
        deepbach.calibrate(deepbach.Model.default(), corpus_dir, rounds=3, batch=1, sweeps=1, progress=lambda p: False)


def test_bad_options_are_one_clear_error(corpus_dir):
    with pytest.raises(deepbach.Error, match="rounds 0"):
        deepbach.calibrate(deepbach.Model.default(), corpus_dir, rounds=0)


def test_calibrate_only_the_tables_asked_for(corpus_dir):
    _, record = deepbach.calibrate(
        deepbach.Model.default(), corpus_dir, rounds=1, batch=1, sweeps=1, voices=["soprano"], generate_bars=2
    )
    assert record["chorales"] == 0 and record["generated"] == 1


def test_calibrate_melody_gives_the_tables_each_voices_line(corpus_dir):
    # The shipped model reads each voice's line; melody=True on it adds nothing and fits them.
    shipped = deepbach.Model.default()
    assert shipped.config.relational and shipped.config.relational_leaps and shipped.config.relational_melody
    calibrated, record = deepbach.calibrate(shipped, corpus_dir, rounds=1, batch=1, sweeps=1, melody=True,
                                            voices=["bass"])
    assert calibrated.config.relational_melody and record["chorales"] == 1
