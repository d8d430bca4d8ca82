// SPDX-License-Identifier: MIT
// fake-magic-trace: a test double of Jane Street's magic-trace as a parent process sees it (flags per version,
// exact stderr lines, signal semantics before/after the attach handshake, exit codes, output files). It follows
// shared/reference/magic-trace-protocol.md (§0-§4, checklist §9). It does not trace anything: the trace it writes
// is a synthetic magic-trace-shaped FXT from core's TraceGenerator.
//
// Environment:
//   FAKE_MAGIC_TRACE_VERSION          emulated version, printed by -version (default v1.2.4). v1.0.2: one PID, no
//                                     -sampling/-callgraph-mode/-filter, raw FXT even for .gz, 2nd SIGINT ignored.
//   FAKE_MAGIC_TRACE_SCENARIO         ok (default) | perf-missing | perf-version-unreadable | no-intel-pt |
//                                     perf-paranoid | perf-mlock | no-such-pid | permission-denied |
//                                     kernel-needs-root | trigger-not-found | no-symbol-table | tmpdir-readonly |
//                                     program-not-found | perf-fails-after-attach | decode-crash | perf6-parse-bug |
//                                     string-too-long | flood | trigger-hit | no-output | garbage-output
//   FAKE_MAGIC_TRACE_ATTACH_DELAY_MS  time from start to "[ Attached" (default 600; magic-trace sleeps >= 500 ms)
//   FAKE_MAGIC_TRACE_DECODE_MS        time spent "decoding" (default 300)
//   FAKE_MAGIC_TRACE_TRIGGER_HIT_MS   trigger-hit: time from "[ Attached" to the hit (default 300)
//   FAKE_MAGIC_TRACE_FLOOD_BYTES      flood: bytes of decode warnings on stderr (default 50 MB)
//   FAKE_MAGIC_TRACE_TRACE_BYTES      size of the FXT written (default 64 KiB)
//   FAKE_MAGIC_TRACE_RECORD           file to which the arguments, cwd, TMPDIR, perf path and process group are
//                                     written (one "key=value" per line), for tests
//   FAKE_MAGIC_TRACE_ATTACHED_STAMP   file to which CLOCK_MONOTONIC (ns) is written just before "[ Attached" is
//                                     (for the latency benchmark)
#include "fxt/fxtwriter.h"
#include "fxt/tracegenerator.h"

#include <QString>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <limits.h>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

struct Version
{
    int major = 1, minor = 2, patch = 4;
    std::string text = "v1.2.4";
    bool atLeast(int a, int b, int c) const
    {
        if (major != a)
            return major > a;
        if (minor != b)
            return minor > b;
        return patch >= c;
    }
};

Version g_version;
std::string g_scenario = "ok";
std::string g_subcommand;

std::string env(const char* name, const char* fallback = "")
{
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string(fallback);
}

long envNumber(const char* name, long fallback)
{
    const char* v = std::getenv(name);
    if (!v || !*v)
        return fallback;
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    return (end && *end == 0 && n >= 0) ? n : fallback;
}

void writeAll(int fd, const char* data, size_t size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        data += n;
        size -= size_t(n);
    }
}

// Every protocol line is written at once and unbuffered, as magic-trace does with eprintf "...%!".
void err(const std::string& line)
{
    const std::string withEnd = line + "\n";
    writeAll(2, withEnd.data(), withEnd.size());
}

void out(const std::string& line)
{
    const std::string withEnd = line + "\n";
    writeAll(1, withEnd.data(), withEnd.size());
}

void sleepMs(long ms)
{
    timespec ts { ms / 1000, (ms % 1000) * 1000000L };
    while (::nanosleep(&ts, &ts) == -1 && errno == EINTR) { }
}

// A Core/Async exception as magic-trace prints it at exit (Error.to_string_hum of a monitor error).
[[noreturn]] void monitorError(const std::string& exn)
{
    err("(monitor.ml.Error " + exn);
    err(" (\"Raised at Stdlib__Map.Make.find in file \\\"map.ml\\\", line 141, characters 10-25\"");
    err("  \"Called from Async_kernel__Monitor.protect in file \\\"src/monitor.ml\\\", line 243, characters 8-13\"");
    err("  \"Caught by monitor Monitor.protect\"))");
    std::exit(1);
}

