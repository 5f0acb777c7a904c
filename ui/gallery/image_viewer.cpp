#include "ui/gallery/image_viewer.h"

#include "core/gallery/recipe_comparison.h"
#include "ui/gallery/gallery_model.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImageReader>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QSplitter>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <QtConcurrent>

#include <cmath>

namespace atelier::ui {

namespace {
constexpr double kMostZoom = 32.0;
constexpr qint64 kLargestViewedPixels = qint64(16384) * 16384;

QImage decode(const QString &path)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QSize size = reader.size();
    if (!size.isValid() || qint64(size.width()) * size.height() > kLargestViewedPixels)
        return {};
    return reader.read();
}
} // namespace

ZoomView::ZoomView(QWidget *parent)
    : QWidget(parent)
{
    setMinimumSize(160, 160);
    setFocusPolicy(Qt::StrongFocus);
    setAutoFillBackground(true);
    // Neutral dark grey in either theme, as photo viewers do: a bright surround changes how an image's tones read.
    QPalette dark = palette();
    dark.setColor(QPalette::Window, QColor(0x1e, 0x1e, 0x1e));
    setPalette(dark);
}

void ZoomView::setImage(const QImage &image, const QString &placeholder)
{
    const bool sameSize = image.size() == m_image.size();
    m_image = image;
    m_placeholder = placeholder;
    if (!sameSize) {
        m_scale = 0;
        m_centre = QPointF(image.width() / 2.0, image.height() / 2.0);
    }
    update();
}

double ZoomView::fittedScale() const
{
    if (m_image.isNull())
        return 1;
    return std::min({1.0 * width() / m_image.width(), 1.0 * height() / m_image.height(), 1.0});
}

double ZoomView::scale() const
{
    return m_scale > 0 ? m_scale : fittedScale();
}

void ZoomView::setView(double scale, QPointF centre)
{
    m_scale = scale;
    m_centre = centre;
    update();
}

void ZoomView::fit()
{
    m_scale = 0;
    m_centre = QPointF(m_image.width() / 2.0, m_image.height() / 2.0);
    update();
    announce();
}

QPointF ZoomView::toImage(QPointF widgetPoint) const
{
    return m_centre + (widgetPoint - QPointF(width() / 2.0, height() / 2.0)) / scale();
}

void ZoomView::zoomBy(double factor, QPointF about)
{
    if (m_image.isNull())
        return;
    const QPointF fixed = toImage(about);
    const double next = std::clamp(scale() * factor, fittedScale() * 0.5, kMostZoom);
    // The point under the cursor stays under it.
    m_centre = fixed - (about - QPointF(width() / 2.0, height() / 2.0)) / next;
    m_scale = next;
    update();
    announce();
}

void ZoomView::announce()
{
    emit viewChanged(m_scale, m_centre);
}

void ZoomView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    if (m_image.isNull()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    const double s = scale();
    const QPointF topLeft = QPointF(width() / 2.0, height() / 2.0) - m_centre * s;
    const QRectF target(topLeft, QSizeF(m_image.size()) * s);
    // Smooth when shrinking; sharp pixels when looking closely.
    painter.setRenderHint(QPainter::SmoothPixmapTransform, s < 2.0);
    painter.drawImage(target, m_image);
    painter.setPen(QColor(255, 255, 255, 200));
    painter.drawText(rect().adjusted(6, 4, -6, -4), Qt::AlignRight | Qt::AlignBottom,
                     QStringLiteral("%1%").arg(std::lround(s * 100)));
}

void ZoomView::wheelEvent(QWheelEvent *event)
{
    zoomBy(std::pow(1.0015, event->angleDelta().y()), event->position());
    event->accept();
}

void ZoomView::mousePressEvent(QMouseEvent *event)
{
    m_dragFrom = event->position().toPoint();
    setCursor(Qt::ClosedHandCursor);
}

void ZoomView::mouseMoveEvent(QMouseEvent *event)
{
    if (!(event->buttons() & Qt::LeftButton) || m_image.isNull())
        return;
    const QPoint at = event->position().toPoint();
    if (m_scale == 0)
        m_scale = fittedScale();
    m_centre -= QPointF(at - m_dragFrom) / m_scale;
    m_dragFrom = at;
    update();
    announce();
}

void ZoomView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (m_scale == 0 || std::abs(m_scale - fittedScale()) < 1e-6) {
        m_scale = fittedScale();
        zoomBy(1.0 / m_scale, event->position());
    } else {
        fit();
    }
}

