/// JPEG-LS pixel data decoded with CharLS 2 directly. (DCMTK's bundled
/// CharLS 1.x corrupts the heap on damaged streams and GDCM asserts on
/// them; both found by fuzz_dicom.) Fragments come from DCMTK's parse.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>

#include <charls/charls.h>

#include <cstring>
#include <memory>

#include "engine/core/Error.h"
#include "engine/io/DicomDataset.h"

namespace medulla::detail {

std::vector<std::vector<uint8_t>> encapsulatedFrames(DcmDataset& ds, int frames,
                                                     const std::string& path) {
    DcmElement* e = nullptr;
    if (ds.findAndGetElement(DCM_PixelData, e).bad() || !e)
        throw IoError("no PixelData", path);
    auto* pd = static_cast<DcmPixelData*>(e);
    DcmPixelSequence* seq = nullptr;
    if (pd->getEncapsulatedRepresentation(ds.getOriginalXfer(), nullptr, seq).bad() || !seq)
        throw IoError("the compressed PixelData has no fragments", path);
    std::vector<std::vector<uint8_t>> out;
    const unsigned long items = seq->card(); // item 0: the basic offset table
    const bool onePerFrame = frames > 1 && items - 1 == unsigned(frames);
    for (unsigned long i = 1; i < items; ++i) {
        DcmPixelItem* item = nullptr;
        Uint8* data = nullptr;
        if (seq->getItem(item, i).bad() || !item || item->getUint8Array(data).bad())
            throw IoError("unreadable PixelData fragment " + std::to_string(i), path);
        const Uint32 len = item->getLength();
        if (len > 0 && !data)
            throw IoError("unreadable PixelData fragment " + std::to_string(i), path);
        const bool soi = len >= 2 && data[0] == 0xFF && data[1] == 0xD8;
        if (out.empty() || onePerFrame || (frames > 1 && soi && !out.back().empty()))
            out.emplace_back();
        out.back().insert(out.back().end(), data, data + len);
    }
    if (int(out.size()) != frames)
        throw IoError("the compressed PixelData holds " + std::to_string(out.size()) +
                          " frame(s), NumberOfFrames says " + std::to_string(frames),
                      path);
    return out;
}

std::vector<uint8_t> decodeJpegLs(DcmDataset& ds, const DicomHeader& h, int& planar) {
    const auto frames = encapsulatedFrames(ds, h.frames, h.path);
    const int bytesPerSample = h.bitsAllocated <= 8 ? 1 : 2;
    const size_t frameBytes =
        size_t(h.rows) * size_t(h.columns) * size_t(h.samplesPerPixel) * size_t(bytesPerSample);
    std::vector<uint8_t> out(frameBytes * frames.size());
    std::unique_ptr<charls_jpegls_decoder, void (*)(const charls_jpegls_decoder*)> dec(
        charls_jpegls_decoder_create(), &charls_jpegls_decoder_destroy);
    if (!dec)
        throw IoError("cannot create a JPEG-LS decoder", h.path);
    auto check = [&](charls_jpegls_errc ec, size_t frame) {
        if (ec != charls_jpegls_errc{}) // 0 = success
            throw IoError("JPEG-LS frame " + std::to_string(frame) +
                              " cannot be decoded: " + charls_get_error_message(ec),
                          h.path);
    };
    for (size_t f = 0; f < frames.size(); ++f) {
        dec.reset(charls_jpegls_decoder_create());
        check(
            charls_jpegls_decoder_set_source_buffer(dec.get(), frames[f].data(), frames[f].size()),
            f);
        check(charls_jpegls_decoder_read_header(dec.get()), f);
        charls_frame_info fi{};
        check(charls_jpegls_decoder_get_frame_info(dec.get(), &fi), f);
        if (int(fi.width) != h.columns || int(fi.height) != h.rows ||
            fi.component_count != h.samplesPerPixel || fi.bits_per_sample > h.bitsAllocated ||
            (fi.bits_per_sample > 8) != (bytesPerSample == 2))
            throw IoError(
                "JPEG-LS frame " + std::to_string(f) + " is " + std::to_string(fi.width) + "x" +
                    std::to_string(fi.height) + "x" + std::to_string(fi.component_count) + " at " +
                    std::to_string(fi.bits_per_sample) + " bits, the header says " +
                    std::to_string(h.columns) + "x" + std::to_string(h.rows) + "x" +
                    std::to_string(h.samplesPerPixel) + " at " + std::to_string(h.bitsAllocated),
                h.path);
        size_t need = 0;
        check(charls_jpegls_decoder_get_destination_size(dec.get(), 0, &need), f);
        if (need != frameBytes)
            throw IoError("JPEG-LS frame " + std::to_string(f) + " decodes to " +
                              std::to_string(need) + " bytes, not " + std::to_string(frameBytes),
                          h.path);
        charls_interleave_mode mode = charls::interleave_mode::none;
        check(charls_jpegls_decoder_get_interleave_mode(dec.get(), &mode), f);
        planar = h.samplesPerPixel > 1 && mode == charls::interleave_mode::none ? 1 : 0;
        check(charls_jpegls_decoder_decode_to_buffer(dec.get(), out.data() + f * frameBytes,
                                                     frameBytes, 0),
              f);
    }
    return out;
}

} // namespace medulla::detail
