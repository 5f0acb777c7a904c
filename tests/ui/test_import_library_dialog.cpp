// The import dialog on a fake ComfyUI installation built from the fixture models: what it found, per folder, with
// sizes and what the library has; an import of the checked folders on a worker thread, with progress, leaves the
// models registered in place and says what it did; a second look shows them as in the library.
#include "core/downloads/download_queue.h"
#include "core/models/install/model_installer.h"
#include "core/models/record_store.h"
#include "tests/fixtures.h"
#include "tests/sparse_safetensors.h"
#include "ui/library/import_library_dialog.h"

#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTreeWidget>
#include <QtTest>

using namespace atelier;
using namespace atelier::models;

class TestImportLibraryDialog : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<RecordStore> m_store;
    std::unique_ptr<downloads::DownloadQueue> m_queue;
    std::unique_ptr<ModelInstaller> m_installer;

    QString at(const QString &relative) const { return m_dir.filePath(relative); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_store = std::make_unique<RecordStore>(at(QStringLiteral("library.db")));
        QVERIFY(m_store->open());
        m_queue = std::make_unique<downloads::DownloadQueue>();
        ModelInstaller::Options options;
        options.modelsDir = at(QStringLiteral("models"));
        options.cacheDir = at(QStringLiteral("cache"));
        m_installer = std::make_unique<ModelInstaller>(*m_store, *m_queue, options);
        QDir().mkpath(at(QStringLiteral("ComfyUI/models/checkpoints")));
        QVERIFY(QFile::copy(QDir(fixturesDir()).filePath(QStringLiteral("models/tiny-sd1/tiny-sd1.safetensors")),
                            at(QStringLiteral("ComfyUI/models/checkpoints/tiny.safetensors"))));
        QVERIFY(writeSparseSd1Lora(at(QStringLiteral("ComfyUI/models/loras/a.safetensors")), QStringLiteral("a")));
        QVERIFY(writeSparseSd1Lora(at(QStringLiteral("ComfyUI/models/loras/b.safetensors")), QStringLiteral("b")));
    }

    void showsWhatItFoundAndImportsTheCheckedFolders()
    {
        ui::ImportLibraryDialog dialog(*m_store, *m_installer, {at(QStringLiteral("ComfyUI"))});
        QSignalSpy planned(&dialog, &ui::ImportLibraryDialog::planned);
        QVERIFY(planned.wait(20000));
        QTreeWidget *tree = dialog.foldersTree();
        QCOMPARE(tree->topLevelItemCount(), 2);
        QCOMPARE(tree->topLevelItem(0)->text(0), QStringLiteral("ComfyUI · checkpoints"));
        QCOMPARE(tree->topLevelItem(0)->text(1), QStringLiteral("1"));
        QCOMPARE(tree->topLevelItem(1)->text(0), QStringLiteral("ComfyUI · loras"));
        QCOMPARE(tree->topLevelItem(1)->text(1), QStringLiteral("2"));
        QCOMPARE(tree->topLevelItem(1)->text(3), QStringLiteral("0"));
        QCOMPARE(tree->topLevelItem(1)->checkState(0), Qt::Checked);
        QVERIFY(dialog.importButton()->isEnabled());

        // Only the LoRAs this time.
        tree->topLevelItem(0)->setCheckState(0, Qt::Unchecked);
        QSignalSpy imported(&dialog, &ui::ImportLibraryDialog::imported);
        QTest::mouseClick(dialog.importButton(), Qt::LeftButton);
        QVERIFY(dialog.busy());
        QVERIFY(!dialog.importButton()->isEnabled());
        QVERIFY(imported.wait(30000));
        const QList<ModelConfig> records = m_store->allModels().value();
        QCOMPARE(records.size(), 2);
        for (const ModelConfig &model : records)
            QVERIFY2(model.path.startsWith(at(QStringLiteral("ComfyUI/models/loras"))), qPrintable(model.path));
        QVERIFY2(
            dialog.reportView()->toPlainText().startsWith(QStringLiteral("2 registered, 0 already in the library")),
            qPrintable(dialog.reportView()->toPlainText()));
        QCOMPARE(dialog.progressBar()->value(), 2);
        // The folders are looked at again: the LoRAs are in the library now, the checkpoint is still to import.
        QVERIFY(planned.wait(20000));
        QCOMPARE(tree->topLevelItem(1)->text(3), QStringLiteral("2"));
        QCOMPARE(tree->topLevelItem(1)->checkState(0), Qt::Unchecked);
        QCOMPARE(tree->topLevelItem(0)->checkState(0), Qt::Checked);
    }

    void aFolderWithNothingKnownIsSaidSo()
    {
        ui::ImportLibraryDialog dialog(*m_store, *m_installer, {at(QStringLiteral("models-of-nobody"))});
        QSignalSpy planned(&dialog, &ui::ImportLibraryDialog::planned);
        QVERIFY(planned.wait(20000));
        QCOMPARE(dialog.foldersTree()->topLevelItemCount(), 0);
        QVERIFY(!dialog.importButton()->isEnabled());
        QVERIFY2(dialog.statusLabel()->text().contains(QStringLiteral("no ComfyUI")),
                 qPrintable(dialog.statusLabel()->text()));
    }
};

QTEST_MAIN(TestImportLibraryDialog)
#include "test_import_library_dialog.moc"
