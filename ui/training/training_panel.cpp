#include "ui/training/training_panel.h"

#include "core/models/record_store.h"
#include "core/training/training_service.h"
#include "ui/training/loss_plot.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace atelier::ui {

namespace {

QString clockText(double seconds)
{
    const long long total = (long long)(seconds + 0.5);
    return total >= 3600 ? QStringLiteral("%1:%2:%3")
                               .arg(total / 3600)
                               .arg(total / 60 % 60, 2, 10, QLatin1Char('0'))
                               .arg(total % 60, 2, 10, QLatin1Char('0'))
                         : QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

QImage toImage(const engine::RgbImage &image)
{
    return QImage(image.pixels.data(), image.width, image.height, image.width * 3, QImage::Format_RGB888).copy();
}

QSpinBox *spin(int low, int high, int value, QWidget *parent)
{
    auto *box = new QSpinBox(parent);
    box->setRange(low, high);
    box->setValue(value);
    return box;
}

} // namespace

TrainingPanel::TrainingPanel(models::RecordStore &store, training::TrainingService &service, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_service(service)
{
    setObjectName(QStringLiteral("trainingPanel"));
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    // The settings scroll: the panel shares the bottom of the window and must not make it taller than the others.
    auto *settingsScroll = new QScrollArea(splitter);
    settingsScroll->setFocusPolicy(Qt::NoFocus); // Tab goes to the fields inside, which it scrolls into view
    settingsScroll->setWidgetResizable(true);
    settingsScroll->setFrameShape(QFrame::NoFrame);
    settingsScroll->setWidget(buildSettings());
    settingsScroll->setMinimumWidth(settingsScroll->widget()->sizeHint().width() +
                                    settingsScroll->verticalScrollBar()->sizeHint().width());
    splitter->addWidget(settingsScroll);

    auto *results = new QWidget(splitter);
    auto *resultLayout = new QVBoxLayout(results);
    m_status = new QLabel(tr("Choose a folder of captioned images and a model, then Start."), results);
    m_status->setObjectName(QStringLiteral("trainingStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // The loss beside the validation images (newest first), so that the panel stays low.
    auto *curves = new QSplitter(Qt::Horizontal, results);
    m_plot = new LossPlot(curves);
    auto *validation = new QWidget(curves);
    auto *validationLayout = new QVBoxLayout(validation);
    validationLayout->setContentsMargins(0, 0, 0, 0);
    m_validation = new QListWidget(validation);
    m_validation->setObjectName(QStringLiteral("validationImages"));
    m_validation->setAccessibleName(tr("Validation images"));
    m_validation->setViewMode(QListView::IconMode);
    m_validation->setIconSize(QSize(128, 128));
    m_validation->setFlow(QListView::LeftToRight);
    m_validation->setWrapping(true);
    m_validation->setResizeMode(QListView::Adjust);
    validationLayout->addWidget(new QLabel(tr("Validation images (newest first)"), validation));
    validationLayout->addWidget(m_validation);
    curves->setStretchFactor(0, 3);
    curves->setStretchFactor(1, 2);
    resultLayout->addWidget(m_status);
    resultLayout->addWidget(curves, 1);
    splitter->addWidget(results);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    using Service = training::TrainingService;
    connect(&m_service, &Service::encoding, this, [this](quint64 job) {
        if (job == m_job)
            m_status->setText(tr("Encoding the training images and captions …"));
    });
    connect(&m_service, &Service::progressed, this,
            [this](quint64 job, int step, int steps, double loss, double secondsPerStep, double secondsLeft) {
                if (job != m_job)
                    return;
                m_plot->addPoint(step, loss);
                const QLocale locale;
                m_status->setText(tr("Step %1 of %2 · loss %3 (average %4) · %5 steps/s · %6 left")
                                      .arg(locale.toString(step), locale.toString(steps), locale.toString(loss, 'f', 4),
                                           locale.toString(m_plot->smoothedLast(), 'f', 4),
                                           locale.toString(secondsPerStep > 0 ? 1.0 / secondsPerStep : 0.0, 'f', 2),
                                           clockText(secondsLeft)));
            });
    connect(&m_service, &Service::validationReady, this,
            [this](quint64 job, int step, const QList<engine::RgbImage> &images) {
                if (job == m_job)
                    showValidation(step, images);
            });
    connect(&m_service, &Service::finished, this, [this](quint64 job, const training::TrainingOutcome &outcome) {
        if (job == m_job)
            showOutcome(outcome);
    });
    connect(&m_service, &Service::failed, this, [this](quint64 job, const QString &message, const QString &) {
        if (job != m_job)
            return;
        setRunning(false);
        m_status->setText(tr("Training failed: %1").arg(message));
    });
    setRunning(false);
    refreshModels();
}

QWidget *TrainingPanel::buildSettings()
{
    auto *settings = new QWidget(this);
    auto *form = new QFormLayout(settings);

    auto *dataRow = new QHBoxLayout;
    m_data = new QLineEdit(settings);
    m_data->setObjectName(QStringLiteral("trainingData"));
    m_data->setPlaceholderText(tr("A folder of PNG images with captions"));
    auto *browse = new QToolButton(settings);
    browse->setText(tr("Choose …"));
    browse->setAccessibleName(tr("Choose the images folder"));
    browse->setToolTip(browse->accessibleName());
    dataRow->addWidget(m_data, 1);
    dataRow->addWidget(browse);
    auto *dataLabel = new QLabel(tr("&Images:"), settings);
    dataLabel->setBuddy(m_data);
    form->addRow(dataLabel, dataRow);
    m_dataSummary = new QLabel(settings);
    m_dataSummary->setWordWrap(true);
    form->addRow(QString(), m_dataSummary);

    m_model = new QComboBox(settings);
    m_model->setObjectName(QStringLiteral("trainingModel"));
    form->addRow(tr("&Model:"), m_model);
    m_name = new QLineEdit(settings);
    m_name->setObjectName(QStringLiteral("trainingName"));
    m_name->setPlaceholderText(tr("The result's name in the library"));
    form->addRow(tr("&Name:"), m_name);

    m_mode = new QComboBox(settings);
    m_mode->addItem(tr("LoRA (small file, on top of the model)"), true);
    m_mode->addItem(tr("Whole model (a new model)"), false);
    form->addRow(tr("&Train:"), m_mode);
    m_rank = spin(1, 256, 16, settings);
    form->addRow(tr("LoRA &rank:"), m_rank);
    m_steps = spin(1, 1000000, 1000, settings);
    form->addRow(tr("&Steps:"), m_steps);
    m_learningRate = new QDoubleSpinBox(settings);
    m_learningRate->setDecimals(6);
    m_learningRate->setRange(0.000001, 1.0);
    m_learningRate->setSingleStep(0.00005);
    m_learningRate->setValue(0.0003);
    form->addRow(tr("&Learning rate:"), m_learningRate);
    m_batch = spin(1, 256, 1, settings);
    form->addRow(tr("&Batch:"), m_batch);
    m_accumulate = spin(1, 256, 1, settings);
    m_accumulate->setToolTip(tr("Batches whose gradients add up to one step: a larger effective batch in the same "
                                "memory"));
    form->addRow(tr("&Accumulate:"), m_accumulate);
    m_seed = spin(0, std::numeric_limits<int>::max(), 0, settings);
    form->addRow(tr("See&d:"), m_seed);
    m_checkpointEvery = spin(0, 1000000, 100, settings);
    form->addRow(tr("&Checkpoint every:"), m_checkpointEvery);
    m_prompts = new QPlainTextEdit(settings);
    m_prompts->setTabChangesFocus(true); // prompts never hold a tab; Tab moves on, as in every form
    m_prompts->setObjectName(QStringLiteral("validationPrompts"));
    m_prompts->setPlaceholderText(tr("One prompt per line, drawn as training goes"));
    m_prompts->setMaximumHeight(80);
    form->addRow(tr("&Validation:"), m_prompts);
    m_validateEvery = spin(0, 1000000, 100, settings);
    m_validateEvery->setSpecialValueText(tr("at the end"));
    form->addRow(tr("Validate &every:"), m_validateEvery);

    auto *buttons = new QHBoxLayout;
    m_start = new QPushButton(tr("Start"), settings);
    m_start->setObjectName(QStringLiteral("trainingStart"));
    m_pause = new QPushButton(tr("Pause"), settings);
    m_pause->setToolTip(tr("Stop after this step with a checkpoint; Resume goes on from it"));
    m_stop = new QPushButton(tr("Stop"), settings);
    buttons->addWidget(m_start);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_stop);
    form->addRow(buttons);

    connect(browse, &QToolButton::clicked, this, &TrainingPanel::chooseDataFolder);
    connect(m_data, &QLineEdit::editingFinished, this, &TrainingPanel::summariseDataFolder);
    connect(m_mode, &QComboBox::currentIndexChanged, this,
            [this] { m_rank->setEnabled(m_mode->currentData().toBool()); });
    connect(m_start, &QPushButton::clicked, this, &TrainingPanel::startOrResume);
    connect(m_pause, &QPushButton::clicked, this, [this] { stopJob(true); });
    connect(m_stop, &QPushButton::clicked, this, [this] { stopJob(false); });
    // A name whose run has checkpoints (paused, stopped, or cut short by a crash) resumes it.
    connect(m_name, &QLineEdit::textChanged, this, [this] {
        const QString name = m_name->text().trimmed();
        m_resumable = !name.isEmpty() && QFileInfo::exists(training::runFolderFor(m_service.trainingRoot(), name) +
                                                           QStringLiteral("/checkpoints"));
        m_start->setText(m_resumable ? tr("Resume") : tr("Start"));
    });
    return settings;
}

void TrainingPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refreshModels();
}

void TrainingPanel::refreshModels()
{
    const QString chosen = m_model->currentData().toString();
    m_model->clear();
    models::ModelQuery query;
    query.base = models::BaseModel::Amused;
    query.type = models::ModelType::Main;
    query.limit = 0;
    if (const auto page = m_store.browse(query))
        for (const models::ModelSummary &record : page->models)
            m_model->addItem(record.name, record.key);
    if (m_model->count() == 0)
        m_model->setPlaceholderText(tr("No aMUSEd model in the library: install one (amused/amused-256)"));
    else // with a placeholder text, adding items leaves none chosen
        m_model->setCurrentIndex(std::max(0, m_model->findData(chosen)));
}

void TrainingPanel::chooseDataFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Training images"), m_data->text());
    if (folder.isEmpty())
        return;
    m_data->setText(folder);
    summariseDataFolder();
}

void TrainingPanel::summariseDataFolder()
{
    const QDir dir(m_data->text());
    if (m_data->text().isEmpty() || !dir.exists()) {
        m_dataSummary->setText(m_data->text().isEmpty() ? QString() : tr("This folder does not exist."));
        return;
    }
    const int images = int(dir.entryList({QStringLiteral("*.png"), QStringLiteral("*.PNG")}, QDir::Files).size());
    QString captions = tr("a .txt beside each image");
    for (const char *file : {"captions.json", "captions.csv", "metadata.jsonl"})
        if (dir.exists(QLatin1String(file))) {
            captions = QLatin1String(file);
            break;
        }
    m_dataSummary->setText(tr("%n PNG image(s); captions from %1", nullptr, images).arg(captions));
    if (m_name->text().isEmpty())
        m_name->setText(dir.dirName());
}

QString TrainingPanel::describeJob(training::TrainingJob &job) const
{
    if (m_data->text().trimmed().isEmpty())
        return tr("Choose the folder of training images.");
    if (m_model->currentIndex() < 0)
        return tr("Choose the aMUSEd model to start from.");
    if (m_name->text().trimmed().isEmpty())
        return tr("Give the result a name.");
    job.dataFolder = m_data->text().trimmed();
    job.model = m_model->currentData().toString();
    job.outputName = m_name->text().trimmed();
    engine::AmusedTrainingRequest &s = job.settings;
    s.loraRank = m_mode->currentData().toBool() ? m_rank->value() : 0;
    s.steps = m_steps->value();
    s.learningRate = m_learningRate->value();
    s.batch = m_batch->value();
    s.accumulate = m_accumulate->value();
    s.seed = std::uint64_t(m_seed->value());
    s.validationSeed = s.seed;
    s.checkpointEvery = m_checkpointEvery->value();
    s.validationEvery = m_validateEvery->value();
    s.validationPrompts.clear();
    for (const QString &line : m_prompts->toPlainText().split(QLatin1Char('\n')))
        if (!line.trimmed().isEmpty())
            s.validationPrompts.push_back(line.trimmed().toStdString());
    return {};
}

void TrainingPanel::startOrResume()
{
    training::TrainingJob job;
    if (const QString missing = describeJob(job); !missing.isEmpty()) {
        m_status->setText(missing);
        return;
    }
    job.resume = m_resumable;
    if (!job.resume) {
        m_plot->clear();
        m_validation->clear();
    }
    m_pausing = false;
    m_job = m_service.start(job);
    setRunning(true);
    m_status->setText(job.resume ? tr("Resuming from the last checkpoint …") : tr("Starting …"));
}

void TrainingPanel::stopJob(bool pausing)
{
    if (m_job == 0)
        return;
    m_pausing = pausing;
    m_service.stop(m_job);
    m_pause->setEnabled(false);
    m_stop->setEnabled(false);
    m_status->setText(pausing ? tr("Pausing after this step …") : tr("Stopping after this step …"));
}

void TrainingPanel::setRunning(bool running)
{
    m_start->setEnabled(!running);
    m_pause->setEnabled(running);
    m_stop->setEnabled(running);
    for (QWidget *field : std::initializer_list<QWidget *>{m_data, m_model, m_name, m_mode, m_steps, m_learningRate,
                                                           m_batch, m_accumulate, m_seed, m_checkpointEvery})
        field->setEnabled(!running);
    m_rank->setEnabled(!running && m_mode->currentData().toBool());
}

void TrainingPanel::showValidation(int step, const QList<engine::RgbImage> &images)
{
    const QStringList prompts = m_prompts->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (int i = int(images.size()) - 1; i >= 0; --i) {
        const QImage image = toImage(images[i]);
        auto *item = new QListWidgetItem(
            QIcon(QPixmap::fromImage(image.scaled(128, 128, Qt::KeepAspectRatio, Qt::SmoothTransformation))),
            tr("step %1").arg(step));
        item->setToolTip(tr("Step %1: %2").arg(step).arg(prompts.value(i).trimmed()));
        m_validation->insertItem(0, item);
    }
}

void TrainingPanel::showOutcome(const training::TrainingOutcome &outcome)
{
    setRunning(false);
    QStringList lines;
    if (!outcome.skipped.isEmpty()) {
        QStringList names;
        for (const training::SkippedImage &skipped : outcome.skipped)
            names << QStringLiteral("%1 (%2)").arg(skipped.file, skipped.reason);
        lines << tr("%n image(s) skipped: %1", nullptr, int(outcome.skipped.size()))
                     .arg(names.join(QStringLiteral("; ")));
    }
    if (outcome.finished) {
        m_resumable = false;
        m_start->setText(tr("Start"));
        lines.prepend(tr("Trained on %n image(s) in %1 steps: \"%2\" is in the library.", nullptr, outcome.images)
                          .arg(outcome.stepsDone)
                          .arg(m_name->text()));
        emit modelTrained(outcome.modelKey);
    } else {
        m_resumable = true; // its checkpoint holds where it stopped
        m_start->setText(tr("Resume"));
        lines.prepend(m_pausing ? tr("Paused at step %1; Resume goes on from its checkpoint.").arg(outcome.stepsDone)
                                : tr("Stopped at step %1; Resume goes on from its checkpoint in %2.")
                                      .arg(outcome.stepsDone)
                                      .arg(outcome.runFolder));
    }
    m_status->setText(lines.join(QLatin1Char('\n')));
}

} // namespace atelier::ui
