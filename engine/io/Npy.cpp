#include "engine/io/Npy.h"

#include <torch/torch.h>
#include <zip.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"

namespace medulla {
namespace {

struct Dtype {
    char kind; ///< 'b', 'i', 'u', 'f'
    int bytes;
    at::ScalarType type; ///< tensor type after widening
    const char* name;
};
const Dtype kDtypes[] = {{'b', 1, at::kBool, "bool"},     {'i', 1, at::kChar, "int8"},
                         {'u', 1, at::kByte, "uint8"},    {'i', 2, at::kShort, "int16"},
                         {'u', 2, at::kInt, "uint16"},    {'i', 4, at::kInt, "int32"},
                         {'u', 4, at::kLong, "uint32"},   {'i', 8, at::kLong, "int64"},
                         {'u', 8, at::kLong, "uint64"},   {'f', 2, at::kHalf, "float16"},
                         {'f', 4, at::kFloat, "float32"}, {'f', 8, at::kDouble, "float64"}};

const Dtype* findDtype(const std::string& descr) {
    if (descr.size() < 3)
        return nullptr;
    const char kind = descr[1];
    const int bytes = std::atoi(descr.c_str() + 2);
    for (const auto& d : kDtypes)
        if (d.kind == kind && d.bytes == bytes)
            return &d;
    return nullptr;
}

std::string readWholeFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw IoError("cannot open the file", path);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

} // namespace

std::string npyDtypeName(const std::string& descr) {
    const Dtype* d = findDtype(descr);
    return d ? d->name : descr;
}

at::Tensor parseNpy(const std::string& bytes, const std::string& name) {
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
        throw IoError("not a .npy file (bad magic)", name);
    const int major = static_cast<unsigned char>(bytes[6]);
    size_t headerLen = 0, pos = 0;
    if (major == 1) {
        headerLen = size_t(static_cast<unsigned char>(bytes[8])) |
                    size_t(static_cast<unsigned char>(bytes[9])) << 8;
        pos = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12)
            throw IoError("truncated .npy header", name);
        for (int i = 0; i < 4; ++i)
            headerLen |= size_t(static_cast<unsigned char>(bytes[size_t(8 + i)])) << (8 * i);
        pos = 12;
    } else {
        throw IoError(".npy format version " + std::to_string(major) + " is not supported", name);
    }
    if (bytes.size() < pos + headerLen)
        throw IoError("truncated .npy header", name);
    const std::string header = bytes.substr(pos, headerLen);
    pos += headerLen;
    std::smatch m;
    if (!std::regex_search(header, m, std::regex("'descr':\\s*'([^']+)'")))
        throw IoError("no dtype in the .npy header", name);
    const std::string descr = m[1];
    const Dtype* d = findDtype(descr);
    if (!d)
        throw IoError("unsupported .npy dtype '" + descr + "'", name);
    const bool bigEndian = descr[0] == '>';
    const bool fortran = std::regex_search(header, std::regex("'fortran_order':\\s*True"));
    if (!std::regex_search(header, m, std::regex("'shape':\\s*\\(([^)]*)\\)")))
        throw IoError("no shape in the .npy header", name);
    std::vector<int64_t> shape;
    const std::string dims = m[1];
    static const std::regex number("\\d+");
    for (std::sregex_iterator it(dims.begin(), dims.end(), number), end; it != end; ++it) {
        if (it->str().size() > 15)
            throw IoError("the .npy shape has an impossible size " + it->str(), name);
        shape.push_back(std::stoll(it->str()));
    }
    int64_t n = 1;
    for (auto s : shape) {
        if (s > (int64_t(1) << 40) || (s > 0 && n > (int64_t(1) << 40) / s))
            throw IoError("the .npy shape describes more than 2^40 elements", name);
        n *= s;
    }
    const size_t need = size_t(n) * size_t(d->bytes);
    if (bytes.size() < pos + need)
        throw IoError("truncated .npy data: " + std::to_string(bytes.size() - pos) +
                          " bytes, the header needs " + std::to_string(need),
                      name);
    std::string raw = bytes.substr(pos, need);
    if (bigEndian && d->bytes > 1)
        for (size_t i = 0; i < raw.size(); i += size_t(d->bytes))
            std::reverse(raw.begin() + long(i), raw.begin() + long(i) + d->bytes);
    std::vector<int64_t> memShape = shape;
    if (fortran)
        std::reverse(memShape.begin(), memShape.end());
    at::Tensor t;
    if (d->kind == 'u' && d->bytes > 1) {
        t = torch::empty({n}, torch::TensorOptions().dtype(d->type));
        for (int64_t i = 0; i < n; ++i) {
            uint64_t v = 0;
            std::memcpy(&v, raw.data() + size_t(i) * size_t(d->bytes), size_t(d->bytes));
            if (d->bytes == 8 && v > uint64_t(INT64_MAX))
                throw IoError("uint64 value too large for int64", name);
            if (d->type == at::kInt)
                t.data_ptr<int32_t>()[i] = int32_t(v);
            else
                t.data_ptr<int64_t>()[i] = int64_t(v);
        }
        t = t.view(memShape);
    } else {
        t = torch::empty(memShape, torch::TensorOptions().dtype(d->type));
        if (!raw.empty())
            std::memcpy(t.data_ptr(), raw.data(), raw.size());
    }
    if (fortran && t.dim() > 1) {
        std::vector<int64_t> perm;
        for (int64_t i = t.dim() - 1; i >= 0; --i)
            perm.push_back(i);
        t = t.permute(perm).contiguous();
    }
    return t;
}

