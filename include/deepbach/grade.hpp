// libdeepbach: a grade of how much a four-part chorale is like Bach's, after
// the grading function of "Bach or Mock? A Grading Function for Chorales in
// the Style of J.S. Bach" (Fang, Liu, Seetharaman & Pardo, ICML ML4MD
// workshop 2020, arXiv 2006.13329). Plain counting on the grid; no model.
// docs/evaluation.md ("The grade") has the definitions and Bach's figures.
//
// Each feature of a chorale is a histogram, set against Bach's histogram of
// the same feature (summed over a reference set of his chorales, normally
// the training split of the corpus); a feature's grade is a distance between
// the two normalized histograms, 0 when they are the same, and the grade is
// the sum of the feature grades. Lower is more like Bach.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/evaluation.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace deepbach {

/// The features of the grade, in the order of ChoraleGrade::features.
enum class GradeFeature : int {
    note = 0,           ///< scale degrees, by the chorale's mode
    rhythm,             ///< note durations
    parallel_error,     ///< parallel fifths and octaves, against Bach's rate
    harmonic_quality,   ///< chord qualities, by mode
    soprano_intervals,  ///< directed melodic intervals of the soprano, by mode
    alto_intervals,     ///< ... of the alto
    tenor_intervals,    ///< ... of the tenor
    bass_intervals,     ///< ... of the bass
    repeated_sequence,  ///< lengths of repeated sequences
};
constexpr int kGradeFeatures = 9;

/// The feature's key, as in JSON: "note", "rhythm", "parallel_error",
/// "harmonic_quality", "soprano_intervals", "alto_intervals",
/// "tenor_intervals", "bass_intervals", "repeated_sequence".
const char* grade_feature_key(int feature);
/// The feature's label, as in tables: "note", "rhythm", "parallel errors",
/// "harmonic quality", "S intervals", "A intervals", "T intervals",
/// "B intervals", "repeated sequences".
const char* grade_feature_label(int feature);

/// A key: tonic pitch class (C = 0) and mode.
struct ChoraleKey {
    int tonic = 0;
    bool minor = false;
    /// "C major", "F# minor": major tonics C Db D Eb E F F# G Ab A Bb B,
    /// minor tonics C C# D Eb E F F# G G# A Bb B.
    std::string name() const;
};

/// The key a chorale is in, by the Krumhansl-Schmuckler method: the
/// pitch-class durations (ticks sounded, all voices) are correlated with the
/// Krumhansl-Kessler major and minor profiles rotated to each of the twelve
/// tonics, and the best of the 24 keys wins (ties: the lower tonic, major
/// first). C major for a chorale without notes. Key signatures are not
/// looked at: a Dorian chorale written with one flat fewer is found in its
/// minor key.
ChoraleKey estimate_key(const Chorale& chorale);

/// The quality of the chord the sounding pitch classes make (the root does
/// not matter; spelling and doubling do not count). Triads: major {0,4,7},
/// minor {0,3,7}, diminished {0,3,6}, augmented {0,4,8}. Seventh chords,
/// complete or without their fifth: dominant {0,4,(7),10}, major
/// {0,4,(7),11}, minor {0,3,(7),10}, half-diminished {0,3,6,10}, diminished
/// {0,3,6,9}. Incomplete: one or two pitch classes (an octave, a bare third
/// or fifth). Other: anything else (suspensions, added notes, passing
/// sonorities).
enum class ChordQuality : int {
    major = 0,
    minor,
    diminished,
    augmented,
    dominant_seventh,
    major_seventh,
    minor_seventh,
    half_diminished_seventh,
    diminished_seventh,
    incomplete,
    other,
};
constexpr int kChordQualities = 11;
/// "major", "minor", "diminished", "augmented", "dominant seventh", "major
/// seventh", "minor seventh", "half-diminished seventh", "diminished
/// seventh", "incomplete", "other".
const char* chord_quality_name(ChordQuality quality);
/// The quality of a set of pitch classes, given as a mask (bit p for pitch class p).
ChordQuality chord_quality(std::uint16_t pitch_classes);
/// The quality of what sounds at a chord event (voices that rest take no part).
ChordQuality chord_quality(const ChordEvent& event);

/// A histogram: bin -> weight (a count, or ticks).
using GradeHistogram = std::map<int, double>;

