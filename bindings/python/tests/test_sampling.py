"""harmonize, generate, reharmonize, sample_grid: results, seeds, options,
progress, cancelling, Ctrl-C and the GIL. The model is small and untrained:
what is tested holds whatever the weights."""

import os
import signal
import threading
import time

import numpy as np
import pytest

import deepbach


def soprano(h):
    return h.chorale.tokens[deepbach.SOPRANO]


def test_harmonize_keeps_the_soprano(model, melody, fast):
    result = deepbach.harmonize(melody, model=model, **fast)
    assert isinstance(result, deepbach.Harmonization) and isinstance(result, deepbach.Score)
    grid = melody.melody_chorale()
    np.testing.assert_array_equal(soprano(result), grid.tokens[deepbach.SOPRANO])
    # The lower voices were sampled: every voice starts with a note or a rest, no padding.
    assert result.chorale.num_ticks == grid.num_ticks
    result.chorale.validate()
    assert len(result.parts) == 4 and [p.name for p in result.parts] == list(deepbach.VOICES)
    assert result.iterations == 5 and result.positions == 8
    assert result.backend == "eigen" and result.seed == 1 and result.chain == 0
    assert len(result.chain_scores) == 1 and result.pseudo_log_likelihood == result.chain_scores[0]
    assert np.isfinite(result.pseudo_log_likelihood) and result.seconds >= 0
    np.testing.assert_array_equal(result.chorale.metadata.fermata, grid.metadata.fermata)
    # The Score of the result is its chorale's.
    np.testing.assert_array_equal(result.to_chorale().tokens, result.chorale.tokens)
    assert "Harmonization" in repr(result)


def test_harmonize_from_a_path_and_a_model_path(window_model_path, melody_path, fast, tmp_path):
    result = deepbach.harmonize(melody_path, model=window_model_path, **fast)
    again = deepbach.harmonize(str(melody_path), model=str(window_model_path), **fast)
    np.testing.assert_array_equal(result.chorale.tokens, again.chorale.tokens)
    deepbach.write_score(result, tmp_path / "h.musicxml")
    deepbach.write_score(result, tmp_path / "h.mid")
    back = deepbach.read_score(tmp_path / "h.musicxml").to_chorale()
    np.testing.assert_array_equal(back.tokens, result.chorale.tokens)
    assert (tmp_path / "h.mid").read_bytes()[:4] == b"MThd"


def test_harmonize_a_chorale_keeps_its_soprano(model, chorale_path, fast):
    chorale = deepbach.read_score(chorale_path)
    result = deepbach.harmonize(chorale, model=model, **fast)
    np.testing.assert_array_equal(soprano(result), chorale.to_chorale().tokens[deepbach.SOPRANO])


def test_same_seed_same_result(model, melody, fast, tmp_path):
    a = deepbach.harmonize(melody, model=model, seed=7, **fast)
    b = deepbach.harmonize(melody, model=model, seed=7, threads=2, **fast)
    np.testing.assert_array_equal(a.chorale.tokens, b.chorale.tokens)
    assert a.pseudo_log_likelihood == b.pseudo_log_likelihood
    deepbach.write_score(a, tmp_path / "a.musicxml")
    deepbach.write_score(b, tmp_path / "b.musicxml")
    assert (tmp_path / "a.musicxml").read_bytes() == (tmp_path / "b.musicxml").read_bytes()
    c = deepbach.harmonize(melody, model=model, seed=8, **fast)
    assert not np.array_equal(a.chorale.tokens, c.chorale.tokens)


def test_seed_none_is_seed_1(model, melody, fast):
    a = deepbach.harmonize(melody, model=model, **fast)
    b = deepbach.harmonize(melody, model=model, seed=1, **fast)
    assert a.seed == 1
    np.testing.assert_array_equal(a.chorale.tokens, b.chorale.tokens)


def test_chains(model, melody, fast):
    result = deepbach.harmonize(melody, model=model, chains=3, keep_all_chains=True, **fast)
    assert len(result.chain_scores) == 3 and len(result.chains) == 3
    assert result.pseudo_log_likelihood == max(result.chain_scores)
    np.testing.assert_array_equal(result.chains[result.chain].tokens, result.chorale.tokens)
    for chain in result.chains:
        np.testing.assert_array_equal(chain.tokens[0], result.chorale.tokens[0])
    # Chain c depends only on (seed, c): the first chain is the one-chain result.
    one = deepbach.harmonize(melody, model=model, chains=1, keep_all_chains=True, **fast)
    np.testing.assert_array_equal(one.chains[0].tokens, result.chains[0].tokens)
    assert deepbach.harmonize(melody, model=model, chains=2, **fast).chains == []


