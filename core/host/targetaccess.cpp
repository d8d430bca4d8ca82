// SPDX-License-Identifier: MIT
#include "host/targetaccess.h"

#include <QCoreApplication>
#include <QFile>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>
#include <vector>

namespace TargetAccess {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("TargetAccess", text);
}

// Reads a whole (small) file with plain syscalls. Returns false and sets *err to errno on failure.
bool readFile(const QByteArray& path, QByteArray* out, int* err, qsizetype limit = 64 * 1024)
{
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = errno;
        return false;
    }
    out->resize(4096);
    qsizetype used = 0;
    for (;;) {
        if (used == out->size()) {
            if (out->size() >= limit)
                break;
            out->resize(std::min(limit, out->size() * 2));
        }
        const ssize_t n = ::read(fd, out->data() + used, size_t(out->size() - used));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            *err = errno;
            ::close(fd);
            return false;
        }
        if (n == 0)
            break;
        used += n;
    }
    ::close(fd);
    out->truncate(used);
    return true;
}

// Parses an unsigned decimal (or, with base 16, hex) number at p, advancing p. Stops at the first non-digit.
quint64 parseNumber(const char*& p, const char* end, int base = 10)
{
    quint64 value = 0;
    for (; p < end; ++p) {
        const char c = *p;
        int digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            break;
        value = value * quint64(base) + quint64(digit);
    }
    return value;
}

void skipBlanks(const char*& p, const char* end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        ++p;
}

void parseIds(const char* p, const char* end, uint (&ids)[4])
{
    for (uint& id : ids) {
        skipBlanks(p, end);
        id = uint(parseNumber(p, end));
    }
}

bool startsWith(const char* p, const char* end, const char* key, size_t keyLength)
{
    return size_t(end - p) >= keyLength && std::memcmp(p, key, keyLength) == 0;
}

int readSysctl(const QString& path, int fallback)
{
    QByteArray text;
    int err = 0;
    if (!readFile(QFile::encodeName(path), &text, &err))
        return fallback;
    bool ok = false;
    const int value = text.trimmed().toInt(&ok);
    return ok ? value : fallback;
}

} // namespace

StatusFields parseStatus(QByteArrayView text)
{
    StatusFields fields;
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p < end) {
        const char* lineEnd = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
        if (!lineEnd)
            lineEnd = end;
        const char* colon = static_cast<const char*>(std::memchr(p, ':', size_t(lineEnd - p)));
        if (colon) {
            const char* value = colon + 1;
            skipBlanks(value, lineEnd);
            const size_t keyLength = size_t(colon - p);
            auto is = [&](const char* key) {
                return keyLength == std::strlen(key) && startsWith(p, colon, key, keyLength);
            };
            switch (*p) {
            case 'N':
                if (is("Name"))
                    fields.name = QByteArray(value, lineEnd - value);
                break;
            case 'P':
                if (is("Pid"))
                    fields.pid = qint64(parseNumber(value, lineEnd));
                break;
            case 'U':
                if (is("Uid")) {
                    parseIds(value, lineEnd, fields.uid);
                    fields.hasUid = true;
                }
                break;
            case 'G':
                if (is("Gid")) {
                    parseIds(value, lineEnd, fields.gid);
                    fields.hasGid = true;
                }
                break;
            case 'C':
                if (is("CapPrm"))
                    fields.capPermitted = parseNumber(value, lineEnd, 16);
                else if (is("CapEff"))
                    fields.capEffective = parseNumber(value, lineEnd, 16);
                break;
            case 'T':
                if (is("Threads"))
                    fields.threads = int(parseNumber(value, lineEnd));
                break;
            default:
                break;
            }
        }
        p = lineEnd + 1;
    }
    return fields;
}

