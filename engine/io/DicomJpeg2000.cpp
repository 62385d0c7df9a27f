/// JPEG 2000 pixel data decoded with OpenJPEG directly. (Free DCMTK has no
/// JPEG 2000 decoder; GDCM's, tried first, asserts and overruns buffers on
/// damaged data: found by fuzz_dicom.) Fragments come from DCMTK's parse;
/// every codestream's size and components are checked against the header
/// before any pixel is decoded.
#include <openjpeg-2.5/openjpeg.h> // not ITK-5.2/openjpeg.h (ITK bundles OpenJPEG 1)

#include <algorithm>
#include <cstring>
#include <memory>

#include "engine/core/Error.h"
#include "engine/io/DicomDataset.h"

namespace medulla::detail {
namespace {

struct Source {
    const uint8_t* data;
    size_t size;
    size_t pos = 0;
};

OPJ_SIZE_T readFn(void* buffer, OPJ_SIZE_T n, void* user) {
    auto* s = static_cast<Source*>(user);
    if (s->pos >= s->size)
        return OPJ_SIZE_T(-1);
    n = std::min<OPJ_SIZE_T>(n, s->size - s->pos);
    std::memcpy(buffer, s->data + s->pos, n);
    s->pos += n;
    return n;
}

OPJ_OFF_T skipFn(OPJ_OFF_T n, void* user) {
    auto* s = static_cast<Source*>(user);
    if (n < 0)
        n = -std::min<OPJ_OFF_T>(-n, OPJ_OFF_T(s->pos));
    else
        n = std::min<OPJ_OFF_T>(n, OPJ_OFF_T(s->size - s->pos));
    s->pos = size_t(OPJ_OFF_T(s->pos) + n);
    return n;
}

OPJ_BOOL seekFn(OPJ_OFF_T n, void* user) {
    auto* s = static_cast<Source*>(user);
    if (n < 0 || size_t(n) > s->size)
        return OPJ_FALSE;
    s->pos = size_t(n);
    return OPJ_TRUE;
}

void quiet(const char*, void*) {}
void keepError(const char* msg, void* user) {
    auto* out = static_cast<std::string*>(user);
    if (out->empty()) {
        *out = msg;
        while (!out->empty() && (out->back() == '\n' || out->back() == ' '))
            out->pop_back();
    }
}

} // namespace

std::vector<uint8_t> decodeJpeg2000(DcmDataset& ds, const DicomHeader& h,
                                    std::string& photometric) {
    const auto frames = encapsulatedFrames(ds, h.frames, h.path);
    const int bytes = h.bitsAllocated / 8;
    const size_t pixels = size_t(h.rows) * size_t(h.columns);
    if (pixels * size_t(h.samplesPerPixel) * frames.size() > (size_t(1) << 31))
        throw IoError("JPEG 2000 image too large: " + std::to_string(h.columns) + "x" +
                          std::to_string(h.rows) + "x" + std::to_string(frames.size()),
                      h.path);
    const size_t frameBytes = pixels * size_t(h.samplesPerPixel) * size_t(bytes);
    std::vector<uint8_t> out(frameBytes * frames.size());
    for (size_t f = 0; f < frames.size(); ++f) {
        const auto& cs = frames[f];
        const std::string where = "JPEG 2000 frame " + std::to_string(f);
        static const uint8_t jp2Box[] = {0, 0, 0, 0x0C, 'j', 'P', ' ', ' '};
        const bool jp2 = cs.size() >= 8 && std::memcmp(cs.data(), jp2Box, 8) == 0;
        Source src{cs.data(), cs.size()};
        std::unique_ptr<opj_stream_t, void (*)(opj_stream_t*)> stream(
            opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE), &opj_stream_destroy);
        std::unique_ptr<opj_codec_t, void (*)(opj_codec_t*)> codec(
            opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K), &opj_destroy_codec);
        if (!stream || !codec)
            throw IoError("cannot create a JPEG 2000 decoder", h.path);
        opj_stream_set_user_data(stream.get(), &src, nullptr);
        opj_stream_set_user_data_length(stream.get(), cs.size());
        opj_stream_set_read_function(stream.get(), readFn);
        opj_stream_set_skip_function(stream.get(), skipFn);
        opj_stream_set_seek_function(stream.get(), seekFn);
        std::string why;
        opj_set_info_handler(codec.get(), quiet, nullptr);
        opj_set_warning_handler(codec.get(), quiet, nullptr);
        opj_set_error_handler(codec.get(), keepError, &why);
        opj_dparameters_t params;
        opj_set_default_decoder_parameters(&params);
        opj_image_t* raw = nullptr;
        if (!opj_setup_decoder(codec.get(), &params) ||
            !opj_read_header(stream.get(), codec.get(), &raw) || !raw) {
            if (raw)
                opj_image_destroy(raw);
            throw IoError(where + " cannot be decoded: " + (why.empty() ? "bad header" : why),
                          h.path);
        }
        std::unique_ptr<opj_image_t, void (*)(opj_image_t*)> img(raw, &opj_image_destroy);
        bool fits = int(img->numcomps) == h.samplesPerPixel;
        for (OPJ_UINT32 c = 0; fits && c < img->numcomps; ++c) {
            const opj_image_comp_t& comp = img->comps[c];
            fits = comp.dx == 1 && comp.dy == 1 && int(comp.w) == h.columns &&
                   int(comp.h) == h.rows && int(comp.prec) <= h.bitsAllocated;
        }
        if (!fits)
            throw IoError(where + " does not match the header (" + std::to_string(h.columns) + "x" +
                              std::to_string(h.rows) + ", " + std::to_string(h.samplesPerPixel) +
                              " sample(s) of up to " + std::to_string(h.bitsAllocated) + " bits)",
                          h.path);
        if (!opj_decode(codec.get(), stream.get(), img.get()) ||
            !opj_end_decompress(codec.get(), stream.get()))
            throw IoError(where +
                              " cannot be decoded: " + (why.empty() ? "corrupt codestream" : why),
                          h.path);
        uint8_t* dst = out.data() + f * frameBytes;
        for (OPJ_UINT32 c = 0; c < img->numcomps; ++c) {
            const OPJ_INT32* v = img->comps[c].data;
            if (!v)
                throw IoError(where + ": no decoded data", h.path);
            for (size_t i = 0; i < pixels; ++i) {
                const uint32_t value = uint32_t(v[i]); // two's complement for signed samples
                uint8_t* p = dst + (i * size_t(h.samplesPerPixel) + c) * size_t(bytes);
                for (int b = 0; b < bytes; ++b)
                    p[b] = uint8_t(value >> (8 * b));
            }
        }
    }
    // The decoder undoes the reversible/irreversible colour transforms.
    photometric = h.photometric == "YBR_RCT" || h.photometric == "YBR_ICT" ? "RGB" : h.photometric;
    return out;
}

} // namespace medulla::detail