[[noreturn]] void parseError(const std::string& reason)
{
    err("Error parsing command line:");
    err("");
    err("  " + reason);
    err("");
    err("For usage information, run");
    err("");
    err("  magic-trace " + g_subcommand + " -help");
    err("");
    std::exit(1);
}

[[noreturn]] void plainError(const std::string& text)
{
    err(text);
    std::exit(1);
}

struct Options
{
    std::vector<long> pids;
    bool pidGiven = false;
    std::string output;
    bool outputGiven = false;
    std::string workingDirectory;
    std::string trigger;
    bool multiThread = false, multiSnapshot = false, fullExecution = false, sampling = false;
    bool includeKernel = false, kernelOnly = false;
    std::string snapshotSize, timerResolution, callgraphMode, filter;
    std::string program;
    std::vector<std::string> programArgs;
};

void printHelp()
{
    out("Magical tracing based on Intel Processor Trace");
    out("");
    out("  magic-trace SUBCOMMAND");
    out("");
    out("=== subcommands ===");
    out("");
    out("  attach                     . Attach to a running process and record its execution");
    out("  decode                     . (expert) Decode a trace from a working directory");
    out("  run                        . Run a command and record its execution");
    out("  version                    . print version information");
    out("  help                       . explain a given subcommand (perhaps recursively)");
}

std::vector<long> parsePids(const std::string& value)
{
    std::vector<long> pids;
    size_t start = 0;
    const bool lists = g_version.atLeast(1, 2, 0);
    while (true) {
        const size_t comma = value.find(',', start);
        const std::string part = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (comma != std::string::npos && !lists)
            parseError(
                "failed to parse -pid value \"" + value + "\".\n  (Failure \"Int.of_string: \\\"" + value + "\\\"\")");
        char* end = nullptr;
        const long pid = std::strtol(part.c_str(), &end, 10);
        if (part.empty() || !end || *end != 0)
            parseError(
                "failed to parse -pid value \"" + value + "\".\n  (Failure \"Int.of_string: \\\"" + part + "\\\"\")");
        pids.push_back(pid);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return pids;
}

Options parseArguments(int argc, char** argv)
{
    Options o;
    const bool v12 = g_version.atLeast(1, 2, 0);
    const std::set<std::string> withValue = { "-pid", "-p", "-output", "-o", "-working-directory", "-trigger",
        "-snapshot-size", "-timer-resolution", "-callgraph-mode", "-filter" };
    const std::set<std::string> onlyV12 = { "-sampling", "-callgraph-mode", "-filter" };
    bool afterDoubleDash = false;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (afterDoubleDash) {
            o.programArgs.push_back(a);
            continue;
        }
        if (a == "--") {
            if (g_subcommand != "run")
                parseError("too many anonymous arguments");
            afterDoubleDash = true;
            continue;
        }
        if (a.size() > 1 && a[0] == '-') {
            if (a == "-help" || a == "-?") {
                out("Attach to a running process and record its execution");
                std::exit(0);
            }
            const bool known = withValue.count(a) || a == "-multi-thread" || a == "-multi-snapshot"
                || a == "-full-execution" || a == "-trace-include-kernel" || a == "-trace-kernel-only"
                || a == "-sampling";
            if (!known || (onlyV12.count(a) && !v12) || ((a == "-pid" || a == "-p") && g_subcommand != "attach"))
                parseError("unknown flag " + a);
            std::string value;
            if (withValue.count(a)) {
                if (i + 1 >= argc)
                    parseError("missing argument for flag " + a);
                value = argv[++i];
            }
            if (a == "-pid" || a == "-p") {
                o.pids = parsePids(value);
                o.pidGiven = true;
            } else if (a == "-output" || a == "-o") {
                o.output = value;
                o.outputGiven = true;
            } else if (a == "-working-directory") {
                o.workingDirectory = value;
            } else if (a == "-trigger") {
                o.trigger = value;
            } else if (a == "-snapshot-size") {
                o.snapshotSize = value;
            } else if (a == "-timer-resolution") {
                o.timerResolution = value;
                const bool ok = value == "Low" || value == "Normal" || value == "High" || value.rfind("(Custom", 0) == 0
                    || (v12 && value.rfind("(Sample", 0) == 0);
                if (!ok)
                    parseError("failed to parse -timer-resolution value \"" + value + "\".");
            } else if (a == "-callgraph-mode") {
                o.callgraphMode = value;
            } else if (a == "-filter") {
                o.filter = value;
            } else if (a == "-multi-thread") {
                o.multiThread = true;
            } else if (a == "-multi-snapshot") {
                o.multiSnapshot = true;
            } else if (a == "-full-execution") {
                o.fullExecution = true;
            } else if (a == "-trace-include-kernel") {
                o.includeKernel = true;
            } else if (a == "-trace-kernel-only") {
                o.kernelOnly = true;
            } else if (a == "-sampling") {
                o.sampling = true;
            }
            continue;
        }
        if (g_subcommand == "run" && o.program.empty()) {
            o.program = a;
            continue;
        }
        parseError("too many anonymous arguments");
    }
    if (g_subcommand == "run") {
        // v1.0.2 requires COMMAND; newer versions also accept "run -- PROG ARGS".
        if (o.program.empty() && !o.programArgs.empty() && g_version.atLeast(1, 2, 0)) {
            o.program = o.programArgs.front();
            o.programArgs.erase(o.programArgs.begin());
        }
        if (o.program.empty())
            parseError("missing anonymous argument: COMMAND");
    }
    if (!o.outputGiven)
        o.output = g_version.atLeast(1, 2, 4) ? "trace.fxt.gz" : "trace.fxt";
    return o;
}

