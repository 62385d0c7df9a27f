#pragma once
/// Where the studio runs its background work (loading volumes, indexing
/// folders, previews, network summaries, validation): a pool of its own, not
/// Qt's global one (Qt's image and painting helpers use that, and must never
/// wait behind a long task of ours), whose threads run at background
/// priority (lowerThreadPriority), so that on a busy machine the GUI thread
/// and the threads drawing depends on (Mesa's rasterizer, Qt's helpers)
/// come first and the window never freezes.

#include <functional>

class QThreadPool;

namespace medulla::ui {

/// The pool (created on first use, at least 4 threads; lives until exit).
QThreadPool* backgroundPool();

/// Run `task` on the background pool at background priority.
void runInBackground(std::function<void()> task);

/// Lower the calling thread's priority (for threads the studio starts
/// itself, e.g. a std::thread worker).
void enterBackgroundPriority();

} // namespace medulla::ui
