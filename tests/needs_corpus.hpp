// The one way a GoogleTest test says it needs the Bach corpus: it is skipped,
// with the reason, when DEEPBACH_CORPUS_DIR holds none (CTest then lists it
// as skipped; tests that need no corpus run as they are).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

namespace deepbach::test_support {

inline bool have_corpus() {
    return std::filesystem::exists(std::filesystem::path(DEEPBACH_CORPUS_DIR) / "bwv10.7.mxl");
}

}  // namespace deepbach::test_support

#define DEEPBACH_NEEDS_CORPUS()                                                       \
    do {                                                                              \
        if (!::deepbach::test_support::have_corpus())                                 \
            GTEST_SKIP() << "needs the Bach corpus: none at " << DEEPBACH_CORPUS_DIR; \
    } while (0)
