#include "engine/data/Download.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

#include "engine/core/Error.h"
#include "engine/data/Checksum.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

using Clock = std::chrono::steady_clock;

void initCurlOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw IoError("libcurl could not be initialised");
    });
}

std::string megabytes(int64_t bytes) {
    char s[32];
    std::snprintf(s, sizeof s, "%.1f", double(bytes) / 1e6);
    return s;
}

/// State of one HTTP request, shared with libcurl's callbacks (same thread).
struct Transfer {
    CURL* curl = nullptr;
    std::FILE* file = nullptr;
    std::string name;    ///< file name shown in progress messages
    int64_t offset = 0;  ///< bytes already in the .part before this request
    int64_t written = 0; ///< bytes written by this request
    bool statusChecked = false;
    int writeErrno = 0; ///< errno of a failed write, 0 if none
    ProgressSink* progress = nullptr;
    const CancelToken* cancel = nullptr;
    std::exception_ptr error; ///< thrown by the progress sink
    double lastFraction = -1.0;
    Clock::time_point lastReport{};
};

size_t onWrite(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t bytes = size * count;
    if (!t->statusChecked) {
        t->statusChecked = true;
        long code = 0;
        curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
        if (t->offset > 0 && code == 200) { // whole file despite Range: start over
            std::fflush(t->file);
            if (ftruncate(fileno(t->file), 0) != 0) {
                t->writeErrno = errno;
                return 0;
            }
            t->offset = 0;
        }
    }
    if (std::fwrite(data, 1, bytes, t->file) != bytes) {
        t->writeErrno = errno ? errno : EIO;
        return 0;
    }
    t->written += int64_t(bytes);
    return bytes;
}

int onProgress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    if (t->cancel && t->cancel->isCancelled())
        return 1;
    if (dltotal <= 0 && dlnow <= 0)
        return 0;
    const int64_t done = t->offset + int64_t(dlnow);
    const int64_t total = dltotal > 0 ? t->offset + int64_t(dltotal) : 0;
    const double fraction = total > 0 ? std::min(1.0, double(done) / double(total)) : 0.0;
    const auto now = Clock::now();
    if (fraction - t->lastFraction < 0.001 && now - t->lastReport < std::chrono::milliseconds(200))
        return 0;
    t->lastFraction = fraction;
    t->lastReport = now;
    std::string message = "downloading " + t->name + ": " + megabytes(done);
    message += total > 0 ? " of " + megabytes(total) + " MB" : " MB";
    try {
        t->progress->progress(fraction, message);
    } catch (...) {
        t->error = std::current_exception();
        return 1;
    }
    return t->cancel && t->cancel->isCancelled() ? 1 : 0;
}

/// Hosts never sent through a proxy: the user's no_proxy plus loopback.
std::string noProxyList() {
    std::string list = "localhost,127.0.0.1,::1";
    for (const char* var : {"no_proxy", "NO_PROXY"})
        if (const char* v = std::getenv(var); v && *v) {
            list += ",";
            list += v;
            break;
        }
    return list;
}

struct Attempt {
    CURLcode rc = CURLE_OK;
    long http = 0;
    std::string message; ///< libcurl's error text
    int64_t written = 0;
    int writeErrno = 0;
    std::exception_ptr error;
    double fraction = 0.0; ///< last fraction reported
};

Attempt requestOnce(const DownloadOptions& o, const std::string& part, const std::string& name,
                    ProgressSink& progress, const CancelToken* cancel) {
    std::error_code ec;
    const int64_t offset = fs::exists(part, ec) ? int64_t(fs::file_size(part, ec)) : 0;
    std::FILE* file = std::fopen(part.c_str(), "ab");
    if (!file)
        throw IoError(std::string("cannot open for writing: ") + std::strerror(errno), part);
    CURL* curl = curl_easy_init();
    if (!curl) {
        std::fclose(file);
        throw IoError("libcurl could not create a transfer", o.url());
    }
    Transfer t;
    t.curl = curl;
    t.file = file;
    t.name = name;
    t.offset = offset;
    t.progress = &progress;
    t.cancel = cancel;
    char errorBuffer[CURL_ERROR_SIZE] = {0};
    const std::string noProxy = noProxyList();
    curl_easy_setopt(curl, CURLOPT_URL, o.url().c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onWrite);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "medulla/0.1");
    curl_easy_setopt(curl, CURLOPT_NOPROXY, noProxy.c_str());
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, long(o.connect_timeout_s()));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, long(o.stall_timeout_s()));
    if (offset > 0)
        curl_easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, curl_off_t(offset));
    Attempt a;
    a.rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.http);
    curl_easy_cleanup(curl);
    a.message = errorBuffer[0] ? errorBuffer : curl_easy_strerror(a.rc);
    a.written = t.written;
    a.writeErrno = t.writeErrno;
    a.error = t.error;
    a.fraction = std::max(0.0, t.lastFraction);
    if (std::fclose(file) != 0 && a.writeErrno == 0 && a.rc == CURLE_OK)
        a.writeErrno = errno ? errno : EIO;
    return a;
}

