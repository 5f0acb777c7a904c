#include "ui/shell/settings_dialog.h"

#include "core/settings/compute_choice.h"
#include "core/settings/settings_store.h"
#include "ui/common/theme.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace atelier::ui {

namespace {

QDoubleSpinBox *gigabytesBox(QWidget *parent, const QString &objectName)
{
    auto *box = new QDoubleSpinBox(parent);
    box->setObjectName(objectName);
    box->setRange(0.0, 4096.0);
    box->setDecimals(1);
    box->setSingleStep(0.5);
    // Binary gibibytes, as the cache counts them (core/generation/cache_budgets.cpp).
    box->setSuffix(SettingsDialog::tr(" GiB"));
    return box;
}

QLineEdit *tokenEdit(QWidget *parent, const QString &objectName)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setEchoMode(QLineEdit::Password);
    edit->setPlaceholderText(QObject::tr("not set"));
    // The desktop's own icon where its theme has one, else ours: both vector images, sharp at any scale.
    QAction *reveal = edit->addAction(
        QIcon::fromTheme(QStringLiteral("view-reveal-symbolic"), QIcon(QStringLiteral(":/icons/reveal.svg"))),
        QLineEdit::TrailingPosition);
    reveal->setCheckable(true);
    reveal->setToolTip(QObject::tr("Show the token"));
    QObject::connect(reveal, &QAction::toggled, edit, [edit](bool shown) {
        edit->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
    });
    return edit;
}

// "auto", the CPU and each CUDA device, by the settings' device ids.
QComboBox *deviceCombo(QWidget *parent, const std::vector<engine::DeviceInfo> &devices)
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(QStringLiteral("deviceCombo"));
    combo->addItem(QObject::tr("Automatic (CUDA when available)"), QStringLiteral("auto"));
    combo->addItem(QObject::tr("CPU"), QStringLiteral("cpu"));
    for (const engine::DeviceInfo &device : devices) {
        if (device.kind == engine::DeviceKind::Cuda)
            combo->addItem(settings::deviceName(device), QString::fromStdString(device.id));
    }
    return combo;
}

QComboBox *precisionCombo(QWidget *parent)
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(QStringLiteral("precisionCombo"));
    combo->addItem(QObject::tr("Automatic (fp16 on CUDA, fp32 on the CPU)"), QStringLiteral("auto"));
    combo->addItem(QObject::tr("fp32 (full)"), QStringLiteral("fp32"));
    combo->addItem(QObject::tr("fp16 (half, CUDA)"), QStringLiteral("fp16"));
    combo->addItem(QObject::tr("bf16 (bfloat16)"), QStringLiteral("bf16"));
    return combo;
}

QComboBox *languageCombo(QWidget *parent)
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(QStringLiteral("languageCombo"));
    const QLocale system = QLocale::system();
    // The C locale (no LANG) shows the source strings: English.
    const QString systemName = system.language() == QLocale::C || system.nativeLanguageName().isEmpty()
                                   ? QStringLiteral("English")
                                   : system.nativeLanguageName();
    combo->addItem(QObject::tr("The desktop's (%1)").arg(systemName), QStringLiteral("system"));
    // Each language in its own name, as people look for it.
    combo->addItem(QStringLiteral("English"), QStringLiteral("en"));
    combo->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    combo->setToolTip(QObject::tr("Applies the next time Atelier starts"));
    return combo;
}

QComboBox *themeCombo(QWidget *parent)
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(QStringLiteral("themeCombo"));
    combo->addItem(QObject::tr("The desktop's (light or dark, as it switches)"), QStringLiteral("system"));
    combo->addItem(QObject::tr("Light"), QStringLiteral("light"));
    combo->addItem(QObject::tr("Dark"), QStringLiteral("dark"));
    combo->setToolTip(QObject::tr("Applies at once"));
    return combo;
}

} // namespace

