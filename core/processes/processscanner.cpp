// SPDX-License-Identifier: MIT
#include "processes/processscanner.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <vector>

using namespace TargetAccess;

namespace {
constexpr long ProcSuperMagic = 0x9fa0; // PROC_SUPER_MAGIC, linux/magic.h
} // namespace

struct ProcessScanner::Known
{
    quint64 startTime = 0;
    QByteArray comm; // raw, to notice an exec
    uint owner = 0; // owner of /proc/PID or /proc/PID/stat (see readProcess), to notice a setuid or a change of
                    // dumpability
    char state = '?';
    quint64 ticks = 0;
    quint64 generation = 0;
    uint uid = 0;
    QString name;
    QStringList arguments;
    QString exePath;
    Target target;
    Verdict verdict;
};

namespace {

// Control characters (a newline in a comm, say) would break a one-line table cell; show them as '?' as ps does.
QString sanitized(QString text)
{
    for (QChar& c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u'?';
    }
    return text;
}

// Reads the whole file at dirFd/path into *buffer (grown as needed, up to limit bytes). Returns the byte count,
// or -1 with *err = errno. A short read is the end, which saves a read() per file: stat and status are generated
// whole on the first read (seq_file, shortReadEnds); cmdline may come a page at a time on old kernels.
qsizetype readAt(int dirFd, const char* path, QByteArray* buffer, qsizetype limit, int* err, bool shortReadEnds,
    struct stat* owner = nullptr)
{
    const int fd = ::openat(dirFd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    if (owner && ::fstat(fd, owner) != 0) {
        *err = errno;
        ::close(fd);
        return -1;
    }
    qsizetype used = 0;
    for (;;) {
        if (used == buffer->size()) {
            if (buffer->size() >= limit)
                break;
            buffer->resize(std::min(limit, std::max<qsizetype>(4096, buffer->size() * 2)));
        }
        const ssize_t n = ::read(fd, buffer->data() + used, size_t(buffer->size() - used));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            *err = errno; // ESRCH when the process exited between open and read
            ::close(fd);
            return -1;
        }
        if (n == 0)
            break;
        // Old kernels hand out cmdline a page per read: only a short read that is not whole pages ends it.
        const bool shortRead = n < buffer->size() - used && (shortReadEnds || n % 4096 != 0);
        used += n;
        if (shortRead)
            break;
    }
    ::close(fd);
    return used;
}

QStringList splitArguments(const char* data, qsizetype size, bool truncated)
{
    QStringList arguments;
    const char* p = data;
    const char* const end = data + size;
    while (p < end) {
        const char* nul = static_cast<const char*>(std::memchr(p, '\0', size_t(end - p)));
        const char* argEnd = nul ? nul : end;
        arguments.append(QString::fromLocal8Bit(p, argEnd - p));
        p = argEnd + 1;
    }
    if (truncated && !arguments.isEmpty())
        arguments.last().append(u'\u2026');
    return arguments;
}

} // namespace

ProcessScanner::ProcessScanner(const QString& procRoot, std::optional<Tracer> tracer)
    : m_procRoot(procRoot)
    , m_tracer(tracer ? *tracer : currentTracer())
{
    m_buffer.resize(4096);
    if (const long ticks = ::sysconf(_SC_CLK_TCK); ticks > 0)
        m_clockTicks = ticks;
    if (const long page = ::sysconf(_SC_PAGESIZE); page > 0)
        m_pageSize = page;
    struct statfs fs;
    m_realProcFs = ::statfs(QFile::encodeName(procRoot).constData(), &fs) == 0 && fs.f_type == ProcSuperMagic;
}

ProcessScanner::~ProcessScanner()
{
    qDeleteAll(m_known);
}

ProcessScan ProcessScanner::scan()
{
    QElapsedTimer clock;
    clock.start();
    return scan(clock.msecsSinceReference() * 1'000'000);
}

