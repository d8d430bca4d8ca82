// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QStringList>
#include <functional>
#include <vector>

// Subcommands that need no display (inspect, crop, trace, doctor, library, ...). Each lives in its own
// <name>command.cpp and registers itself with a static CommandRegistration, so main.cpp stays unchanged.
struct Command
{
    QString name;
    QString summary; // one line for --help
    // Receives the arguments after the command name; returns the process exit status. Runs inside a
    // QCoreApplication whose event loop is not yet running.
    std::function<int(const QStringList& arguments)> run;
};

class CommandRegistry
{
public:
    static std::vector<Command>& commands();
    static const Command* find(const QString& name);
};

struct CommandRegistration
{
    CommandRegistration(const char* name, const char* summary, std::function<int(const QStringList&)> run);
};