void record(int argc, char** argv)
{
    const std::string path = env("FAKE_MAGIC_TRACE_RECORD");
    if (path.empty())
        return;
    std::string text;
    for (int i = 1; i < argc; ++i)
        text += std::string("arg=") + argv[i] + "\n";
    char cwd[PATH_MAX] = {};
    if (::getcwd(cwd, sizeof cwd))
        text += std::string("cwd=") + cwd + "\n";
    text += "TMPDIR=" + env("TMPDIR") + "\n";
    text += "MAGIC_TRACE_PERF_PATH=" + env("MAGIC_TRACE_PERF_PATH") + "\n";
    text += "pid=" + std::to_string(::getpid()) + "\n";
    text += "pgid=" + std::to_string(::getpgid(0)) + "\n";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        writeAll(fd, text.data(), text.size());
        ::close(fd);
    }
}

// The checks magic-trace makes before attaching, in its order (§2.1), with the exact texts of §4.
void preflight(const Options& o)
{
    if (!g_version.atLeast(1, 2, 0) && g_scenario == "no-intel-pt") {
        err("Error: This machine doesn't support Intel Processor Trace, which is a hardware feature essential for "
            "magic-trace to work.");
        err("This may be because it's a virtual machine or it's a physical machine that isn't new enough or uses "
            "an AMD processor.");
        plainError("Try again on a physical Intel machine.");
    }
    if (g_scenario == "perf-missing")
        plainError("magic-trace relies on \"perf\", but it is not present in your path. You may need to install it.");
    if (g_scenario == "perf-version-unreadable")
        monitorError("(\"unable to interpret perf version string\" (version_string \"perf version \\n\"))");
    if (g_version.atLeast(1, 2, 0) && g_scenario == "no-intel-pt")
        err("Intel PT support not found. magic-trace will continue and use sampling instead.");
    if (g_subcommand == "attach") {
        if (!o.pidGiven)
            plainError("The [-pid] argument is mandatory. magic-trace could show you a fuzzy-finding selector here "
                       "if \"fzf\" were in your PATH, but it is not.");
        std::set<long> unique(o.pids.begin(), o.pids.end());
        if (unique.size() != o.pids.size())
            plainError("Duplicate PIDs were passed");
        for (long pid : o.pids) {
            const std::string exe = "/proc/" + std::to_string(pid) + "/exe";
            char target[PATH_MAX];
            std::string failure;
            if (g_scenario == "no-such-pid")
                failure = "No such file or directory";
            else if (g_scenario == "permission-denied")
                failure = "Permission denied";
            else if (::readlink(exe.c_str(), target, sizeof target) < 0)
                failure = errno == ENOENT               ? "No such file or directory"
                    : errno == EACCES || errno == EPERM ? "Permission denied"
                                                        : std::strerror(errno);
            if (!failure.empty())
                monitorError("(Unix.Unix_error \"" + failure + "\" readlink " + exe + ")");
        }
    }
    if (g_subcommand == "run" && o.program.find('/') == std::string::npos) {
        bool found = false;
        const std::string path = env("PATH", "/usr/bin:/bin");
        size_t start = 0;
        while (!found) {
            const size_t colon = path.find(':', start);
            const std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
            found = ::access((dir + "/" + o.program).c_str(), X_OK) == 0;
            if (colon == std::string::npos)
                break;
            start = colon + 1;
        }
        if (!found || g_scenario == "program-not-found")
            monitorError("(Failure \"Can't find executable for " + o.program + "\")");
    } else if (g_subcommand == "run" && (::access(o.program.c_str(), X_OK) != 0 || g_scenario == "program-not-found")) {
        monitorError("(Failure \"Can't find executable for " + o.program + "\")");
    }
    if ((o.includeKernel || o.kernelOnly)
        && ((::geteuid() != 0 && env("MAGIC_TRACE_PERF_IS_PRIVILEGED").empty()) || g_scenario == "kernel-needs-root"))
        plainError("magic-trace must be run as root in order to trace the kernel");
}

