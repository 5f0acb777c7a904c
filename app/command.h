#pragma once

#include <QCommandLineParser>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <vector>

namespace atelier::settings {
class AppRoot;
class SettingsStore;
}

namespace atelier::app {

// Process exit codes of the command-line interface.
enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

// What a headless command gets: its own arguments (the program name and command first, as QCommandLineParser
// expects), the opened root and settings, and the two output streams.
struct CommandContext
{
    QStringList arguments;
    const settings::AppRoot &root;
    settings::SettingsStore &settings;
    QTextStream &out;
    QTextStream &err;
};

struct Command
{
    QString name;
    QString summary;
    std::function<int(CommandContext &)> run;
};

// Every subcommand. Adding one is a new file under commands/ and one line in command_registry.cpp.
const std::vector<Command> &commands();
const Command *findCommand(const QString &name);

// Parses `context.arguments` with `parser`, handling --help (prints the help, returns kExitOk) and errors
// (prints them, returns kExitUsage). Returns -1 when the command should go on.
int parseCommandArguments(QCommandLineParser &parser, CommandContext &context, const QString &description);

} // namespace atelier::app