def test_full_mode_model_and_options(full_model, melody):
    result = deepbach.harmonize(melody, model=full_model, iterations=3, positions=4, temperature=0.5,
                                schedule="uniform", threads=0)
    assert result.iterations == 3 and result.positions == 4
    np.testing.assert_array_equal(soprano(result), melody.melody_chorale().tokens[0])


def test_generate(model, fast):
    result = deepbach.generate(4, model=model, time="3/4", key="D", **fast)
    grid = result.chorale
    assert grid.num_ticks == 4 * 12
    assert grid.metadata.measures == [(0, "1"), (12, "2"), (24, "3"), (36, "4")]
    assert grid.metadata.times[0].beats == 3 and grid.metadata.keys[0].fifths == 2
    assert (grid.metadata.key_fifths == 2).all()
    grid.validate()
    minor = deepbach.generate(2, model=model, key="g minor", **fast)
    assert minor.chorale.metadata.keys[0].fifths == -2 and minor.chorale.metadata.keys[0].mode == "minor"
    by_fifths = deepbach.generate(2, model=model, key=-1, mode="major", **fast)
    assert by_fifths.keys[0].fifths == -1
    same = deepbach.generate(4, model=model, time="3/4", key="D", **fast)
    np.testing.assert_array_equal(same.chorale.tokens, grid.tokens)


def test_generate_errors(model):
    with pytest.raises(deepbach.Error, match="time"):
        deepbach.generate(2, model=model, time="four")
    with pytest.raises(deepbach.Error, match="key"):
        deepbach.generate(2, model=model, key="H")
    with pytest.raises(deepbach.Error, match="bars"):
        deepbach.generate(0, model=model)


@pytest.fixture
def four_bars(model, tmp_path):
    """A generated four-part piece of 4 bars, as a file."""
    path = tmp_path / "four.musicxml"
    deepbach.write_score(deepbach.generate(4, model=model, iterations=5, seed=3), path)
    return path


def heard(tokens):
    """Per voice and tick, the token of the note or rest sounding there (holds followed back)."""
    out = np.array(tokens, copy=True)
    for t in range(1, out.shape[1]):
        held = out[:, t] == deepbach.HOLD
        out[held, t] = out[held, t - 1]
    return out


def expect_same_outside(before, after, inside):
    """Outside `inside` (a voices x ticks mask) the same notes sound tick by tick with the
    same onsets, except that the cell after a region may strike again a note held over its
    end."""
    np.testing.assert_array_equal(heard(after)[~inside], heard(before)[~inside])
    after_region = np.zeros(inside.shape, dtype=bool)
    after_region[:, 1:] = inside[:, :-1] & ~inside[:, 1:]
    struck = after_region & (before == deepbach.HOLD) & (after != deepbach.HOLD)
    keep = ~inside & ~struck
    np.testing.assert_array_equal(after[keep], before[keep])


def test_reharmonize_leaves_outside_cells_alone(model, four_bars, fast):
    before = deepbach.read_score(four_bars).to_chorale()
    begin, end = before.bar_ticks("2", "3")
    inside = np.zeros(before.tokens.shape, dtype=bool)
    inside[1:, begin:end] = True
    changed = 0
    for seed in (1, 2):
        result = deepbach.reharmonize(four_bars, bars="2-3", voices="ATB", model=model, seed=seed, **fast)
        after = result.chorale.tokens
        np.testing.assert_array_equal(after[0], before.tokens[0])  # the soprano is not in the region
        np.testing.assert_array_equal(after[1:, :begin], before.tokens[1:, :begin])
        expect_same_outside(before.tokens, after, inside)
        changed += int((after[1:, begin:end] != before.tokens[1:, begin:end]).sum())
    assert changed > 0


