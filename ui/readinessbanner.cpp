// SPDX-License-Identifier: MIT
#include "readinessbanner.h"

#include "icons.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

bool matters(const Finding& finding)
{
    return finding.severity == Finding::Severity::Warning || finding.severity == Finding::Severity::Blocker;
}

QString findingHtml(const Finding& finding)
{
    QString html = u"<div>%1</div>"_s.arg(finding.message.toHtmlEscaped());
    if (!finding.fix.isEmpty()) {
        html += u"<div><b>%1</b> <code>%2</code></div>"_s.arg(
            ReadinessBanner::tr("Fix:"), finding.fix.toHtmlEscaped().replace(u"\n"_s, u"<br>"_s));
    }
    if (!finding.security.isEmpty())
        html += u"<div><i>%1</i></div>"_s.arg(finding.security.toHtmlEscaped());
    return html;
}

} // namespace

ReadinessBanner::ReadinessBanner(QWidget* parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_headline(new QLabel(this))
    , m_text(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_install(new QPushButton(Icons::icon(u"install"_s), tr("Install magic-trace"), this))
    , m_cancelInstall(new QPushButton(tr("Cancel"), this))
    , m_recheck(new QPushButton(Icons::icon(u"refresh"_s), tr("Check again"), this))
    , m_more(new QToolButton(this))
{
    setObjectName(u"readinessBanner"_s);
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setAccessibleName(tr("Host readiness"));
    m_icon->setFixedSize(22, 22);
    QFont bold = m_headline->font();
    bold.setBold(true);
    m_headline->setFont(bold);
    m_headline->setWordWrap(true);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::RichText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_progress->setVisible(false);
    m_progress->setMaximumWidth(240);
    m_progress->setAccessibleName(tr("Download progress"));
    m_install->setToolTip(tr("Download the magic-trace release binary from GitHub into your own application data "
                             "folder (no root needed)."));
    m_cancelInstall->setVisible(false);
    m_recheck->setToolTip(tr("Run the host checks again, e.g. after changing a setting"));
    m_more->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_more->setAutoRaise(true);
    connect(m_install, &QPushButton::clicked, this, &ReadinessBanner::installRequested);
    connect(m_cancelInstall, &QPushButton::clicked, this, &ReadinessBanner::installCancelRequested);
    connect(m_recheck, &QPushButton::clicked, this, &ReadinessBanner::recheckRequested);
    connect(m_more, &QToolButton::clicked, this, [this] {
        m_expanded = !m_expanded;
        updateView();
    });

    // Headline and buttons share a row to keep the banner short.
    auto* textColumn = new QVBoxLayout;
    textColumn->setSpacing(2);
    auto* top = new QHBoxLayout;
    top->addWidget(m_headline, 1);
    top->addWidget(m_install);
    top->addWidget(m_progress);
    top->addWidget(m_cancelInstall);
    top->addWidget(m_more);
    top->addWidget(m_recheck);
    textColumn->addLayout(top);
    textColumn->addWidget(m_text);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 4);
    layout->addWidget(m_icon, 0, Qt::AlignTop);
    layout->addLayout(textColumn, 1);
    setVisible(false);
}

void ReadinessBanner::setFindings(const QList<Finding>& findings)
{
    m_findings.clear();
    for (const Finding& finding : findings) {
        if (matters(finding))
            m_findings.append(finding);
    }
    // Blockers first; otherwise in the order the checks gave them.
    std::stable_sort(m_findings.begin(), m_findings.end(),
        [](const Finding& a, const Finding& b) { return int(a.severity) > int(b.severity); });
    updateView();
}

void ReadinessBanner::setInstallOffered(bool offered)
{
    m_installOffered = offered;
    updateView();
}

void ReadinessBanner::setChecking(bool checking)
{
    m_recheck->setEnabled(!checking);
    m_recheck->setText(checking ? tr("Checking…") : tr("Check again"));
}

void ReadinessBanner::setInstallProgress(qint64 received, qint64 total)
{
    m_installing = true;
    m_installMessage.clear();
    if (total > 0) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(received * 1000 / total));
    } else {
        m_progress->setRange(0, 0);
    }
    m_progress->setFormat(QLocale().formattedDataSize(received));
    updateView();
}

void ReadinessBanner::setInstallFinished(bool ok, const QString& message)
{
    m_installing = false;
    m_installMessage = message;
    if (ok)
        m_installOffered = false;
    updateView();
}

QString ReadinessBanner::headline() const
{
    return m_headline->text();
}

QString ReadinessBanner::text() const
{
    return m_text->text();
}

void ReadinessBanner::updateView()
{
    const bool show = !m_findings.isEmpty() || m_installOffered || m_installing || !m_installMessage.isEmpty();
    setVisible(show);
    if (!show)
        return;
    const bool blocked = std::any_of(m_findings.cbegin(), m_findings.cend(),
        [](const Finding& f) { return f.severity == Finding::Severity::Blocker; });
    const QString iconName = blocked ? u"error"_s : u"warning"_s;
    m_icon->setPixmap(Icons::icon(iconName).pixmap(QSize(22, 22), devicePixelRatioF()));
    // A soft tint of the severity colour, readable on light and dark palettes.
    QPalette pal = palette();
    const QColor base = QPalette().color(QPalette::Window);
    const QColor tint = blocked ? QColor(0xc0, 0x39, 0x2b) : QColor(0xe0, 0x9a, 0x00);
    const bool dark = base.lightness() < 128;
    const qreal share = dark ? 0.22 : 0.14;
    pal.setColor(QPalette::Window,
        QColor::fromRgbF(base.redF() * (1 - share) + tint.redF() * share,
            base.greenF() * (1 - share) + tint.greenF() * share, base.blueF() * (1 - share) + tint.blueF() * share));
    setPalette(pal);

    if (m_findings.isEmpty()) {
        m_headline->setText(m_installing ? tr("Installing magic-trace…") : tr("magic-trace"));
        m_text->setText(m_installMessage.toHtmlEscaped());
    } else {
        m_headline->setText(
            blocked ? tr("No trace can be taken on this machine yet") : tr("Traces may be incomplete on this machine"));
        QString html;
        const int shown = m_expanded ? int(m_findings.size()) : 1;
        for (int i = 0; i < shown; ++i)
            html += findingHtml(m_findings.at(i));
        if (!m_installMessage.isEmpty())
            html += u"<p><b>%1</b></p>"_s.arg(m_installMessage.toHtmlEscaped());
        m_text->setText(html);
    }
    const qsizetype others = m_findings.size() - 1;
    m_more->setVisible(others > 0);
    m_more->setText(m_expanded ? tr("Show less") : tr("%n more finding(s)", nullptr, int(others)));
    m_install->setVisible(m_installOffered && !m_installing);
    m_progress->setVisible(m_installing);
    m_cancelInstall->setVisible(m_installing);
}