// Appends "key=value" to the record file (tests wait for "preflight=done" to know the PID checks are over).
void recordMore(const std::string& line)
{
    const std::string path = env("FAKE_MAGIC_TRACE_RECORD");
    if (path.empty())
        return;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        writeAll(fd, (line + "\n").data(), line.size() + 1);
        ::close(fd);
    }
}

std::string makeTempDir(const Options& o)
{
    if (!o.workingDirectory.empty()) {
        ::mkdir(o.workingDirectory.c_str(), 0755);
        return o.workingDirectory;
    }
    const std::string base = env("TMPDIR", "/tmp");
    std::string templ = (base.empty() ? std::string("/tmp") : base) + "/magic_trace.tmp.XXXXXX";
    if (g_scenario == "tmpdir-readonly")
        monitorError(
            "(Unix.Unix_error \"Read-only file system\" mkdir " + templ.substr(0, templ.size() - 6) + "a39446)");
    std::vector<char> buffer(templ.begin(), templ.end());
    buffer.push_back(0);
    if (!::mkdtemp(buffer.data()))
        monitorError("(Unix.Unix_error \"" + std::string(std::strerror(errno)) + "\" mkdir " + templ + ")");
    const std::string dir(buffer.data());
    // perf.data lives here; put a file in it so leaks are visible.
    const int fd = ::open((dir + "/perf.data").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        writeAll(fd, "PERFILE2", 8);
        ::close(fd);
    }
    return dir;
}

void removeTempDir(const Options& o, const std::string& dir)
{
    if (!o.workingDirectory.empty())
        return;
    ::unlink((dir + "/perf.data").c_str());
    ::rmdir(dir.c_str());
}

void triggerChecks(const Options& o)
{
    if (o.trigger.empty())
        return;
    if (g_scenario == "trigger-not-found")
        plainError("Snapshot symbol not found: " + o.trigger);
    if (g_scenario == "no-symbol-table") {
        if (!g_version.atLeast(1, 1, 0))
            plainError("As far as magic-trace can tell, that executable doesn't have a symbol table. Was the binary "
                       "built without debug info?");
        err("Cannot select a snapshot symbol because magic-trace can't find that executable's symbol table. Was it "
            "built without debug info, or with debug info magic-trace doesn't understand?");
        plainError("See https://github.com/janestreet/magic-trace/wiki/"
                   "Compiling-code-for-maximum-compatibility-with-magic-trace for more info.");
    }
    char line[256];
    std::snprintf(line, sizeof line, "[ Attaching to %s @ 0x%016llx ]", o.trigger.c_str(), 0x5581c0a4f1a9ULL);
    err(line);
}

