// libdeepbach: everything public in the core library, in one include
// (training and the LibTorch backend: deepbach/train.hpp, deepbach::torch).
#pragma once

#include <deepbach/calibrate.hpp>
#include <deepbach/chorale.hpp>
#include <deepbach/constraints.hpp>
#include <deepbach/corpus.hpp>
#include <deepbach/diagnostics.hpp>
#include <deepbach/error.hpp>
#include <deepbach/evaluation.hpp>
#include <deepbach/grade.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/io.hpp>
#include <deepbach/model.hpp>
#include <deepbach/options.hpp>
#include <deepbach/piano_roll.hpp>
#include <deepbach/pitch.hpp>
#include <deepbach/progress.hpp>
#include <deepbach/rational.hpp>
#include <deepbach/report.hpp>
#include <deepbach/score.hpp>
#include <deepbach/version.hpp>
