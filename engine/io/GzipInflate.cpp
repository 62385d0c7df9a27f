#include "engine/io/GzipInflate.h"

#include <libdeflate.h>

#include <fstream>
#include <memory>
#include <vector>

namespace medulla {

bool inflateGzipPrefix(const std::string& path, void* out, size_t size) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f)
        return false;
    const std::streamoff length = f.tellg();
    if (length < 18)
        return false;
    std::vector<char> in(static_cast<size_t>(length));
    f.seekg(0);
    if (!f.read(in.data(), length))
        return false;
    std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(
        libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
    if (!d)
        return false;
    // A stream longer than `size` (data after the voxels) reports
    // insufficient space: the streaming path handles that rare case.
    size_t usedIn = 0, produced = 0;
    auto* dst = static_cast<char*>(out);
    const char* src = in.data();
    size_t left = in.size();
    while (produced < size && left > 0) { // one gzip member after another
        size_t memberOut = 0;
        if (libdeflate_gzip_decompress_ex(d.get(), src, left, dst + produced, size - produced,
                                          &usedIn, &memberOut) != LIBDEFLATE_SUCCESS)
            return false;
        produced += memberOut;
        src += usedIn;
        left -= usedIn;
    }
    return produced == size;
}

} // namespace medulla