// perf refusing within the 500 ms window: perf's own stderr, then magic-trace's error.
void perfStartFailures()
{
    if (g_scenario == "perf-paranoid") {
        err("Error:");
        err("Access to performance monitoring and observability operations is limited.");
        err("Consider adjusting /proc/sys/kernel/perf_event_paranoid setting to open");
        err("access to performance monitoring and observability operations for processes");
        err("without CAP_PERFMON, CAP_SYS_PTRACE or CAP_SYS_ADMIN Linux capability.");
        err("More information can be found at 'Perf events and tool security' document:");
        err("https://www.kernel.org/doc/html/latest/admin-guide/perf-security.html");
        err("perf_event_paranoid setting is 4:");
        err("  -1: Allow use of (almost) all events by all users");
        err("      Ignore mlock limit after perf_event_mlock_kb without CAP_IPC_LOCK");
        err(">= 0: Disallow raw and ftrace function tracepoint access");
        err(">= 1: Disallow CPU event access");
        err(">= 2: Disallow kernel profiling");
        err("To make the adjusted perf_event_paranoid setting permanent preserve it");
        err("in /etc/sysctl.conf (e.g. kernel.perf_event_paranoid = <setting>)");
        plainError("(Unix.Exit (Exit_non_zero 255))");
    }
    if (g_scenario == "perf-mlock") {
        err("Permission error mapping pages.");
        err("Consider increasing /proc/sys/kernel/perf_event_mlock_kb,");
        err("or try again with a smaller value of -m/--mmap_pages.");
        err("(current value: 4294967295,0)");
        plainError("(Unix.Exit (Exit_non_zero 255))");
    }
}

void writeStamp()
{
    const std::string path = env("FAKE_MAGIC_TRACE_ATTACHED_STAMP");
    if (path.empty())
        return;
    timespec now {};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const std::string text = std::to_string(qint64(now.tv_sec) * 1000000000LL + now.tv_nsec) + "\n";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        writeAll(fd, text.data(), text.size());
        ::close(fd);
    }
}

void flood()
{
    const long total = envNumber("FAKE_MAGIC_TRACE_FLOOD_BYTES", 50L * 1024 * 1024);
    std::string block;
    for (int i = 0; block.size() < 256 * 1024; ++i) {
        char line[200];
        std::snprintf(line, sizeof line,
            "Warning: perf reported an error decoding the trace: 'Overflow packet (foo)' @ IP 0x%012lx.\n",
            0x7f0000001000UL + static_cast<unsigned long>(i) * 16);
        block += line;
    }
    long written = 0;
    while (written < total) {
        const size_t n = size_t(std::min<long>(long(block.size()), total - written));
        writeAll(2, block.data(), n);
        written += long(n);
    }
    if (total > 0 && block[size_t((total - 1) % long(block.size()))] != '\n')
        writeAll(2, "\n", 1);
}

