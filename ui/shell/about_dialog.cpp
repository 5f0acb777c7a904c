#include "ui/shell/about_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QVBoxLayout>

namespace atelier::ui {

AboutDialog::AboutDialog(const std::vector<engine::DeviceInfo> &devices, QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About Atelier"));

    QStringList deviceLines;
    for (const engine::DeviceInfo &device : devices)
        deviceLines << QStringLiteral("%1 (%2)").arg(QString::fromStdString(device.name).toHtmlEscaped(),
                                                     QString::fromStdString(device.id));

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
                               QStringLiteral(QT_VERSION_STR), QString::fromStdString(engine::libtorchVersion()),
                               deviceLines.join(QStringLiteral("<br>"))));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(versions);
    layout->addWidget(buttons);
}

} // namespace atelier::ui
