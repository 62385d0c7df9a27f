#include "engine/io/Npy.h"

#include <torch/torch.h>

#include <cstring>
#include <fstream>
#include <regex>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"

namespace medulla {
namespace {

struct DtypeCode {
    const char* code;
    at::ScalarType type;
};
const DtypeCode kDtypes[] = {{"<f4", at::kFloat}, {"<f8", at::kDouble}, {"<i8", at::kLong},
                             {"<i4", at::kInt},   {"<i2", at::kShort},  {"|i1", at::kChar},
                             {"|u1", at::kByte},  {"|b1", at::kBool}};

} // namespace

at::Tensor readNpy(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw IoError("cannot open the file", path);
    char magic[8];
    if (!f.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
        throw IoError("not a .npy file (bad magic)", path);
    uint32_t headerLen = 0;
    if (magic[6] == 1) {
        uint16_t l;
        f.read(reinterpret_cast<char*>(&l), 2);
        headerLen = l;
    } else {
        f.read(reinterpret_cast<char*>(&headerLen), 4);
    }
    std::string header(headerLen, '\0');
    if (!f.read(header.data(), headerLen))
        throw IoError("truncated .npy header", path);
    std::smatch m;
    if (!std::regex_search(header, m, std::regex("'descr':\\s*'([^']+)'")))
        throw IoError("no dtype in the .npy header", path);
    const std::string descr = m[1];
    if (std::regex_search(header, std::regex("'fortran_order':\\s*True")))
        throw IoError("Fortran-order .npy files are not supported", path);
    if (!std::regex_search(header, m, std::regex("'shape':\\s*\\(([^)]*)\\)")))
        throw IoError("no shape in the .npy header", path);
    std::vector<int64_t> shape;
    const std::string dims = m[1];
    static const std::regex number("\\d+");
    std::sregex_iterator it(dims.begin(), dims.end(), number), end;
    for (; it != end; ++it)
        shape.push_back(std::stoll(it->str()));
    at::ScalarType type = at::kFloat;
    bool found = false;
    for (const auto& d : kDtypes)
        if (descr == d.code) {
            type = d.type;
            found = true;
        }
    if (!found)
        throw IoError("unsupported .npy dtype " + descr, path);
    at::Tensor t = torch::empty(shape, torch::TensorOptions().dtype(type));
    const auto bytes = std::streamsize(t.numel() * t.element_size());
    if (!f.read(static_cast<char*>(t.data_ptr()), bytes))
        throw IoError("truncated .npy data", path);
    return t;
}

void writeNpy(const at::Tensor& tensor, const std::string& path) {
    at::Tensor t = tensor.cpu().contiguous();
    const char* code = nullptr;
    for (const auto& d : kDtypes)
        if (d.type == t.scalar_type())
            code = d.code;
    if (!code)
        throw IoError("unsupported dtype for .npy", path);
    std::string shape = "(";
    for (int64_t i = 0; i < t.dim(); ++i)
        shape += std::to_string(t.size(i)) + (t.dim() == 1 ? "," : (i + 1 < t.dim() ? ", " : ""));
    shape += ")";
    std::string header =
        "{'descr': '" + std::string(code) + "', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    writeAtomically(path, [&](const std::string& tmp) {
        std::ofstream f(tmp, std::ios::binary);
        f.write("\x93NUMPY\x01\x00", 8);
        const uint16_t len = uint16_t(header.size());
        f.write(reinterpret_cast<const char*>(&len), 2);
        f.write(header.data(), std::streamsize(header.size()));
        f.write(static_cast<const char*>(t.data_ptr()),
                std::streamsize(t.numel() * t.element_size()));
        f.flush();
        if (!f)
            throw IoError("write failed (disk full?)", path);
    });
}

} // namespace medulla
