// SPDX-License-Identifier: MIT
#include "library/librarymodel.h"

#include "util/duration.h"

#include <QLocale>

#include <algorithm>

using namespace Qt::StringLiterals;

LibraryModel::LibraryModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

void LibraryModel::setLibrary(TraceLibrary* library)
{
    if (m_library == library)
        return;
    if (m_library)
        m_library->disconnect(this);
    beginResetModel(); // the first fill (or a different library) is the only reset
    m_library = library;
    m_rows = TraceEntryTable();
    if (library)
        m_rows.append(library->entries());
    endResetModel();
    qint64 total = 0;
    for (const TraceEntry& entry : m_rows.list())
        total += entry.diskUsage();
    setTotal(total);
    if (library) {
        connect(library, &TraceLibrary::entriesAdded, this, &LibraryModel::addEntries);
        connect(library, &TraceLibrary::entryChanged, this, &LibraryModel::changeEntry);
        connect(library, &TraceLibrary::entriesRemoved, this, &LibraryModel::removeEntries);
    }
}

int LibraryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LibraryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LibraryModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TraceEntry& entry = m_rows.at(index.row());
    const TraceMetadata& m = entry.metadata;
    switch (role) {
    case Qt::DisplayRole:
        return displayData(entry, index.column());
    case Qt::ToolTipRole:
        if (index.column() == Title)
            return m.notes.isEmpty() ? entry.tracePath() : entry.tracePath() + u"\n\n"_s + m.notes;
        if (index.column() == Process)
            return m.commandLine.isEmpty() ? m.traceProcesses.join(u'\n') : m.commandLine;
        return displayData(entry, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() == Size || index.column() == Duration)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case IdRole:
        return entry.id();
    case EntryRole:
        return QVariant::fromValue(entry);
    case SortRole:
        return sortData(entry, index.column());
    case OutcomeRole:
        return int(m.outcome);
    case DateRole:
        return m.date();
    case TagsRole:
        return m.tags;
    case SearchTextRole:
        return QStringList { m.title, m.processName, m.commandLine, m.executable, m.tags.join(u' '), m.notes,
            entry.id(), m.traceProcesses.join(u' '), m.traceFile }
            .join(u'\n')
            .toLower();
    case TracePathRole:
        return entry.tracePath();
    case DiskUsageRole:
        return entry.diskUsage();
    default:
        return {};
    }
}

QVariant LibraryModel::displayData(const TraceEntry& entry, int column) const
{
    const TraceMetadata& m = entry.metadata;
    switch (column) {
    case Title:
        return m.title.isEmpty() ? entry.id() : m.title;
    case Process:
        if (!m.processName.isEmpty())
            return m.targetPid > 0 ? tr("%1 (%2)").arg(m.processName).arg(m.targetPid) : m.processName;
        return m.targetPid > 0 ? QString::number(m.targetPid) : QString();
    case Date: {
        const QDateTime date = m.date();
        return date.isValid() ? QLocale().toString(date.toLocalTime(), QLocale::ShortFormat) : QString();
    }
    case Duration:
        return m.durationMs >= 0 ? Duration::format(m.durationMs * 1'000'000) : QString();
    case Size:
        return entry.traceExists() ? QLocale().formattedDataSize(m.fileSize) : tr("missing");
    case Format:
        if (m.format == u"fxt"_s)
            return u"FXT"_s;
        return m.format.isEmpty() ? tr("unknown") : m.format;
    case Outcome:
        return TraceOutcomes::displayName(m.outcome);
    case Tags:
        return m.tags.join(u", "_s);
    default:
        return {};
    }
}

QVariant LibraryModel::sortData(const TraceEntry& entry, int column) const
{
    const TraceMetadata& m = entry.metadata;
    switch (column) {
    case Date:
        return m.date();
    case Duration:
        return m.durationMs;
    case Size:
        return m.fileSize;
    case Outcome:
        return int(m.outcome);
    default:
        return displayData(entry, column).toString().toLower();
    }
}

QVariant LibraryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Title:
        return tr("Title");
    case Process:
        return tr("Process");
    case Date:
        return tr("Date");
    case Duration:
        return tr("Duration");
    case Size:
        return tr("Size");
    case Format:
        return tr("Format");
    case Outcome:
        return tr("Outcome");
    case Tags:
        return tr("Tags");
    default:
        return {};
    }
}

QHash<int, QByteArray> LibraryModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(IdRole, "id");
    names.insert(OutcomeRole, "outcome");
    names.insert(DateRole, "date");
    names.insert(TagsRole, "tags");
    names.insert(TracePathRole, "tracePath");
    names.insert(DiskUsageRole, "diskUsage");
    return names;
}

QModelIndex LibraryModel::indexOf(const QString& id, int column) const
{
    const qsizetype row = m_rows.rowOf(id);
    return row < 0 ? QModelIndex() : index(int(row), column);
}

QString LibraryModel::idAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).id() : QString();
}

void LibraryModel::addEntries(const QList<TraceEntry>& entries)
{
    // Entries already known are changes (TraceLibrary does not send them, but the model keeps one row per id
    // whatever it is sent); the table appends the others together, sharing the list when the model is empty (the
    // first fill: 10,000 entries from the index).
    if (!m_rows.isEmpty()) {
        for (const TraceEntry& entry : entries) {
            if (m_rows.contains(entry.id()))
                changeEntry(entry);
        }
    }
    const QList<TraceEntry> added = m_rows.append(
        entries, [this](qsizetype first, qsizetype count) { beginInsertRows({}, int(first), int(first + count) - 1); });
    if (added.isEmpty())
        return;
    qint64 usage = 0;
    for (const TraceEntry& entry : added)
        usage += entry.diskUsage();
    endInsertRows();
    setTotal(m_totalDiskUsage + usage);
}

void LibraryModel::changeEntry(const TraceEntry& entry)
{
    const qsizetype row = m_rows.rowOf(entry.id());
    if (row < 0)
        return addEntries({ entry });
    const qint64 before = m_rows.at(row).diskUsage();
    m_rows.set(entry);
    Q_EMIT dataChanged(index(int(row), 0), index(int(row), ColumnCount - 1));
    setTotal(m_totalDiskUsage - before + entry.diskUsage());
}

void LibraryModel::removeEntries(const QStringList& ids)
{
    QList<qsizetype> rows;
    rows.reserve(ids.size());
    for (const QString& id : ids) {
        const qsizetype row = m_rows.rowOf(id);
        if (row >= 0)
            rows.append(row);
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    // One removal per run of adjacent rows, from the back, so that only the rows after each run are renumbered: a
    // folder emptied by hand is one run.
    qint64 usage = 0;
    for (qsizetype end = rows.size(); end > 0;) {
        qsizetype begin = end - 1;
        while (begin > 0 && rows[begin - 1] == rows[begin] - 1)
            --begin;
        const qsizetype first = rows[begin];
        const qsizetype count = end - begin;
        for (qsizetype row = first; row < first + count; ++row)
            usage += m_rows.at(row).diskUsage();
        beginRemoveRows({}, int(first), int(first + count) - 1);
        m_rows.removeRange(first, count);
        endRemoveRows();
        end = begin;
    }
    setTotal(m_totalDiskUsage - usage);
}

void LibraryModel::setTotal(qint64 total)
{
    if (total == m_totalDiskUsage)
        return;
    m_totalDiskUsage = total;
    Q_EMIT totalDiskUsageChanged(total);
}
