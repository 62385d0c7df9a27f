#include "engine/io/DicomFile.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unistd.h>
#include <zlib.h>

#include "engine/core/Error.h"
#include "engine/io/DicomDataset.h"
#include "engine/io/ImageMeta.h"

namespace fs = std::filesystem;

namespace medulla {

const std::vector<std::string>& dicomKeyTags() {
    static const std::vector<std::string> keys = {
        "PatientID",    "PatientName",       "StudyInstanceUID", "StudyDate",   "SeriesInstanceUID",
        "SeriesNumber", "SeriesDescription", "Modality",         "Manufacturer"};
    return keys;
}

std::string DicomHeader::tag(const std::string& keyword) const {
    auto it = tags.find(keyword);
    return it == tags.end() ? std::string() : it->second;
}

DicomFrameGeometry DicomHeader::frameGeometry(int f) const {
    DicomFrameGeometry g = shared;
    if (f >= 0 && f < int(perFrame.size())) {
        const DicomFrameGeometry& p = perFrame[size_t(f)];
        if (p.position)
            g.position = p.position;
        if (p.orientation)
            g.orientation = p.orientation;
        if (p.pixelSpacing)
            g.pixelSpacing = p.pixelSpacing;
        g.rescaleSlope = p.rescaleSlope;
        g.rescaleIntercept = p.rescaleIntercept;
    }
    return g;
}

void requireImage(const DicomHeader& h) {
    if (h.isDicomDir)
        throw IoError("this is a DICOMDIR (an index of other files, no image); open its folder "
                      "to see the series it lists",
                      h.path);
    if (!h.hasPixelData)
        throw IoError("no pixel data (SOP class " + h.sopClassUid + " " +
                          transferSyntaxName(h.sopClassUid) + ")",
                      h.path);
}

bool looksLikeDicom(const std::string& head) {
    if (head.size() >= 132 && head.compare(128, 4, "DICM") == 0)
        return true;
    // No preamble: a data set starting with a group 0x0002 or 0x0008 tag,
    // little endian, implicit or explicit VR.
    if (head.size() >= 8) {
        const auto b = [&](size_t i) { return static_cast<unsigned char>(head[i]); };
        const int group = b(0) | b(1) << 8;
        if ((group == 0x0002 || group == 0x0008) && b(3) == 0x00)
            return true;
        const int groupBE = b(0) << 8 | b(1);
        if (groupBE == 0x0008 && b(2) == 0x00)
            return true;
    }
    return false;
}

std::string transferSyntaxName(const std::string& uid) {
    if (uid.empty())
        return "unknown transfer syntax";
    const char* n = dcmFindNameOfUID(uid.c_str(), nullptr);
    return n ? std::string(n) : uid;
}

namespace detail {
namespace {

void initDcmtk() {
    static std::once_flag once;
    std::call_once(once, [] {
        OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
    });
}

bool isGzip(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    unsigned char m[2] = {0, 0};
    f.read(reinterpret_cast<char*>(m), 2);
    return f && m[0] == 0x1f && m[1] == 0x8b;
}

/// Decompress a gzip file to a temporary file; returns its path.
std::string gunzipToTemp(const std::string& path) {
    gzFile in = gzopen(path.c_str(), "rb");
    if (!in)
        throw IoError("cannot open file", path);
    std::string tmpl = (fs::temp_directory_path() / "medulla-dicom-XXXXXX").string();
    const int fd = mkstemp(tmpl.data());
    if (fd < 0) {
        gzclose(in);
        throw IoError("cannot create a temporary file to unpack the gzip-compressed file", path);
    }
    std::vector<char> buf(1 << 16);
    int got = 0;
    bool ok = true;
    while ((got = gzread(in, buf.data(), unsigned(buf.size()))) > 0)
        ok = ok && ::write(fd, buf.data(), size_t(got)) == got;
    ::close(fd);
    gzclose(in);
    if (got < 0 || !ok) {
        fs::remove(tmpl);
        throw IoError("corrupt gzip-compressed DICOM file", path);
    }
    return tmpl;
}

/// A data set written with implicit VR under an explicit-VR transfer
/// syntax (seen in the wild): the first element after the meta header has
/// no two-letter VR. Returns a message, or "" when that is not the case.
std::string diagnoseVrMismatch(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::string b(4096, '\0');
    f.read(b.data(), 4096);
    b.resize(size_t(f.gcount()));
    auto u8 = [&](size_t i) { return static_cast<unsigned char>(b[i]); };
    if (b.size() < 144 || b.compare(128, 4, "DICM") != 0 || b.compare(136, 2, "UL") != 0)
        return {};
    const size_t start = 144 + (size_t(u8(140)) | size_t(u8(141)) << 8 | size_t(u8(142)) << 16);
    if (b.size() < start + 6)
        return {};
    const bool explicitSyntax =
        b.find("1.2.840.10008.1.2.", 144) < start &&
        b.find(std::string("1.2.840.10008.1.2\0", 18), 144) == std::string::npos;
    const bool letters = std::isupper(u8(start + 4)) && std::isupper(u8(start + 5));
    if (explicitSyntax && !letters)
        return "not valid DICOM: the data set is encoded with implicit VR although its transfer "
               "syntax says explicit VR";
    return {};
}

/// DCMTK trusts length fields: a damaged one makes it allocate gigabytes
/// when the value is first touched (found by fuzz_dicom), and a value cut
/// short by the end of the file is only noticed then. Check every element
/// against the size of the (uncompressed) file first.
void checkElementLengths(DcmDataset& ds, uintmax_t fileSize, const std::string& path) {
    DcmStack stack;
    while (ds.nextObject(stack, OFTrue).good()) {
        DcmObject* obj = stack.top();
        if (!obj || !obj->isLeaf())
            continue;
        const Uint32 len = obj->getLengthField();
        if (len != DCM_UndefinedLength && uintmax_t(len) > fileSize) {
            DcmTag t = obj->getTag();
            char tag[16];
            std::snprintf(tag, sizeof tag, "(%04x,%04x)", t.getGTag(), t.getETag());
            throw IoError(std::string("truncated DICOM file: element ") + tag + " " +
                              t.getTagName() + " declares " + std::to_string(len) +
                              " bytes, more than the whole file can hold (" +
                              std::to_string(fileSize) + ")",
                          path);
        }
    }
}

} // namespace

std::unique_ptr<DcmFileFormat> openDicom(const std::string& path, bool headerOnly) {
    initDcmtk();
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw IoError(fs::exists(path, ec) ? "not a regular file" : "file not found", path);
    std::string source = path, temp;
    if (isGzip(path))
        source = temp = gunzipToTemp(path);
    {
        std::ifstream f(source, std::ios::binary);
        std::string head(132, '\0');
        f.read(head.data(), 132);
        head.resize(size_t(f.gcount()));
        if (!looksLikeDicom(head)) {
            if (!temp.empty())
                fs::remove(temp, ec);
            throw IoError("not a DICOM file (no DICM marker at byte 128 and no DICOM data set "
                          "at the start)",
                          path);
        }
    }
    struct RemoveTemp {
        std::string path;
        ~RemoveTemp() {
            std::error_code e;
            if (!path.empty())
                fs::remove(path, e);
        }
    } removeTemp{temp};
    auto file = std::make_unique<DcmFileFormat>();
    const Uint32 maxRead = headerOnly && temp.empty() ? 4096 : DCM_MaxReadLength;
    OFCondition c;
    try {
        c = file->loadFile(source.c_str(), EXS_Unknown, EGL_noChange, maxRead, ERM_autoDetect);
    } catch (const std::exception& e) { // DCMTK's string handling on damaged files
        throw IoError(std::string("corrupt DICOM file (") + e.what() + ")", path);
    }
    if (c.bad()) {
        const std::string why = c.text();
        const std::string mismatch = diagnoseVrMismatch(source);
        if (!mismatch.empty())
            throw IoError(mismatch, path);
        if (c == EC_StreamNotifyClient || why.find("end of stream") != std::string::npos ||
            why.find("Premature") != std::string::npos)
            throw IoError("truncated DICOM file (" + why + ")", path);
        throw IoError("not a readable DICOM file (" + why + ")", path);
    }
    DcmDataset* ds = file->getDataset();
    if (!ds || ds->card() == 0)
        throw IoError("not a DICOM file (no data elements)", path);
    // Deflated data sets expand: zlib's ratio is at most 1032:1.
    const bool deflated = DcmXfer(ds->getOriginalXfer()).getStreamCompression() != ESC_none;
    checkElementLengths(*ds, fs::file_size(source, ec) * (deflated ? 1032 : 1), path);
    if (!temp.empty()) // values still on disk must be read before the file goes
        file->loadAllDataIntoMemory();
    return file;
}

namespace {

std::string str(DcmItem* item, const DcmTagKey& key) {
    OFString v;
    if (item && item->findAndGetOFStringArray(key, v).good())
        return std::string(v.c_str());
    return {};
}

bool num(DcmItem* item, const DcmTagKey& key, double& out, unsigned long pos = 0) {
    Float64 v = 0;
    if (item && item->findAndGetFloat64(key, v, pos).good() && std::isfinite(v)) {
        out = v;
        return true;
    }
    return false;
}

int intval(DcmItem* item, const DcmTagKey& key, int fallback) {
    Sint32 s = 0;
    if (item && item->findAndGetSint32(key, s).good())
        return int(s);
    Uint16 u = 0;
    if (item && item->findAndGetUint16(key, u).good())
        return int(u);
    const std::string t = str(item, key);
    if (!t.empty()) {
        try {
            return std::stoi(t);
        } catch (...) {
        }
    }
    return fallback;
}

template <size_t N> std::optional<std::array<double, N>> vec(DcmItem* item, const DcmTagKey& key) {
    std::array<double, N> a{};
    for (size_t i = 0; i < N; ++i)
        if (!num(item, key, a[i], i))
            return std::nullopt;
    return a;
}

DcmItem* seqItem(DcmItem* item, const DcmTagKey& key, int index = 0) {
    DcmItem* out = nullptr;
    if (item && item->findAndGetSequenceItem(key, out, index).good())
        return out;
    return nullptr;
}

/// Geometry and rescale found in one functional-groups item (Enhanced
/// multi-frame objects).
void readFunctionalGroups(DcmItem* groups, DicomFrameGeometry& g) {
    if (!groups)
        return;
    if (DcmItem* pos = seqItem(groups, DCM_PlanePositionSequence))
        if (auto p = vec<3>(pos, DCM_ImagePositionPatient))
            g.position = p;
    if (DcmItem* ori = seqItem(groups, DCM_PlaneOrientationSequence))
        if (auto o = vec<6>(ori, DCM_ImageOrientationPatient))
            g.orientation = o;
    if (DcmItem* pm = seqItem(groups, DCM_PixelMeasuresSequence))
        if (auto s = vec<2>(pm, DCM_PixelSpacing))
            g.pixelSpacing = s;
    if (DcmItem* pv = seqItem(groups, DCM_PixelValueTransformationSequence)) {
        num(pv, DCM_RescaleSlope, g.rescaleSlope);
        num(pv, DCM_RescaleIntercept, g.rescaleIntercept);
    }
}

/// Siemens mosaics: NumberOfImagesInMosaic lives in a private element
/// (0019,100A) of the Siemens MR header group.
int mosaicCount(DcmDataset* ds) {
    if (str(ds, DCM_ImageType).find("MOSAIC") == std::string::npos)
        return 0;
    const std::string creator = str(ds, DcmTagKey(0x0019, 0x0010));
    if (creator.find("SIEMENS") == std::string::npos)
        return 0;
    DcmElement* e = nullptr;
    if (ds->findAndGetElement(DcmTagKey(0x0019, 0x100a), e).bad() || !e)
        return 0;
    Uint16 n = 0;
    if (e->getVR() == EVR_US && e->getUint16(n).good())
        return n;
    Uint8* b = nullptr; // private, implicit VR: UN bytes, little endian
    if (e->getLength() >= 2 && e->getUint8Array(b).good() && b)
        return int(b[0]) | int(b[1]) << 8;
    return 0;
}

/// SliceNormalVector from a Siemens CSA2 ("SV10") header: tags of a 64-byte
/// name, vm, vr, syngodt, item count and a check word, each item four int32
/// (the second is its length) and the value padded to 4 bytes.
std::optional<std::array<double, 3>> csaSliceNormal(DcmDataset* ds) {
    if (str(ds, DcmTagKey(0x0029, 0x0010)).find("SIEMENS CSA HEADER") == std::string::npos)
        return std::nullopt;
    DcmElement* e = nullptr;
    Uint8* b = nullptr;
    if (ds->findAndGetElement(DcmTagKey(0x0029, 0x1010), e).bad() || !e ||
        e->getUint8Array(b).bad() || !b)
        return std::nullopt;
    const size_t size = e->getLength();
    auto i32 = [&](size_t at) {
        int32_t v;
        std::memcpy(&v, b + at, 4);
        return v;
    };
    if (size < 16 || std::memcmp(b, "SV10", 4) != 0)
        return std::nullopt;
    const int32_t tags = i32(8);
    size_t pos = 16;
    for (int32_t t = 0; t < tags && t < 10000; ++t) {
        if (pos + 84 > size)
            return std::nullopt;
        const std::string name(reinterpret_cast<const char*>(b + pos),
                               strnlen(reinterpret_cast<const char*>(b + pos), 64));
        const int32_t items = i32(pos + 76);
        pos += 84;
        std::vector<double> values;
        for (int32_t i = 0; i < items && i < 10000; ++i) {
            if (pos + 16 > size)
                return std::nullopt;
            const int32_t len = i32(pos + 4);
            pos += 16;
            if (len < 0 || pos + size_t(len) > size)
                return std::nullopt;
            if (name == "SliceNormalVector" && len > 0)
                values.push_back(std::atof(
                    std::string(reinterpret_cast<const char*>(b + pos),
                                strnlen(reinterpret_cast<const char*>(b + pos), size_t(len)))
                        .c_str()));
            pos += (size_t(len) + 3) & ~size_t(3);
        }
        if (name == "SliceNormalVector")
            return values.size() >= 3
                       ? std::optional<std::array<double, 3>>({values[0], values[1], values[2]})
                       : std::nullopt;
    }
    return std::nullopt;
}

} // namespace

DicomHeader extractHeader(DcmFileFormat& file, const std::string& path) {
    DcmDataset* ds = file.getDataset();
    DcmMetaInfo* meta = file.getMetaInfo();
    DicomHeader h;
    h.path = path;
    h.transferSyntax = str(meta, DCM_TransferSyntaxUID);
    if (h.transferSyntax.empty()) {
        DcmXfer x(ds->getOriginalXfer());
        h.transferSyntax = x.getXferID();
    }
    h.sopClassUid = str(ds, DCM_SOPClassUID);
    if (h.sopClassUid.empty())
        h.sopClassUid = str(meta, DCM_MediaStorageSOPClassUID);
    h.sopInstanceUid = str(ds, DCM_SOPInstanceUID);
    h.isDicomDir = h.sopClassUid == UID_MediaStorageDirectoryStorage ||
                   ds->tagExists(DCM_DirectoryRecordSequence);
    static const std::vector<std::pair<std::string, DcmTagKey>> keys = {
        {"PatientID", DCM_PatientID},
        {"PatientName", DCM_PatientName},
        {"StudyInstanceUID", DCM_StudyInstanceUID},
        {"StudyDate", DCM_StudyDate},
        {"SeriesInstanceUID", DCM_SeriesInstanceUID},
        {"SeriesNumber", DCM_SeriesNumber},
        {"SeriesDescription", DCM_SeriesDescription},
        {"Modality", DCM_Modality},
        {"Manufacturer", DCM_Manufacturer}};
    for (const auto& [name, key] : keys) {
        const std::string v = str(ds, key);
        if (!v.empty())
            h.tags[name] = v;
    }
    h.hasPixelData = ds->tagExists(DCM_PixelData) || ds->tagExists(DCM_FloatPixelData) ||
                     ds->tagExists(DCM_DoubleFloatPixelData);
    h.floatPixelData = ds->tagExists(DCM_FloatPixelData) && !ds->tagExists(DCM_PixelData);
    h.rows = intval(ds, DCM_Rows, 0);
    h.columns = intval(ds, DCM_Columns, 0);
    const std::string framesText = str(ds, DCM_NumberOfFrames);
    if (!framesText.empty()) {
        char* end = nullptr;
        const long f = std::strtol(framesText.c_str(), &end, 10);
        while (end && *end == ' ')
            ++end;
        if (!end || *end != '\0' || f < 1)
            throw IoError("NumberOfFrames has the invalid value '" + framesText + "'", path);
        h.frames = int(f);
    }
    h.samplesPerPixel = std::max(1, intval(ds, DCM_SamplesPerPixel, 1));
    h.bitsAllocated = intval(ds, DCM_BitsAllocated, 0);
    h.bitsStored = intval(ds, DCM_BitsStored, h.bitsAllocated);
    h.highBit = intval(ds, DCM_HighBit, h.bitsStored - 1);
    h.pixelRepresentation = intval(ds, DCM_PixelRepresentation, 0);
    h.planarConfiguration = intval(ds, DCM_PlanarConfiguration, 0);
    h.photometric = str(ds, DCM_PhotometricInterpretation);
    h.instanceNumber = intval(ds, DCM_InstanceNumber, 0);
    h.hasInstanceNumber = !str(ds, DCM_InstanceNumber).empty();
    double v = 0;
    if (num(ds, DCM_SliceThickness, v))
        h.sliceThickness = v;
    if (num(ds, DCM_SpacingBetweenSlices, v))
        h.spacingBetweenSlices = v;

    DicomFrameGeometry& g = h.shared;
    g.position = vec<3>(ds, DCM_ImagePositionPatient);
    g.orientation = vec<6>(ds, DCM_ImageOrientationPatient);
    g.pixelSpacing = vec<2>(ds, DCM_PixelSpacing);
    if (!g.pixelSpacing)
        g.pixelSpacing = vec<2>(ds, DCM_ImagerPixelSpacing);
    num(ds, DCM_RescaleSlope, g.rescaleSlope);
    num(ds, DCM_RescaleIntercept, g.rescaleIntercept);
    if (g.rescaleSlope == 0)
        g.rescaleSlope = 1; // a zero slope would erase the image: treat as absent

    readFunctionalGroups(seqItem(ds, DCM_SharedFunctionalGroupsSequence), g);
    DcmSequenceOfItems* perFrame = nullptr;
    if (ds->findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame).good() && perFrame &&
        perFrame->card() > 0) {
        for (unsigned long i = 0; i < perFrame->card(); ++i) {
            DicomFrameGeometry f;
            f.rescaleSlope = g.rescaleSlope;
            f.rescaleIntercept = g.rescaleIntercept;
            readFunctionalGroups(perFrame->getItem(i), f);
            h.perFrame.push_back(f);
        }
    } else if (h.frames > 1 && g.position && g.orientation) {
        // RT Dose and similar: frame k sits GridFrameOffsetVector[k] mm along
        // the normal from ImagePositionPatient.
        std::vector<double> offsets;
        for (unsigned long i = 0; i < unsigned(h.frames); ++i) {
            double o = 0;
            if (!num(ds, DCM_GridFrameOffsetVector, o, i))
                break;
            offsets.push_back(o);
        }
        if (int(offsets.size()) == h.frames) {
            const auto& o = *g.orientation;
            const std::array<double, 3> n = {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5],
                                             o[0] * o[4] - o[1] * o[3]};
            const double base = offsets[0] == 0 ? 0 : offsets[0];
            for (int k = 0; k < h.frames; ++k) {
                DicomFrameGeometry f;
                f.rescaleSlope = g.rescaleSlope;
                f.rescaleIntercept = g.rescaleIntercept;
                const double d = offsets[size_t(k)] - base;
                f.position =
                    std::array<double, 3>{(*g.position)[0] + d * n[0], (*g.position)[1] + d * n[1],
                                          (*g.position)[2] + d * n[2]};
                h.perFrame.push_back(f);
            }
        }
    }
    h.mosaicImages = mosaicCount(ds);
    if (h.mosaicImages > 0)
        h.csaSliceNormal = csaSliceNormal(ds);
    return h;
}

} // namespace detail

DicomHeader readDicomHeader(const std::string& path) {
    auto file = detail::openDicom(path, true);
    try {
        return detail::extractHeader(*file, path);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw IoError(std::string("corrupt DICOM header (") + e.what() + ")", path);
    }
}

} // namespace medulla
