#include "core/nodes/node_environment.h"

#include "core/engine/client/engine_client.h"
#include "core/settings/compute_choice.h"

namespace atelier::nodes {

std::pair<QString, QString> ComputeWish::resolve() const
{
    settings::Settings wish;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        wish.device = m_device;
        wish.precision = m_precision;
    }
    // A named CPU and a named precision need no engine to say what they are.
    if (wish.device == QLatin1String("cpu") && wish.precision != QLatin1String("auto"))
        return {wish.device, wish.precision};
    const settings::ComputeChoice choice = settings::chooseCompute(wish, engine::client::availableDevices());
    return {QString::fromStdString(choice.device.id), choice.precision};
}

} // namespace atelier::nodes