SettingsDialog::SettingsDialog(settings::SettingsStore &store, const std::vector<engine::DeviceInfo> &devices,
                               QWidget *parent)
    : QDialog(parent), m_store(store)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));

    m_modelsDir = new QLineEdit(this);
    m_modelsDir->setObjectName(QStringLiteral("modelsDirEdit"));
    m_modelsDir->setPlaceholderText(store.root().defaultModelsDir());
    auto *browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, &SettingsDialog::browseModelsDir);
    auto *modelsRow = new QHBoxLayout;
    modelsRow->addWidget(m_modelsDir);
    modelsRow->addWidget(browse);

    m_device = deviceCombo(this, devices);
    m_precision = precisionCombo(this);
    m_language = languageCombo(this);
    m_theme = themeCombo(this);

    m_ramCache = gigabytesBox(this, QStringLiteral("ramCacheSpin"));
    m_ramCache->setSpecialValueText(tr("Automatic (half the memory less 2 GiB)"));
    m_vramCache = gigabytesBox(this, QStringLiteral("vramCacheSpin"));
    m_vramCache->setSpecialValueText(tr("Automatic (the card's memory less 3 GiB)"));
    m_downloadCache = gigabytesBox(this, QStringLiteral("downloadCacheSpin"));
    m_parallelDownloads = new QSpinBox(this);
    m_parallelDownloads->setObjectName(QStringLiteral("parallelDownloadsSpin"));
    m_parallelDownloads->setRange(1, 32);
    m_outputCacheEntries = new QSpinBox(this);
    m_outputCacheEntries->setObjectName(QStringLiteral("outputCacheEntriesSpin"));
    m_outputCacheEntries->setRange(1, 100000);
    m_outputCacheEntries->setToolTip(tr("Node outputs kept between graph runs, so that only what changed runs again"));
    m_outputCache = gigabytesBox(this, QStringLiteral("outputCacheSpin"));
    m_outputCache->setToolTip(m_outputCacheEntries->toolTip());
    m_installInPlace = new QCheckBox(tr("Register dropped local models where they are (instead of copying them "
                                        "into the models folder)"),
                                     this);
    m_installInPlace->setObjectName(QStringLiteral("installInPlaceCheck"));
    m_writeMetadata = new QCheckBox(tr("Save each image's recipe in it (prompt, settings, model names and hashes; "
                                       "never file paths)"),
                                    this);
    m_writeMetadata->setObjectName(QStringLiteral("writeMetadataCheck"));
    m_huggingFaceEndpoint = new QLineEdit(this);
    m_huggingFaceEndpoint->setObjectName(QStringLiteral("huggingFaceEndpointEdit"));
    m_huggingFaceEndpoint->setPlaceholderText(tr("$HF_ENDPOINT, else https://huggingface.co"));
    m_civitaiEndpoint = new QLineEdit(this);
    m_civitaiEndpoint->setObjectName(QStringLiteral("civitaiEndpointEdit"));
    m_civitaiEndpoint->setPlaceholderText(QStringLiteral("https://civitai.com"));
    m_huggingFaceToken = tokenEdit(this, QStringLiteral("huggingFaceTokenEdit"));
    m_civitaiToken = tokenEdit(this, QStringLiteral("civitaiTokenEdit"));
    m_farmUrl = tokenEdit(this, QStringLiteral("farmUrlEdit"));
    m_farmUrl->setPlaceholderText(tr("none: runs stay on this computer"));
    m_farmUrl->setToolTip(tr("redis://[user:password@]host[:port][/db] of the render farm's Redis server; the Run "
                             "queue panel can then send runs there"));
    m_farmReclaim = new QSpinBox(this);
    m_farmReclaim->setObjectName(QStringLiteral("farmReclaimSpin"));
    m_farmReclaim->setRange(5, 86400);
    m_farmReclaim->setSuffix(tr(" s"));
    m_farmReclaim->setToolTip(tr("How long a farm worker may stay silent before another takes its job over"));
    m_farmAttempts = new QSpinBox(this);
    m_farmAttempts->setObjectName(QStringLiteral("farmAttemptsSpin"));
    m_farmAttempts->setRange(1, 100);
    m_farmAttempts->setToolTip(tr("How often a farm job is started before it is set aside as failed"));

    auto *tokensNote = new QLabel(
        tr("Tokens and the farm's URL are stored in %1, readable only by you.").arg(store.root().secretsPath()), this);
    tokensNote->setWordWrap(true);
    tokensNote->setForegroundRole(QPalette::PlaceholderText);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setWordWrap(true);
    setTextTone(m_error, TextTone::Problem);
    m_error->hide();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(fieldForm(modelsRow));
    layout->addWidget(tokensNote);
    layout->addWidget(m_error);
    layout->addWidget(buttons);

    fill(store.current());
}