bool parseStat(QByteArrayView text, StatFields* out)
{
    const char* const begin = text.data();
    const char* const end = begin + text.size();
    const char* open = static_cast<const char*>(std::memchr(begin, '(', size_t(text.size())));
    const char* close = nullptr;
    for (const char* q = end; q > begin; --q) {
        if (q[-1] == ')') {
            close = q - 1;
            break;
        }
    }
    if (!open || !close || close < open)
        return false;
    const char* p = begin;
    skipBlanks(p, open);
    if (p == open || *p < '0' || *p > '9')
        return false;
    out->pid = qint64(parseNumber(p, open));
    out->comm = QByteArray(open + 1, close - open - 1);

    // Fields 3.. follow ") ", separated by single spaces. Field numbers as in proc(5).
    p = close + 1;
    int field = 2;
    while (p < end && field < 24) {
        if (*p != ' ')
            return false;
        ++p;
        ++field;
        const char* tokenStart = p;
        switch (field) {
        case 3:
            if (p >= end)
                return false;
            out->state = *p++;
            break;
        case 4: {
            // ppid is never negative, but be tolerant of "-1"-style values in odd trees.
            const bool negative = p < end && *p == '-';
            if (negative)
                ++p;
            const qint64 value = qint64(parseNumber(p, end));
            out->ppid = negative ? -value : value;
            break;
        }
        case 9:
            out->flags = quint32(parseNumber(p, end));
            break;
        case 14:
            out->userTicks = parseNumber(p, end);
            break;
        case 15:
            out->systemTicks = parseNumber(p, end);
            break;
        case 20:
            out->threads = int(parseNumber(p, end));
            break;
        case 22:
            out->startTime = parseNumber(p, end);
            break;
        case 24:
            out->rssPages = qint64(parseNumber(p, end));
            break;
        default:
            break;
        }
        // Skip the rest of the token (negative numbers, fields we do not keep).
        while (p < end && *p != ' ' && *p != '\n')
            ++p;
        if (p == tokenStart)
            return false; // empty field: not a stat line
    }
    return field >= 24;
}

std::optional<Tracer> readTracer(const QString& procRoot, QString* error)
{
    QByteArray text;
    int err = 0;
    const QString statusPath = procRoot + u"/self/status";
    if (!readFile(QFile::encodeName(statusPath), &text, &err)) {
        if (error)
            *error = tr("Cannot read %1: %2").arg(statusPath, QString::fromLocal8Bit(std::strerror(err)));
        return std::nullopt;
    }
    const StatusFields status = parseStatus(text);
    if (!status.hasUid) {
        if (error)
            *error = tr("%1 has no Uid line").arg(statusPath);
        return std::nullopt;
    }
    Tracer tracer;
    tracer.pid = status.pid;
    std::copy(std::begin(status.uid), std::end(status.uid), std::begin(tracer.uid));
    std::copy(std::begin(status.gid), std::end(status.gid), std::begin(tracer.gid));
    tracer.capPermitted = status.capPermitted;
    tracer.capEffective = status.capEffective;
    tracer.ptraceScope = readSysctl(procRoot + u"/sys/kernel/yama/ptrace_scope", -1);
    tracer.perfEventParanoid = readSysctl(procRoot + u"/sys/kernel/perf_event_paranoid", 2);
    return tracer;
}

Tracer currentTracer()
{
    if (auto tracer = readTracer(QStringLiteral("/proc"), nullptr)) {
        tracer->pid = ::getpid(); // status of "self" may be a thread's view; the process id is what we compare
        return *tracer;
    }
    Tracer tracer;
    tracer.pid = ::getpid();
    tracer.uid[0] = ::getuid();
    tracer.uid[1] = tracer.uid[2] = tracer.uid[3] = ::geteuid();
    tracer.gid[0] = ::getgid();
    tracer.gid[1] = tracer.gid[2] = tracer.gid[3] = ::getegid();
    return tracer;
}

std::optional<Target> readTarget(const QString& procRoot, qint64 pid, QString* error)
{
    const QByteArray dir = QFile::encodeName(procRoot) + '/' + QByteArray::number(pid) + '/';
    QByteArray text;
    int err = 0;
    StatFields stat;
    if (pid <= 0 || !readFile(dir + "stat", &text, &err) || !parseStat(text, &stat)) {
        if (error) {
            if (pid > 0 && (err == EACCES || err == EPERM))
                *error = tr("The system hides process %1 from you").arg(pid);
            else
                *error = tr("There is no process %1").arg(pid);
        }
        return std::nullopt;
    }
    Target target;
    target.pid = pid;
    target.state = stat.state;
    target.kernelThread = (stat.flags & PfKthread) != 0;
    if (readFile(dir + "status", &text, &err)) {
        const StatusFields status = parseStatus(text);
        if (status.hasUid && status.hasGid) {
            target.hasCredentials = true;
            std::copy(std::begin(status.uid), std::end(status.uid), std::begin(target.uid));
            std::copy(std::begin(status.gid), std::end(status.gid), std::begin(target.gid));
            target.capPermitted = status.capPermitted;
        }
    }
    char link[PATH_MAX];
    const QByteArray exePath = dir + "exe";
    if (::readlink(exePath.constData(), link, sizeof link) >= 0)
        target.exe = ExeAccess::Readable;
    else
        target.exe = (errno == EACCES || errno == EPERM) ? ExeAccess::Denied : ExeAccess::Missing;
    return target;
}

