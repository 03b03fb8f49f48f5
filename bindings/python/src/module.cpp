// deepbach._core: the compiled part of the Python package deepbach (see
// deepbach/__init__.py for the public API and docs/python.md).
#include "common.hpp"

#include <deepbach/version.hpp>

using namespace deepbach;
using namespace deepbach::py_bindings;

PYBIND11_MODULE(_core, m) {
    m.doc() = "libdeepbach's C++ core (pybind11); use the package deepbach, which re-exports it.";
    m.attr("__version__") = DEEPBACH_PY_VERSION;

    // Every library error is deepbach.Error (an Exception) with the C++
    // message; a cancelled call is deepbach.Cancelled, a deepbach.Error too.
    // Translators registered later are tried first: Cancelled before Error.
    static py::exception<Error> error(m, "Error", PyExc_Exception);
    static py::exception<Cancelled> cancelled(m, "Cancelled", error.ptr());
    error.attr("__module__") = "deepbach";
    cancelled.attr("__module__") = "deepbach";
    error.doc() =
        "Every error libdeepbach reports: a bad file, model, option or constraint. str(e) is the "
        "library's one-line message naming the file, bar and voice where known.";
    cancelled.doc() = "A long call stopped because its progress callable returned False.";
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const Cancelled& e) {
            PyErr_SetString(cancelled.ptr(), e.what());
        } catch (const Error& e) {
            PyErr_SetString(error.ptr(), e.what());
        }
    });

    bind_score(m);
    bind_chorale(m);
    bind_model(m);
    bind_constraints(m);
    bind_sampling(m);
    bind_evaluation(m);
}
