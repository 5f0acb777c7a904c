#pragma once

#include "core/engine/device/runtime.h"

#include <QDialog>

#include <vector>

namespace atelier::ui {

// Versions of Atelier, Qt and libtorch, and the compute devices found.
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(const std::vector<engine::DeviceInfo> &devices, QWidget *parent = nullptr);
};

} // namespace atelier::ui
