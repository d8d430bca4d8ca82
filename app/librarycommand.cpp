// SPDX-License-Identifier: MIT
// magic-trace-studio library list|export|import|compress|rm: the trace library without a display. The folder is
// the one the app uses (settings, else $XDG_DATA_HOME/...), or --folder.
#include "commandregistry.h"

#include "library/tracelibrary.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <csignal>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

JobControl* g_running = nullptr; // cancelled by SIGINT so that partial files are cleaned up

void onInterrupt(int)
{
    if (g_running)
        g_running->cancel();
}

struct RunningJob
{
    JobControl control;
    RunningJob()
    {
        g_running = &control;
        std::signal(SIGINT, onInterrupt);
        std::signal(SIGTERM, onInterrupt);
    }
    ~RunningJob()
    {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        g_running = nullptr;
    }
};

void out(const QString& text)
{
    std::fputs(text.toLocal8Bit().constData(), stdout);
}

void err(const QString& text)
{
    std::fputs(("magic-trace-studio library: "_L1 + text + u'\n').toLocal8Bit().constData(), stderr);
}

QString usage()
{
    return QStringLiteral(
        "Usage: magic-trace-studio library [--folder DIR] COMMAND\n"
        "\n"
        "Commands:\n"
        "  list [--json]                          list the traces\n"
        "  export ID -o BUNDLE                    write a bundle (.tar.zst, .tar.gz, .tar.xz or .zip)\n"
        "  import BUNDLE|FILE...                  import bundles or loose trace files (.fxt, .fxt.gz, ...)\n"
        "  compress ID --format zstd|gzip|xz|fxt  store a trace compressed (fxt: uncompressed)\n"
        "  rm ID                                  move a trace, its metadata and its log to the trash\n"
        "\n"
        "Options:\n"
        "  --folder DIR   the traces folder (default: the app's, under $XDG_DATA_HOME)\n"
        "  -h, --help     show this help\n"
        "\n"
        "Exit status: 0 success, 1 the operation failed, 2 bad usage.\n");
}

int usageError(const QString& message)
{
    err(message);
    std::fputs("Try 'magic-trace-studio library --help'.\n", stderr);
    return 2;
}

QString sizeText(qint64 bytes)
{
    return bytes < 0 ? u"missing"_s : QLocale::c().formattedDataSize(bytes, 1);
}

int list(TraceLibrary& library, bool json)
{
    const QList<TraceEntry> entries = library.entries();
    if (json) {
        QJsonArray traces;
        for (const TraceEntry& entry : entries) {
            QJsonObject object = entry.metadata.toJson();
            object.insert(u"tracePath"_s, entry.tracePath());
            object.insert(u"logPath"_s, entry.logPath());
            object.insert(u"diskUsage"_s, entry.diskUsage());
            traces.append(object);
        }
        const QJsonObject root { { u"folder"_s, library.folder() }, { u"totalBytes"_s, library.totalDiskUsage() },
            { u"traces"_s, traces } };
        out(QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Indented)));
        return 0;
    }
    if (entries.isEmpty()) {
        out(u"No traces in %1\n"_s.arg(library.folder()));
        return 0;
    }
    int idWidth = 2;
    for (const TraceEntry& entry : entries)
        idWidth = qMax(idWidth, int(entry.id().size()));
    out(u"ID"_s.leftJustified(idWidth) + u"  DATE              OUTCOME     FORMAT  SIZE      TITLE\n"_s);
    for (const TraceEntry& entry : entries) {
        const TraceMetadata& m = entry.metadata;
        const QDateTime date = m.date();
        out(entry.id().leftJustified(idWidth) + u"  "_s
            + (date.isValid() ? date.toLocalTime().toString(u"yyyy-MM-dd HH:mm"_s) : QString()).leftJustified(16)
            + u"  "_s + TraceOutcomes::key(m.outcome).leftJustified(10) + u"  "_s
            + (m.format.isEmpty() ? u"?"_s : m.format).leftJustified(6) + u"  "_s
            + sizeText(entry.traceExists() ? m.fileSize : -1).leftJustified(8) + u"  "_s + m.title + u'\n');
    }
    out(u"%1 traces, %2 on disk, in %3\n"_s.arg(entries.size())
            .arg(sizeText(library.totalDiskUsage()), library.folder()));
    return 0;
}