def test_reharmonize_keeps_a_note_held_over_the_end(model, chorale_path, fast):
    # bwv10.7: the alto's B of bar 12 is tied into bar 13.
    before = deepbach.read_score(chorale_path).to_chorale()
    begin, end = before.bar_ticks("11", "12")
    assert before.tokens[1, end] == deepbach.HOLD
    inside = np.zeros(before.tokens.shape, dtype=bool)
    inside[1:, begin:end] = True
    for seed in (1, 2):
        result = deepbach.reharmonize(chorale_path, bars="11-12", voices="ATB", model=model, seed=seed, **fast)
        expect_same_outside(before.tokens, result.chorale.tokens, inside)


def test_reharmonize_with_regions_from_constraints(model, chorale_path, fast):
    score = deepbach.read_score(chorale_path)
    before = score.to_chorale()
    regions = deepbach.Constraints().region("3", "B").region(("5", "6"), ["alto", 2])
    result = deepbach.reharmonize(score, regions, model=model, **fast)
    inside = np.zeros(before.tokens.shape, dtype=bool)
    b3 = slice(*before.bar_ticks("3"))
    b56 = slice(*before.bar_ticks("5", "6"))
    inside[3, b3] = True
    inside[1:3, b56] = True
    expect_same_outside(before.tokens, result.chorale.tokens, inside)


def test_reharmonize_needs_a_region(model, four_bars):
    with pytest.raises(deepbach.Error, match="no region"):
        deepbach.reharmonize(four_bars, model=model)
    with pytest.raises(deepbach.Error, match="no bar 9"):
        deepbach.reharmonize(four_bars, bars="9", model=model)


def test_sample_grid(model, fast):
    base = deepbach.Chorale.empty(32)
    constraints = deepbach.Constraints().region(ticks=(0, 16), voices="SATB")
    result = deepbach.sample_grid(base, constraints, model=model, **fast)
    np.testing.assert_array_equal(result.chorale.tokens[:, 16:], base.tokens[:, 16:])
    assert (result.chorale.tokens[:, 0] != deepbach.HOLD).all()
    everything = deepbach.sample_grid(base, model=model, **fast)
    assert (everything.chorale.tokens != base.tokens).any()


def test_option_errors(model, melody):
    with pytest.raises(deepbach.Error, match="chains"):
        deepbach.harmonize(melody, model=model, chains=0)
    with pytest.raises(deepbach.Error, match="temperature"):
        deepbach.harmonize(melody, model=model, temperature=0)
    with pytest.raises(deepbach.Error, match="schedule"):
        deepbach.harmonize(melody, model=model, schedule="random")
    with pytest.raises(deepbach.Error, match="cuda"):
        deepbach.harmonize(melody, model=model, device="cuda")
    with pytest.raises(deepbach.Error, match="backend|backends"):
        deepbach.harmonize(melody, model=model, backend="tpu", iterations=1)
    with pytest.raises(deepbach.Error, match="seed"):
        deepbach.harmonize(melody, model=model, seed=-1)
    with pytest.raises(TypeError):
        deepbach.harmonize(melody, model=model, seed="7")
    with pytest.raises(TypeError):
        deepbach.harmonize(melody, model=model, progress=42)
    with pytest.raises(TypeError):
        deepbach.harmonize(melody, "not constraints", model=model)
    with pytest.raises(deepbach.Error, match="nowhere.safetensors"):
        deepbach.harmonize(melody, model="nowhere.safetensors")
    with pytest.raises(deepbach.Error, match="melody.txt"):
        deepbach.harmonize("melody.txt", model=model)


def test_the_shipped_model_is_the_default(melody, monkeypatch):
    monkeypatch.delenv("DEEPBACH_MODEL", raising=False)
    path = deepbach.default_model_path()
    assert str(path).endswith("deepbach.safetensors")
    result = deepbach.harmonize(melody, iterations=3)
    assert result.chorale.num_ticks == melody.melody_chorale().num_ticks
    assert deepbach.Model.default().mode == "full"


def test_progress_is_called(model, melody):
    calls = []
    deepbach.harmonize(melody, model=model, iterations=4, progress=lambda d, t, w: calls.append((d, t, w)))
    assert [c[0] for c in calls] == [1, 2, 3, 4] and all(c[1] == 4 for c in calls)


def test_progress_false_cancels(model, melody):
    with pytest.raises(deepbach.Cancelled) as info:
        deepbach.harmonize(melody, model=model, iterations=50, progress=lambda d, t, w: d < 2)
    assert isinstance(info.value, deepbach.Error)


