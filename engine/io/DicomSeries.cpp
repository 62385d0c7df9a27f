#include "engine/io/DicomSeries.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "engine/core/Error.h"

namespace fs = std::filesystem;

namespace medulla {

std::string DicomSeriesGroup::label() const {
    std::string s = seriesUid.empty() ? std::string("(no SeriesInstanceUID)") : seriesUid;
    return part > 0 ? s + " part " + std::to_string(part) : s;
}

int DicomSeriesGroup::imageCount() const {
    int n = 0;
    for (const auto& f : files)
        n += f.frames;
    return n;
}

namespace {

using V3 = std::array<double, 3>;

V3 cross(const V3& a, const V3& b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const V3& a, const V3& b) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

std::string fmt(double v, int precision = 3) {
    std::ostringstream s;
    s.precision(precision);
    s << std::fixed << v;
    return s.str();
}

std::string orientationKey(const DicomHeader& h) {
    const auto o = h.frameGeometry(0).orientation;
    if (!o)
        return "none";
    std::string k;
    for (double v : *o)
        k += std::to_string(std::lround(v * 1e4)) + ",";
    return k;
}

/// One 2D image of the series: a file, or a frame of a multi-frame file.
struct Slice {
    size_t file;
    int frame;
    DicomFrameGeometry geometry;
    double along = 0; ///< position along the normal, mm
};

} // namespace

std::vector<DicomSeriesGroup> groupDicomSeries(const std::vector<DicomHeader>& headers) {
    std::map<std::string, std::vector<const DicomHeader*>> byUid;
    std::vector<std::string> order;
    for (const auto& h : headers) {
        if (h.isDicomDir || !h.hasPixelData || h.rows <= 0 || h.columns <= 0)
            continue;
        const std::string uid = h.tag("SeriesInstanceUID");
        if (!byUid.count(uid))
            order.push_back(uid);
        byUid[uid].push_back(&h);
    }
    std::vector<DicomSeriesGroup> groups;
    for (const auto& uid : order) {
        std::map<std::string, std::vector<const DicomHeader*>> parts;
        std::vector<std::string> partOrder;
        for (const DicomHeader* h : byUid[uid]) {
            const std::string key = orientationKey(*h) + "|" + std::to_string(h->rows) + "x" +
                                    std::to_string(h->columns) + "x" +
                                    std::to_string(h->samplesPerPixel);
            if (!parts.count(key))
                partOrder.push_back(key);
            parts[key].push_back(h);
        }
        int index = 0;
        for (const auto& key : partOrder) {
            DicomSeriesGroup g;
            g.seriesUid = uid;
            g.part = partOrder.size() > 1 ? ++index : 0;
            for (const DicomHeader* h : parts[key])
                g.files.push_back(*h);
            groups.push_back(std::move(g));
        }
    }
    std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
        const std::string na = a.files[0].tag("SeriesNumber"), nb = b.files[0].tag("SeriesNumber");
        const long ia = std::atol(na.c_str()), ib = std::atol(nb.c_str());
        return ia != ib ? ia < ib : a.seriesUid < b.seriesUid;
    });
    return groups;
}

at::Tensor narrowIntegral(const at::Tensor& data) {
    if (data.numel() == 0)
        return data;
    const double lo = data.min().item<double>(), hi = data.max().item<double>();
    if (lo >= 0 && hi <= 255)
        return data.to(torch::kByte);
    if (lo >= -32768 && hi <= 32767)
        return data.to(torch::kShort);
    return data;
}