// "-o" relative to the working directory, as magic-trace uses it.
void renameOld(const std::string& output)
{
    // magic-trace renames the *basename* relative to its working directory (its bug; §6.1).
    const size_t slash = output.rfind('/');
    const std::string base = slash == std::string::npos ? output : output.substr(slash + 1);
    struct stat st
    {
    };
    if (::stat(base.c_str(), &st) == 0)
        ::rename(base.c_str(), (base + ".old").c_str());
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void writeTrace(const Options& o, long pid)
{
    // Compression by suffix only from v1.2.4; older versions write raw FXT whatever the name.
    FxtFormat::Format format = FxtFormat::Format::Fxt;
    if (g_version.atLeast(1, 2, 4)) {
        if (endsWith(o.output, ".gz"))
            format = FxtFormat::Format::Gzip;
        else if (endsWith(o.output, ".zst"))
            format = FxtFormat::Format::Zstd;
    }
    TraceGeneratorOptions options;
    options.targetBytes = quint64(envNumber("FAKE_MAGIC_TRACE_TRACE_BYTES", 64 * 1024));
    options.threads = o.multiThread ? 3 : 1;
    options.seed = quint32(pid);
    QString error;
    FxtWriter writer;
    if (!writer.open(QString::fromLocal8Bit(o.output.c_str()), format, &error))
        monitorError("(Sys_error \"" + error.toStdString() + "\")");
    TraceGenerator::generate(writer, options);
    if (!writer.finish(&error))
        monitorError("(Sys_error \"" + error.toStdString() + "\")");
}

// After the snapshot: perf's lines, decoding, the file, "Visit". exit status 0 unless a failure scenario.
[[noreturn]] void finishRecording(const Options& o, const std::string& tempDir, long pid, bool runMode)
{
    if (runMode) {
        err("[ perf record: Woken up 1 times to write data ]");
        err("[ Snapshot taken. ]");
        err("[ perf record: Captured and wrote 0.062 MB " + tempDir + "/perf.data ]");
    } else {
        err("[ Snapshot taken. ]");
        err("[ perf record: Woken up 3 times to write data ]");
        err("[ perf record: Captured and wrote 0.412 MB " + tempDir + "/perf.data ]");
    }
    err("[ Finished recording. ]");
    err("[ Decoding, this takes a while... ]");
    // The output file is created (truncated) when decoding starts; a failure leaves it partial.
    if (g_scenario != "no-output") {
        renameOld(o.output);
        const int fd = ::open(o.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            if (g_scenario == "decode-crash" || g_scenario == "perf6-parse-bug")
                writeAll(fd, "\x10\x00\x04\x46\x78\x54\x16\x00\x21\x00", 10);
            ::close(fd);
        }
    }
    if (g_scenario == "flood")
        flood();
    if (g_version.atLeast(1, 1, 0)) {
        err("Warning: Debug info is unavailable, so filenames and line numbers will not be available in the trace.");
        err("See https://github.com/janestreet/magic-trace/wiki/"
            "Compiling-code-for-maximum-compatibility-with-magic-trace for more info.");
    }
    sleepMs(envNumber("FAKE_MAGIC_TRACE_DECODE_MS", 300));
    if (g_scenario == "decode-crash")
        monitorError("(\"BUG: assumptions violated\" (event ((thread ((pid (" + std::to_string(pid) + ")) (tid ("
            + std::to_string(pid) + ")))) (time 12.345us) (kind Call))))");
    if (g_scenario == "perf6-parse-bug")
        monitorError("(\"BUG: exception raised while parsing perf output. Please report this to "
                     "https://github.com/janestreet/magic-trace/issues/\" (exn Not_found) (perf_output (\" "
            + std::to_string(pid) + "/" + std::to_string(pid)
            + " 2289.565398543:                            1   branches:uH:   tr strt jmp  "
              "                     0 [unknown] ([unknown]) =>     7f4bb34a3c40 _start+0x0 (foo)\")))");
    if (g_scenario == "string-too-long")
        monitorError("(Failure \"string too long for FTF trace: 805614 is over the limit of 32kb\")");
    if (g_scenario == "garbage-output") {
        const int fd = ::open(o.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            writeAll(fd, "not a trace at all\n", 19);
            ::close(fd);
        }
    } else if (g_scenario != "no-output") {
        writeTrace(o, pid);
    }
    err("Visit https://magic-trace.org/ and open " + o.output + " to view trace.");
    removeTempDir(o, tempDir);
    std::exit(0);
}

// After the first SIGINT: v1.2.1+ resets SIGINT to its default (a second one kills decoding); older versions
// keep the (now empty) handler, so further SIGINTs are ignored.
void afterFirstSigint()
{
    if (g_version.atLeast(1, 2, 1)) {
        ::signal(SIGINT, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
    } else {
        ::signal(SIGINT, SIG_IGN);
    }
}

[[noreturn]] void attach(const Options& o)
{
    preflight(o);
    recordMore("preflight=done");
    const std::string tempDir = makeTempDir(o);
    triggerChecks(o);
    // ELF loading, perf start, the fixed 500 ms sleep. No SIGINT handler yet: SIGINT kills us (default action).
    sleepMs(envNumber("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", 600));
    perfStartFailures();

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    ::sigprocmask(SIG_BLOCK, &set, nullptr); // "install the handler": SIGINT is now taken with sigtimedwait
    writeStamp();
    err("[ Attached. Press Ctrl-C to stop recording. ]");

    const bool triggerHit = g_scenario == "trigger-hit" && !o.trigger.empty();
    const long hitMs = envNumber("FAKE_MAGIC_TRACE_TRIGGER_HIT_MS", 300);
    timespec start {};
    ::clock_gettime(CLOCK_MONOTONIC, &start);
    while (true) {
        timespec wait { 0, 50 * 1000000L };
        const int sig = ::sigtimedwait(&set, nullptr, &wait);
        if (sig == SIGINT)
            break;
        if (triggerHit) {
            timespec now {};
            ::clock_gettime(CLOCK_MONOTONIC, &now);
            const long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
            if (elapsed >= hitMs) {
                afterFirstSigint();
                finishRecording(o, tempDir, o.pids.front(), false); // no "Got signal"
            }
        }
    }
    err("[ Got signal, detaching... ]");
    afterFirstSigint();
    if (g_scenario == "perf-fails-after-attach") {
        err("[ Snapshot taken. ]");
        monitorError("(Unix.Unix_error \"No child process\" waitpid " + std::to_string(o.pids.front() + 1) + ")");
    }
    finishRecording(o, tempDir, o.pids.front(), false);
}

[[noreturn]] void run(const Options& o)
{
    preflight(o);
    const std::string tempDir = makeTempDir(o);
    triggerChecks(o);

    // Signals magic-trace forwards to the program while it runs (§3.2).
    sigset_t forwarded;
    sigemptyset(&forwarded);
    for (int s : { SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD })
        sigaddset(&forwarded, s);
    ::sigprocmask(SIG_BLOCK, &forwarded, nullptr);

    int gate[2];
    if (::pipe(gate) != 0)
        monitorError("(Unix.Unix_error \"pipe\")");
    const pid_t child = ::fork();
    if (child == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::close(gate[1]);
        char c;
        while (::read(gate[0], &c, 1) < 0 && errno == EINTR) { } // "stopped" until perf is attached
        ::close(gate[0]);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(o.program.c_str()));
        for (const std::string& a : o.programArgs)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execvp(o.program.c_str(), argv.data());
        ::_exit(127);
    }
    ::close(gate[0]);
    sleepMs(envNumber("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", 600));
    perfStartFailures();
    ::close(gate[1]); // PTRACE_DETACH: the program runs

    while (true) {
        const int sig = ::sigwaitinfo(&forwarded, nullptr);
        if (sig == SIGCHLD) {
            int status = 0;
            if (::waitpid(child, &status, WNOHANG) == child)
                break; // the program's status is collected and dropped
            continue;
        }
        if (sig > 0)
            ::kill(child, sig);
    }
    // Decoding: SIGTERM/HUP/USR stay caught-and-ignored; SIGINT per version.
    afterFirstSigint();
    finishRecording(o, tempDir, long(child), true);
}

} // namespace