def test_progress_exception_propagates(model, melody):
    def progress(done, total, what):
        raise ValueError("stop here")

    with pytest.raises(ValueError, match="stop here"):
        deepbach.harmonize(melody, model=model, iterations=50, progress=progress)


def test_ctrl_c_interrupts_a_long_call(model, melody):
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    started = time.monotonic()
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            # Safety: give up after 60 s if the interrupt never came through.
            deepbach.harmonize(melody, model=model, iterations=10_000_000,
                               progress=lambda d, t, w: time.monotonic() - started < 60)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 30


def test_the_gil_is_released_while_sampling(model, melody):
    counter = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            counter[0] += 1

    # How fast the spinning thread counts on its own.
    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        c0, t0 = counter[0], time.monotonic()
        time.sleep(0.2)
        rate = (counter[0] - c0) / (time.monotonic() - t0)
        c0, t0 = counter[0], time.monotonic()
        deepbach.harmonize(melody, model=model, iterations=150)
        elapsed = time.monotonic() - t0
        counted = counter[0] - c0
    finally:
        stop.set()
        spinner.join()
    assert elapsed > 0.05
    # Holding the GIL, the spinner would hardly count at all during the call.
    assert counted > 0.25 * rate * elapsed, (counted, rate, elapsed)


def test_two_threads_sample_at_once(model, melody, fast):
    results = {}

    def run(seed):
        results[seed] = deepbach.harmonize(melody, model=model, seed=seed, **fast)

    threads = [threading.Thread(target=run, args=(s,)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    alone = deepbach.harmonize(melody, model=model, seed=2, **fast)
    np.testing.assert_array_equal(results[2].chorale.tokens, alone.chorale.tokens)


@pytest.mark.skipif(not deepbach.HAVE_TORCH, reason="built without LibTorch: no 'torch' backend")
def test_torch_backend_on_the_cpu(model, melody, fast):
    result = deepbach.harmonize(melody, model=model, backend="torch", device="cpu", **fast)
    assert result.backend == "torch-cpu"
    np.testing.assert_array_equal(soprano(result), melody.melody_chorale().tokens[0])


@pytest.mark.skipif(not deepbach.cuda_available(), reason="no CUDA device (or no LibTorch)")
def test_torch_backend_on_cuda(model, melody, fast):
    result = deepbach.harmonize(melody, model=model, backend="torch", device="cuda", **fast)
    assert result.backend == "torch-cuda"
    np.testing.assert_array_equal(soprano(result), melody.melody_chorale().tokens[0])


def test_fixed_cells_and_the_piano_roll(model, four_bars, fast, tmp_path):
    result = deepbach.reharmonize(four_bars, bars="2-3", voices="ATB", model=model, seed=1, **fast)
    begin, end = result.chorale.bar_ticks("2", "3")
    fixed = result.fixed
    assert fixed.dtype == np.bool_ and fixed.shape == (4, result.chorale.num_ticks)
    assert fixed[0].all()  # the soprano is not in the region
    assert not fixed[1:, begin:end].any() and fixed[1:, :begin].all() and fixed[1:, end:].all()
    path = tmp_path / "roll.svg"
    result.write_svg(path)
    text = path.read_text()
    assert text.startswith("<?xml") and text.rstrip().endswith("</svg>")
    assert 'class="fixed"' in text and 'class="generated"' in text
    # Any chorale, with or without a mask; a mask of the wrong shape is an error.
    plain = tmp_path / "plain.svg"
    deepbach.write_piano_roll(result.chorale, plain, title="Plain")
    assert 'class="note"' in plain.read_text() and "Plain" in plain.read_text()
    with pytest.raises(deepbach.Error, match="voices x ticks"):
        deepbach.write_piano_roll(result.chorale, plain, fixed=fixed[:, 1:])


def test_voice_leading_guide(model, melody, fast):
    plain = deepbach.harmonize(melody, model=model, voice_leading=0, **fast)
    guided = deepbach.harmonize(melody, model=model, voice_leading=5, **fast)
    assert not np.array_equal(plain.chorale.tokens, guided.chorale.tokens)
    np.testing.assert_array_equal(plain.chorale.tokens[0], guided.chorale.tokens[0])
    with pytest.raises(deepbach.Error, match="voice leading -1: expected a number >= 0"):
        deepbach.harmonize(melody, model=model, voice_leading=-1, **fast)
