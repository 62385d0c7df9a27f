#include "engine/transforms/TransformLog.h"

#include <cstdio>
#include <mutex>

namespace medulla {
namespace {

std::mutex& sinkMutex() {
    static std::mutex m;
    return m;
}

TransformLogSink& currentSink() {
    static TransformLogSink sink;
    return sink;
}

} // namespace

TransformLogSink setTransformLogSink(TransformLogSink sink) {
    std::lock_guard<std::mutex> lock(sinkMutex());
    TransformLogSink previous = std::move(currentSink());
    currentSink() = std::move(sink);
    return previous;
}

void transformLog(const std::string& logger, const std::string& text) {
    std::lock_guard<std::mutex> lock(sinkMutex());
    if (currentSink()) {
        currentSink()(logger, text);
        return;
    }
    std::fprintf(stdout, "%s\n", text.c_str());
    std::fflush(stdout);
}

} // namespace medulla
