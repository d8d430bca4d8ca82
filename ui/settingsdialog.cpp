// SPDX-License-Identifier: MIT
#include "settingsdialog.h"

#include "appsettings.h"
#include "icons.h"
#include "traceoptionspanel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QScrollArea>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

QWidget* withBrowseButton(QLineEdit* edit, const QString& accessibleName, std::function<void()> browse)
{
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    auto* button = new QToolButton(row);
    button->setIcon(Icons::icon(u"folder"_s));
    button->setText(QObject::tr("Browse…"));
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button->setAccessibleName(accessibleName);
    QObject::connect(button, &QToolButton::clicked, row, std::move(browse));
    layout->addWidget(button);
    return row;
}

} // namespace

SettingsDialog::SettingsDialog(QWidget* parent)
    : QDialog(parent)
    , m_magicTracePath(new QLineEdit(this))
    , m_tracesFolder(new QLineEdit(this))
    , m_format(new QComboBox(this))
    , m_level(new QSpinBox(this))
    , m_timeout(new QSpinBox(this))
    , m_options(new TraceOptionsPanel(this))
{
    setWindowTitle(tr("Settings"));

    m_magicTracePath->setPlaceholderText(tr("Search PATH and the app's own install folder"));
    m_magicTracePath->setClearButtonEnabled(true);
    m_magicTracePath->setAccessibleName(tr("magic-trace path"));
    m_magicTracePath->setToolTip(tr("The magic-trace executable to use. Empty: the first one found on PATH, then the "
                                    "one Magic Trace Studio installed."));
    m_tracesFolder->setPlaceholderText(tr("Default (in your local application data)"));
    m_tracesFolder->setClearButtonEnabled(true);
    m_tracesFolder->setAccessibleName(tr("Traces folder"));
    m_tracesFolder->setToolTip(tr("Where new traces, their metadata and logs are kept."));

    m_format->addItem(tr("zstd (fast, small)"), u"zstd"_s);
    m_format->addItem(tr("gzip (Perfetto can open it)"), u"gzip"_s);
    m_format->addItem(tr("xz (smallest, slow)"), u"xz"_s);
    m_format->setAccessibleName(tr("Compression format"));
    m_format->setToolTip(tr("The format used when you compress a trace in the library. Traces compress about 6×."));
    m_level->setAccessibleName(tr("Compression level"));
    m_level->setToolTip(tr("Higher is smaller and slower."));
    connect(m_format, &QComboBox::currentIndexChanged, this, &SettingsDialog::updateLevelRange);

    m_timeout->setRange(1, 3600);
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setAccessibleName(tr("Attach timeout"));
    m_timeout->setToolTip(tr("How long to wait for magic-trace to attach before giving up. Loading the symbols of a "
                             "large program can take many seconds."));

    auto* general = new QGroupBox(tr("magic-trace and storage"), this);
    auto* form = new QFormLayout(general);
    form->addRow(
        tr("magic-trace:"), withBrowseButton(m_magicTracePath, tr("Choose the magic-trace executable"), [this] {
            const QString path
                = QFileDialog::getOpenFileName(this, tr("magic-trace executable"), m_magicTracePath->text());
            if (!path.isEmpty())
                m_magicTracePath->setText(path);
        }));
    form->addRow(tr("Traces folder:"), withBrowseButton(m_tracesFolder, tr("Choose the traces folder"), [this] {
        const QString path = QFileDialog::getExistingDirectory(this, tr("Traces folder"), m_tracesFolder->text());
        if (!path.isEmpty())
            m_tracesFolder->setText(path);
    }));
    auto* compression = new QHBoxLayout;
    compression->addWidget(m_format, 1);
    compression->addWidget(m_level);
    form->addRow(tr("Compression:"), compression);
    form->addRow(tr("Attach timeout:"), m_timeout);

    auto* defaults = new QGroupBox(tr("Default trace options"), this);
    auto* defaultsLayout = new QVBoxLayout(defaults);
    defaultsLayout->addWidget(m_options);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        save();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* content = new QWidget;
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->addWidget(general);
    contentLayout->addWidget(defaults);
    contentLayout->addStretch();
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addWidget(buttons);

    m_magicTracePath->setText(AppSettings::magicTracePath());
    m_tracesFolder->setText(AppSettings::tracesFolder());
    m_format->setCurrentIndex(qMax(0, m_format->findData(AppSettings::compressionFormat())));
    updateLevelRange();
    m_level->setValue(AppSettings::compressionLevel());
    m_timeout->setValue(AppSettings::attachTimeoutSeconds());
    m_options->setValues(AppSettings::defaultTraceOptions());
    resize(620, 640);
}

void SettingsDialog::updateLevelRange()
{
    const bool zstd = m_format->currentData().toString() == u"zstd"_s;
    m_level->setRange(1, zstd ? 19 : 9);
}

void SettingsDialog::save()
{
    AppSettings::setMagicTracePath(m_magicTracePath->text().trimmed());
    AppSettings::setTracesFolder(m_tracesFolder->text().trimmed());
    AppSettings::setCompressionFormat(m_format->currentData().toString());
    AppSettings::setCompressionLevel(m_level->value());
    AppSettings::setAttachTimeoutSeconds(m_timeout->value());
    AppSettings::setDefaultTraceOptions(m_options->values());
}