ProcessScan ProcessScanner::scan(qint64 monotonicNs)
{
    QElapsedTimer timer;
    timer.start();
    ProcessScan result;
    const QByteArray root = QFile::encodeName(m_procRoot);
    const int dirFd = ::open(root.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd < 0) {
        result.error = QCoreApplication::translate("ProcessScanner", "Cannot read the process list in %1: %2")
                           .arg(m_procRoot, QString::fromLocal8Bit(std::strerror(errno)));
        return result;
    }
    // The directory stream gets its own descriptor so that dirFd stays usable for openat() after closedir().
    std::vector<qint64> pids;
    pids.reserve(size_t(m_known.size()) + 64);
    if (DIR* dir = ::fdopendir(::dup(dirFd))) {
        while (const dirent* entry = ::readdir(dir)) {
            const char* name = entry->d_name;
            if (*name < '1' || *name > '9')
                continue;
            qint64 pid = 0;
            bool digits = true;
            for (const char* c = name; *c; ++c) {
                if (*c < '0' || *c > '9' || pid > (qint64(1) << 40)) {
                    digits = false;
                    break;
                }
                pid = pid * 10 + (*c - '0');
            }
            if (digits)
                pids.push_back(pid);
        }
        ::closedir(dir);
    }
    std::sort(pids.begin(), pids.end()); // /proc lists in PID order already; fake trees may not

    ++m_generation;
    const double elapsedSeconds = m_lastScanNs >= 0 ? double(monotonicNs - m_lastScanNs) / 1e9 : 0.0;
    result.processes.reserve(qsizetype(pids.size()));
    for (const qint64 pid : pids) {
        ProcessInfo info;
        int err = 0;
        if (readProcess(dirFd, pid, elapsedSeconds, &info, &err))
            result.processes.append(std::move(info));
        else if (err == EACCES || err == EPERM)
            ++result.hidden;
        else
            ++result.vanished;
    }
    ::close(dirFd);

    // Forget processes that are gone.
    for (auto it = m_known.begin(); it != m_known.end();) {
        if (it.value()->generation != m_generation) {
            delete it.value();
            it = m_known.erase(it);
        } else {
            ++it;
        }
    }
    m_lastScanNs = monotonicNs;
    result.ok = true;
    result.durationNs = timer.nsecsElapsed();
    return result;
}

