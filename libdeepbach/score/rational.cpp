#include <deepbach/error.hpp>
#include <deepbach/rational.hpp>

#include <numeric>

namespace deepbach {

Rational::Rational(std::int64_t num, std::int64_t den) {
    if (den == 0) throw Error("rational number with a zero denominator");
    if (den < 0) {
        num = -num;
        den = -den;
    }
    const std::int64_t g = std::gcd(num < 0 ? -num : num, den);
    num_ = g ? num / g : 0;
    den_ = g ? den / g : 1;
}

std::string Rational::to_string() const {
    return den_ == 1 ? std::to_string(num_) : std::to_string(num_) + "/" + std::to_string(den_);
}

bool Rational::is_multiple_of(const Rational& q) const {
    return (*this / q).den() == 1;
}

std::int64_t Rational::floor() const {
    std::int64_t q = num_ / den_;
    if (num_ % den_ != 0 && num_ < 0) --q;
    return q;
}

// Values in scores stay small (durations of whole pieces in quarters over
// divisions up to a few tens of thousands), so reducing by the gcd of the
// denominators first keeps the products well inside 64 bits.
Rational operator+(const Rational& a, const Rational& b) {
    const std::int64_t g = std::gcd(a.den_, b.den_);
    return Rational(a.num_ * (b.den_ / g) + b.num_ * (a.den_ / g), a.den_ / g * b.den_);
}
Rational operator-(const Rational& a, const Rational& b) {
    return a + (-b);
}
Rational operator*(const Rational& a, const Rational& b) {
    const std::int64_t g1 = std::gcd(a.num_ < 0 ? -a.num_ : a.num_, b.den_);
    const std::int64_t g2 = std::gcd(b.num_ < 0 ? -b.num_ : b.num_, a.den_);
    const std::int64_t n1 = g1 ? a.num_ / g1 : 0, d2 = g1 ? b.den_ / g1 : b.den_;
    const std::int64_t n2 = g2 ? b.num_ / g2 : 0, d1 = g2 ? a.den_ / g2 : a.den_;
    return Rational(n1 * n2, d1 * d2);
}
Rational operator/(const Rational& a, const Rational& b) {
    if (b.num_ == 0) throw Error("division of a rational number by zero");
    return a * Rational(b.den_, b.num_);
}
bool operator<(const Rational& a, const Rational& b) {
    // Cross-multiplying in 128 bits never overflows for 64-bit parts.
    __extension__ typedef __int128 Wide;
    return static_cast<Wide>(a.num_) * b.den_ < static_cast<Wide>(b.num_) * a.den_;
}

}  // namespace deepbach
