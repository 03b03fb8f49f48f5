// libdeepbach: exact rational numbers for onsets and durations.
#pragma once

#include <cstdint>
#include <string>

namespace deepbach {

/// An exact fraction num/den (den > 0, reduced), used for onsets and
/// durations measured in quarter notes.
class Rational {
public:
    constexpr Rational() = default;
    Rational(std::int64_t num, std::int64_t den = 1);  // throws Error if den == 0

    std::int64_t num() const { return num_; }
    std::int64_t den() const { return den_; }
    double to_double() const { return static_cast<double>(num_) / static_cast<double>(den_); }
    std::string to_string() const;  ///< "3/4", "2", "-1/8"

    /// True when the value is an integer multiple of 1/q.
    bool is_multiple_of(const Rational& q) const;
    /// floor(value)
    std::int64_t floor() const;

    friend Rational operator+(const Rational& a, const Rational& b);
    friend Rational operator-(const Rational& a, const Rational& b);
    friend Rational operator*(const Rational& a, const Rational& b);
    friend Rational operator/(const Rational& a, const Rational& b);
    Rational operator-() const { return Rational(-num_, den_); }
    Rational& operator+=(const Rational& b) { return *this = *this + b; }
    Rational& operator-=(const Rational& b) { return *this = *this - b; }

    friend bool operator==(const Rational& a, const Rational& b) {
        return a.num_ == b.num_ && a.den_ == b.den_;
    }
    friend bool operator!=(const Rational& a, const Rational& b) { return !(a == b); }
    friend bool operator<(const Rational& a, const Rational& b);
    friend bool operator>(const Rational& a, const Rational& b) { return b < a; }
    friend bool operator<=(const Rational& a, const Rational& b) { return !(b < a); }
    friend bool operator>=(const Rational& a, const Rational& b) { return !(a < b); }

private:
    std::int64_t num_ = 0;
    std::int64_t den_ = 1;
};

}  // namespace deepbach