bool isRetryableHttp(long code) {
    return code == 408 || code == 429 || code >= 500;
}

/// Sleeps `ms`, polling `cancel` every 50 ms.
void pause(int64_t ms, const CancelToken* cancel) {
    const auto end = Clock::now() + std::chrono::milliseconds(ms);
    while (Clock::now() < end) {
        if (cancel)
            cancel->throwIfCancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(ms, 50)));
    }
}

/// A failed first request leaves an empty .part behind: not worth keeping.
void removeIfEmpty(const std::string& part) {
    std::error_code ec;
    if (fs::exists(part, ec) && fs::file_size(part, ec) == 0)
        fs::remove(part, ec);
}

std::string normalisedMd5(const std::string& md5) {
    std::string s = md5;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!s.empty() && (s.size() != 32 || s.find_first_not_of("0123456789abcdef") != s.npos))
        throw ConfigError("an MD5 has 32 hex digits, got \"" + md5 + "\"", {}, "md5");
    return s;
}

} // namespace

void downloadFile(const DownloadOptions& o, ProgressSink& progress, const CancelToken* cancel) {
    if (o.url().empty())
        throw ConfigError("no URL given", {}, "url");
    if (o.destination().empty())
        throw ConfigError("no destination given", {}, "destination");
    const std::string md5 = normalisedMd5(o.md5());
    const fs::path dest(o.destination());
    const std::string part = dest.string() + ".part";
    const std::string name = dest.filename().string();
    std::error_code ec;

    if (fs::is_regular_file(dest, ec)) {
        if (md5.empty()) {
            progress.progress(1.0, name + " is already downloaded");
            return;
        }
        progress.progress(0.0, "verifying the existing " + name);
        if (md5OfFile(dest.string(), cancel) == md5) {
            progress.progress(1.0, name + " is already downloaded (MD5 verified)");
            return;
        }
        fs::remove(dest, ec); // stale or damaged: fetch it again
    }
    if (dest.has_parent_path())
        fs::create_directories(dest.parent_path(), ec);
    initCurlOnce();

    int64_t failures = 0; // consecutive attempts that brought no new bytes
    int64_t rangeRestarts = 0;
    for (;;) {
        if (cancel)
            cancel->throwIfCancelled();
        const Attempt a = requestOnce(o, part, name, progress, cancel);
        if (a.error)
            std::rethrow_exception(a.error);
        if (a.rc == CURLE_ABORTED_BY_CALLBACK && cancel && cancel->isCancelled())
            throw CancelledError();
        if (a.writeErrno != 0)
            throw IoError(std::string("cannot write the download: ") + std::strerror(a.writeErrno),
                          part);
        if (a.rc == CURLE_OK)
            break;
        if (a.rc == CURLE_RANGE_ERROR && rangeRestarts++ < 2) {
            fs::remove(part, ec); // the server cannot resume: start from byte 0
            continue;
        }
        if (a.rc == CURLE_HTTP_RETURNED_ERROR && a.http == 416) {
            // The .part is as long as the file (or longer): complete or foreign.
            if (!md5.empty() && md5OfFile(part, cancel) == md5)
                break;
            fs::remove(part, ec);
        } else if (a.rc == CURLE_HTTP_RETURNED_ERROR && !isRetryableHttp(a.http)) {
            removeIfEmpty(part);
            throw IoError("download failed with HTTP status " + std::to_string(a.http), o.url());
        }
        failures = a.written > 0 ? 1 : failures + 1;
        if (failures > o.max_retries()) {
            removeIfEmpty(part);
            throw IoError("download failed after " + std::to_string(failures) +
                              " attempts in a row without progress: " + a.message,
                          o.url());
        }
        const int64_t delay =
            std::min<int64_t>(o.retry_delay_ms() << std::min<int64_t>(failures - 1, 5), 30000);
        progress.progress(a.fraction, "download of " + name + " interrupted (" + a.message +
                                          "); resuming in " + std::to_string(delay) + " ms");
        pause(delay, cancel);
    }

    if (!md5.empty()) {
        progress.progress(1.0, "verifying " + name + " (MD5)");
        const std::string got = md5OfFile(part, cancel);
        if (got != md5) {
            fs::remove(part, ec);
            throw IoError("MD5 mismatch for " + o.url() + ": expected " + md5 + ", got " + got +
                              "; the downloaded file was deleted",
                          dest.string());
        }
    }
    fs::rename(part, dest, ec);
    if (ec)
        throw IoError("cannot move the finished download into place: " + ec.message(),
                      dest.string());
    progress.progress(1.0, "downloaded " + name);
}

} // namespace medulla
