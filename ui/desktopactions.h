// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QUrl>
#include <functional>

class QWidget;

// Hand-offs to the desktop: open a URL in the browser, show a file in the file manager, open a trace in the
// Perfetto UI. Everything goes through one opener that tests replace, so no test ever starts a browser.
namespace DesktopActions {

using UrlOpener = std::function<bool(const QUrl& url)>;
// Replaces QDesktopServices::openUrl (tests); an empty function restores it.
void setUrlOpener(UrlOpener opener);
bool openUrl(const QUrl& url);

// Opens the folder holding path (file managers cannot be asked portably to select the file).
bool showInFolder(const QString& path);

// The Perfetto UI cannot be handed a local file: opens https://ui.perfetto.dev, copies the trace's path to the
// clipboard and tells the user to load it with "Open trace file", warning about a size browsers fail on and a
// container (zstd, xz) Perfetto may not read. fxtBytes: the trace's decompressed size when the caller knows it
// (the browser holds that much, not the file's size). Returns the message shown.
QString openInPerfetto(const QString& path, QWidget* parent, qint64 fxtBytes = -1);
QUrl perfettoUrl();

} // namespace DesktopActions