int main(int argc, char** argv)
{
    const std::string versionText = env("FAKE_MAGIC_TRACE_VERSION", "v1.2.4");
    if (std::sscanf(versionText.c_str(), "v%d.%d.%d", &g_version.major, &g_version.minor, &g_version.patch) == 3)
        g_version.text = versionText;
    g_scenario = env("FAKE_MAGIC_TRACE_SCENARIO", "ok");
    if (g_scenario.empty())
        g_scenario = "ok";

    if (argc >= 2 && (std::strcmp(argv[1], "-version") == 0 || std::strcmp(argv[1], "--version") == 0)) {
        out(g_version.text);
        return 0;
    }
    if (argc < 2 || std::strcmp(argv[1], "-help") == 0 || std::strcmp(argv[1], "-?") == 0) {
        printHelp();
        return argc < 2 ? 1 : 0;
    }
    g_subcommand = argv[1];
    if (g_subcommand != "attach" && g_subcommand != "run" && g_subcommand != "decode") {
        g_subcommand.clear();
        err("Error parsing command line:");
        err("");
        err("  unknown subcommand " + std::string(argv[1]));
        err("");
        err("For usage information, run");
        err("");
        err("  magic-trace -help");
        err("");
        return 1;
    }
    record(argc, argv);
    if (g_subcommand == "decode")
        plainError("decode is not emulated by fake-magic-trace");
    const Options options = parseArguments(argc, argv);
    if (g_subcommand == "attach")
        attach(options);
    run(options);
}
