#include "tests/fixtures.h"
#include "tests/ui/test_library.h"

#include "core/training/training_service.h"
#include "ui/training/loss_plot.h"
#include "ui/training/training_panel.h"

#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

using namespace atelier;

// The Training panel on a real library, the real engine and the fixture training set: a LoRA trained from the
// window lands in the library with its loss plotted and its validation images shown; Pause stops with a checkpoint
// and Resume goes on from it to the end; what is missing is said before anything starts.
class TestTrainingPanel : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestLibrary> m_library;
    std::unique_ptr<training::TrainingService> m_service;
    std::unique_ptr<ui::TrainingPanel> m_panel;
    QString m_data;

    static QString fixture(const QString &relative) { return QDir(fixturesDir()).filePath(relative); }

    QString trainingSet()
    {
        const QString folder = m_library->dir.filePath(QStringLiteral("my style"));
        QDir().mkpath(folder);
        QFile captions(fixture(QStringLiteral("cases/tiny-amused.train.captions.json")));
        if (!captions.open(QIODevice::ReadOnly))
            return {};
        const QByteArray bytes = captions.readAll();
        for (const QJsonValue &entry : QJsonDocument::fromJson(bytes).array()) {
            const QString file = entry.toObject().value(QStringLiteral("file")).toString();
            QFile::copy(fixture(QStringLiteral("cases/") + file), folder + QLatin1Char('/') + file);
        }
        QFile out(folder + QStringLiteral("/captions.json"));
        if (!out.open(QIODevice::WriteOnly))
            return {};
        out.write(bytes);
        return folder;
    }

private slots:
    void init()
    {
        m_library = std::make_unique<TestLibrary>();
        QVERIFY(m_library->opened);
        models::InstallRequest inPlace;
        inPlace.inplace = true;
        QVERIFY(m_library->installer->registerPath(fixture(QStringLiteral("models/tiny-amused")), inPlace));
        m_service = std::make_unique<training::TrainingService>(
            generation::ModelLibrary{m_library->store.get(), m_library->modelsDir()}, *m_library->installer,
            m_library->dir.filePath(QStringLiteral("training")));
        m_panel = std::make_unique<ui::TrainingPanel>(*m_library->store, *m_service);
        m_panel->resize(1000, 520);
        m_panel->show();
        m_data = trainingSet();
    }

    void cleanup()
    {
        m_panel.reset();
        m_service.reset();
        m_library.reset();
    }

    void missingFieldsAreSaidBeforeAnythingStarts()
    {
        QCOMPARE(m_panel->modelCombo()->count(), 1);
        QTest::mouseClick(m_panel->startButton(), Qt::LeftButton);
        QVERIFY(m_panel->statusLabel()->text().contains(QStringLiteral("folder of training images")));
        QVERIFY(m_panel->startButton()->isEnabled());
    }

    // A model installed while the panel shows "no aMUSEd model" is chosen once the list is read again.
    void modelInstalledLaterIsChosen()
    {
        const QString key = m_panel->modelCombo()->currentData().toString();
        QVERIFY(m_library->installer->unregister(key));
        m_panel->refreshModels();
        QCOMPARE(m_panel->modelCombo()->count(), 0);
        models::InstallRequest inPlace;
        inPlace.inplace = true;
        QVERIFY(m_library->installer->registerPath(fixture(QStringLiteral("models/tiny-amused")), inPlace));
        m_panel->refreshModels();
        QCOMPARE(m_panel->modelCombo()->currentIndex(), 0);
    }

    void trainsALoraIntoTheLibrary()
    {
        m_panel->dataEdit()->setText(m_data);
        QMetaObject::invokeMethod(m_panel->dataEdit(), "editingFinished");
        QCOMPARE(m_panel->nameEdit()->text(), QStringLiteral("my style"));
        QVERIFY(m_panel->dataSummaryLabel()->text().contains(QStringLiteral("4 PNG image(s); captions from "
                                                                            "captions.json")));
        m_panel->rankSpin()->setValue(4);
        m_panel->stepsSpin()->setValue(12);
        m_panel->learningRateSpin()->setValue(0.005);
        m_panel->batchSpin()->setValue(4);
        m_panel->validationPromptsEdit()->setPlainText(QStringLiteral("a red circle\ngreen stripes"));
        m_panel->validateEverySpin()->setValue(6);

        QSignalSpy trained(m_panel.get(), &ui::TrainingPanel::modelTrained);
        QTest::mouseClick(m_panel->startButton(), Qt::LeftButton);
        QVERIFY(!m_panel->startButton()->isEnabled());
        QVERIFY(m_panel->pauseButton()->isEnabled());
        QVERIFY(trained.wait(120000));
        QCOMPARE(m_panel->lossPlot()->points().size(), 12);
        QCOMPARE(m_panel->validationList()->count(), 4); // two prompts at steps 6 and 12
        QVERIFY2(m_panel->statusLabel()->text().contains(QStringLiteral("is in the library")),
                 qPrintable(m_panel->statusLabel()->text()));
        const auto record = m_library->store->getModel(trained.first().first().toString());
        QVERIFY(record);
        QCOMPARE(record->name, QStringLiteral("my style"));
        QVERIFY(record->type == models::ModelType::Lora);
        QVERIFY(record->base == models::BaseModel::Amused);
        QVERIFY(m_panel->startButton()->isEnabled());
    }

    void pauseThenResumeFinishes()
    {
        m_panel->dataEdit()->setText(m_data);
        m_panel->nameEdit()->setText(QStringLiteral("paused"));
        m_panel->modeCombo()->setCurrentIndex(1); // the whole model
        m_panel->stepsSpin()->setValue(400);
        m_panel->batchSpin()->setValue(4);
        QSignalSpy trained(m_panel.get(), &ui::TrainingPanel::modelTrained);
        QTest::mouseClick(m_panel->startButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->lossPlot()->points().size() >= 3, 60000);
        QTest::mouseClick(m_panel->pauseButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->startButton()->text(), QStringLiteral("Resume"), 60000);
        QVERIFY2(m_panel->statusLabel()->text().contains(QStringLiteral("Paused at step")),
                 qPrintable(m_panel->statusLabel()->text()));
        const int pausedAt = int(m_panel->lossPlot()->points().size());
        QVERIFY(pausedAt < 400);

        m_panel->stepsSpin()->setValue(pausedAt + 5);
        QTest::mouseClick(m_panel->startButton(), Qt::LeftButton);
        // The step count is part of no checkpoint's settings: a paused run may be given more or fewer steps.
        QVERIFY(trained.wait(120000));
        QCOMPARE(m_panel->lossPlot()->points().size(), pausedAt + 5);
        QCOMPARE(m_panel->lossPlot()->points().first().x(), 1.0);
        // A run cut short under another name (here: stopped) is offered for resuming when its name is typed again.
        m_panel->nameEdit()->setText(QStringLiteral("other"));
        QCOMPARE(m_panel->startButton()->text(), QStringLiteral("Start"));
        m_panel->nameEdit()->setText(QStringLiteral("paused"));
        QCOMPARE(m_panel->startButton()->text(), QStringLiteral("Resume"));
        QVERIFY(m_library->store->getModel(trained.first().first().toString())->type == models::ModelType::Main);
    }
};

QTEST_MAIN(TestTrainingPanel)
#include "test_training_panel.moc"
