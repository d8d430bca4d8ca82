// SPDX-License-Identifier: MIT
#pragma once

#include "processes/processinfo.h"

#include <QWidget>
#include <optional>

class ProcessFilterModel;
class ProcessModel;
class ProcessTable;
class QCheckBox;
class QLabel;
class QLineEdit;
class QToolButton;
class QTreeView;

// The process list of the Trace page: the live process table in a view with a filter box, a flat/tree toggle and
// the toggles "mine only", "traceable only", "hide kernel threads". Processes that cannot be traced are greyed
// with the reason in their tooltip; Magic Trace Studio itself is marked. Double-click or Enter asks to trace.
// The table scans only while the picker is visible.
class ProcessPicker : public QWidget
{
    Q_OBJECT
public:
    // procRoot: tests may point the table at a fake tree.
    explicit ProcessPicker(QWidget* parent = nullptr, const QString& procRoot = QStringLiteral("/proc"));
    ~ProcessPicker() override;

    std::optional<ProcessInfo> selectedProcess() const;
    // Selects the row of pid (false when it is not shown).
    bool selectPid(qint64 pid);

    ProcessTable* table() const { return m_table; }
    ProcessModel* model() const { return m_model; }
    ProcessFilterModel* filterModel() const { return m_filter; }
    QTreeView* view() const { return m_view; }
    QLineEdit* filterEdit() const { return m_filterEdit; }
    QCheckBox* onlyMineBox() const { return m_onlyMine; }
    QCheckBox* onlyTraceableBox() const { return m_onlyTraceable; }
    QCheckBox* hideKernelBox() const { return m_hideKernel; }
    QToolButton* treeButton() const { return m_tree; }

    // Pauses scanning (while a trace runs the list stays put) or resumes it when visible.
    void setScanningPaused(bool paused);

public Q_SLOTS:
    void refresh();
    void focusFilter();

Q_SIGNALS:
    void traceRequested(const ProcessInfo& process);
    void selectionChanged();

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void updateActive();
    void updateCount();
    void setTreeMode(bool tree);
    void showContextMenu(const QPoint& pos);

    ProcessTable* m_table;
    ProcessModel* m_model;
    ProcessFilterModel* m_filter;
    QLineEdit* m_filterEdit;
    QCheckBox* m_onlyMine;
    QCheckBox* m_onlyTraceable;
    QCheckBox* m_hideKernel;
    QToolButton* m_tree;
    QToolButton* m_refresh;
    QTreeView* m_view;
    QLabel* m_count;
    bool m_paused = false;
    bool m_columnsSized = false;
};
