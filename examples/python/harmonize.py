#!/usr/bin/env python3
"""Harmonizes a melody in the style of Bach's chorales and writes MusicXML and MIDI.

    python3 examples/python/harmonize.py                      # Old Hundredth, the shipped model
    python3 examples/python/harmonize.py melody.musicxml --model m.safetensors \\
        -o harmonized.musicxml --midi harmonized.mid --seed 7 --chains 4

The melody is a one-part MusicXML file (or a chorale, whose soprano is kept);
default: examples/melodies/old-hundredth.musicxml. The model is --model, else
the shipped one (deepbach.Model.default(), or $DEEPBACH_MODEL). The soprano
stays note for note; alto, tenor and bass are sampled, with an authentic
cadence under the melody's last fermata. Needs the deepbach package: installed
with pip, or PYTHONPATH=BUILD/python after a CMake build.
"""

import argparse
import os
import sys

import deepbach

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MELODY = os.path.join(HERE, "..", "melodies", "old-hundredth.musicxml")


def last_fermata_beat(grid: deepbach.Chorale) -> int:
    """The beat (from 1) where the melody's last fermata note starts, or 0."""
    fermata = grid.metadata.fermata
    ticks = [t for t in range(grid.num_ticks) if fermata[t] and (t == 0 or not fermata[t - 1])]
    if not ticks:
        return 0
    return ticks[-1] // deepbach.TICKS_PER_QUARTER + 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("melody", nargs="?", default=DEFAULT_MELODY, help="one-part MusicXML melody")
    parser.add_argument("--model", help="model file (.safetensors); default: the shipped model")
    parser.add_argument("-o", "--out", default="harmonized.musicxml", help="MusicXML file to write")
    parser.add_argument("--midi", default=None, help="MIDI file to write (default: OUT with .mid)")
    parser.add_argument("--seed", type=int, default=1, help="seed (the same seed gives the same result)")
    parser.add_argument("--chains", type=int, default=1, help="chains sampled together; the best is kept")
    parser.add_argument("--iterations", type=int, default=None, help="iterations (default: automatic)")
    args = parser.parse_args()

    try:
        model = deepbach.Model.load(args.model) if args.model else deepbach.Model.default()
        melody = deepbach.read_score(args.melody)
        grid = melody.melody_chorale()
        print(f"{melody.title or os.path.basename(args.melody)}: {len(grid.metadata.measures)} bars, "
              f"{grid.num_ticks} ticks; {model.mode} model")

        constraints = deepbach.Constraints()
        beat = last_fermata_beat(grid)
        if beat:
            constraints.cadence(beat, "authentic")

        def progress(done: int, total: int, what: str) -> None:
            if sys.stderr.isatty():
                print(f"\r{what} {done}/{total}", end="", file=sys.stderr, flush=True)

        result = deepbach.harmonize(melody, constraints, model=model, seed=args.seed, chains=args.chains,
                                    iterations=args.iterations, progress=progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)

        # The soprano is the melody, note for note.
        assert (result.chorale.tokens[deepbach.SOPRANO] == grid.tokens[deepbach.SOPRANO]).all()

        midi = args.midi or os.path.splitext(args.out)[0] + ".mid"
        for path in (args.out, midi):
            folder = os.path.dirname(os.path.abspath(path))
            os.makedirs(folder, exist_ok=True)
            deepbach.write_score(result, path)
            print(f"wrote {path}")
        print(f"seed {result.seed}, {result.iterations} iterations, {len(result.chain_scores)} chain(s), "
              f"pseudo-log-likelihood {result.pseudo_log_likelihood:.4f}, {result.seconds:.2f} s")
        bass = deepbach.decode(result.chorale.tokens[deepbach.BASS, ::deepbach.TICKS_PER_QUARTER])
        print("bass, beat by beat:", " ".join(bass))
    except deepbach.Error as error:
        print(f"harmonize.py: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nharmonize.py: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
