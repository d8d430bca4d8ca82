// SPDX-License-Identifier: MIT
#pragma once

#include "library/tracemetadata.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <functional>

// One trace in the library: its sidecar plus what the disk says about its files.
struct TraceEntry
{
    TraceMetadata metadata;
    QString folder;
    bool hasSidecar = true; // false for a found file whose sidecar could not be written (read-only folder)
    qint64 logSize = 0;
    qint64 sidecarSize = 0;

    QString id() const { return metadata.id; }
    QString tracePath() const;
    QString sidecarPath() const;
    QString logPath() const; // empty when there is no log
    bool traceExists() const { return metadata.fileSize >= 0; }
    qint64 diskUsage() const { return qMax<qint64>(metadata.fileSize, 0) + logSize + sidecarSize; }
    bool operator==(const TraceEntry&) const = default;
};
Q_DECLARE_METATYPE(TraceEntry)

// The library's entries in the order they arrived, found by id through a hash of positions. A plain list rather
// than a hash of entries, so that a first fill of 10,000 entries is shared (with the listing that made it and with
// the model) instead of copied into fresh hash nodes, which a fresh process pays for page by page. One entry per id.
class TraceEntryTable
{
public:
    const QList<TraceEntry>& list() const { return m_list; }
    qsizetype size() const { return m_list.size(); }
    bool isEmpty() const { return m_list.isEmpty(); }
    bool contains(const QString& id) const { return m_rows.contains(id); }
    const TraceEntry& at(qsizetype row) const { return m_list.at(row); }
    qsizetype rowOf(const QString& id) const { return m_rows.value(id, -1); }
    // Null when there is no such entry; valid until the table changes.
    const TraceEntry* find(const QString& id) const;
    QSet<QString> ids() const;

    void reserve(qsizetype size); // copies a list shared with someone else: only for an empty table
    // Replaces the entry with the same id, or appends it. True when it replaced one.
    bool set(const TraceEntry& entry);
    // Appends the entries whose ids are not in the table yet (the first of a repeated id); returns them. Into an
    // empty table a list without repeated ids is shared, not copied. aboutToAppend, where given, is called with the
    // first new row and the number of new rows before the table changes (a model's beginInsertRows), and only
    // when there are some.
    using AboutToAppend = std::function<void(qsizetype first, qsizetype count)>;
    QList<TraceEntry> append(const QList<TraceEntry>& entries, const AboutToAppend& aboutToAppend = {});
    bool remove(const QString& id);
    // In one pass however many go (one by one would be quadratic); the others keep their order. Returns how many
    // went.
    qsizetype removeAll(const QSet<QString>& ids);
    // Rows first .. first + count - 1 (a model's beginRemoveRows range); only the rows after them are renumbered.
    void removeRange(qsizetype first, qsizetype count);

private:
    QList<TraceEntry> m_list;
    QHash<QString, qsizetype> m_rows; // id -> position in m_list
};
