// SPDX-License-Identifier: MIT
#include "commandregistry.h"

#include <algorithm>

std::vector<Command>& CommandRegistry::commands()
{
    static std::vector<Command> all;
    return all;
}

const Command* CommandRegistry::find(const QString& name)
{
    const auto& all = commands();
    const auto it = std::find_if(all.begin(), all.end(), [&](const Command& c) { return c.name == name; });
    return it == all.end() ? nullptr : &*it;
}

CommandRegistration::CommandRegistration(
    const char* name, const char* summary, std::function<int(const QStringList&)> run)
{
    auto& all = CommandRegistry::commands();
    all.push_back({ QString::fromUtf8(name), QString::fromUtf8(summary), std::move(run) });
    std::sort(all.begin(), all.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
}
