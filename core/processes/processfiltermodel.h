// SPDX-License-Identifier: MIT
#pragma once

#include <QSortFilterProxyModel>
#include <QTimer>

class ProcessModel;
struct ProcessInfo;

// Filters and sorts a ProcessModel. Free text matches name, PID, command line and user, case-insensitively; words
// separated by spaces must all match (each anywhere). The text takes effect after a short pause in typing; the
// toggles take effect at once. Numeric columns sort by number. In tree mode a parent stays visible when one of its
// descendants matches.
class ProcessFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_PROPERTY(QString filterText READ filterText WRITE setFilterText NOTIFY filterApplied)
    Q_PROPERTY(bool onlyMine READ onlyMine WRITE setOnlyMine)
    Q_PROPERTY(bool onlyTraceable READ onlyTraceable WRITE setOnlyTraceable)
    Q_PROPERTY(bool hideKernelThreads READ hideKernelThreads WRITE setHideKernelThreads)
public:
    explicit ProcessFilterModel(QObject* parent = nullptr);

    void setSourceModel(QAbstractItemModel* model) override;

    // The text being typed; it applies after debounceInterval() ms without a new call.
    QString filterText() const { return m_pendingText; }
    void setFilterText(const QString& text);
    // The text the rows are filtered by right now.
    QString appliedFilterText() const { return m_appliedText; }
    int debounceInterval() const { return m_debounce.interval(); }
    void setDebounceInterval(int milliseconds) { m_debounce.setInterval(milliseconds); }
    static constexpr int DefaultDebounceInterval = 250;

    bool onlyMine() const { return m_onlyMine; }
    void setOnlyMine(bool on);
    bool onlyTraceable() const { return m_onlyTraceable; }
    void setOnlyTraceable(bool on);
    bool hideKernelThreads() const { return m_hideKernelThreads; }
    void setHideKernelThreads(bool on);

    // Whether one process passes the current filter (text and toggles).
    bool accepts(const ProcessInfo& process) const;

Q_SIGNALS:
    // The filter text took effect (after the debounce).
    void filterApplied();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    void applyText();
    bool passesToggles(const ProcessInfo& process) const;
    bool matchesTerms(QStringView searchText) const;
    const ProcessInfo* processAt(const QModelIndex& sourceIndex) const;

    const ProcessModel* m_processModel = nullptr;
    QTimer m_debounce;
    QString m_pendingText;
    QString m_appliedText;
    QStringList m_terms; // case-folded
    bool m_onlyMine = false;
    bool m_onlyTraceable = false;
    bool m_hideKernelThreads = false;
};
