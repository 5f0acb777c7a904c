#pragma once

#include "core/engine/pipeline/generate.h"
#include "core/training/training_run.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace atelier::models {
class RecordStore;
}
namespace atelier::training {
class TrainingService;
}

namespace atelier::ui {

class LossPlot;

// The Training panel: teach an aMUSEd model a style from a folder of captioned images. Choose the images, the model,
// a name and the settings; Start trains on the training service's thread, Pause stops at the next step with a
// checkpoint (Resume goes on from it), Stop ends the job the same way. A name whose run has checkpoints (paused,
// stopped, or cut short by a crash) offers Resume. The loss is
// plotted as the steps run, validation images appear as they are made, and the result lands in the library.
class TrainingPanel : public QWidget
{
    Q_OBJECT
public:
    TrainingPanel(models::RecordStore &store, training::TrainingService &service, QWidget *parent = nullptr);

    // The library's aMUSEd models, again (after installs).
    void refreshModels();
    // The job the fields describe; an empty string, or what is missing.
    QString describeJob(training::TrainingJob &job) const;

    QLineEdit *dataEdit() const { return m_data; }
    QComboBox *modelCombo() const { return m_model; }
    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *modeCombo() const { return m_mode; }
    QSpinBox *rankSpin() const { return m_rank; }
    QSpinBox *stepsSpin() const { return m_steps; }
    QDoubleSpinBox *learningRateSpin() const { return m_learningRate; }
    QSpinBox *batchSpin() const { return m_batch; }
    QPlainTextEdit *validationPromptsEdit() const { return m_prompts; }
    QSpinBox *validateEverySpin() const { return m_validateEvery; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *pauseButton() const { return m_pause; }
    QPushButton *stopButton() const { return m_stop; }
    QLabel *statusLabel() const { return m_status; }
    QLabel *dataSummaryLabel() const { return m_dataSummary; }
    LossPlot *lossPlot() const { return m_plot; }
    QListWidget *validationList() const { return m_validation; }

signals:
    // A job finished and its result is in the library.
    void modelTrained(const QString &key);

protected:
    void showEvent(QShowEvent *event) override;

private:
    QWidget *buildSettings();
    void chooseDataFolder();
    void summariseDataFolder();
    void startOrResume();
    void stopJob(bool pausing);
    void setRunning(bool running);
    void showValidation(int step, const QList<engine::RgbImage> &images);
    void showOutcome(const training::TrainingOutcome &outcome);

    models::RecordStore &m_store;
    training::TrainingService &m_service;
    quint64 m_job = 0;
    bool m_pausing = false;
    bool m_resumable = false; // the name's run has checkpoints to go on from

    QLineEdit *m_data = nullptr;
    QLabel *m_dataSummary = nullptr;
    QComboBox *m_model = nullptr;
    QLineEdit *m_name = nullptr;
    QComboBox *m_mode = nullptr;
    QSpinBox *m_rank = nullptr;
    QSpinBox *m_steps = nullptr;
    QDoubleSpinBox *m_learningRate = nullptr;
    QSpinBox *m_batch = nullptr;
    QSpinBox *m_accumulate = nullptr;
    QSpinBox *m_seed = nullptr;
    QSpinBox *m_checkpointEvery = nullptr;
    QPlainTextEdit *m_prompts = nullptr;
    QSpinBox *m_validateEvery = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_stop = nullptr;
    QLabel *m_status = nullptr;
    LossPlot *m_plot = nullptr;
    QListWidget *m_validation = nullptr;
};

} // namespace atelier::ui
