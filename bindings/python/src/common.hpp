// deepbach._core: what the binding sources share (type casters, helpers,
// the bridge that lets Python interrupt long calls).
#pragma once

#include <deepbach/deepbach.hpp>

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;

// deepbach::Rational <-> fractions.Fraction (an int, a Fraction or a float
// with an exact binary value is accepted).
namespace pybind11::detail {
template <>
struct type_caster<deepbach::Rational> {
    PYBIND11_TYPE_CASTER(deepbach::Rational, const_name("fractions.Fraction"));

    bool load(handle src, bool convert) {
        if (!src || PyBool_Check(src.ptr())) return false;
        try {
            object fraction = module_::import("fractions").attr("Fraction");
            object number = reinterpret_borrow<object>(src);
            const bool rational = isinstance(number, module_::import("numbers").attr("Rational"));
            if (!rational) {
                if (!convert || !PyFloat_Check(src.ptr())) return false;
                number = fraction(number);
            }
            value = deepbach::Rational(number.attr("numerator").cast<std::int64_t>(),
                                       number.attr("denominator").cast<std::int64_t>());
            return true;
        } catch (const error_already_set&) {
            PyErr_Clear();
            return false;
        } catch (const std::exception&) {
            return false;
        }
    }

    static handle cast(const deepbach::Rational& r, return_value_policy, handle) {
        return module_::import("fractions").attr("Fraction")(r.num(), r.den()).release();
    }
};
}  // namespace pybind11::detail

namespace deepbach::py_bindings {

/// A JSON object of the library (deepbach/report.hpp: to_json) as a dict:
/// to_dict() and `deepbach ... --json` are the same writer.
inline py::dict json_dict(const std::string& json) {
    return py::module_::import("json").attr("loads")(json).cast<py::dict>();
}

/// os.fspath(obj) as a std::string (str or os.PathLike).
std::string fspath(const py::handle& obj);

/// A Score, or a path to read one from (str or os.PathLike).
Score score_from(const py::handle& obj);

/// A voice given as 0..3 or a name ('alto', 'A', '1'). Raises deepbach.Error otherwise.
int voice_arg(const py::handle& voice);

/// A short repr() of a Python value, for messages.
std::string repr_of(const py::handle& obj);

/// Long C++ work started from Python: runs it with the GIL released and
/// gives it a progress callback that takes the GIL back at every call,
/// runs pending signal handlers (Ctrl-C raises KeyboardInterrupt there) and
/// the user's own callback. A Python exception raised there, or a user
/// callback returning False, cancels the work (deepbach::Cancelled); the
/// Python exception is then raised again in the caller, and a plain
/// cancellation stays deepbach.Cancelled.
class Interrupts {
public:
    /// `user`: None or a callable; it gets `args` and returns None/True to go
    /// on, False to cancel.
    explicit Interrupts(py::object user = py::none()) : user_(std::move(user)) {}
    Interrupts(const Interrupts&) = delete;
    Interrupts& operator=(const Interrupts&) = delete;

    /// A ProgressFn for the library: (done, total, what) are passed on.
    ProgressFn progress();

    /// The check itself, with any arguments for the user's callable. Call it
    /// without the GIL (it takes it).
    template <class... Args>
    bool check(Args&&... args) {
        py::gil_scoped_acquire gil;
        if (error_) return false;
        if (PyErr_CheckSignals() != 0) {
            error_ = std::make_unique<py::error_already_set>();
            return false;
        }
        if (user_.is_none()) return true;
        try {
            const py::object result = user_(std::forward<Args>(args)...);
            return result.is_none() || PyObject_IsTrue(result.ptr()) != 0;
        } catch (py::error_already_set& e) {
            error_ = std::make_unique<py::error_already_set>(std::move(e));
            return false;
        }
    }

    /// Runs fn() without the GIL. A Cancelled that a Python exception caused
    /// raises that exception instead.
    template <class Fn>
    auto run(Fn&& fn) -> decltype(fn()) {
        try {
            py::gil_scoped_release release;
            return fn();
        } catch (const Cancelled&) {
            if (error_) {
                std::unique_ptr<py::error_already_set> e = std::move(error_);
                throw py::error_already_set(std::move(*e));
            }
            throw;
        }
    }

private:
    py::object user_;
    std::unique_ptr<py::error_already_set> error_;
};

/// A read-write attribute whose getter returns a copy (never a reference
/// into the C++ object, which assigning the attribute would leave dangling).
template <class Class, class C, class T>
void def_copy(Class& cls, const char* name, T C::*member, const char* doc) {
    cls.def_property(
        name, [member](const C& self) { return self.*member; },
        [member](C& self, T value) { self.*member = std::move(value); }, doc);
}

/// What the binding sources register, one function per source file.
void bind_score(py::module_& m);
void bind_chorale(py::module_& m);
void bind_model(py::module_& m);
void bind_constraints(py::module_& m);
void bind_sampling(py::module_& m);
void bind_evaluation(py::module_& m);

}  // namespace deepbach::py_bindings
