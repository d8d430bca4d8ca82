// SPDX-License-Identifier: MIT
// `magic-trace-studio inspect [--json] FILE`: what is in a trace, for people and for scripts.
#include "commandregistry.h"
#include "fxt/fxtinspect.h"
#include "fxt/fxtreader.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <cstdio>

namespace {

int runInspect(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate("inspect",
        "Summarise an FXT trace (.fxt, .fxt.gz, .fxt.zst, .fxt.xz): processes, threads, slices, time span, top "
        "functions and anomalies."));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
        QCoreApplication::translate("inspect", "Print the machine-readable JSON summary instead."));
    const QCommandLineOption helpOption({ QStringLiteral("h"), QStringLiteral("help") },
        QCoreApplication::translate("inspect", "Show this help and exit."));
    parser.addOption(jsonOption);
    parser.addOption(helpOption);
    parser.addPositionalArgument(QStringLiteral("FILE"), QCoreApplication::translate("inspect", "The trace."));
    if (!parser.parse(QStringList { QStringLiteral("inspect") } + arguments)) {
        std::fprintf(stderr, "magic-trace-studio inspect: %s\n", qPrintable(parser.errorText()));
        return 64;
    }
    if (parser.isSet(helpOption)) {
        std::printf("%s",
            qPrintable(parser.helpText().replace(QStringLiteral("[options]"), QStringLiteral("inspect [options]"))));
        return 0;
    }
    if (parser.positionalArguments().size() != 1) {
        std::fprintf(stderr,
            "magic-trace-studio inspect: expected exactly one FILE\n"
            "Usage: magic-trace-studio inspect [--json] FILE\n");
        return 64;
    }
    const QString path = parser.positionalArguments().constFirst();
    QString error;
    const auto data = FxtReader::load(path, &error);
    if (!data) {
        std::fprintf(stderr, "magic-trace-studio inspect: %s\n", qPrintable(error));
        return 2;
    }
    const int status = FxtInspect::exitStatus(*data);
    if (parser.isSet(jsonOption)) {
        const QByteArray json = FxtInspect::json(*data);
        std::fwrite(json.constData(), 1, size_t(json.size()), stdout);
    } else {
        std::printf("%s", FxtInspect::text(*data, path).toUtf8().constData());
    }
    if (status != 0)
        std::fprintf(
            stderr, "magic-trace-studio inspect: %s: %s\n", qPrintable(path), qPrintable(data->summary().errorMessage));
    return status;
}

const CommandRegistration registration("inspect", "Summarise an FXT trace (--json for scripts)", runInspect);

} // namespace
