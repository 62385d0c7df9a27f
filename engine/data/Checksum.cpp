#include "engine/data/Checksum.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "engine/core/Error.h"

namespace medulla {
namespace {

struct CtxDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_MD_CTX, CtxDeleter>;

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

CtxPtr newDigest(const EVP_MD* md, const std::string& what) {
    CtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1)
        throw IoError("cannot initialise the digest", what);
    return ctx;
}

std::string finishHex(EVP_MD_CTX* ctx, const std::string& what) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx, digest, &n) != 1)
        throw IoError("cannot finish the digest", what);
    static const char* hex = "0123456789abcdef";
    std::string out(size_t(n) * 2, '0');
    for (unsigned int i = 0; i < n; ++i) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0xf];
    }
    return out;
}

std::string digestOfFile(const EVP_MD* md, const std::string& path, const CancelToken* cancel) {
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f)
        throw IoError(std::string("cannot open for checksum: ") + std::strerror(errno), path);
    CtxPtr ctx = newDigest(md, path);
    std::vector<unsigned char> buffer(size_t(1) << 20);
    for (;;) {
        if (cancel)
            cancel->throwIfCancelled();
        const size_t got = std::fread(buffer.data(), 1, buffer.size(), f.get());
        if (got > 0 && EVP_DigestUpdate(ctx.get(), buffer.data(), got) != 1)
            throw IoError("digest update failed", path);
        if (got < buffer.size()) {
            if (std::ferror(f.get()))
                throw IoError(std::string("read error during checksum: ") + std::strerror(errno),
                              path);
            break;
        }
    }
    return finishHex(ctx.get(), path);
}

std::string digestOfBytes(const EVP_MD* md, const std::string& bytes) {
    CtxPtr ctx = newDigest(md, {});
    if (EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1)
        throw IoError("digest update failed");
    return finishHex(ctx.get(), {});
}

} // namespace

std::string md5OfFile(const std::string& path, const CancelToken* cancel) {
    return digestOfFile(EVP_md5(), path, cancel);
}

std::string sha256OfFile(const std::string& path, const CancelToken* cancel) {
    return digestOfFile(EVP_sha256(), path, cancel);
}

std::string sha256Hex(const std::string& bytes) {
    return digestOfBytes(EVP_sha256(), bytes);
}

std::string md5Hex(const std::string& bytes) {
    return digestOfBytes(EVP_md5(), bytes);
}

} // namespace medulla
