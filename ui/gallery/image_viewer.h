#pragma once

#include "core/metadata/generation_info.h"

#include <QFutureWatcher>
#include <QHash>
#include <QImage>
#include <QWidget>

class QLabel;
class QSplitter;
class QTreeWidget;

namespace atelier::ui {

class GalleryModel;

// One image at any zoom: fitted to start with, the wheel zooms about the cursor, a drag pans, a double-click
// switches between fitted and 100%. Two views can be tied so that they zoom and pan together (comparing).
class ZoomView : public QWidget
{
    Q_OBJECT
public:
    explicit ZoomView(QWidget *parent = nullptr);
    void setImage(const QImage &image, const QString &placeholder = {});
    const QImage &image() const { return m_image; }
    // Scale 0 means fitted to the view.
    void setView(double scale, QPointF centre);
    double scale() const;
    void fit();
    void zoomBy(double factor, QPointF about);

signals:
    void viewChanged(double scale, QPointF centre); // centre in image coordinates

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;

private:
    double fittedScale() const;
    QPointF toImage(QPointF widgetPoint) const;
    void announce();

    QImage m_image;
    QString m_placeholder;
    double m_scale = 0; // 0: fitted
    QPointF m_centre;   // the image point at the view's centre
    QPoint m_dragFrom;
};

// The gallery's viewer: an image large, next and previous through the gallery's order (arrow keys), or two images
// side by side, zoomed and panned together, over a table of what differs between their recipes.
class ImageViewer : public QWidget
{
    Q_OBJECT
public:
    explicit ImageViewer(GalleryModel &model, QWidget *parent = nullptr);

    void showRow(int row);
    int row() const; // of the image shown, in the grid as it is now; -1 when comparing or gone
    void compare(const QString &before, const metadata::GenerationInfo &beforeRecipe, const QString &after,
                 const metadata::GenerationInfo &afterRecipe);
    bool isComparing() const { return m_comparing; }
    void next();
    void previous();
    // Blocks until the images asked for are shown (tests, screenshots).
    void waitForImages();
    QTreeWidget *differences() const { return m_differences; }
    ZoomView *view(int side) const { return side == 0 ? m_left : m_right; }

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void load(ZoomView *view, const QString &path);

    GalleryModel &m_model;
    QString m_path; // shown alone
    QHash<ZoomView *, int> m_requests;
    bool m_comparing = false;
    ZoomView *m_left;
    ZoomView *m_right;
    QLabel *m_caption;
    QSplitter *m_split;
    QTreeWidget *m_differences;
    QList<QFutureWatcher<QImage> *> m_loads;
};

} // namespace atelier::ui
