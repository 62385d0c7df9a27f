#include "engine/core/Affine.h"

#include <cmath>

#include "engine/core/Error.h"

namespace medulla {

Affine::Affine() : m_{} {
    for (int i = 0; i < 4; ++i)
        m_[i][i] = 1.0;
}

Affine::Affine(const std::array<std::array<double, 4>, 4>& m) : m_(m) {}

Affine Affine::fromGeometry(const Vec3& spacing, const Vec3& origin, const Mat3& direction) {
    Affine a;
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c)
            a.m_[r][c] = direction[r][c] * spacing[c];
        a.m_[r][3] = origin[r];
    }
    return a;
}

Vec3 Affine::spacing() const {
    Vec3 s{};
    for (int c = 0; c < 3; ++c)
        s[c] = std::sqrt(m_[0][c] * m_[0][c] + m_[1][c] * m_[1][c] + m_[2][c] * m_[2][c]);
    return s;
}

Vec3 Affine::origin() const {
    return {m_[0][3], m_[1][3], m_[2][3]};
}

Mat3 Affine::direction() const {
    Mat3 d{};
    const Vec3 s = spacing();
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
            d[r][c] = s[c] > 0 ? m_[r][c] / s[c] : (r == c ? 1.0 : 0.0);
    return d;
}

Affine Affine::operator*(const Affine& o) const {
    Affine out;
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) {
            double v = 0;
            for (int k = 0; k < 4; ++k)
                v += m_[r][k] * o.m_[k][c];
            out.m_[r][c] = v;
        }
    return out;
}

Affine Affine::inverse() const {
    // Gauss-Jordan elimination with partial pivoting on the full 4x4.
    double a[4][8];
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 8; ++c)
            a[r][c] = c < 4 ? m_[r][c] : (c - 4 == r ? 1.0 : 0.0);
    for (int col = 0; col < 4; ++col) {
        int piv = col;
        for (int r = col + 1; r < 4; ++r)
            if (std::fabs(a[r][col]) > std::fabs(a[piv][col]))
                piv = r;
        if (std::fabs(a[piv][col]) < 1e-12)
            throw Error("affine is singular and cannot be inverted");
        if (piv != col)
            for (int c = 0; c < 8; ++c)
                std::swap(a[piv][c], a[col][c]);
        const double d = a[col][col];
        for (int c = 0; c < 8; ++c)
            a[col][c] /= d;
        for (int r = 0; r < 4; ++r) {
            if (r == col)
                continue;
            const double f = a[r][col];
            for (int c = 0; c < 8; ++c)
                a[r][c] -= f * a[col][c];
        }
    }
    Affine out;
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c)
            out.m_[r][c] = a[r][c + 4];
    return out;
}

Vec3 Affine::voxelToWorld(const Vec3& p) const {
    Vec3 w{};
    for (int r = 0; r < 3; ++r)
        w[r] = m_[r][0] * p[0] + m_[r][1] * p[1] + m_[r][2] * p[2] + m_[r][3];
    return w;
}

Vec3 Affine::worldToVoxel(const Vec3& xyz) const {
    return inverse().voxelToWorld(xyz);
}

std::string Affine::axisCodes() const {
    // For each voxel axis, the world axis its direction is most aligned with,
    // taking each world axis once (greedy on the largest absolute cosine).
    static const char pos[3] = {'R', 'A', 'S'};
    static const char neg[3] = {'L', 'P', 'I'};
    const Mat3 d = direction();
    std::string codes(3, '?');
    bool usedWorld[3] = {false, false, false};
    bool doneVoxel[3] = {false, false, false};
    for (int step = 0; step < 3; ++step) {
        int bestR = -1, bestC = -1;
        double best = -1;
        for (int c = 0; c < 3; ++c) {
            if (doneVoxel[c])
                continue;
            for (int r = 0; r < 3; ++r)
                if (!usedWorld[r] && std::fabs(d[r][c]) > best) {
                    best = std::fabs(d[r][c]);
                    bestR = r;
                    bestC = c;
                }
        }
        usedWorld[bestR] = doneVoxel[bestC] = true;
        codes[bestC] = d[bestR][bestC] >= 0 ? pos[bestR] : neg[bestR];
    }
    return codes;
}

Affine Affine::flippedXY() const {
    Affine out = *this;
    for (int c = 0; c < 4; ++c) {
        out.m_[0][c] = -m_[0][c];
        out.m_[1][c] = -m_[1][c];
    }
    return out;
}

double Affine::maxAbsDiff(const Affine& o) const {
    double d = 0;
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c)
            d = std::max(d, std::fabs(m_[r][c] - o.m_[r][c]));
    return d;
}

} // namespace medulla
