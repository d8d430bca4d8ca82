// SPDX-License-Identifier: MIT
// Entry point: subcommands run in a QCoreApplication (no display needed); everything else starts the GUI.
#include "buildinfo.h"
#include "commandregistry.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>
#include <cstdio>

namespace {

void setApplicationIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("magic-trace-studio"));
    QCoreApplication::setApplicationName(QStringLiteral(MTS_APPLICATION_NAME));
    QCoreApplication::setApplicationVersion(QStringLiteral(MTS_VERSION_STRING));
}

QString helpText(const QCommandLineParser& parser)
{
    QString text = parser.helpText();
    text += QStringLiteral("\nCommands (no display needed; run 'magic-trace-studio COMMAND --help' for each):\n");
    for (const Command& command : CommandRegistry::commands())
        text += QStringLiteral("  ") + command.name.leftJustified(10) + u' ' + command.summary + u'\n';
    return text;
}

bool haveDisplay()
{
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
        || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

} // namespace

int main(int argc, char** argv)
{
    setApplicationIdentity();

    // A subcommand is the first argument that does not start with '-'.
    if (argc > 1) {
        const QString first = QString::fromLocal8Bit(argv[1]);
        if (const Command* command = CommandRegistry::find(first)) {
            QCoreApplication app(argc, argv);
            setApplicationIdentity();
            return command->run(QCoreApplication::arguments().mid(2));
        }
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Magic Trace Studio: pick a process, trace it with magic-trace (Intel Processor Trace), "
                       "and open, keep and share the result."));
    parser.addPositionalArgument(QStringLiteral("files"),
        QStringLiteral("Trace files (.fxt, .fxt.gz, .fxt.zst) to open."), QStringLiteral("[FILE...]"));
    const QCommandLineOption helpOption(
        { QStringLiteral("h"), QStringLiteral("help") }, QStringLiteral("Show this help and exit."));
    const QCommandLineOption versionOption(
        { QStringLiteral("v"), QStringLiteral("version") }, QStringLiteral("Print the version and exit."));
    const QCommandLineOption attachOption(QStringLiteral("attach"),
        QStringLiteral("Start tracing process PID as soon as the window opens."), QStringLiteral("PID"));
    parser.addOption(helpOption);
    parser.addOption(versionOption);
    parser.addOption(attachOption);

    {
        // Parse once without a GUI so that --help, --version and errors work on machines without a display.
        QCoreApplication probe(argc, argv);
        if (!parser.parse(QCoreApplication::arguments())) {
            std::fprintf(
                stderr, "magic-trace-studio: %s\nTry 'magic-trace-studio --help'.\n", qPrintable(parser.errorText()));
            return 2;
        }
        if (parser.isSet(versionOption)) {
            std::printf("%s %s\n", MTS_APPLICATION_NAME, MTS_VERSION_STRING);
            return 0;
        }
        if (parser.isSet(helpOption)) {
            std::printf("%s", qPrintable(helpText(parser)));
            return 0;
        }
        const QStringList positional = parser.positionalArguments();
        if (!positional.isEmpty() && positional.first().startsWith(u'-') == false && !positional.first().contains(u'.')
            && !positional.first().contains(u'/')) {
            std::fprintf(stderr, "magic-trace-studio: unknown command \"%s\".\nTry 'magic-trace-studio --help'.\n",
                qPrintable(positional.first()));
            return 2;
        }
        if (!haveDisplay()) {
            std::fprintf(stderr,
                "magic-trace-studio: no display to show the window on (neither DISPLAY nor WAYLAND_DISPLAY "
                "is set).\nRun it in a desktop session, or use a command that needs no display; see "
                "'magic-trace-studio --help'.\n");
            return 2;
        }
    }

    QApplication app(argc, argv);
    setApplicationIdentity();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/magic-trace-studio.svg")));
    QApplication::setDesktopFileName(QStringLiteral("magic-trace-studio"));
    parser.process(app);

    MainWindow window;
    window.show();
    for (const QString& file : parser.positionalArguments())
        window.openTrace(file);
    if (parser.isSet(attachOption))
        window.attachTo(parser.value(attachOption));
    return QApplication::exec();
}
