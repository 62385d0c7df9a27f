#pragma once
/// A tiny HTTP/1.1 file server on 127.0.0.1 for the download tests: serves
/// bytes from a map path -> content, honours `Range: bytes=N-` (206 with
/// Content-Range, 416 past the end), answers 404 for unknown paths and can
/// misbehave on purpose: drop connections after K body bytes, ignore Range,
/// send slowly. One connection at a time, one request per connection
/// ("Connection: close"), on a background thread; the destructor stops it.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace medulla::test {

class LocalHttpServer {
public:
    /// What the server saw of one request.
    struct Request {
        std::string method;
        std::string path;
        std::map<std::string, std::string> headers; ///< lower-case names
        int64_t rangeStart = -1;                    ///< N of "Range: bytes=N-", -1 if none
        int status = 0;                             ///< status code answered
    };

    /// Binds 127.0.0.1 on a free port and starts serving. Throws
    /// std::runtime_error if the socket cannot be set up.
    LocalHttpServer() {
        listenFd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (listenFd_ < 0)
            throw std::runtime_error("socket() failed");
        int one = 1;
        ::setsockopt(listenFd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        socklen_t len = sizeof addr;
        if (::bind(listenFd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(listenFd_, 8) != 0 ||
            ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            ::close(listenFd_);
            throw std::runtime_error("cannot listen on 127.0.0.1");
        }
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { loop(); });
    }

    ~LocalHttpServer() {
        stop_ = true;
        if (thread_.joinable())
            thread_.join();
        ::close(listenFd_);
    }

    LocalHttpServer(const LocalHttpServer&) = delete;
    LocalHttpServer& operator=(const LocalHttpServer&) = delete;

    int port() const { return port_; }
    /// "http://127.0.0.1:PORT" + path.
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

    /// Serve `bytes` at `path` ("/Task09_Spleen.tar").
    void serve(const std::string& path, std::string bytes) {
        std::lock_guard<std::mutex> lock(mutex_);
        files_[path] = std::move(bytes);
    }
    /// Fault mode: the first `requests` requests get only `bytes` bytes of
    /// their body before the connection is closed (Content-Length promises all).
    void dropAfter(int64_t bytes, int requests) {
        std::lock_guard<std::mutex> lock(mutex_);
        dropBytes_ = bytes;
        dropRequests_ = requests;
    }
    /// Answer 200 with the whole file even when a Range is asked for.
    void ignoreRange(bool ignore) {
        std::lock_guard<std::mutex> lock(mutex_);
        ignoreRange_ = ignore;
    }
    /// Send bodies in `chunkBytes` pieces with `delay` after each.
    void throttle(size_t chunkBytes, std::chrono::milliseconds delay) {
        std::lock_guard<std::mutex> lock(mutex_);
        chunkBytes_ = std::max<size_t>(1, chunkBytes);
        delay_ = delay;
    }
    std::vector<Request> requests() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }

private:
    void loop() {
        while (!stop_) {
            pollfd p{listenFd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0)
                continue;
            const int fd = ::accept(listenFd_, nullptr, nullptr);
            if (fd < 0)
                continue;
            handle(fd);
            ::close(fd);
        }
    }

    /// Reads until the end of the headers; false on timeout, close or stop.
    bool readHead(int fd, std::string* head) {
        char buf[4096];
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (head->find("\r\n\r\n") == std::string::npos) {
            if (stop_ || std::chrono::steady_clock::now() > deadline)
                return false;
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0)
                continue;
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0)
                return false;
            head->append(buf, size_t(n));
        }
        return true;
    }

    static Request parse(const std::string& head) {
        Request r;
        size_t lineEnd = head.find("\r\n");
        const std::string first = head.substr(0, lineEnd);
        const size_t s1 = first.find(' '), s2 = first.find(' ', s1 + 1);
        r.method = first.substr(0, s1);
        r.path = first.substr(s1 + 1, s2 - s1 - 1);
        size_t pos = lineEnd + 2;
        while (pos < head.size()) {
            const size_t end = head.find("\r\n", pos);
            if (end == std::string::npos || end == pos)
                break;
            const std::string line = head.substr(pos, end - pos);
            pos = end + 2;
            const size_t colon = line.find(':');
            if (colon == std::string::npos)
                continue;
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return char(std::tolower(c)); });
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            r.headers[name] = value;
        }
        const auto range = r.headers.find("range");
        if (range != r.headers.end() && range->second.rfind("bytes=", 0) == 0)
            r.rangeStart = std::stoll(range->second.substr(6));
        return r;
    }

    bool sendAll(int fd, const char* data, size_t size) {
        while (size > 0) {
            const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            data += n;
            size -= size_t(n);
        }
        return true;
    }

    void handle(int fd) {
        std::string head;
        if (!readHead(fd, &head))
            return;
        Request r = parse(head);
        std::string body;
        bool found = false, ignoreRange = false;
        int64_t limit = -1;
        size_t chunk = 0;
        std::chrono::milliseconds delay{0};
        {
            std::lock_guard<std::mutex> lock(mutex_);
            const auto it = files_.find(r.path);
            if (it != files_.end()) {
                found = true;
                body = it->second;
            }
            if (int(requests_.size()) < dropRequests_)
                limit = dropBytes_;
            ignoreRange = ignoreRange_;
            chunk = chunkBytes_;
            delay = delay_;
        }
        const int64_t size = int64_t(body.size());
        std::string status, extra;
        int64_t from = 0;
        if (!found) {
            r.status = 404;
            status = "404 Not Found";
            body = "not found\n";
        } else if (r.rangeStart >= 0 && !ignoreRange) {
            if (r.rangeStart >= size) {
                r.status = 416;
                status = "416 Range Not Satisfiable";
                extra = "Content-Range: bytes */" + std::to_string(size) + "\r\n";
                body.clear();
            } else {
                r.status = 206;
                status = "206 Partial Content";
                from = r.rangeStart;
                extra = "Content-Range: bytes " + std::to_string(from) + "-" +
                        std::to_string(size - 1) + "/" + std::to_string(size) + "\r\n";
            }
        } else {
            r.status = 200;
            status = "200 OK";
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            requests_.push_back(r);
        }
        const size_t length = body.size() - size_t(from);
        const std::string response = "HTTP/1.1 " + status +
                                     "\r\nContent-Length: " + std::to_string(length) + "\r\n" +
                                     extra + "Accept-Ranges: bytes\r\nConnection: close\r\n\r\n";
        if (!sendAll(fd, response.data(), response.size()) || r.method == "HEAD")
            return;
        size_t toSend = length;
        if (found && limit >= 0)
            toSend = std::min(toSend, size_t(limit));
        size_t sent = 0;
        while (sent < toSend && !stop_) {
            const size_t n = std::min(chunk, toSend - sent);
            if (!sendAll(fd, body.data() + from + sent, n))
                return;
            sent += n;
            if (delay.count() > 0)
                std::this_thread::sleep_for(delay);
        }
        ::shutdown(fd, SHUT_WR);
    }

    int listenFd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::map<std::string, std::string> files_;
    std::vector<Request> requests_;
    int64_t dropBytes_ = -1;
    int dropRequests_ = 0;
    bool ignoreRange_ = false;
    size_t chunkBytes_ = 64 * 1024;
    std::chrono::milliseconds delay_{0};
};

} // namespace medulla::test