Verdict evaluate(const Tracer& tracer, const Target& target)
{
    auto no = [](const QString& reason) { return Verdict { false, reason }; };
    if (target.pid == tracer.pid)
        return no(tr("This is Magic Trace Studio itself."));
    if (target.kernelThread)
        return no(tr("Kernel thread: it has no user-space program to trace."));
    if (target.state == 'Z' || target.state == 'X')
        return no(tr("Zombie: it has exited and is waiting for its parent to collect it."));

    const bool privileged = tracer.hasSysPtrace();
    if (!privileged && target.hasCredentials) {
        const uint me = tracer.uid[0];
        const uint myGroup = tracer.gid[0];
        if (target.uid[0] != me) {
            const QString owner = target.ownerName.isEmpty() ? userName(target.uid[0]) : target.ownerName;
            return no(tr("Owned by %1: tracing another user's process needs root or CAP_SYS_PTRACE.").arg(owner));
        }
        if (target.uid[1] != me || target.uid[2] != me)
            return no(tr("Runs with another user's rights (set-user-ID): tracing it needs root or CAP_SYS_PTRACE."));
        if (target.gid[0] != myGroup || target.gid[1] != myGroup || target.gid[2] != myGroup)
            return no(tr("Runs with another group's rights (set-group-ID): tracing it needs root or CAP_SYS_PTRACE."));
        if ((target.capPermitted & ~tracer.capPermitted) != 0)
            return no(tr("Holds capabilities you do not have: tracing it needs root or CAP_SYS_PTRACE."));
    }
    switch (target.exe) {
    case ExeAccess::Readable:
        break;
    case ExeAccess::Denied:
        if (privileged)
            return no(tr("Access is denied by a security module, even with CAP_SYS_PTRACE."));
        return no(tr("Access is denied: the program made itself untraceable (not dumpable), or it is another "
                     "user's. Tracing it needs root or CAP_SYS_PTRACE."));
    case ExeAccess::Missing:
        return no(tr("Its executable cannot be resolved (/proc/%1/exe): it is exiting, or lives in another mount "
                     "namespace.")
                      .arg(target.pid));
    }
    if (tracer.perfEventParanoid > 2 && !tracer.canUsePerfUnrestricted())
        return no(tr("perf_event_paranoid is %1: the kernel refuses perf to users without CAP_PERFMON. Set it to 2 "
                     "or lower, or run as root.")
                      .arg(tracer.perfEventParanoid));
    return Verdict { true, QString() };
}

Verdict check(qint64 pid, const QString& procRoot)
{
    QString error;
    std::optional<Tracer> tracer
        = procRoot == u"/proc" ? std::optional<Tracer>(currentTracer()) : readTracer(procRoot, &error);
    if (!tracer)
        return Verdict { false, error };
    const std::optional<Target> target = readTarget(procRoot, pid, &error);
    if (!target)
        return Verdict { false, error };
    return evaluate(*tracer, *target);
}

QString launchBlockedReason(const Tracer& tracer)
{
    if (tracer.ptraceScope >= 3)
        return tr("Yama ptrace_scope is 3: no program may be started under ptrace, so magic-trace cannot launch "
                  "programs. Attaching to running processes still works; lowering ptrace_scope needs a reboot.");
    if (tracer.perfEventParanoid > 2 && !tracer.canUsePerfUnrestricted())
        return tr("perf_event_paranoid is %1: the kernel refuses perf to users without CAP_PERFMON.")
            .arg(tracer.perfEventParanoid);
    return QString();
}

QString userName(uint uid)
{
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    if (size <= 0)
        size = 16384;
    std::vector<char> buffer(size_t(size), '\0');
    passwd entry;
    passwd* result = nullptr;
    for (;;) {
        const int rc = ::getpwuid_r(uid_t(uid), &entry, buffer.data(), buffer.size(), &result);
        if (rc == ERANGE && buffer.size() < 1024 * 1024) {
            buffer.resize(buffer.size() * 2);
            continue;
        }
        break;
    }
    if (result && result->pw_name)
        return QString::fromLocal8Bit(result->pw_name);
    return QString::number(uid);
}

} // namespace TargetAccess