bool ProcessScanner::readProcess(int dirFd, qint64 pid, double elapsedSeconds, ProcessInfo* out, int* err)
{
    char path[48];
    std::snprintf(path, sizeof path, "%lld/stat", static_cast<long long>(pid));
    Known* known = m_known.value(pid);
    // The owner tells an exec'd setuid program, a setuid() or a change of dumpability on later scans. A privileged
    // tracer on a real procfs takes it from the PID directory, which the kernel gives the task's effective uid
    // whatever its dumpability (task_dump_owner spares world-readable directories): that is the User column, and
    // CAP_SYS_PTRACE makes the other credentials irrelevant to the verdict, so status need not be read at all. Others
    // take the owner of stat (the effective uid, or root for a non-dumpable process) and read status when needed.
    const bool ownerFromDirectory = m_realProcFs && m_tracer.hasSysPtrace();
    struct stat owner;
    const qsizetype size = readAt(dirFd, path, &m_buffer, 64 * 1024, err, true, ownerFromDirectory ? nullptr : &owner);
    if (size < 0)
        return false;
    if (ownerFromDirectory) {
        std::snprintf(path, sizeof path, "%lld", static_cast<long long>(pid));
        if (::fstatat(dirFd, path, &owner, 0) != 0) {
            *err = errno;
            return false;
        }
    }
    StatFields stat;
    if (!parseStat(QByteArrayView(m_buffer.constData(), size), &stat) || stat.pid != pid) {
        *err = EINVAL;
        return false;
    }
    const bool kernelThread = (stat.flags & PfKthread) != 0;

    const bool sameProcess = known && known->startTime == stat.startTime;
    if (!sameProcess) {
        if (!known) {
            known = new Known;
            m_known.insert(pid, known);
        } else {
            *known = Known(); // a reused PID: a new process
        }
    }
    const bool zombie = stat.state == 'Z' || stat.state == 'X';
    const bool wasZombie = known->state == 'Z' || known->state == 'X';
    const bool reread = !sameProcess || known->comm != stat.comm || known->owner != owner.st_uid;
    if (reread) {
        known->startTime = stat.startTime;
        known->comm = stat.comm;
        known->owner = owner.st_uid;
        Target& target = known->target;
        target = Target();
        target.pid = pid;
        target.kernelThread = kernelThread;
        if (kernelThread) {
            // No status, cmdline or exe to read: kernel threads run as root and have none.
            target.hasCredentials = true;
            known->uid = 0;
            known->arguments.clear();
            known->exePath.clear();
        } else {
            std::snprintf(path, sizeof path, "%lld/exe", static_cast<long long>(pid));
            char link[PATH_MAX];
            const ssize_t linkSize = ::readlinkat(dirFd, path, link, sizeof link);
            if (linkSize >= 0) {
                target.exe = ExeAccess::Readable;
                known->exePath = QFile::decodeName(QByteArray(link, linkSize));
            } else {
                target.exe = (errno == EACCES || errno == EPERM) ? ExeAccess::Denied : ExeAccess::Missing;
                known->exePath.clear();
            }

            // On a real procfs, an unprivileged tracer that could read the exe link has passed the kernel's
            // ptrace read check: the target runs with exactly our uids and gids, holds no capability we lack and
            // is dumpable, so the owner of its files is its effective uid. status would say nothing new.
            const bool credentialsKnown = m_realProcFs && !m_tracer.hasSysPtrace() && target.exe == ExeAccess::Readable
                && owner.st_uid == m_tracer.uid[0] && m_tracer.uid[0] == m_tracer.uid[3]
                && m_tracer.gid[0] == m_tracer.gid[3];
            if (credentialsKnown) {
                target.hasCredentials = true;
                std::fill(std::begin(target.uid), std::end(target.uid), m_tracer.uid[0]);
                std::fill(std::begin(target.gid), std::end(target.gid), m_tracer.gid[0]);
                known->uid = owner.st_uid;
            } else if (ownerFromDirectory) {
                known->uid = owner.st_uid; // the effective uid; the rest is not needed (see above)
                std::fill(std::begin(target.uid), std::end(target.uid), owner.st_uid);
                std::fill(std::begin(target.gid), std::end(target.gid), owner.st_gid);
            } else {
                std::snprintf(path, sizeof path, "%lld/status", static_cast<long long>(pid));
                const qsizetype statusSize = readAt(dirFd, path, &m_buffer, 64 * 1024, err, true);
                if (statusSize < 0)
                    return false;
                const StatusFields status = parseStatus(QByteArrayView(m_buffer.constData(), statusSize));
                if (status.hasUid && status.hasGid) {
                    target.hasCredentials = true;
                    std::copy(std::begin(status.uid), std::end(status.uid), std::begin(target.uid));
                    std::copy(std::begin(status.gid), std::end(status.gid), std::begin(target.gid));
                    target.capPermitted = status.capPermitted;
                    known->uid = status.uid[1];
                } else {
                    known->uid = owner.st_uid;
                }
            }

            std::snprintf(path, sizeof path, "%lld/cmdline", static_cast<long long>(pid));
            const qsizetype cmdSize = readAt(dirFd, path, &m_buffer, MaxCommandLineBytes, err, false);
            if (cmdSize < 0)
                return false;
            const bool truncated = cmdSize >= MaxCommandLineBytes;
            qsizetype used = cmdSize;
            if (used > 0 && m_buffer.at(used - 1) == '\0')
                --used;
            known->arguments
                = used > 0 || cmdSize > 0 ? splitArguments(m_buffer.constData(), used, truncated) : QStringList();
            if (m_buffer.size() > 64 * 1024) {
                m_buffer.resize(64 * 1024); // do not keep a huge buffer because of one huge command line
                m_buffer.squeeze();
            }
        }

        // comm is cut at 15 bytes; argv[0]'s file name usually carries the whole name.
        QString name = QString::fromLocal8Bit(stat.comm);
        if (!known->arguments.isEmpty() && stat.comm.size() >= 15) {
            const QString& first = known->arguments.first();
            const QString base = first.mid(first.lastIndexOf(u'/') + 1).section(u' ', 0, 0);
            if (base.size() > name.size() && base.startsWith(name))
                name = base;
        }
        known->name = sanitized(name);
        target.ownerName = userNameOf(target.uid[0]);
    }
    if (reread || zombie != wasZombie) {
        known->target.state = stat.state;
        known->verdict = evaluate(m_tracer, known->target);
        if (zombie) {
            known->arguments.clear(); // the memory holding argv is gone; show "[name] <defunct>"
            known->exePath.clear();
        }
    }
    known->state = stat.state;

    const quint64 ticks = stat.userTicks + stat.systemTicks;
    double cpu = 0;
    if (sameProcess && elapsedSeconds > 0 && ticks >= known->ticks)
        cpu = double(ticks - known->ticks) / double(m_clockTicks) / elapsedSeconds * 100.0;
    known->ticks = ticks;
    known->generation = m_generation;

    out->pid = pid;
    out->ppid = stat.ppid;
    out->startTime = stat.startTime;
    out->uid = known->uid;
    out->userName = userNameOf(known->uid);
    out->state = stat.state;
    out->name = known->name;
    out->arguments = known->arguments;
    out->exePath = known->exePath;
    out->threads = stat.threads;
    out->rssBytes = stat.rssPages * m_pageSize;
    out->cpuPercent = cpu;
    out->kernelThread = kernelThread;
    out->isOwnProcess = pid == m_tracer.pid;
    out->isMine = known->uid == m_tracer.uid[0];
    out->traceable = known->verdict.traceable;
    out->reason = known->verdict.reason;
    return true;
}

QString ProcessScanner::userNameOf(uint uid)
{
    auto it = m_userNames.constFind(uid);
    if (it != m_userNames.constEnd())
        return *it;
    const QString name = TargetAccess::userName(uid);
    m_userNames.insert(uid, name);
    return name;
}
