"""Fixtures of the deepbach Python tests.

CTest runs them with PYTHONPATH=BUILD/python and, from CMake, the corpus
(DEEPBACH_CORPUS_DIR), the test data (DEEPBACH_TEST_DATA_DIR) and two small
untrained models (DEEPBACH_TEST_MODEL_WINDOW / _FULL, written by
make_test_models.py, with or without the corpus). Run by hand (pytest
bindings/python/tests), the models are made here, and tests that need the
corpus skip with the reason when it is missing.
"""

import os
import pathlib

import pytest

import deepbach

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent


def _dir(env: str, fallback: pathlib.Path) -> pathlib.Path:
    value = os.environ.get(env)
    return pathlib.Path(value) if value else fallback


@pytest.fixture(scope="session")
def data_dir() -> pathlib.Path:
    path = _dir("DEEPBACH_TEST_DATA_DIR", ROOT / "tests" / "data")
    if not (path / "melody_musescore.musicxml").is_file():
        pytest.skip(f"no test data in {path}")
    return path


@pytest.fixture(scope="session")
def corpus_dir() -> pathlib.Path:
    path = _dir("DEEPBACH_CORPUS_DIR", ROOT.parent / "shared" / "corpus" / "bach")
    if not (path / "bwv10.7.mxl").is_file():
        pytest.skip(f"no Bach corpus in {path} (see corpus/README.md)")
    return path


@pytest.fixture(scope="session")
def examples_dir() -> pathlib.Path:
    return _dir("DEEPBACH_EXAMPLES_DIR", ROOT / "examples")


@pytest.fixture(scope="session")
def melody_path(data_dir) -> pathlib.Path:
    """A MuseScore-style one-part hymn tune: a pickup, 4 bars, two fermatas, G major."""
    return data_dir / "melody_musescore.musicxml"


@pytest.fixture(scope="session")
def chorale_path(corpus_dir) -> pathlib.Path:
    """bwv10.7: G minor, 22 bars, fermatas in bars 5, 9, 14 and 22."""
    return corpus_dir / "bwv10.7.mxl"


def _model_path(mode: str, tmp_path_factory) -> pathlib.Path:
    given = os.environ.get(f"DEEPBACH_TEST_MODEL_{mode.upper()}")
    if given and os.path.isfile(given):
        return pathlib.Path(given)
    corpus = _dir("DEEPBACH_CORPUS_DIR", ROOT.parent / "shared" / "corpus" / "bach")
    out = tmp_path_factory.mktemp("models")
    from make_test_models import make_models

    make_models(str(corpus), str(out))
    return out / f"random-{mode}.safetensors"


@pytest.fixture(scope="session")
def window_model_path(tmp_path_factory) -> pathlib.Path:
    return _model_path("window", tmp_path_factory)


@pytest.fixture(scope="session")
def full_model_path(tmp_path_factory) -> pathlib.Path:
    return _model_path("full", tmp_path_factory)


@pytest.fixture(scope="session")
def model(window_model_path) -> deepbach.Model:
    """A small untrained window-mode model with the corpus's vocabularies."""
    return deepbach.Model.load(window_model_path)


@pytest.fixture(scope="session")
def full_model(full_model_path) -> deepbach.Model:
    return deepbach.Model.load(full_model_path)


@pytest.fixture(scope="session")
def melody(melody_path) -> deepbach.Score:
    return deepbach.read_score(melody_path)


@pytest.fixture
def fast():
    """Keyword arguments for quick sampling in tests."""
    return {"iterations": 5}