std::string serializeNpy(const at::Tensor& tensor, const std::string& name) {
    at::Tensor t = tensor.cpu().contiguous();
    const char* code = nullptr;
    switch (t.scalar_type()) {
    case at::kBool:
        code = "|b1";
        break;
    case at::kChar:
        code = "|i1";
        break;
    case at::kByte:
        code = "|u1";
        break;
    case at::kShort:
        code = "<i2";
        break;
    case at::kInt:
        code = "<i4";
        break;
    case at::kLong:
        code = "<i8";
        break;
    case at::kHalf:
        code = "<f2";
        break;
    case at::kFloat:
        code = "<f4";
        break;
    case at::kDouble:
        code = "<f8";
        break;
    default:
        throw IoError("unsupported dtype for .npy", name);
    }
    std::string shape = "(";
    for (int64_t i = 0; i < t.dim(); ++i)
        shape += std::to_string(t.size(i)) + (t.dim() == 1 ? "," : (i + 1 < t.dim() ? ", " : ""));
    shape += ")";
    std::string header =
        "{'descr': '" + std::string(code) + "', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    std::string out("\x93NUMPY\x01\x00", 8);
    out += char(header.size() & 0xff);
    out += char(header.size() >> 8);
    out += header;
    out.append(static_cast<const char*>(t.data_ptr()), size_t(t.numel() * t.element_size()));
    return out;
}

at::Tensor readNpy(const std::string& path) {
    return parseNpy(readWholeFile(path), path);
}

void writeNpy(const at::Tensor& tensor, const std::string& path) {
    const std::string bytes = serializeNpy(tensor, path);
    writeAtomically(path, [&](const std::string& tmp) {
        std::ofstream f(tmp, std::ios::binary);
        f.write(bytes.data(), std::streamsize(bytes.size()));
        f.flush();
        if (!f)
            throw IoError("write failed (disk full?)", path);
    });
}

std::vector<std::pair<std::string, at::Tensor>> readNpz(const std::string& path) {
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, err);
        const std::string why = zip_error_strerror(&ze);
        zip_error_fini(&ze);
        throw IoError("not a readable .npz (zip) archive: " + why, path);
    }
    std::vector<std::pair<std::string, at::Tensor>> out;
    try {
        const zip_int64_t n = zip_get_num_entries(z, 0);
        for (zip_int64_t i = 0; i < n; ++i) {
            zip_stat_t st;
            if (zip_stat_index(z, zip_uint64_t(i), 0, &st) != 0)
                throw IoError("cannot read entry " + std::to_string(i) + " of the archive", path);
            std::string entry = st.name;
            zip_file_t* f = zip_fopen_index(z, zip_uint64_t(i), 0);
            if (!f)
                throw IoError("cannot open " + entry + " in the archive: " + zip_strerror(z), path);
            std::string bytes(size_t(st.size), '\0');
            const zip_int64_t got = zip_fread(f, bytes.data(), st.size);
            zip_fclose(f);
            if (got != zip_int64_t(st.size))
                throw IoError("corrupt or truncated archive member " + entry, path);
            if (entry.size() > 4 && entry.compare(entry.size() - 4, 4, ".npy") == 0)
                entry.resize(entry.size() - 4);
            out.emplace_back(entry, parseNpy(bytes, path + ":" + entry));
        }
    } catch (...) {
        zip_discard(z);
        throw;
    }
    zip_discard(z);
    if (out.empty())
        throw IoError("empty .npz archive", path);
    return out;
}

void writeNpz(const std::vector<std::pair<std::string, at::Tensor>>& arrays,
              const std::string& path, bool compress) {
    std::vector<std::string> blobs;
    blobs.reserve(arrays.size());
    for (const auto& [key, t] : arrays)
        blobs.push_back(serializeNpy(t, path + ":" + key));
    writeAtomically(
        path,
        [&](const std::string& tmp) {
            int err = 0;
            zip_t* z = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
            if (!z)
                throw IoError("cannot create the archive", path);
            for (size_t i = 0; i < arrays.size(); ++i) {
                zip_source_t* src = zip_source_buffer(z, blobs[i].data(), blobs[i].size(), 0);
                const zip_int64_t idx =
                    src ? zip_file_add(z, (arrays[i].first + ".npy").c_str(), src, ZIP_FL_OVERWRITE)
                        : -1;
                if (idx < 0) {
                    if (src)
                        zip_source_free(src);
                    zip_discard(z);
                    throw IoError("cannot add " + arrays[i].first + " to the archive", path);
                }
                zip_set_file_compression(z, zip_uint64_t(idx),
                                         compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
            }
            if (zip_close(z) != 0) {
                const std::string why = zip_strerror(z);
                zip_discard(z);
                throw IoError("write failed: " + why, path);
            }
        },
        ".npz");
}

} // namespace medulla
