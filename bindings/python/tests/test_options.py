"""One rule in one place: the command, the Python package and C++ share the
sampling defaults and give the same error text for the same bad option
(tests/data/bad_options.json; the C++ side is tests/options_test.cpp)."""

import json
import os
import pathlib
import subprocess

import pytest

import deepbach


def _table(data_dir: pathlib.Path):
    return json.loads((data_dir / "bad_options.json").read_text(encoding="utf-8"))


def _cli() -> str:
    path = os.environ.get("DEEPBACH_CLI")
    if not path or not os.path.isfile(path):
        pytest.skip("DEEPBACH_CLI does not name the deepbach command (CTest sets it)")
    return path


def test_python_gives_the_shared_error_text(data_dir, melody_path, window_model_path):
    model = deepbach.Model.load(window_model_path)
    for row in _table(data_dir):
        with pytest.raises(deepbach.Error) as raised:
            options = {"iterations": 1, row["option"]: row["value"]}
            deepbach.harmonize(melody_path, model=model, **options)
        assert str(raised.value) == row["error"], row


def test_the_command_gives_the_same_error_text(data_dir, melody_path, window_model_path, tmp_path):
    cli = _cli()
    for row in _table(data_dir):
        flag = "--" + row["option"].replace("_", "-")
        value = str(row["value"])
        few = [] if row["option"] == "iterations" else ["--iterations", "1"]
        done = subprocess.run(
            [cli, "harmonize", str(melody_path), "-o", str(tmp_path / "never.musicxml"), "--model",
             str(window_model_path), *few, f"{flag}={value}"],
            capture_output=True, text=True)
        assert done.returncode == 1, (row, done.stderr)
        assert done.stderr.strip() == "deepbach: error: " + row["error"], row
        assert not (tmp_path / "never.musicxml").exists()


def test_the_defaults_are_the_libraries(window_model_path, tmp_path):
    defaults = deepbach.SAMPLING_DEFAULTS
    assert defaults["seed"] == 1 and defaults["threads"] == 0 and defaults["chains"] == 1
    assert defaults["schedule"] == "auto" and defaults["backend"] == "eigen" and defaults["device"] == "cpu"
    import inspect

    params = inspect.signature(deepbach.harmonize).parameters
    for name in ("temperature", "voice_leading", "chains", "schedule", "backend", "device", "threads"):
        assert params[name].default == defaults[name], name
    # The command's --help shows the same defaults.
    cli = _cli()
    help_text = subprocess.run([cli, "harmonize", "--help"], capture_output=True, text=True).stdout
    for flag, value in (("--seed", "1"), ("--threads", str(defaults["threads"])), ("--chains", "1"),
                        ("--schedule", "auto"), ("--backend", "eigen"), ("--device", "cpu")):
        line = next(l for l in help_text.splitlines() if l.strip().startswith(flag + " "))
        assert f"={value} " in line + " " or f"[{value}]" in line, line
    # And the same seed gives the same notes through both.
    out = tmp_path / "cli.musicxml"
    melody = pathlib.Path(os.environ.get("DEEPBACH_TEST_DATA_DIR", "")) / "melody_musescore.musicxml"
    if not melody.is_file():
        pytest.skip("no test data")
    subprocess.run([cli, "harmonize", str(melody), "-o", str(out), "--model", str(window_model_path),
                    "--iterations", "3"], check=True, capture_output=True)
    via_cli = deepbach.read_score(out).to_chorale().tokens
    via_python = deepbach.harmonize(melody, model=window_model_path, iterations=3).chorale.tokens
    assert (via_cli == via_python).all()
