#include "ui/shell/about_dialog.h"

#include "core/settings/compute_choice.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QVBoxLayout>

namespace atelier::ui {

AboutDialog::AboutDialog(const EngineStatus &engine, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About Atelier"));

    QStringList deviceLines;
    for (const engine::DeviceInfo &device : engine.devices)
        deviceLines << QStringLiteral("%1 (%2)").arg(settings::deviceName(device).toHtmlEscaped(),
                                                     QString::fromStdString(device.id));
    QString libtorch = engine.libtorchVersion.toHtmlEscaped();
    if (engine.state == EngineStatus::State::Starting)
        libtorch = tr("(the engine is starting)");
    else if (engine.state == EngineStatus::State::Unavailable)
        libtorch = tr("unavailable: %1").arg(engine.problem.toHtmlEscaped());

    auto *versions = new QLabel(this);
    versions->setObjectName(QStringLiteral("versionsLabel"));
    versions->setTextFormat(Qt::RichText);
    versions->setTextInteractionFlags(Qt::TextSelectableByMouse);
    versions->setText(tr("<h3>Atelier %1</h3>"
                         "<p>A studio for Stable-Diffusion-family image models.</p>"
                         "<table>"
                         "<tr><td>Qt</td><td>%2 (built with %3)</td></tr>"
                         "<tr><td>libtorch</td><td>%4</td></tr>"
                         "<tr><td>Devices</td><td>%5</td></tr>"
                         "</table>")
                          .arg(QStringLiteral(ATELIER_VERSION), QString::fromLatin1(qVersion()),
                               QStringLiteral(QT_VERSION_STR), libtorch, deviceLines.join(QStringLiteral("<br>"))));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(versions);
    layout->addWidget(buttons);
}

} // namespace atelier::ui
