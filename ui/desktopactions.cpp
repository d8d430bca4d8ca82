// SPDX-License-Identifier: MIT
#include "desktopactions.h"

#include "library/traceprobe.h"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

// Above this, a browser tab is likely to run out of memory loading the trace.
constexpr qint64 browserLimitBytes = 300'000'000;

DesktopActions::UrlOpener& opener()
{
    static DesktopActions::UrlOpener function;
    return function;
}

// What the user should know before loading this file into a browser: its size, and a container Perfetto may not
// read. Empty when nothing stands out.
QString perfettoCaveats(const QString& path, qint64 fxtBytes)
{
    QStringList notes;
    QFile file(path);
    const qint64 bytes = std::max(file.size(), fxtBytes);
    if (bytes > browserLimitBytes) {
        notes << QApplication::translate("DesktopActions",
            "This trace is %1 MB. Browsers often fail on traces over a few hundred MB (magic-trace warns from "
            "100 MB): for Perfetto, export a time range first (the viewer's \"Export selection\u2026\", or "
            "magic-trace-studio crop).")
                     .arg(bytes / 1'000'000);
    }
    if (file.open(QIODevice::ReadOnly)) {
        const TraceProbe::Compression compression = TraceProbe::sniff(file.read(8));
        if (compression == TraceProbe::Compression::Zstd || compression == TraceProbe::Compression::Xz) {
            notes << QApplication::translate("DesktopActions",
                "This file is %1-compressed. Perfetto reads plain and gzip-compressed traces; if it refuses this "
                "one, decompress a copy first (%2).")
                         .arg(TraceProbe::formatKey(compression),
                             compression == TraceProbe::Compression::Zstd ? u"zstd -d"_s : u"xz -dk"_s);
        }
    }
    return notes.join(u"\n\n"_s);
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

QString DesktopActions::openInPerfetto(const QString& path, QWidget* parent, qint64 fxtBytes)
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
    const QString caveats = perfettoCaveats(path, fxtBytes);
    if (!caveats.isEmpty())
        message += u"\n\n"_s + caveats;
    if (parent) {
        auto* box = new QMessageBox(QMessageBox::Information,
            QApplication::translate("DesktopActions", "Open in Perfetto"), message, QMessageBox::Ok, parent);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setTextInteractionFlags(Qt::TextSelectableByMouse);
        box->open();
    }
    return message;
}
