"""examples/python/harmonize.py end to end with the test model."""

import os
import subprocess
import sys

import numpy as np
import pytest

import deepbach


def test_example_writes_musicxml_and_midi(examples_dir, window_model_path, tmp_path):
    script = examples_dir / "python" / "harmonize.py"
    if not script.is_file():
        pytest.skip(f"no example at {script}")
    out = tmp_path / "out" / "old-hundredth.musicxml"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(deepbach.__file__)),
                                         env.get("PYTHONPATH", "")])
    run = subprocess.run([sys.executable, str(script), "--model", str(window_model_path), "--iterations", "5",
                          "--seed", "4", "-o", str(out)], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "wrote" in run.stdout
    midi = out.with_suffix(".mid")
    assert midi.read_bytes()[:4] == b"MThd"
    result = deepbach.read_score(out)
    melody = deepbach.read_score(examples_dir / "melodies" / "old-hundredth.musicxml")
    assert len(result.parts) == 4
    np.testing.assert_array_equal(result.to_chorale().tokens[0], melody.melody_chorale().tokens[0])


def test_example_reports_errors(examples_dir, tmp_path):
    script = examples_dir / "python" / "harmonize.py"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(deepbach.__file__)),
                                         env.get("PYTHONPATH", "")])
    run = subprocess.run([sys.executable, str(script), "--model", str(tmp_path / "none.safetensors"),
                          "-o", str(tmp_path / "x.musicxml")], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "none.safetensors" in run.stderr