int run(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    const QCommandLineOption helpOption(QStringList { u"h"_s, u"help"_s });
    const QCommandLineOption folderOption(u"folder"_s, QString(), u"DIR"_s);
    const QCommandLineOption jsonOption(u"json"_s);
    const QCommandLineOption outputOption(QStringList { u"o"_s, u"output"_s }, QString(), u"BUNDLE"_s);
    const QCommandLineOption formatOption(u"format"_s, QString(), u"FORMAT"_s);
    parser.addOptions({ helpOption, folderOption, jsonOption, outputOption, formatOption });
    if (!parser.parse(QStringList { u"library"_s } + arguments))
        return usageError(parser.errorText());
    if (parser.isSet(helpOption)) {
        out(usage());
        return 0;
    }
    QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usageError(u"missing command (list, export, import, compress or rm)"_s);
    const QString command = positional.takeFirst();
    auto onlyFor = [&](const QCommandLineOption& option, const QString& allowed) {
        return !parser.isSet(option) || command == allowed;
    };
    if (!onlyFor(jsonOption, u"list"_s) || !onlyFor(outputOption, u"export"_s) || !onlyFor(formatOption, u"compress"_s))
        return usageError(u"an option does not belong to \"%1\""_s.arg(command));

    TraceLibrary library(parser.isSet(folderOption) ? parser.value(folderOption) : TraceLibrary::configuredFolder());
    library.setWatching(false);
    QObject::connect(&library, &TraceLibrary::problem, [](const QString& message) { err(u"warning: "_s + message); });
    QString error;

    if (command == u"list"_s) {
        if (!positional.isEmpty())
            return usageError(u"list takes no arguments"_s);
        if (!library.load(&error)) {
            err(error);
            return 1;
        }
        return list(library, parser.isSet(jsonOption));
    }
    if (command == u"export"_s) {
        if (positional.size() != 1 || !parser.isSet(outputOption))
            return usageError(u"usage: library export ID -o BUNDLE"_s);
        if (!library.load(&error)) {
            err(error);
            return 1;
        }
        RunningJob job;
        if (!library.exportNow(positional.first(), parser.value(outputOption), &job.control, &error)) {
            err(error);
            return 1;
        }
        out(u"exported %1 to %2\n"_s.arg(positional.first(), parser.value(outputOption)));
        return 0;
    }
    if (command == u"import"_s) {
        if (positional.isEmpty())
            return usageError(u"usage: library import BUNDLE|FILE..."_s);
        if (!library.load(&error)) {
            err(error);
            return 1;
        }
        int status = 0;
        for (const QString& path : std::as_const(positional)) {
            RunningJob job;
            const auto id = library.importNow(path, &job.control, &error);
            if (!id) {
                err(error);
                status = 1;
                if (job.control.isCancelled())
                    break;
                continue;
            }
            out(u"imported %1 as %2\n"_s.arg(path, *id));
        }
        return status;
    }
    if (command == u"compress"_s) {
        if (positional.size() != 1 || !parser.isSet(formatOption))
            return usageError(u"usage: library compress ID --format zstd|gzip|xz|fxt"_s);
        const auto format = TraceProbe::compressionFromKey(parser.value(formatOption));
        if (!format)
            return usageError(u"unknown format \"%1\" (zstd, gzip, xz or fxt)"_s.arg(parser.value(formatOption)));
        if (!library.load(&error)) {
            err(error);
            return 1;
        }
        RunningJob job;
        if (!library.compressNow(positional.first(), *format, &job.control, &error)) {
            err(error);
            return 1;
        }
        const auto entry = library.entry(positional.first());
        out(u"%1 is now %2 (%3)\n"_s.arg(
            positional.first(), entry->metadata.traceFile, sizeText(entry->metadata.fileSize)));
        return 0;
    }
    if (command == u"rm"_s) {
        if (positional.size() != 1)
            return usageError(u"usage: library rm ID"_s);
        if (!library.load(&error)) {
            err(error);
            return 1;
        }
        const auto removed = library.remove(positional.first(), &error);
        if (!removed) {
            err(error);
            return 1;
        }
        for (const auto& [original, inTrash] : removed->files)
            out(u"moved %1 to %2\n"_s.arg(original, inTrash));
        return 0;
    }
    return usageError(u"unknown library command \"%1\""_s.arg(command));
}

const CommandRegistration registration("library", "list, export, import, compress and remove saved traces", run);

} // namespace