/// The histograms of one chorale that the grade compares with Bach's.
struct GradeHistograms {
    ChoraleKey key;  ///< estimate_key()
    /// Per voice and tick, the chromatic scale degree of the sounding pitch:
    /// semitones above the tonic, 0..11; bin 12 for a rest. (Weighted by
    /// duration: a half note weighs eight sixteenths.)
    GradeHistogram note;
    /// Note durations in ticks (sixteenths), every note of every voice.
    GradeHistogram rhythm;
    /// Chord qualities (ChordQuality as int), one per chord event.
    GradeHistogram harmonic_quality;
    /// Per voice, directed melodic intervals in semitones (up positive)
    /// between consecutive notes; a repeated note is 0; a rest breaks the line.
    std::array<GradeHistogram, kNumVoices> intervals;
    /// Length in ticks -> occurrences of the repeated sequences of that
    /// length, all voices summed (see repeated_sequences()).
    GradeHistogram repeated_sequence;
    /// voice_leading_stats() counts: parallel fifths and octaves, note onsets.
    std::int64_t parallel_fifths = 0, parallel_octaves = 0, notes = 0;
};

GradeHistograms grade_histograms(const Chorale& chorale);

/// The repeated sequences of one voice, as the histogram "length in ticks ->
/// occurrences". A sequence is a run of consecutive ticks of the voice (its
/// tokens: a note or rest starting, or a hold), that starts with a note or a
/// rest, holds at least two notes or rests starting, and occurs at least
/// twice in the voice (occurrences may overlap); it counts its number of
/// occurrences. A sequence is left out when a longer one that contains it
/// occurs as often (it only ever comes as part of the longer one): what
/// remains are the maximal repeated patterns of the correlative-matrix
/// method the paper uses (Hsu, Liu & Chen 2001).
GradeHistogram repeated_sequences(const Chorale& chorale, int voice);

/// Bach's histograms: the sums of GradeHistograms over a set of chorales.
/// The mode-dependent ones are kept per mode of estimate_key(): [0] major,
/// [1] minor, [2] both (used for a mode the reference has no chorale in).
struct GradeReference {
    std::size_t chorales = 0;
    std::array<std::size_t, 2> chorales_in_mode{};  ///< major, minor
    std::array<GradeHistogram, 3> note, harmonic_quality;
    std::array<std::array<GradeHistogram, kNumVoices>, 3> intervals;
    GradeHistogram rhythm, repeated_sequence;
    std::int64_t parallel_fifths = 0, parallel_octaves = 0, notes = 0;
};

/// Bach's histograms over `bach`. Throws Error when it is empty or has no note.
GradeReference grade_reference(const std::vector<Chorale>& bach);

/// The grade of one chorale.
struct ChoraleGrade {
    ChoraleKey key;
    /// Per feature (GradeFeature order), its distance from Bach's.
    std::array<double, kGradeFeatures> features{};
    /// The sum of the features.
    double total = 0;

    double feature(GradeFeature f) const { return features[static_cast<std::size_t>(f)]; }
};

/// Grades `chorale` against `reference`:
///   - every feature but the parallel errors and the repeated sequences:
///     ranked_distance() between the chorale's histogram and Bach's (for the
///     note, harmonic quality and interval features, Bach's in the
///     chorale's mode);
///   - repeated sequences: ordinal_distance() over the lengths in ticks, a
///     chorale without a repeated sequence counting as one of length 0;
///   - parallel errors: 0 without parallel fifths or octaves; else
///     ranked_distance() between the chorale's split of its parallels into
///     fifths and octaves and Bach's, times the chorale's parallels per note
///     over Bach's parallels per note. (A reference without any parallel
///     counts as one with one, split evenly.)
ChoraleGrade grade(const Chorale& chorale, const GradeReference& reference);
/// The same from the chorale's histograms.
ChoraleGrade grade(const GradeHistograms& histograms, const GradeReference& reference);

/// The earth mover's (Wasserstein-1) distance between two normalized
/// histograms of categories laid on a line in Bach's order: the reference's
/// bins from the most to the least frequent (ties: the lower bin first),
/// then the bins only the chorale has, from its least to its most frequent,
/// one unit apart. An empty histogram is all its weight on one more bin past
/// the last. 0 for two histograms in the same proportions.
double ranked_distance(const GradeHistogram& chorale, const GradeHistogram& reference);
/// The earth mover's distance between two normalized histograms whose bins
/// are positions on a line (the bins' own values: lengths in ticks). An
/// empty histogram is all its weight at 0.
double ordinal_distance(const GradeHistogram& chorale, const GradeHistogram& reference);

/// Medians and means of the grades of a set of chorales, per feature and of
/// the total (0 without chorales; the median of an even number is the mean
/// of the middle two).
struct GradeSummary {
    std::size_t chorales = 0;
    std::array<double, kGradeFeatures> median{}, mean{};
    double median_total = 0, mean_total = 0;
};
GradeSummary summarize_grades(const std::vector<ChoraleGrade>& grades);

}  // namespace deepbach
