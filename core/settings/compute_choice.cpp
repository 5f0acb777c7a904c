#include "core/settings/compute_choice.h"

#include <QCoreApplication>

#include <algorithm>

namespace atelier::settings {

QString deviceName(const engine::DeviceInfo &device)
{
    if (device.kind == engine::DeviceKind::Cpu && device.threads > 0)
        return QCoreApplication::translate("ComputeChoice", "CPU (%n thread(s))", nullptr, device.threads);
    return QString::fromStdString(device.name);
}

QString ComputeChoice::label() const
{
    return QStringLiteral("%1 · %2").arg(deviceName(device), precision);
}

ComputeChoice chooseCompute(const Settings &settings, const std::vector<engine::DeviceInfo> &devices)
{
    ComputeChoice choice;
    const auto cpu = std::find_if(devices.begin(), devices.end(),
                                  [](const engine::DeviceInfo &d) { return d.kind == engine::DeviceKind::Cpu; });
    choice.device = cpu != devices.end() ? *cpu : engine::DeviceInfo{engine::DeviceKind::Cpu, 0, "cpu", "CPU"};

    const auto findCuda = [&](const std::string &id) {
        return std::find_if(devices.begin(), devices.end(), [&](const engine::DeviceInfo &d) {
            return d.kind == engine::DeviceKind::Cuda && (id.empty() || d.id == id);
        });
    };
    const std::string wanted = settings.device.toStdString();
    if (wanted == "auto" || wanted == "cuda") {
        const auto cuda = findCuda({});
        if (cuda != devices.end())
            choice.device = *cuda;
        else if (wanted == "cuda")
            choice.note = QCoreApplication::translate(
                "ComputeChoice", "CUDA was chosen in the settings, but no CUDA device is available; using the CPU.");
    } else if (wanted.rfind("cuda:", 0) == 0) {
        const auto cuda = findCuda(wanted);
        if (cuda != devices.end())
            choice.device = *cuda;
        else
            choice.note = QCoreApplication::translate(
                              "ComputeChoice", "%1 was chosen in the settings, but it is not available; using the CPU.")
                              .arg(settings.device);
    }

    const bool onCuda = choice.device.kind == engine::DeviceKind::Cuda;
    if (settings.precision == QLatin1String("auto")) {
        choice.precision = onCuda ? QStringLiteral("fp16") : QStringLiteral("fp32");
    } else if (!onCuda && settings.precision == QLatin1String("fp16")) {
        // Half-precision matrix products are not available on the CPU in every libtorch: stay correct.
        choice.precision = QStringLiteral("fp32");
        choice.note = QCoreApplication::translate("ComputeChoice",
                                                  "fp16 is only used on CUDA devices; the CPU computes in fp32.");
    } else {
        choice.precision = settings.precision;
    }
    return choice;
}

} // namespace atelier::settings
