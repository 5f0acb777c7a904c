#pragma once

#include "core/engine/device/device_info.h"

#include <QDialog>

#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLayout;
class QLineEdit;
class QSpinBox;

namespace atelier::settings {
class SettingsStore;
struct Settings;
}

namespace atelier::ui {

// Edits the preferences of settings.json and the access tokens of secrets.json. OK validates and saves; a value
// that is refused keeps the dialog open with the reason shown.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(settings::SettingsStore &store, const std::vector<engine::DeviceInfo> &devices,
                   QWidget *parent = nullptr);

    // The settings as the form shows them now.
    settings::Settings edited() const;

public slots:
    void accept() override;

private:
    QFormLayout *fieldForm(QLayout *modelsRow);
    void fill(const settings::Settings &current);
    void browseModelsDir();

    settings::SettingsStore &m_store;
    QLineEdit *m_modelsDir = nullptr;
    QComboBox *m_device = nullptr;
    QComboBox *m_precision = nullptr;
    QComboBox *m_language = nullptr;
    QComboBox *m_theme = nullptr;
    QDoubleSpinBox *m_ramCache = nullptr;
    QDoubleSpinBox *m_vramCache = nullptr;
    QSpinBox *m_outputCacheEntries = nullptr;
    QDoubleSpinBox *m_outputCache = nullptr;
    QDoubleSpinBox *m_downloadCache = nullptr;
    QSpinBox *m_parallelDownloads = nullptr;
    QCheckBox *m_installInPlace = nullptr;
    QCheckBox *m_writeMetadata = nullptr;
    QLineEdit *m_huggingFaceEndpoint = nullptr;
    QLineEdit *m_civitaiEndpoint = nullptr;
    QLineEdit *m_huggingFaceToken = nullptr;
    QLineEdit *m_civitaiToken = nullptr;
    QLineEdit *m_farmUrl = nullptr;
    QSpinBox *m_farmReclaim = nullptr;
    QSpinBox *m_farmAttempts = nullptr;
    QLabel *m_error = nullptr;
};

} // namespace atelier::ui