QFormLayout *SettingsDialog::fieldForm(QLayout *modelsRow)
{
    auto *form = new QFormLayout;
    form->addRow(tr("Models folder:"), modelsRow);
    form->addRow(tr("Compute device:"), m_device);
    form->addRow(tr("Precision:"), m_precision);
    form->addRow(tr("Language:"), m_language);
    form->addRow(tr("Theme:"), m_theme);
    form->addRow(tr("Model cache in memory:"), m_ramCache);
    form->addRow(tr("Model cache on the GPU:"), m_vramCache);
    form->addRow(tr("Download cache:"), m_downloadCache);
    form->addRow(tr("Parallel downloads:"), m_parallelDownloads);
    form->addRow(tr("Graph outputs kept:"), m_outputCacheEntries);
    form->addRow(tr("Graph output memory:"), m_outputCache);
    form->addRow(QString(), m_installInPlace);
    form->addRow(QString(), m_writeMetadata);
    form->addRow(tr("Hugging Face address:"), m_huggingFaceEndpoint);
    form->addRow(tr("Civitai address:"), m_civitaiEndpoint);
    form->addRow(tr("Hugging Face token:"), m_huggingFaceToken);
    form->addRow(tr("Civitai token:"), m_civitaiToken);
    form->addRow(tr("Render farm:"), m_farmUrl);
    auto *farmRow = new QHBoxLayout;
    farmRow->addWidget(m_farmReclaim);
    farmRow->addWidget(new QLabel(tr("attempts:"), this));
    farmRow->addWidget(m_farmAttempts);
    farmRow->addStretch(1);
    form->addRow(tr("Farm job takeover after:"), farmRow);
    return form;
}

void SettingsDialog::fill(const settings::Settings &current)
{
    m_modelsDir->setText(current.modelsDir);
    int deviceIndex = m_device->findData(current.device);
    if (deviceIndex < 0) {
        // A device saved on another machine (or a GPU that is gone) stays selectable, marked as missing.
        m_device->addItem(tr("%1 (not available)").arg(current.device), current.device);
        deviceIndex = m_device->count() - 1;
    }
    m_device->setCurrentIndex(deviceIndex);
    m_precision->setCurrentIndex(std::max(0, m_precision->findData(current.precision)));
    m_ramCache->setValue(current.ramCacheGb);
    m_vramCache->setValue(current.vramCacheGb);
    m_downloadCache->setValue(current.downloadCacheGb);
    m_parallelDownloads->setValue(current.maxParallelDownloads);
    m_outputCacheEntries->setValue(current.outputCacheEntries);
    m_outputCache->setValue(current.outputCacheGb);
    m_installInPlace->setChecked(current.installInPlace);
    m_writeMetadata->setChecked(current.writeMetadata);
    m_language->setCurrentIndex(std::max(0, m_language->findData(current.language)));
    m_theme->setCurrentIndex(std::max(0, m_theme->findData(current.theme)));
    m_huggingFaceEndpoint->setText(current.huggingFaceEndpoint);
    m_civitaiEndpoint->setText(current.civitaiEndpoint);
    m_huggingFaceToken->setText(current.huggingFaceToken);
    m_civitaiToken->setText(current.civitaiToken);
    m_farmUrl->setText(current.farmRedisUrl);
    m_farmReclaim->setValue(current.farmReclaimSeconds);
    m_farmAttempts->setValue(current.farmMaxAttempts);
}

settings::Settings SettingsDialog::edited() const
{
    // What the dialog does not show (the watched folders) stays as it is.
    settings::Settings result = m_store.current();
    result.modelsDir = m_modelsDir->text().trimmed();
    result.device = m_device->currentData().toString();
    result.precision = m_precision->currentData().toString();
    result.ramCacheGb = m_ramCache->value();
    result.vramCacheGb = m_vramCache->value();
    result.downloadCacheGb = m_downloadCache->value();
    result.maxParallelDownloads = m_parallelDownloads->value();
    result.outputCacheEntries = m_outputCacheEntries->value();
    result.outputCacheGb = m_outputCache->value();
    result.installInPlace = m_installInPlace->isChecked();
    result.writeMetadata = m_writeMetadata->isChecked();
    result.language = m_language->currentData().toString();
    result.theme = m_theme->currentData().toString();
    result.huggingFaceEndpoint = m_huggingFaceEndpoint->text().trimmed();
    result.civitaiEndpoint = m_civitaiEndpoint->text().trimmed();
    result.huggingFaceToken = m_huggingFaceToken->text().trimmed();
    result.civitaiToken = m_civitaiToken->text().trimmed();
    result.farmRedisUrl = m_farmUrl->text().trimmed();
    result.farmReclaimSeconds = m_farmReclaim->value();
    result.farmMaxAttempts = m_farmAttempts->value();
    return result;
}

void SettingsDialog::accept()
{
    const Status saved = m_store.save(edited());
    if (!saved) {
        m_error->setText(saved.error());
        m_error->show();
        return;
    }
    QDialog::accept();
}

void SettingsDialog::browseModelsDir()
{
    const QString start = m_modelsDir->text().isEmpty() ? m_store.modelsDir() : m_store.root().resolve(m_modelsDir->text());
    const QString chosen = QFileDialog::getExistingDirectory(this, tr("Models folder"), start);
    if (!chosen.isEmpty())
        m_modelsDir->setText(chosen);
}

} // namespace atelier::ui
