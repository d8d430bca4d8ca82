// SPDX-License-Identifier: MIT
// `magic-trace-studio crop FILE --from T --to T [--thread KOID]... -o OUT`: cut a time window out of a trace,
// e.g. so that a huge trace becomes small enough for Perfetto.
#include "commandregistry.h"
#include "fxt/fxtcrop.h"
#include "util/duration.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <cstdio>

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("crop", text);
}

int usage(const QString& message)
{
    std::fprintf(stderr,
        "magic-trace-studio crop: %s\nUsage: magic-trace-studio crop FILE --from T --to T [--thread KOID]... -o OUT\n",
        qPrintable(message));
    return 64;
}

int runCrop(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(tr("Write the part of an FXT trace inside a time window to a new, smaller "
                                        "trace (compressed by OUT's suffix: .gz, .zst, .xz). Times are relative to "
                                        "the trace start and take units: ns, us, ms, s (a bare number is seconds)."));
    const QCommandLineOption fromOption(
        QStringLiteral("from"), tr("Start of the window (default: trace start)."), QStringLiteral("T"));
    const QCommandLineOption toOption(
        QStringLiteral("to"), tr("End of the window (default: trace end)."), QStringLiteral("T"));
    const QCommandLineOption threadOption(QStringLiteral("thread"),
        tr("Keep only this thread (koid as shown by inspect); repeatable."), QStringLiteral("KOID"));
    const QCommandLineOption outputOption(
        { QStringLiteral("o"), QStringLiteral("output") }, tr("The trace to write."), QStringLiteral("OUT"));
    const QCommandLineOption helpOption(
        { QStringLiteral("h"), QStringLiteral("help") }, tr("Show this help and exit."));
    parser.addOptions({ fromOption, toOption, threadOption, outputOption, helpOption });
    parser.addPositionalArgument(QStringLiteral("FILE"), tr("The trace to crop."));
    if (!parser.parse(QStringList { QStringLiteral("crop") } + arguments))
        return usage(parser.errorText());
    if (parser.isSet(helpOption)) {
        std::printf(
            "%s", qPrintable(parser.helpText().replace(QStringLiteral("[options]"), QStringLiteral("crop [options]"))));
        return 0;
    }
    if (parser.positionalArguments().size() != 1)
        return usage(tr("expected exactly one FILE"));
    if (!parser.isSet(outputOption))
        return usage(tr("missing -o OUT"));
    CropOptions options;
    QString error;
    for (const auto* option : { &fromOption, &toOption }) {
        if (!parser.isSet(*option))
            continue;
        const auto ns = Duration::parse(parser.value(*option), Duration::Unit::Seconds, &error);
        if (!ns)
            return usage(QStringLiteral("--%1: %2").arg(option->names().constFirst(), error));
        (option == &fromOption ? options.fromNs : options.toNs) = quint64(*ns);
    }
    if (options.fromNs && options.toNs && *options.toNs < *options.fromNs)
        return usage(tr("--to is before --from"));
    for (const QString& text : parser.values(threadOption)) {
        bool ok = false;
        const quint64 koid = text.toULongLong(&ok);
        if (!ok)
            return usage(tr("--thread: not a koid: %1").arg(text));
        options.threads.append(koid);
    }
    CropResult result;
    if (!cropTrace(parser.positionalArguments().constFirst(), parser.value(outputOption), options, &result, &error)) {
        std::fprintf(stderr, "magic-trace-studio crop: %s\n", qPrintable(error));
        return 2;
    }
    std::printf("%s\n",
        qPrintable(tr("Wrote %1: %2 slices, %3 events.")
                       .arg(parser.value(outputOption))
                       .arg(result.slices)
                       .arg(result.events)));
    return 0;
}

const CommandRegistration registration("crop", "Cut a time window out of a trace into a smaller one", runCrop);

} // namespace
