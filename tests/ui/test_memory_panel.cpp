// The Memory dock over the engine's real model cache: a generation's submodels appear with their sizes, "Keep
// loaded" pins one, "Free all" drops the rest, "Unload" the pinned one, and the totals follow.
#include "tests/fixtures.h"
#include "tests/ui/english_plurals.h"

#include "core/engine/client/engine_client.h"
#include "ui/memory/memory_panel.h"

#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QtTest>

using namespace atelier;

class TestMemoryPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(installEnglishPlurals()); }

    void showsWhatTheCacheHoldsAndActsOnIt()
    {
        engine::client::setCacheBudgets({std::int64_t(2) << 30, 0});
        ui::MemoryPanel panel;
        panel.resize(900, 300);
        panel.show();
        QCOMPARE(panel.entryList()->topLevelItemCount(), 0);
        QVERIFY(!panel.freeAllButton()->isEnabled());

        engine::GenerationRequest request;
        request.modelPath = (fixturesDir() + QStringLiteral("/models/tiny-sd1/tiny-sd1.safetensors")).toStdString();
        request.prompt = "a cat";
        request.steps = 1;
        request.width = 64;
        request.height = 64;
        (void)engine::client::generate(request);
        panel.refresh();
        QCOMPARE(panel.entryList()->topLevelItemCount(), 3);
        QStringList parts;
        for (int i = 0; i < 3; ++i) {
            const QTreeWidgetItem *item = panel.entryList()->topLevelItem(i);
            parts << item->text(1);
            QCOMPARE(item->text(0), QStringLiteral("tiny-sd1.safetensors"));
            QVERIFY2(item->text(2).startsWith(QStringLiteral("RAM")), qPrintable(item->text(2)));
            QVERIFY2(item->text(3).endsWith(QStringLiteral("MiB")), qPrintable(item->text(3)));
            QCOMPARE(item->text(5), QStringLiteral("idle")); // the run is over: nothing holds them
        }
        parts.sort();
        QCOMPARE(parts, QStringList({QStringLiteral("text_encoder"), QStringLiteral("unet"), QStringLiteral("vae")}));
        QVERIFY2(panel.totalsLabel()->text().contains(QStringLiteral("of 2.00 GiB")),
                 qPrintable(panel.totalsLabel()->text()));
        QVERIFY2(panel.totalsLabel()->text().contains(QStringLiteral("3 loads from disk")),
                 qPrintable(panel.totalsLabel()->text()));

        // Keep the UNet; Free all drops the other two.
        for (int i = 0; i < 3; ++i)
            if (panel.entryList()->topLevelItem(i)->text(1) == QLatin1String("unet"))
                panel.entryList()->topLevelItem(i)->setSelected(true);
        QVERIFY(panel.pinButton()->isEnabled());
        panel.pinButton()->click();
        QCOMPARE(panel.entryList()->topLevelItemCount(), 3);
        QVERIFY(panel.pinButton()->isChecked()); // the selection survives the refresh
        panel.freeAllButton()->click();
        QCOMPARE(panel.entryList()->topLevelItemCount(), 1);
        QCOMPARE(panel.entryList()->topLevelItem(0)->text(1), QStringLiteral("unet"));
        QCOMPARE(panel.entryList()->topLevelItem(0)->text(5), QStringLiteral("kept"));

        // Unload drops the kept one too; the totals say so.
        panel.entryList()->topLevelItem(0)->setSelected(true);
        panel.unloadButton()->click();
        QCOMPARE(panel.entryList()->topLevelItemCount(), 0);
        QVERIFY2(panel.totalsLabel()->text().contains(QStringLiteral("3 evictions")),
                 qPrintable(panel.totalsLabel()->text()));
    }

    // Parts on a GPU, through a cache of its own whose parts say where they are: one moved to RAM to make room, one
    // loaded partially beside a part in use. The panel says where each one is and counts the moves.
    void showsPartsMovedToRamAndLoadedPartially()
    {
        const std::int64_t MiB = std::int64_t(1) << 20;
        engine::ModelCache cache;
        cache.setBudgets({1024 * MiB, 100 * MiB});
        struct Part
        {
            std::string device;
        };
        const auto part = [](std::int64_t bytes) {
            engine::CachedLoad<Part> how;
            how.load = [](const std::string &device) { return std::make_shared<Part>(Part{device}); };
            how.measure = [bytes](const Part &) { return bytes; };
            how.place = [bytes](Part &moved, const std::string &device, std::int64_t allowance) {
                moved.device = device;
                return allowance == engine::kAllOnDevice ? bytes : std::min(bytes, allowance);
            };
            return how;
        };
        const auto key = [](const std::string &file) {
            return engine::SubmodelKey{"/models/" + file, "unet", "cuda:0", "float16", "1@1"};
        };
        cache.get(key("first.safetensors"), 60 * MiB, part(60 * MiB));
        const auto inUse = cache.get(key("second.safetensors"), 60 * MiB, part(60 * MiB));
        const auto partial = cache.get(key("third.safetensors"), 80 * MiB, part(80 * MiB));
        QCOMPARE(partial->device, std::string("cuda:0"));

        ui::MemoryPanel panel({[&] { return cache.snapshot(); },
                               [&](const engine::SubmodelKey &which) {
                                   if (which.source.empty()) {
                                       cache.unloadAll();
                                       return true;
                                   }
                                   return cache.unload(which);
                               },
                               [&](const engine::SubmodelKey &which, bool pinned) { cache.setPinned(which, pinned); }},
                              nullptr);
        panel.refresh();
        QCOMPARE(panel.entryList()->topLevelItemCount(), 3);
        QMap<QString, const QTreeWidgetItem *> rows;
        for (int i = 0; i < 3; ++i)
            rows[panel.entryList()->topLevelItem(i)->text(0)] = panel.entryList()->topLevelItem(i);
        QCOMPARE(rows["first.safetensors"]->text(2), QStringLiteral("RAM · float16"));
        QCOMPARE(rows["second.safetensors"]->text(2), QStringLiteral("cuda:0 · float16"));
        QCOMPARE(rows["second.safetensors"]->text(5), QStringLiteral("in use"));
        QCOMPARE(rows["third.safetensors"]->text(2), QStringLiteral("cuda:0 + RAM · float16"));
        QVERIFY2(rows["third.safetensors"]->text(5).contains(QStringLiteral("40.0 MiB on cuda:0, the rest in RAM")),
                 qPrintable(rows["third.safetensors"]->text(5)));
        const QString totals = panel.totalsLabel()->text();
        QVERIFY2(totals.contains(QStringLiteral("cuda:0: 100.0 MiB of")), qPrintable(totals));
        QVERIFY2(totals.contains(QStringLiteral("RAM: 100.0 MiB of")), qPrintable(totals));
        QVERIFY2(totals.contains(QStringLiteral("1 moved to RAM")), qPrintable(totals));
    }
};

QTEST_MAIN(TestMemoryPanel)
#include "test_memory_panel.moc"
