"""Writes the small untrained models the Python tests and the example use.

    make_test_models.py CORPUS_DIR OUT_DIR

OUT_DIR/random-window.safetensors and OUT_DIR/random-full.safetensors: seeded
random weights (small sizes) made through the Python API, with the corpus's
vocabularies and voice ranges when CORPUS_DIR holds it, else with the chorale
ranges and every pitch spelled with at most one accidental, so the tests need
neither a trained model nor the corpus. Sampling constraints hold whatever
the weights.
"""

import os
import sys

import deepbach


def make_models(corpus_dir: str, out_dir: str) -> None:
    if os.path.isfile(os.path.join(corpus_dir, "bwv10.7.mxl")):
        corpus = deepbach.load_corpus(corpus_dir, threads=0)
        vocabularies, ranges, source = corpus.vocabularies(), corpus.ranges(), f"{len(corpus)} chorales"
    else:
        ranges = list(deepbach.CHORALE_RANGES)
        vocabularies = [deepbach.spelled_vocabulary(r) for r in ranges]
        source = "no corpus: spelled vocabularies"
    os.makedirs(out_dir, exist_ok=True)
    for mode in ("window", "full"):
        config = deepbach.ModelConfig(mode=mode, lstm_hidden=24, mlp_hidden=24, note_embedding=8, meta_embedding=4)
        model = deepbach.Model.initialize(config, vocabularies, ranges, seed=1)
        path = os.path.join(out_dir, f"random-{mode}.safetensors")
        model.save(path)
        print(f"wrote {path} ({model.num_parameters} parameters, {source})")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_test_models.py CORPUS_DIR OUT_DIR")
    make_models(sys.argv[1], sys.argv[2])
