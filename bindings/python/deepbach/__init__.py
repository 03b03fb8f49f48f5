"""libdeepbach from Python: Bach chorale harmonization after DeepBach.

Read a melody, harmonize it, write MusicXML and MIDI::

    import deepbach

    melody = deepbach.read_score("melody.musicxml")
    result = deepbach.harmonize(melody, model=deepbach.Model.load("m.safetensors"), seed=7)
    deepbach.write_score(result, "harmonized.musicxml")
    deepbach.write_score(result, "harmonized.mid")

The chorale grid is a numpy array (4 voices x ticks, 4 ticks per quarter)::

    grid = deepbach.read_score("bwv10.7.mxl").to_chorale()
    grid.tokens[deepbach.BASS, :16]          # int16 tokens, no copy
    deepbach.decode(grid.tokens[0, :8])      # their names: 'G4', '__', ...

Every library error is deepbach.Error (an Exception) with the C++ message,
naming the file, bar and voice. Long calls (sampling, evaluate, train,
load_corpus) release the GIL, and Ctrl-C interrupts them (KeyboardInterrupt).

Voice-leading statistics (parallel fifths and octaves, crossings, ...) of a
grid, and its agreement with Bach's, as `deepbach evaluate --rules` counts::

    stats = deepbach.voice_leading_stats(result.chorale)
    stats.parallels, stats.voice_crossings, stats.to_dict()

See docs/python.md for the whole API.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Optional, Sequence, Union

import numpy as np

try:
    from . import _core
except ImportError as _error:  # pragma: no cover - a source folder without the built module
    raise ImportError(
        "deepbach._core is not built here (" + __file__ + "): build the project with CMake and use "
        "PYTHONPATH=BUILD/python, or install with `python3 -m pip install --no-build-isolation ./bindings/python` "
        f"(see docs/python.md); the import said: {_error}"
    ) from _error
from ._core import (
    ALTO,
    BASS,
    CHORALE_RANGES,
    END,
    FIRST_PITCH,
    HAVE_TORCH,
    HOLD,
    NUM_VOICES,
    REST,
    SAMPLING_DEFAULTS,
    SOPRANO,
    START,
    TENOR,
    TICKS_PER_QUARTER,
    TOKEN_COUNT,
    TOKEN_NAMES,
    VOICES,
    Agreement,
    Cancelled,
    ChordEvent,
    Chorale,
    CalibrationProgress,
    ChoraleMetadata,
    Constraints,
    Corpus,
    Error,
    Evaluation,
    GridKeySignature,
    GridTimeSignature,
    Harmonization,
    KeySignature,
    Measure,
    Model,
    ModelConfig,
    Note,
    Part,
    Pitch,
    Score,
    TimeSignature,
    TrainingRecord,
    VoiceLeadingOptions,
    VoiceLeadingStats,
    VoiceLeadingSummary,
    VoiceMetrics,
    VoiceRange,
    Vocabulary,
    agreement,
    chord_events,
    cuda_available,
    default_model_path,
    calibrate,
    evaluate,
    is_pitch,
    load_corpus,
    parse_voice,
    read_score,
    rule_counts,
    spelled_vocabulary,
    summarize,
    token_from_pitch,
    token_name,
    token_parse,
    token_to_pitch,
    train,
    voice_leading_faults,
    voice_leading_stats,
    voice_name,
    write_midi,
    write_musicxml,
    write_piano_roll,
    write_score,
)

if HAVE_TORCH:
    from ._core import TrainProgress  # noqa: F401

__version__: str = _core.__version__

PathLike = Union[str, "os.PathLike[str]"]
ScoreLike = Union[Score, str, "os.PathLike[str]"]
ModelLike = Union[Model, str, "os.PathLike[str]", None]
ProgressFn = Callable[[int, int, str], Optional[bool]]

_TOKEN_NAMES = np.asarray(TOKEN_NAMES, dtype=object)


def decode(tokens: Any) -> np.ndarray:
    """The names of tokens ('__', 'rest', 'C#4', ...), as a numpy array of str
    objects of the same shape: ``decode(chorale.tokens)`` spells a whole grid.

    Raises deepbach.Error for a value that is no token.
    """
    array = np.asarray(tokens)
    if array.size and (array.min() < 0 or array.max() >= TOKEN_COUNT):
        bad = array[(array < 0) | (array >= TOKEN_COUNT)].flat[0]
        raise Error(f"token {int(bad)} does not exist (0..{TOKEN_COUNT - 1})")
    return _TOKEN_NAMES[array.astype(np.intp)]


def encode(names: Any) -> np.ndarray:
    """The tokens (numpy int16) of names ('__', 'rest', 'C#4', ...), of the same
    shape: the inverse of decode(). Raises deepbach.Error for an unknown name."""
    array = np.asarray(names, dtype=object)
    out = np.empty(array.shape, dtype=np.int16)
    for index, name in np.ndenumerate(array):
        out[index] = token_parse(str(name))
    return out


# The sampling defaults are the C++ library's (deepbach::SamplingOptions{}),
# so the command, C++ and Python agree.
_DEFAULTS = _core.SAMPLING_DEFAULTS


def _options(
    model: ModelLike,
    seed: Optional[int],
    sweeps: Optional[int],
    iterations: Optional[int],
    temperature: float,
    voice_leading: float,
    chains: int,
    positions: Optional[int],
    schedule: str,
    backend: str,
    device: str,
    threads: int,
    keep_all_chains: bool,
    progress: Optional[ProgressFn],
) -> dict:
    return {
        "model": model,
        "seed": seed,
        "sweeps": sweeps,
        "iterations": iterations,
        "temperature": temperature,
        "voice_leading": voice_leading,
        "chains": chains,
        "positions": positions,
        "schedule": schedule,
        "backend": backend,
        "device": device,
        "threads": threads,
        "keep_all_chains": keep_all_chains,
        "progress": progress,
    }


_SAMPLING_DOC = """
    Sampling keywords (all the calls share them):

    - model: a Model (load it once and reuse it), a model file path, or None
      for the shipped model (Model.default(); $DEEPBACH_MODEL overrides it).
    - seed: every random choice flows from it; None means the default (1), so that the same
      call gives the same result (pass e.g. random.getrandbits(64) for a new
      one each time). The same seed, model, options and input give the same
      result, byte for byte once written, whatever the threads.
    - sweeps: redraws of every free cell; None (or 0): the library's
      default (SAMPLING_DEFAULTS; chosen on the quality-against-time curve
      of docs/benchmarks.md).
    - iterations: passes of each voice instead of sweeps (None or 0: by sweeps).
    - temperature: where the annealing ends (it starts at 1.1); lower is more
      conservative.
    - voice_leading: strength of the voice-leading guide (1.0): candidate
      notes lose 4 nats per parallel fifth or octave they would write, 2 per
      hidden octave in the outer voices and 1 per fifth or octave by
      contrary motion, hidden fifth, crossing or spacing over an octave; 0
      samples the model alone, as DeepBach does.
    - chains: chains sampled together; the best (highest pseudo-log-likelihood)
      is returned; keep_all_chains=True keeps every chain in result.chains.
    - positions: cells redrawn per voice and pass, at most; None: 8 in window
      mode; in full mode every cell the sweep may take (it never draws two
      neighbouring cells of a voice in one pass), 32 with the uniform schedule.
    - schedule: 'auto' (blocked for a model with a mask input, else sweep), 'blocked'
      (Coconet's annealed blocks from a masked start), 'sweep' (each free cell once before any twice) or 'uniform'
      (DeepBach's).
    - backend: 'eigen' (CPU, always there) or 'torch' (LibTorch builds);
      device: 'cpu', 'cuda' or 'auto' (torch backend).
    - threads: CPU threads (0: all cores); the result does not depend on it.
    - progress: progress(done, total, what) after each iteration; return
      False to cancel (deepbach.Cancelled).

    The GIL is released while sampling; Ctrl-C raises KeyboardInterrupt.
    Returns a deepbach.Harmonization: a Score with .chorale,
    .pseudo_log_likelihood, .chain_scores, .iterations, .seconds, .backend.
    Raises deepbach.Error for a bad input, model or option, or constraints
    that contradict each other (the message names the bar and voice).
"""


def harmonize(
    melody: ScoreLike,
    constraints: Optional[Constraints] = None,
    *,
    model: ModelLike = None,
    seed: Optional[int] = None,
    sweeps: Optional[int] = None,
    iterations: Optional[int] = None,
    temperature: float = _DEFAULTS["temperature"],
    voice_leading: float = _DEFAULTS["voice_leading"],
    chains: int = _DEFAULTS["chains"],
    positions: Optional[int] = None,
    schedule: str = _DEFAULTS["schedule"],
    backend: str = _DEFAULTS["backend"],
    device: str = _DEFAULTS["device"],
    threads: int = _DEFAULTS["threads"],
    keep_all_chains: bool = False,
    progress: Optional[ProgressFn] = None,
) -> Harmonization:
    return _core._harmonize(
        melody,
        constraints,
        _options(model, seed, sweeps, iterations, temperature, voice_leading, chains, positions, schedule, backend, device,
                 threads, keep_all_chains, progress),
    )


harmonize.__doc__ = """Harmonizes a melody: alto, tenor and bass are sampled under it.

    melody: a Score or a file path: a one-part melody, or a chorale whose
    soprano is taken. The soprano of the result equals the melody note for
    note. constraints: a deepbach.Constraints (fixed notes, rhythm, fermatas,
    cadences, keys, ranges, regions); its regions, if any, limit what is
    redrawn further (the soprano never is).
""" + _SAMPLING_DOC


def generate(
    bars: int = 8,
    constraints: Optional[Constraints] = None,
    *,
    time: str = "4/4",
    key: Union[str, int] = "C",
    mode: Optional[str] = None,
    model: ModelLike = None,
    seed: Optional[int] = None,
    sweeps: Optional[int] = None,
    iterations: Optional[int] = None,
    temperature: float = _DEFAULTS["temperature"],
    voice_leading: float = _DEFAULTS["voice_leading"],
    chains: int = _DEFAULTS["chains"],
    positions: Optional[int] = None,
    schedule: str = _DEFAULTS["schedule"],
    backend: str = _DEFAULTS["backend"],
    device: str = _DEFAULTS["device"],
    threads: int = _DEFAULTS["threads"],
    keep_all_chains: bool = False,
    progress: Optional[ProgressFn] = None,
) -> Harmonization:
    return _core._generate(
        bars,
        constraints,
        time,
        key,
        mode,
        _options(model, seed, sweeps, iterations, temperature, voice_leading, chains, positions, schedule, backend, device,
                 threads, keep_all_chains, progress),
    )


generate.__doc__ = """Generates a new four-part chorale: all four voices sampled.

    bars: its length (bars numbered from 1); time: '4/4', '3/4', '3/2', ...;
    key: 'C', 'D', 'Bb', 'F#m', 'g minor' (a lower-case tonic alone is minor)
    or a signature in fifths (2; mode 'major'/'minor' or None: inferred).
    constraints: a deepbach.Constraints placed on that empty piece (bar
    numbers 1..bars).
""" + _SAMPLING_DOC


def reharmonize(
    score: ScoreLike,
    constraints: Optional[Constraints] = None,
    *,
    bars: Union[str, int, Sequence[Union[str, int]], None] = None,
    voices: Union[str, int, Sequence[Union[str, int]]] = "SATB",
    model: ModelLike = None,
    seed: Optional[int] = None,
    sweeps: Optional[int] = None,
    iterations: Optional[int] = None,
    temperature: float = _DEFAULTS["temperature"],
    voice_leading: float = _DEFAULTS["voice_leading"],
    chains: int = _DEFAULTS["chains"],
    positions: Optional[int] = None,
    schedule: str = _DEFAULTS["schedule"],
    backend: str = _DEFAULTS["backend"],
    device: str = _DEFAULTS["device"],
    threads: int = _DEFAULTS["threads"],
    keep_all_chains: bool = False,
    progress: Optional[ProgressFn] = None,
) -> Harmonization:
    return _core._reharmonize(
        score,
        constraints,
        bars,
        voices,
        _options(model, seed, sweeps, iterations, temperature, voice_leading, chains, positions, schedule, backend, device,
                 threads, keep_all_chains, progress),
    )


reharmonize.__doc__ = """Redraws some bars and voices of a four-part chorale; every other
    note stays as it is.

    score: a Score or a file path (four parts). bars: '3', 3, '3-5' or
    ('3', '5') (numbers as written), with voices: 'ATB', 'alto,bass',
    ['A', 'B'] (default all four). Regions added with
    Constraints.region(...) are redrawn too; at least one region is needed.
    constraints may add fixes inside the regions.
""" + _SAMPLING_DOC


def sample_grid(
    base: Chorale,
    constraints: Optional[Constraints] = None,
    *,
    melody: bool = False,
    model: ModelLike = None,
    seed: Optional[int] = None,
    sweeps: Optional[int] = None,
    iterations: Optional[int] = None,
    temperature: float = _DEFAULTS["temperature"],
    voice_leading: float = _DEFAULTS["voice_leading"],
    chains: int = _DEFAULTS["chains"],
    positions: Optional[int] = None,
    schedule: str = _DEFAULTS["schedule"],
    backend: str = _DEFAULTS["backend"],
    device: str = _DEFAULTS["device"],
    threads: int = _DEFAULTS["threads"],
    keep_all_chains: bool = False,
    progress: Optional[ProgressFn] = None,
) -> Harmonization:
    return _core._sample_grid(
        base,
        constraints,
        melody,
        _options(model, seed, sweeps, iterations, temperature, voice_leading, chains, positions, schedule, backend, device,
                 threads, keep_all_chains, progress),
    )


sample_grid.__doc__ = """The general call: samples every cell of the grid `base` that no
    constraint fixes (and that lies in the constraints' regions, when there
    are any); every other cell keeps base's token. Build base from
    Score.to_chorale(), Chorale.empty(ticks) or Chorale.from_tokens(tokens).
    melody: fermatas given by beat cover the soprano's notes.
""" + _SAMPLING_DOC


__all__ = [
    "ALTO",
    "BASS",
    "CHORALE_RANGES",
    "END",
    "FIRST_PITCH",
    "HAVE_TORCH",
    "HOLD",
    "NUM_VOICES",
    "REST",
    "SAMPLING_DEFAULTS",
    "SOPRANO",
    "START",
    "TENOR",
    "TICKS_PER_QUARTER",
    "TOKEN_COUNT",
    "TOKEN_NAMES",
    "VOICES",
    "Agreement",
    "Cancelled",
    "ChordEvent",
    "Chorale",
    "CalibrationProgress",
    "ChoraleMetadata",
    "Constraints",
    "Corpus",
    "Error",
    "Evaluation",
    "GridKeySignature",
    "GridTimeSignature",
    "Harmonization",
    "KeySignature",
    "Measure",
    "Model",
    "ModelConfig",
    "Note",
    "Part",
    "Pitch",
    "Score",
    "TimeSignature",
    "TrainingRecord",
    "VoiceLeadingOptions",
    "VoiceLeadingStats",
    "VoiceLeadingSummary",
    "VoiceMetrics",
    "VoiceRange",
    "Vocabulary",
    "__version__",
    "agreement",
    "chord_events",
    "cuda_available",
    "decode",
    "default_model_path",
    "encode",
    "calibrate",
    "evaluate",
    "generate",
    "harmonize",
    "is_pitch",
    "load_corpus",
    "parse_voice",
    "read_score",
    "reharmonize",
    "rule_counts",
    "sample_grid",
    "spelled_vocabulary",
    "summarize",
    "token_from_pitch",
    "token_name",
    "token_parse",
    "token_to_pitch",
    "train",
    "voice_leading_faults",
    "voice_leading_stats",
    "voice_name",
    "write_midi",
    "write_musicxml",
    "write_piano_roll",
    "write_score",
]
if HAVE_TORCH:
    __all__.append("TrainProgress")
