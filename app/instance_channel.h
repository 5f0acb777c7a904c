#pragma once

// One window per root and user: `atelier FILE` (a file manager's "Open with") while a window is running hands the file
// to that window through a local socket and exits, instead of opening a second window on the same library.
#include <QObject>
#include <QString>

class QLocalServer;

namespace atelier::app {

class InstanceChannel : public QObject
{
    Q_OBJECT
public:
    // The socket's name for a root: the user's and the root's, so that windows on other roots run side by side.
    static QString nameFor(const QString &rootPath);
    // Gives `file` (empty: only raise the window) to the window listening on `name`; true when it took it within
    // `timeoutMs`. False when none listens (a stale socket of a crashed window included).
    static bool handOff(const QString &name, const QString &file, int timeoutMs = 3000);

    explicit InstanceChannel(QObject *parent = nullptr);
    ~InstanceChannel() override;
    // Listens on `name`, taking over a socket a crashed window left behind. False (with nothing listening) when the
    // socket cannot be made.
    bool listen(const QString &name);

signals:
    // A later launch asked for `file` (empty: only to be raised).
    void fileRequested(const QString &file);

private:
    void readRequest();

    QLocalServer *m_server = nullptr;
};

} // namespace atelier::app
