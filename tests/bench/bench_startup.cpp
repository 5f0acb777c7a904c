// Start-up cost of the `atelier` executable: `--version`, `inspect` of a PNG, and the main window's first paint
// (offscreen), each against /bin/true in the same run, as wall time from exec to the answer and the peak memory
// until then.
//
//   bench_startup [ATELIER [PNG [RUNS]]]
#include "bench_statistics.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char **environ;

namespace {

struct Sample
{
    double milliseconds = 0; // from spawn to the answer (exit, or the line `until` on stderr)
    double peakMegabytes = 0;
    bool ok = false;
};

// The process's peak resident memory up to now (VmHWM), for answers that come before it exits.
double peakMegabytesSoFar(pid_t pid)
{
    std::FILE *status = std::fopen(("/proc/" + std::to_string(pid) + "/status").c_str(), "r");
    if (!status)
        return 0;
    char line[256];
    double kilobytes = 0;
    while (std::fgets(line, sizeof line, status))
        if (std::sscanf(line, "VmHWM: %lf kB", &kilobytes) == 1)
            break;
    std::fclose(status);
    return kilobytes / 1024.0;
}

// Runs `argv` with `extraEnvironment` added; the clock stops when the process exits, or when it writes a stderr
// line containing `until` (the rest of its life is then not counted).
Sample runOnce(const std::vector<std::string> &argv, const std::vector<std::string> &extraEnvironment,
               const std::string &until)
{
    std::vector<std::string> environment(extraEnvironment);
    for (char **entry = environ; *entry; ++entry)
        environment.emplace_back(*entry);
    std::vector<char *> envp, args;
    for (std::string &entry : environment)
        envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::vector<std::string> argvCopy(argv);
    for (std::string &arg : argvCopy)
        args.push_back(arg.data());
    args.push_back(nullptr);

    int errPipe[2];
    if (pipe(errPipe) != 0)
        return {};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, errPipe[0]);
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(errPipe[1]);
    if (spawned != 0) {
        close(errPipe[0]);
        return {};
    }
    Sample sample;
    std::string seen;
    char buffer[4096];
    bool stopped = false;
    for (;;) {
        const ssize_t n = read(errPipe[0], buffer, sizeof buffer);
        if (n <= 0)
            break;
        seen.append(buffer, std::size_t(n));
        if (!until.empty() && !stopped && seen.find(until) != std::string::npos) {
            sample.milliseconds =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            sample.peakMegabytes = peakMegabytesSoFar(pid);
            stopped = true;
        }
    }
    close(errPipe[0]);
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    if (!stopped)
        sample.milliseconds =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!stopped)
        sample.peakMegabytes = double(usage.ru_maxrss) / 1024.0;
    sample.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && (until.empty() || stopped);
    if (!sample.ok)
        std::fprintf(stderr, "%s failed: %s\n", argv[0].c_str(), seen.substr(0, 400).c_str());
    return sample;
}

struct Case
{
    const char *name;
    std::vector<std::string> argv;
    std::vector<std::string> environment;
    std::string until;
};

} // namespace

int main(int argc, char **argv)
{
    const std::string atelier = argc > 1 ? argv[1] : ATELIER_EXECUTABLE;
    const std::string png = argc > 2 ? argv[2] : ATELIER_SAMPLE_PNG;
    const int runs = argc > 3 ? std::atoi(argv[3]) : 10;
    char rootTemplate[] = "/tmp/atelier-startup-XXXXXX";
    const std::string root = mkdtemp(rootTemplate);
    const std::vector<Case> cases = {
        {"/bin/true", {"/bin/true"}, {}, {}},
        {"atelier --version", {atelier, "--version"}, {}, {}},
        {"atelier inspect PNG", {atelier, "--root", root, "inspect", png}, {}, {}},
        {"window, first paint",
         {atelier, "--root", root},
         {"QT_QPA_PLATFORM=offscreen", "ATELIER_EXIT_AFTER_FIRST_PAINT=1"},
         "first paint"},
    };
    std::printf("%-22s %12s %12s %12s %14s\n", "", "median ms", "min ms", "max ms", "peak RSS MB");
    double trueMs = 0;
    for (const Case &c : cases) {
        std::vector<double> times, memory;
        runOnce(c.argv, c.environment, c.until); // warm the page cache
        for (int i = 0; i < runs; ++i) {
            const Sample sample = runOnce(c.argv, c.environment, c.until);
            if (!sample.ok)
                return 1;
            times.push_back(sample.milliseconds);
            memory.push_back(sample.peakMegabytes);
        }
        const double middle = median(times);
        if (trueMs == 0)
            trueMs = middle;
        std::printf("%-22s %12.1f %12.1f %12.1f %14.1f   (%.0fx /bin/true)\n", c.name, middle,
                    *std::min_element(times.begin(), times.end()), *std::max_element(times.begin(), times.end()),
                    median(memory), middle / trueMs);
    }
    const std::string cleanup = "rm -rf '" + root + "'";
    return std::system(cleanup.c_str()) == 0 ? 0 : 1;
}
