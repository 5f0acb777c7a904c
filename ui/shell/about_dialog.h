#pragma once

#include "ui/shell/engine_status.h"

#include <QDialog>

namespace atelier::ui {

// Versions of Atelier, Qt and libtorch, and the compute devices found.
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(const EngineStatus &engine, QWidget *parent = nullptr);
};

} // namespace atelier::ui
