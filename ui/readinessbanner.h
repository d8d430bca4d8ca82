// SPDX-License-Identifier: MIT
#pragma once

#include "host/finding.h"

#include <QFrame>

class QLabel;
class QProgressBar;
class QPushButton;
class QToolButton;

// What stands between the user and a trace, shown above the Trace page until it is fixed: the most serious finding
// of the host checks with its fix, the others on demand, and an "Install magic-trace" flow (download with progress
// and cancel) when magic-trace is missing. Never hidden on a timer.
class ReadinessBanner : public QFrame
{
    Q_OBJECT
public:
    explicit ReadinessBanner(QWidget* parent = nullptr);

    // Shows the findings that matter (warnings and blockers); hides itself when there are none.
    void setFindings(const QList<Finding>& findings);
    // Offers the installer (magic-trace was not found anywhere).
    void setInstallOffered(bool offered);
    void setChecking(bool checking);

    void setInstallProgress(qint64 received, qint64 total);
    void setInstallFinished(bool ok, const QString& message);

    QList<Finding> findings() const { return m_findings; }
    QString headline() const;
    QString text() const;
    QPushButton* installButton() const { return m_install; }

Q_SIGNALS:
    void installRequested();
    void installCancelRequested();
    void recheckRequested();

private:
    void updateView();

    QList<Finding> m_findings;
    bool m_installOffered = false;
    bool m_installing = false;
    bool m_expanded = false;
    QString m_installMessage;
    QLabel* m_icon;
    QLabel* m_headline;
    QLabel* m_text;
    QProgressBar* m_progress;
    QPushButton* m_install;
    QPushButton* m_cancelInstall;
    QPushButton* m_recheck;
    QToolButton* m_more;
};
