// SPDX-License-Identifier: MIT
#pragma once

#include "library/traceentrytable.h"
#include "library/tracelibrary.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QPointer>

// The library as a table: one row per entry, updated incrementally from TraceLibrary's signals (the first fill
// is the only reset; the entries one scan adds are inserted together). Display text is formatted for people; SortRole
// gives raw values for sorting.
class LibraryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Title, Process, Date, Duration, Size, Format, Outcome, Tags, ColumnCount };
    enum Role {
        IdRole = Qt::UserRole + 1, // QString
        EntryRole, // TraceEntry
        SortRole, // raw value of the column: QString (lower-cased), QDateTime, qint64
        OutcomeRole, // int(TraceOutcome)
        DateRole, // QDateTime (UTC)
        TagsRole, // QStringList
        SearchTextRole, // QString: title, process, command line, tags, notes, id; lower-cased
        TracePathRole, // QString: absolute path of the trace file
        DiskUsageRole, // qint64: trace + log + sidecar bytes
    };

    explicit LibraryModel(QObject* parent = nullptr);

    void setLibrary(TraceLibrary* library);
    TraceLibrary* library() const { return m_library; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    QModelIndex indexOf(const QString& id, int column = 0) const;
    QString idAt(int row) const;
    qint64 totalDiskUsage() const { return m_totalDiskUsage; }

Q_SIGNALS:
    void totalDiskUsageChanged(qint64 bytes);

private:
    void addEntries(const QList<TraceEntry>& entries);
    void changeEntry(const TraceEntry& entry);
    void removeEntries(const QStringList& ids);
    void setTotal(qint64 total);
    QVariant displayData(const TraceEntry& entry, int column) const;
    QVariant sortData(const TraceEntry& entry, int column) const;

    QPointer<TraceLibrary> m_library;
    TraceEntryTable m_rows;
    qint64 m_totalDiskUsage = 0;
};
