#include "engine/transforms/MatrixN.h"

#include <cmath>
#include <stdexcept>
#include <utility>

namespace medulla {

MatrixN::MatrixN(size_t n) : n_(n), v_(n * n, 0.0) {
    for (size_t i = 0; i < n; ++i)
        v_[i * n + i] = 1.0;
}

MatrixN MatrixN::operator*(const MatrixN& o) const {
    if (o.n_ != n_)
        throw std::invalid_argument("MatrixN: size mismatch");
    MatrixN r(n_);
    for (size_t i = 0; i < n_; ++i)
        for (size_t j = 0; j < n_; ++j) {
            double s = 0;
            for (size_t k = 0; k < n_; ++k)
                s += (*this)(i, k) * o(k, j);
            r(i, j) = s;
        }
    return r;
}

MatrixN MatrixN::inverse() const {
    MatrixN a = *this, inv(n_);
    for (size_t c = 0; c < n_; ++c) {
        size_t pivot = c;
        for (size_t r = c + 1; r < n_; ++r)
            if (std::fabs(a(r, c)) > std::fabs(a(pivot, c)))
                pivot = r;
        if (std::fabs(a(pivot, c)) < 1e-300)
            throw std::invalid_argument("matrix is singular");
        for (size_t k = 0; k < n_; ++k) {
            std::swap(a(c, k), a(pivot, k));
            std::swap(inv(c, k), inv(pivot, k));
        }
        const double d = a(c, c);
        for (size_t k = 0; k < n_; ++k) {
            a(c, k) /= d;
            inv(c, k) /= d;
        }
        for (size_t r = 0; r < n_; ++r) {
            if (r == c || a(r, c) == 0.0)
                continue;
            const double f = a(r, c);
            for (size_t k = 0; k < n_; ++k) {
                a(r, k) -= f * a(c, k);
                inv(r, k) -= f * inv(c, k);
            }
        }
    }
    return inv;
}

MatrixN MatrixN::translation(const std::vector<double>& shift) {
    MatrixN m(shift.size() + 1);
    for (size_t i = 0; i < shift.size(); ++i)
        m(i, shift.size()) = shift[i];
    return m;
}

MatrixN MatrixN::scaling(const std::vector<double>& scale) {
    MatrixN m(scale.size() + 1);
    for (size_t i = 0; i < scale.size(); ++i)
        m(i, i) = scale[i];
    return m;
}

MatrixN MatrixN::fromAffine(const Affine& a, size_t d) {
    MatrixN m(d + 1);
    for (size_t r = 0; r < d; ++r) {
        for (size_t c = 0; c < d; ++c)
            m(r, c) = a(int(r), int(c));
        m(r, d) = a(int(r), 3);
    }
    return m;
}

Affine MatrixN::appliedTo(const Affine& base) const {
    const size_t d = n_ - 1;
    Affine e; // identity, then the d-D part embedded
    for (size_t r = 0; r < d; ++r) {
        for (size_t c = 0; c < d; ++c)
            e(int(r), int(c)) = (*this)(r, c);
        e(int(r), 3) = (*this)(r, d);
    }
    return base * e;
}

} // namespace medulla
