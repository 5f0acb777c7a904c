#include "core/engine/device/runtime.h"
#include "core/engine/error.h"

#include <QtTest>

using namespace atelier::engine;

class TestRuntime : public QObject
{
    Q_OBJECT
private slots:
    void reportsLibtorchVersion()
    {
        const std::string version = libtorchVersion();
        QVERIFY(!version.empty());
        QVERIFY2(version.find('.') != std::string::npos, version.c_str());
    }

    void listsTheCpuFirst()
    {
        const std::vector<DeviceInfo> devices = availableDevices();
        QVERIFY(!devices.empty());
        QCOMPARE(devices.front().kind, DeviceKind::Cpu);
        QCOMPARE(devices.front().id, std::string("cpu"));
        QVERIFY(!devices.front().name.empty());
    }

    void listsCudaDevicesOnlyWhenAvailable()
    {
        const std::vector<DeviceInfo> devices = availableDevices();
        const auto cudaCount = std::count_if(devices.begin(), devices.end(),
                                             [](const DeviceInfo &d) { return d.kind == DeviceKind::Cuda; });
        QCOMPARE(cudaCount > 0, cudaAvailable());
        for (const DeviceInfo &device : devices) {
            if (device.kind == DeviceKind::Cuda)
                QCOMPARE(device.id, "cuda:" + std::to_string(device.index));
        }
    }

    void errorsCarryTheirTypeAndMessage()
    {
        try {
            throw FormatError("model.safetensors: header length exceeds the file size");
        } catch (const Error &error) {
            QCOMPARE(std::string(error.type()), std::string("FormatError"));
            QCOMPARE(std::string(error.what()), std::string("model.safetensors: header length exceeds the file size"));
        }
    }
};

QTEST_APPLESS_MAIN(TestRuntime)
#include "test_runtime.moc"
