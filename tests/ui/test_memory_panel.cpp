// The Memory dock over the engine's real model cache: a generation's submodels appear with their sizes, "Keep
// loaded" pins one, "Free all" drops the rest, "Unload" the pinned one, and the totals follow.
#include "tests/fixtures.h"

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
};

QTEST_MAIN(TestMemoryPanel)
#include "test_memory_panel.moc"
