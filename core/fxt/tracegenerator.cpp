// SPDX-License-Identifier: MIT
#include "fxt/tracegenerator.h"

#include "fxt/fxtwriter.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace {

struct Frame
{
    quint16 symbol; // string index of the function's name
    quint64 address;
};

struct ThreadState
{
    quint64 pid = 0;
    quint64 tid = 0;
    quint8 slot = 0;
    quint64 now = 1;
    std::vector<Frame> stack;
    std::vector<Frame> initialStack; // begins to write at ts 0 at the end of the file
    size_t initialOpen = 0; // how many of initialStack are still on the stack (at its bottom)
};

} // namespace

namespace TraceGenerator {

TraceGeneratorResult generate(FxtWriter& writer, const TraceGeneratorOptions& options)
{
    TraceGeneratorResult result;
    const quint64 startBytes = writer.bytesWritten();
    std::mt19937_64 random(options.seed);
    writer.writeJaneStreetPrologue(options.baseTimeNs);
    const FxtWriter::StringRef category = writer.stringRef("");
    const FxtWriter::StringRef addressName = writer.stringRef("address");
    const FxtWriter::StringRef symbolName = writer.stringRef("symbol");

    // Interned strings are permanent here: stay well below the 32767-entry string table.
    const int functionCount = std::clamp(options.functions, 1, 30000);
    std::vector<quint16> symbols(static_cast<size_t>(functionCount), 0);
    std::vector<quint64> addresses(static_cast<size_t>(functionCount));
    for (int i = 0; i < functionCount; ++i)
        addresses[size_t(i)] = 0x400000 + quint64(i) * 0x140 + (random() % 0x100);
    // Names are interned lazily, right before first use, as Jane Street's writer does.
    const auto symbolOf = [&](int function) {
        quint16& index = symbols[size_t(function)];
        if (index == 0) {
            const QByteArray name = QByteArray("mts_function_" + QByteArray::number(function) + "_"
                + QByteArray::number(quint64(addresses[size_t(function)]), 16));
            index = writer.internString(name);
        }
        return index;
    };
    // A skewed choice of functions, like real code: a few are hot.
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto pickFunction = [&]() { return int(std::pow(unit(random), 3.0) * functionCount) % functionCount; };

    const int threadCount = std::max(options.threads, 1);
    std::vector<ThreadState> threads(static_cast<size_t>(threadCount));
    quint64 nextKoid = 1;
    for (int t = 0; t < threadCount; ++t) {
        ThreadState& thread = threads[size_t(t)];
        thread.pid = nextKoid++;
        thread.tid = nextKoid++;
        writer.writeProcessName(thread.pid,
            QByteArray(
                "/usr/bin/mts-demo --worker " + QByteArray::number(t) + " [pid=" + QByteArray::number(4000 + t) + "]"));
        writer.writeThreadName(thread.pid, thread.tid, "main");
        for (int d = 0; d < options.initialDepth; ++d) {
            const int f = pickFunction();
            thread.initialStack.push_back({ symbolOf(f), addresses[size_t(f)] });
        }
        thread.stack = thread.initialStack;
        thread.initialOpen = thread.stack.size();
        thread.now = 1 + random() % 1000;
    }

    // Reserve room for the trailing ts-0 begins and the final ends: about 7 words per initial frame per thread.
    const quint64 reserve = quint64(threadCount) * quint64(options.initialDepth + options.meanDepth * 2) * 56;
    const quint64 budget = options.targetBytes > reserve ? options.targetBytes - reserve : 0;

    const int meanDepth = std::max(options.meanDepth, 2);
    while (writer.bytesWritten() - startBytes < budget && writer.ok()) {
        ThreadState& thread = threads[size_t(random() % quint64(threadCount))];
        thread.slot = writer.internThread(thread.pid, thread.tid);
        const FxtWriter::ThreadRef ref = FxtWriter::ThreadRef::indexed(thread.slot);
        // A batch of events on one thread, as magic-trace writes a decoded chunk at a time.
        const int batch = 64 + int(random() % 192);
        for (int i = 0; i < batch; ++i) {
            thread.now += random() % 40;
            const double depth = double(thread.stack.size());
            // Calls are likelier below the mean depth, returns above it.
            const double callProbability = std::clamp(0.5 + (meanDepth - depth) / (2.0 * meanDepth), 0.05, 0.95);
            if (thread.stack.empty() || unit(random) < callProbability) {
                const int f = pickFunction();
                const Frame frame { symbolOf(f), addresses[size_t(f)] };
                const FxtWriter::Argument args[2] = {
                    FxtWriter::Argument::pointer(addressName, frame.address),
                    FxtWriter::Argument::string(symbolName, FxtWriter::StringRef::indexed(frame.symbol)),
                };
                writer.durationBegin(ref, category, FxtWriter::StringRef::indexed(frame.symbol), thread.now, args);
                thread.stack.push_back(frame);
                ++result.calls;
            } else {
                const Frame frame = thread.stack.back();
                thread.stack.pop_back();
                if (thread.stack.size() < thread.initialOpen)
                    thread.initialOpen = thread.stack.size();
                writer.durationEnd(ref, category, FxtWriter::StringRef::indexed(frame.symbol), thread.now);
            }
            ++result.events;
            result.endTimestamp = std::max(result.endTimestamp, thread.now);
        }
    }

    // End of trace: close what is still open, then write the initial stack's begins at ts 0.
    for (ThreadState& thread : threads) {
        const FxtWriter::ThreadRef ref = writer.threadRef(thread.pid, thread.tid);
        while (!thread.stack.empty()) {
            thread.now += 1;
            writer.durationEnd(ref, category, FxtWriter::StringRef::indexed(thread.stack.back().symbol), thread.now);
            thread.stack.pop_back();
            ++result.events;
        }
        result.endTimestamp = std::max(result.endTimestamp, thread.now);
    }
    for (ThreadState& thread : threads) {
        const FxtWriter::ThreadRef ref = writer.threadRef(thread.pid, thread.tid);
        for (const Frame& frame : thread.initialStack) {
            const FxtWriter::Argument args[2] = {
                FxtWriter::Argument::pointer(addressName, frame.address),
                FxtWriter::Argument::string(symbolName, FxtWriter::StringRef::indexed(frame.symbol)),
            };
            writer.durationBegin(ref, category, FxtWriter::StringRef::indexed(frame.symbol), 0, args);
            ++result.calls;
            ++result.events;
        }
    }
    result.bytes = writer.bytesWritten() - startBytes;
    return result;
}

bool generateFile(
    const QString& path, const TraceGeneratorOptions& options, TraceGeneratorResult* result, QString* error)
{
    FxtWriter writer;
    if (!writer.open(path, error))
        return false;
    const TraceGeneratorResult r = generate(writer, options);
    if (result)
        *result = r;
    return writer.finish(error);
}

} // namespace TraceGenerator
