#include "core/graph/run_queue.h"

#include <atomic>

namespace atelier::graph {

quint64 RunQueue::newRunId()
{
    static std::atomic<quint64> next{1};
    return next++;
}

void RunQueue::registerSignalTypes()
{
    static const bool registered = [] {
        qRegisterMetaType<engine::RgbImage>();
        qRegisterMetaType<NodeRunReport>();
        qRegisterMetaType<OutputFile>();
        qRegisterMetaType<QList<OutputFile>>();
        qRegisterMetaType<RunOutcome>();
        return true;
    }();
    Q_UNUSED(registered);
}

} // namespace atelier::graph
