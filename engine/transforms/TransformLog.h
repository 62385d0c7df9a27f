#pragma once
/// Where transforms that log (DataStatsd, SaveImaged with print_log) send
/// their text. The engine has no logging library: records go to a
/// process-wide sink, stdout by default (like MONAI's console handler),
/// which the GUI, the CLI or a test may replace.

#include <functional>
#include <string>

namespace medulla {

/// Receives one record: the logger name (MONAI's logging.getLogger name,
/// e.g. "DataStats") and the text, possibly several lines. Called from
/// whichever thread runs the transform, one record at a time (calls are
/// serialised), so it must not call transformLog() itself.
using TransformLogSink = std::function<void(const std::string& logger, const std::string& text)>;

/// Replace the sink (an empty function restores stdout); returns the previous one.
TransformLogSink setTransformLogSink(TransformLogSink sink);

/// Send one record to the sink.
void transformLog(const std::string& logger, const std::string& text);

} // namespace medulla
