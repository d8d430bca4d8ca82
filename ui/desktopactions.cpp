// SPDX-License-Identifier: MIT
#include "desktopactions.h"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QFileInfo>
#include <QMessageBox>

using namespace Qt::StringLiterals;

namespace {

DesktopActions::UrlOpener& opener()
{
    static DesktopActions::UrlOpener function;
    return function;
}

} // namespace

void DesktopActions::setUrlOpener(UrlOpener function)
{
    opener() = std::move(function);
}

bool DesktopActions::openUrl(const QUrl& url)
{
    if (opener())
        return opener()(url);
    return QDesktopServices::openUrl(url);
}

bool DesktopActions::showInFolder(const QString& path)
{
    return openUrl(QUrl::fromLocalFile(QFileInfo(path).absolutePath()));
}

QUrl DesktopActions::perfettoUrl()
{
    return QUrl(u"https://ui.perfetto.dev/"_s);
}

QString DesktopActions::openInPerfetto(const QString& path, QWidget* parent)
{
    QApplication::clipboard()->setText(path);
    const bool opened = openUrl(perfettoUrl());
    QString message;
    if (opened) {
        message = QApplication::translate("DesktopActions",
            "The Perfetto UI is opening in your browser. A web page cannot be handed a local file, so load it "
            "there: click \"Open trace file\" and choose\n\n%1\n\n(the path is on the clipboard). Perfetto runs in "
            "the browser and does not upload the trace.")
                      .arg(path);
    } else {
        message = QApplication::translate("DesktopActions",
            "No browser could be started. Open %1 yourself, click \"Open trace file\" and choose\n\n%2\n\n(the "
            "path is on the clipboard).")
                      .arg(perfettoUrl().toString(), path);
    }
    if (parent) {
        auto* box = new QMessageBox(QMessageBox::Information,
            QApplication::translate("DesktopActions", "Open in Perfetto"), message, QMessageBox::Ok, parent);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setTextInteractionFlags(Qt::TextSelectableByMouse);
        box->open();
    }
    return message;
}
