// SPDX-License-Identifier: MIT
#pragma once
// Helpers shared by the trace library's tests and benchmark: synthetic FXT traces, compressed copies, and a way
// to make permission checks bite when the tests run as root.

#include <KCompressionDevice>
#include <QByteArray>
#include <QFile>
#include <QRandomGenerator>
#include <QString>
#include <QtEndian>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace LibraryTest {

inline void appendWord(QByteArray& out, quint64 word)
{
    const quint64 le = qToLittleEndian(word);
    out.append(reinterpret_cast<const char*>(&le), 8);
}

inline void appendString(QByteArray& out, quint32 index, const QByteArray& text)
{
    const quint64 words = 1 + (text.size() + 7) / 8;
    appendWord(out, 2 | (words << 4) | (quint64(index) << 16) | (quint64(text.size()) << 32));
    QByteArray padded = text;
    padded.append(QByteArray((8 - text.size() % 8) % 8, '\0'));
    out.append(padded);
}

// The prologue magic-trace writes: magic, provider info/section, init record (with a base time), the process and
// thread kernel objects and a thread record.
inline QByteArray fxtPrologue(const QByteArray& processName, quint64 baseTimeNs = 1650419113989693816ull)
{
    QByteArray out;
    appendWord(out, 0x0016547846040010ull); // magic
    const QByteArray provider = "jane_tracing";
    appendWord(out, 0 | (3ull << 4) | (1ull << 16) | (quint64(provider.size()) << 52));
    QByteArray paddedProvider = provider;
    paddedProvider.append(QByteArray(4, '\0'));
    out.append(paddedProvider);
    appendWord(out, 0 | (1ull << 4) | (2ull << 16)); // provider section 0
    appendString(out, 1, "process");
    appendWord(out, 1 | (4ull << 4)); // initialization, Jane Street's 4-word form
    appendWord(out, 1000000000ull);
    appendWord(out, 0);
    appendWord(out, baseTimeNs);
    appendString(out, 102, processName);
    appendWord(out, 7 | (2ull << 4) | (1ull << 16) | (102ull << 24)); // kernel object: process, koid 1
    appendWord(out, 1);
    appendString(out, 103, "main");
    appendWord(out, 7 | (4ull << 4) | (2ull << 16) | (103ull << 24) | (1ull << 40)); // thread, 1 arg
    appendWord(out, 2);
    appendWord(out, 8 | (2ull << 4) | (1ull << 16)); // arg "process": koid
    appendWord(out, 1);
    appendWord(out, 3 | (3ull << 4) | (1ull << 16)); // thread record slot 1
    appendWord(out, 1);
    appendWord(out, 2);
    return out;
}

// Calls as magic-trace writes them: begin with an address argument, end; symbols from a pool of names with a
// skewed distribution, timestamps rising by small random steps.
class FxtGenerator
{
public:
    explicit FxtGenerator(quint32 seed = 42, int symbols = 4000)
        : m_random(seed)
        , m_symbols(symbols)
    { }
    QByteArray strings() const
    {
        QByteArray out;
        for (int i = 0; i < m_symbols; ++i)
            appendString(
                out, quint32(200 + i), "Module_" + QByteArray::number(i % 97) + ".function_" + QByteArray::number(i));
        appendString(out, 104, "address");
        return out;
    }
    // Appends calls until out has grown by at least bytes.
    void appendCalls(QByteArray& out, qint64 bytes)
    {
        const qint64 target = out.size() + bytes;
        while (out.size() < target) {
            const quint32 r = m_random.generate();
            const int depth = int(r % 6);
            quint32 symbols[6];
            for (int d = 0; d < depth + 1; ++d) {
                // Skewed: a few hot functions, a long tail.
                const quint32 pick = m_random.generate();
                symbols[d] = (pick & 0xf) < 12 ? pick % 64 : pick % quint32(m_symbols);
                m_time += 5 + (m_random.generate() % 200);
                appendWord(out,
                    4 | (4ull << 4) | (2ull << 16) | (1ull << 20) | (1ull << 24) | (quint64(200 + symbols[d]) << 48));
                appendWord(out, m_time);
                appendWord(out, 7 | (2ull << 4) | (104ull << 16));
                appendWord(out, 0x400000ull + symbols[d] * 64ull + (m_random.generate() % 16) * 4);
            }
            for (int d = depth; d >= 0; --d) {
                m_time += 5 + (m_random.generate() % 300);
                appendWord(out, 4 | (2ull << 4) | (3ull << 16) | (1ull << 24) | (quint64(200 + symbols[d]) << 48));
                appendWord(out, m_time);
            }
        }
    }

private:
    QRandomGenerator m_random;
    int m_symbols;
    quint64 m_time = 1000;
};

// A small complete trace.
inline QByteArray smallTrace(
    const QByteArray& processName = "myserver --port 80 [pid=4242]", qint64 callBytes = 64 * 1024)
{
    FxtGenerator generator;
    QByteArray out = fxtPrologue(processName) + generator.strings();
    generator.appendCalls(out, callBytes);
    return out;
}

inline bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

inline QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

inline bool writeCompressed(const QString& path, const QByteArray& bytes, KCompressionDevice::CompressionType type)
{
    KCompressionDevice device(path, type);
    if (!device.open(QIODevice::WriteOnly))
        return false;
    const bool ok = device.write(bytes) == bytes.size();
    device.close();
    return ok && device.error() == QFileDevice::NoError;
}

inline QByteArray readDecompressed(const QString& path)
{
    KCompressionDevice device(path); // type from the file name
    if (!device.open(QIODevice::ReadOnly))
        return {};
    return device.readAll();
}

// Root ignores permission bits; the read-only-folder tests drop CAP_DAC_OVERRIDE (and friends) from the effective
// set for their duration, so that root obeys mode bits like everybody else. Restored on destruction.
class PermissionChecksEnforced
{
public:
    PermissionChecksEnforced()
    {
        if (::geteuid() != 0)
            return;
        __user_cap_header_struct header { _LINUX_CAPABILITY_VERSION_3, 0 };
        if (::syscall(SYS_capget, &header, m_saved) != 0)
            return;
        __user_cap_data_struct reduced[2] = { m_saved[0], m_saved[1] };
        const quint32 mask = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH) | (1u << CAP_FOWNER);
        reduced[0].effective &= ~mask;
        m_active = ::syscall(SYS_capset, &header, reduced) == 0;
    }
    ~PermissionChecksEnforced()
    {
        if (!m_active)
            return;
        __user_cap_header_struct header { _LINUX_CAPABILITY_VERSION_3, 0 };
        ::syscall(SYS_capset, &header, m_saved);
    }
    // False when running as root and the capabilities could not be dropped: the test should skip.
    bool effective() const { return ::geteuid() != 0 || m_active; }

private:
    __user_cap_data_struct m_saved[2] {};
    bool m_active = false;
};

} // namespace LibraryTest