ImageViewer::ImageViewer(GalleryModel &model, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_model(model)
{
    setObjectName(QStringLiteral("imageViewer"));
    setWindowTitle(tr("Image viewer"));
    resize(1100, 760);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(6, 4, 6, 4);
    const auto tool = [&](const QString &name, const QString &text, const QString &tip, auto slot) {
        auto *button = new QToolButton(this);
        button->setObjectName(name);
        button->setText(text);
        button->setToolTip(tip);
        button->setAccessibleName(tip); // what "◀" and "1:1" mean, for screen readers
        button->setAutoRaise(true);
        connect(button, &QToolButton::clicked, this, slot);
        bar->addWidget(button);
    };
    tool(QStringLiteral("previousImage"), QStringLiteral("◀"), tr("Previous (Left)"), &ImageViewer::previous);
    tool(QStringLiteral("nextImage"), QStringLiteral("▶"), tr("Next (Right)"), &ImageViewer::next);
    tool(QStringLiteral("fitImage"), tr("Fit"), tr("Fit to the window (F)"), [this] { m_left->fit(); });
    tool(QStringLiteral("actualSize"), QStringLiteral("1:1"), tr("Actual pixels (1)"),
         [this] { m_left->zoomBy(1.0 / m_left->scale(), m_left->rect().center()); });
    m_caption = new QLabel(this);
    bar->addWidget(m_caption, 1);
    layout->addLayout(bar);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_split = split;
    auto *pictures = new QSplitter(Qt::Horizontal, split);
    m_left = new ZoomView(pictures);
    m_right = new ZoomView(pictures);
    m_left->setAccessibleName(tr("Image"));
    m_right->setAccessibleName(tr("Second image"));
    for (ZoomView *view : {m_left, m_right})
        view->setAccessibleDescription(tr("Wheel: zoom; drag: move; Left and Right: previous and next image; F: fit; "
                                          "1: actual pixels; Escape: close"));
    m_right->hide();
    // Compared images move together.
    connect(m_left, &ZoomView::viewChanged, m_right, &ZoomView::setView);
    connect(m_right, &ZoomView::viewChanged, m_left, &ZoomView::setView);
    m_differences = new QTreeWidget(split);
    m_differences->setObjectName(QStringLiteral("recipeDifferences"));
    m_differences->setHeaderLabels({tr("Changed"), tr("Left"), tr("Right")});
    m_differences->setRootIsDecorated(false);
    m_differences->setWordWrap(true);
    m_differences->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_differences->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_differences->header()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_differences->hide();
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    split->setSizes({600, 150});
    layout->addWidget(split, 1);
}

void ImageViewer::load(ZoomView *view, const QString &path)
{
    view->setImage({}, tr("Loading %1…").arg(QFileInfo(path).fileName()));
    auto *watcher = new QFutureWatcher<QImage>(this);
    m_loads << watcher;
    // Stepping quickly starts loads that may end out of order: only the latest for a view is shown.
    const int request = ++m_requests[view];
    connect(watcher, &QFutureWatcher<QImage>::finished, this, [this, view, watcher, path, request] {
        const QImage image = watcher->result();
        if (m_requests.value(view) == request)
            view->setImage(image,
                           image.isNull() ? tr("%1 cannot be shown").arg(QFileInfo(path).fileName()) : QString());
        m_loads.removeOne(watcher);
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(decode, path));
}

void ImageViewer::waitForImages()
{
    for (QFutureWatcher<QImage> *load : std::as_const(m_loads))
        load->waitForFinished();
    QCoreApplication::processEvents();
}

void ImageViewer::showRow(int row)
{
    const gallery::IndexedImage *image = m_model.image(row);
    if (!image)
        return;
    m_path = image->path;
    m_comparing = false;
    m_right->hide();
    m_differences->hide();
    load(m_left, image->path);
    const int position = row - (m_model.image(0) ? 0 : 1); // past the running run's preview tile
    m_caption->setText(QStringLiteral("%1   <span style='color:gray'>%2 / %3 · %4 × %5</span>")
                           .arg(QFileInfo(image->path).fileName().toHtmlEscaped())
                           .arg(position + 1)
                           .arg(m_model.imageCount())
                           .arg(image->width)
                           .arg(image->height));
    setWindowTitle(QFileInfo(image->path).fileName());
}

void ImageViewer::compare(const QString &before, const metadata::GenerationInfo &beforeRecipe, const QString &after,
                          const metadata::GenerationInfo &afterRecipe)
{
    m_comparing = true;
    m_path.clear();
    load(m_left, before);
    load(m_right, after);
    m_right->show();
    m_differences->clear();
    const QList<gallery::RecipeDifference> changes = gallery::compareRecipes(beforeRecipe, afterRecipe);
    for (const gallery::RecipeDifference &change : changes) {
        QString left = change.before, right = change.after;
        if (!change.removed.isEmpty() || !change.added.isEmpty()) {
            // The words that changed say more than two long prompts side by side.
            left = change.removed.isEmpty() ? tr("(same words)") : QStringLiteral("− ") + change.removed.join(' ');
            right = change.added.isEmpty() ? tr("(same words)") : QStringLiteral("+ ") + change.added.join(' ');
        }
        auto *item = new QTreeWidgetItem(m_differences, {gallery::recipeFieldLabel(change.name), left, right});
        item->setToolTip(1, change.before);
        item->setToolTip(2, change.after);
    }
    if (changes.isEmpty())
        new QTreeWidgetItem(m_differences, {tr("Nothing"), tr("The recipes are the same."), QString()});
    m_differences->show();
    // The pictures first; the table needs a few lines.
    m_split->setSizes({m_split->height() * 4 / 5, m_split->height() / 5});
    m_caption->setText(tr("%1  ⟷  %2").arg(QFileInfo(before).fileName(), QFileInfo(after).fileName()));
    setWindowTitle(tr("Compare"));
}

int ImageViewer::row() const
{
    return m_path.isEmpty() ? -1 : m_model.rowOf(m_path);
}

void ImageViewer::next()
{
    // From where the image is now: the grid may have changed since it was opened.
    if (const int at = row(); !m_comparing && at >= 0 && m_model.image(at + 1))
        showRow(at + 1);
}

void ImageViewer::previous()
{
    if (const int at = row(); !m_comparing && at > 0 && m_model.image(at - 1))
        showRow(at - 1);
}

void ImageViewer::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Right:
    case Qt::Key_Space:
        next();
        break;
    case Qt::Key_Left:
    case Qt::Key_Backspace:
        previous();
        break;
    case Qt::Key_F:
        m_left->fit();
        break;
    case Qt::Key_1:
        m_left->zoomBy(1.0 / m_left->scale(), m_left->rect().center());
        break;
    case Qt::Key_Escape:
        close();
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}

} // namespace atelier::ui