LoadedImage loadDicomSeries(const DicomSeriesGroup& group, const CancelToken* cancel) {
    if (group.files.empty())
        throw IoError("empty DICOM series", group.label());
    const DicomHeader& first = group.files[0];
    const std::string name = "series " + group.label();
    for (const auto& f : group.files)
        if (group.files.size() > 1 && f.frames > 1)
            throw IoError(name + " mixes multi-frame and single-frame files", f.path);
    if (first.mosaicImages > 0)
        return loadMosaicSeries(group, cancel);

    std::vector<Slice> slices;
    for (size_t i = 0; i < group.files.size(); ++i)
        for (int f = 0; f < group.files[i].frames; ++f)
            slices.push_back({i, f, group.files[i].frameGeometry(f)});

    LoadedImage out;
    ImageMeta& meta = out.meta;
    meta.reader = "DicomReader";
    meta.tags = first.tags;
    meta.tags["TransferSyntaxUID"] = first.transferSyntax;
    meta.tags["Rows"] = std::to_string(first.rows);
    meta.tags["Columns"] = std::to_string(first.columns);

    const auto& g0 = slices[0].geometry;
    // A multi-frame file without per-frame positions (cine, angiography)
    // is a stack of frames, not a volume in space.
    const bool framesPlaced =
        group.files.size() > 1 || first.frames == 1 || !first.perFrame.empty();
    const bool geometric =
        framesPlaced && std::all_of(slices.begin(), slices.end(), [](const Slice& s) {
            return s.geometry.position && s.geometry.orientation;
        });
    V3 r{1, 0, 0}, c{0, 1, 0}, n{0, 0, 1};
    double spacing = 1.0;
    if (geometric) {
        const auto& o = *g0.orientation;
        r = {o[0], o[1], o[2]};
        c = {o[3], o[4], o[5]};
        n = cross(r, c);
        const double nn = std::sqrt(dot(n, n));
        if (nn < 1e-6)
            throw IoError(name + ": ImageOrientationPatient has parallel row and column "
                                 "directions",
                          first.path);
        for (auto& v : n)
            v /= nn;
        if (slices.size() == 1 && first.sliceThickness && *first.sliceThickness > 0)
            spacing = *first.sliceThickness;
        for (auto& s : slices)
            s.along = dot(*s.geometry.position, n);
        std::stable_sort(slices.begin(), slices.end(),
                         [](const Slice& a, const Slice& b) { return a.along < b.along; });
    } else {
        std::stable_sort(slices.begin(), slices.end(), [&](const Slice& a, const Slice& b) {
            const auto& fa = group.files[a.file];
            const auto& fb = group.files[b.file];
            return fa.instanceNumber != fb.instanceNumber ? fa.instanceNumber < fb.instanceNumber
                                                          : a.frame < b.frame;
        });
        if (slices.size() > 1)
            meta.warnings.push_back("no ImagePositionPatient/ImageOrientationPatient: " +
                                    std::to_string(slices.size()) +
                                    " images stacked in InstanceNumber order, unit spacing");
        if (first.sliceThickness && *first.sliceThickness > 0)
            spacing = *first.sliceThickness;
    }

    const size_t N = slices.size();
    V3 step = {n[0] * spacing, n[1] * spacing, n[2] * spacing};
    if (geometric && N > 1) {
        std::vector<double> d;
        for (size_t i = 1; i < N; ++i)
            d.push_back(slices[i].along - slices[i - 1].along);
        const double total = slices.back().along - slices.front().along;
        spacing = total / double(N - 1);
        for (size_t i = 0; i < d.size(); ++i)
            if (std::abs(d[i]) < 1e-3 * std::max(1.0, std::abs(spacing)))
                throw IoError(name + ": two images at the same position (" + fmt(slices[i].along) +
                                  " mm along the normal); the series holds several "
                                  "volumes (echoes, phases or time points)",
                              group.files[slices[i + 1].file].path);
        std::vector<double> sorted = d;
        std::sort(sorted.begin(), sorted.end());
        const double median = sorted[sorted.size() / 2];
        const double tol = std::max(0.05 * median, 1e-3);
        for (size_t i = 0; i < d.size(); ++i) {
            const double ratio = d[i] / median;
            if (ratio > 1.5 && std::abs(ratio - std::round(ratio)) * median < tol)
                throw IoError(name + ": " + std::to_string(int(std::lround(ratio)) - 1) +
                                  " missing slice(s) between " + fmt(slices[i].along) + " and " +
                                  fmt(slices[i + 1].along) +
                                  " mm along the normal (regular spacing " + fmt(median) + " mm)",
                              group.files[slices[i + 1].file].path);
        }
        std::vector<double> distinct;
        for (double v : sorted)
            if (distinct.empty() || v - distinct.back() > tol)
                distinct.push_back(v);
        if (distinct.size() > 1 && sorted.back() - sorted.front() > 2 * tol) {
            std::string list;
            for (double v : distinct)
                list += (list.empty() ? "" : ", ") + fmt(v);
            throw IoError(name + " has " + std::to_string(distinct.size()) +
                              " different slice spacings (" + list + " mm)",
                          first.path);
        }
        step = {n[0] * spacing, n[1] * spacing, n[2] * spacing};
        // Gantry tilt: the positions move sideways as well; keep the true step.
        const auto& p0 = *slices.front().geometry.position;
        const auto& p1 = *slices.back().geometry.position;
        const V3 mean = {(p1[0] - p0[0]) / double(N - 1), (p1[1] - p0[1]) / double(N - 1),
                         (p1[2] - p0[2]) / double(N - 1)};
        const V3 side = {mean[0] - step[0], mean[1] - step[1], mean[2] - step[2]};
        if (std::sqrt(dot(side, side)) > 0.01 * std::abs(spacing)) {
            step = mean;
            meta.warnings.push_back("slice positions are sheared (gantry tilt): the affine "
                                    "keeps the true slice offsets");
        }
        const auto checkHeader = [&](const std::optional<double>& v, const char* what) {
            if (v && *v > 0 && std::abs(*v - spacing) > 0.01 * spacing)
                meta.warnings.push_back(std::string(what) + " says " + fmt(*v) +
                                        " mm but the slice positions are " + fmt(spacing) +
                                        " mm apart; the positions are used");
        };
        checkHeader(first.spacingBetweenSlices, "SpacingBetweenSlices");
    }

    // Pixel data, sorted.
    const bool integral = std::all_of(slices.begin(), slices.end(), [](const Slice& s) {
        return std::floor(s.geometry.rescaleSlope) == s.geometry.rescaleSlope &&
               std::floor(s.geometry.rescaleIntercept) == s.geometry.rescaleIntercept;
    });
    const int64_t X = first.columns, Y = first.rows, S = first.samplesPerPixel;
    at::Tensor volume = torch::empty({int64_t(N), Y, X, S}, integral ? torch::kInt : torch::kFloat);
    std::vector<at::Tensor> cache(group.files.size());
    for (size_t i = 0; i < N; ++i) {
        if (cancel)
            cancel->throwIfCancelled();
        const size_t fi = slices[i].file;
        if (!cache[fi].defined())
            cache[fi] = readDicomFrames(group.files[fi].path);
        at::Tensor frames = cache[fi];
        if (frames.size(1) != Y || frames.size(2) != X || frames.size(3) != S)
            throw IoError(name + ": image size differs from the header", group.files[fi].path);
        volume[int64_t(i)].copy_(frames[slices[i].frame]);
        if (group.files[fi].frames == 1 || slices[i].frame == group.files[fi].frames - 1)
            cache[fi] = at::Tensor();
    }
    for (size_t i = 0; i < N; ++i)
        if (std::find(meta.filenames.begin(), meta.filenames.end(),
                      group.files[slices[i].file].path) == meta.filenames.end())
            meta.filenames.push_back(group.files[slices[i].file].path);

    // (Z, Y, X, S) -> (X, Y, Z, S)
    at::Tensor data = volume.permute({2, 1, 0, 3});
    const bool threeD = geometric || N > 1;
    if (!threeD)
        data = data.select(2, 0);
    if (S == 1)
        data = data.select(-1, 0);
    out.data = data.contiguous();
    if (integral)
        out.data = narrowIntegral(out.data);
    meta.originalChannelDim = S > 1 ? -1 : ImageMeta::kNoChannel;
    for (int64_t d = 0; d < (threeD ? 3 : 2); ++d)
        meta.spatialShape.push_back(out.data.size(d));
    meta.sourceDtype = std::string(first.pixelRepresentation ? "int" : "uint") +
                       std::to_string(first.bitsAllocated);
    if (first.floatPixelData)
        meta.sourceDtype = "float32";

    // Affine: LPS columns r*colSpacing, c*rowSpacing, step; origin = first slice.
    const std::array<double, 2> ps = g0.pixelSpacing.value_or(std::array<double, 2>{1.0, 1.0});
    if (!g0.pixelSpacing)
        meta.warnings.push_back("no PixelSpacing: 1 mm assumed");
    const V3 origin = geometric ? *slices.front().geometry.position : V3{0, 0, 0};
    std::array<std::array<double, 4>, 4> m{};
    for (int row = 0; row < 3; ++row) {
        const double flip = row < 2 ? -1.0 : 1.0; // LPS -> RAS
        m[size_t(row)][0] = flip * r[size_t(row)] * ps[1];
        m[size_t(row)][1] = flip * c[size_t(row)] * ps[0];
        m[size_t(row)][2] = flip * step[size_t(row)];
        m[size_t(row)][3] = flip * origin[size_t(row)];
    }
    m[3] = {0, 0, 0, 1};
    out.affine = Affine(m);
    meta.originalAffine = out.affine;
    return out;
}

} // namespace medulla
