// SPDX-License-Identifier: MIT
#include "library/traceentrytable.h"

const TraceEntry* TraceEntryTable::find(const QString& id) const
{
    const auto it = m_rows.constFind(id);
    return it == m_rows.constEnd() ? nullptr : &m_list.at(*it);
}

QSet<QString> TraceEntryTable::ids() const
{
    QSet<QString> ids;
    ids.reserve(m_rows.size());
    for (auto it = m_rows.keyBegin(); it != m_rows.keyEnd(); ++it)
        ids.insert(*it);
    return ids;
}

void TraceEntryTable::reserve(qsizetype size)
{
    m_list.reserve(size);
    m_rows.reserve(size);
}

bool TraceEntryTable::set(const TraceEntry& entry)
{
    const auto it = m_rows.constFind(entry.metadata.id);
    if (it != m_rows.constEnd()) {
        m_list[*it] = entry;
        return true;
    }
    m_rows.insert(entry.metadata.id, m_list.size());
    m_list.append(entry);
    return false;
}

QList<TraceEntry> TraceEntryTable::append(const QList<TraceEntry>& entries, const AboutToAppend& aboutToAppend)
{
    if (m_list.isEmpty()) {
        QHash<QString, qsizetype> rows;
        rows.reserve(entries.size());
        for (qsizetype row = 0; row < entries.size(); ++row)
            rows.insert(entries.at(row).metadata.id, row);
        if (rows.size() == entries.size()) { // no repeated id: share the list
            if (!entries.isEmpty() && aboutToAppend)
                aboutToAppend(0, entries.size());
            m_rows = std::move(rows);
            m_list = entries;
            return entries;
        }
    }
    QList<TraceEntry> added;
    QSet<QString> addedIds;
    for (const TraceEntry& entry : entries) {
        if (m_rows.contains(entry.metadata.id) || addedIds.contains(entry.metadata.id))
            continue;
        addedIds.insert(entry.metadata.id);
        added.append(entry);
    }
    if (added.isEmpty())
        return added;
    if (aboutToAppend)
        aboutToAppend(m_list.size(), added.size());
    m_rows.reserve(m_rows.size() + added.size());
    m_list.reserve(m_list.size() + added.size());
    for (const TraceEntry& entry : std::as_const(added)) {
        m_rows.insert(entry.metadata.id, m_list.size());
        m_list.append(entry);
    }
    return added;
}

void TraceEntryTable::removeRange(qsizetype first, qsizetype count)
{
    for (qsizetype row = first; row < first + count; ++row)
        m_rows.remove(m_list.at(row).metadata.id);
    m_list.remove(first, count);
    for (qsizetype row = first; row < m_list.size(); ++row)
        m_rows[m_list.at(row).metadata.id] = row;
}

bool TraceEntryTable::remove(const QString& id)
{
    return removeAll(QSet<QString> { id }) == 1;
}

qsizetype TraceEntryTable::removeAll(const QSet<QString>& ids)
{
    qsizetype first = m_list.size();
    for (const QString& id : ids) {
        const auto it = m_rows.constFind(id);
        if (it != m_rows.constEnd())
            first = qMin(first, *it);
    }
    if (first == m_list.size())
        return 0;
    qsizetype kept = first;
    qsizetype removed = 0;
    for (qsizetype row = first; row < m_list.size(); ++row) {
        const QString id = m_list.at(row).metadata.id;
        if (ids.contains(id)) {
            m_rows.remove(id);
            ++removed;
            continue;
        }
        m_rows[id] = kept;
        if (kept != row)
            m_list[kept] = std::move(m_list[row]);
        ++kept;
    }
    m_list.resize(kept);
    return removed;
}
