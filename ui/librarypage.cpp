// SPDX-License-Identifier: MIT
#include "librarypage.h"

#include "icons.h"
#include "logview.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

LibraryPage::LibraryPage(QWidget* parent)
    : QWidget(parent)
    , m_search(new QLineEdit(this))
    , m_outcome(new QComboBox(this))
    , m_table(new QTableView(this))
    , m_actions(new QToolBar(this))
    , m_title(new QLabel(this))
    , m_metadata(nullptr)
    , m_tags(new QLineEdit(this))
    , m_notes(new QPlainTextEdit(this))
    , m_log(new LogView(this))
{
    m_search->setPlaceholderText(tr("Search title, process, command line, tags, notes"));
    m_search->setClearButtonEnabled(true);
    m_search->addAction(Icons::icon(u"search"_s), QLineEdit::LeadingPosition);
    m_search->setAccessibleName(tr("Search the library"));
    m_outcome->addItem(tr("All outcomes"), QString());
    m_outcome->setAccessibleName(tr("Outcome filter"));

    m_actions->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_actions->setIconSize(QSize(16, 16));

    auto* filters = new QHBoxLayout;
    filters->addWidget(m_search, 1);
    filters->addWidget(m_outcome);

    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAccessibleName(tr("Saved traces"));

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_actions);
    leftLayout->addLayout(filters);
    leftLayout->addWidget(m_table, 1);

    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_title->setFont(titleFont);
    m_title->setWordWrap(true);
    m_title->setText(tr("No trace selected"));
    auto* metadataWidget = new QWidget(this);
    m_metadata = new QFormLayout(metadataWidget);
    m_metadata->setContentsMargins(0, 0, 0, 0);
    m_tags->setPlaceholderText(tr("tags, separated by commas"));
    m_tags->setAccessibleName(tr("Tags"));
    m_notes->setPlaceholderText(tr("Notes about this trace"));
    m_notes->setAccessibleName(tr("Notes"));

    auto* detailsTabs = new QTabWidget(this);
    detailsTabs->setDocumentMode(true);
    auto* info = new QWidget(this);
    auto* infoLayout = new QVBoxLayout(info);
    infoLayout->addWidget(m_title);
    infoLayout->addWidget(metadataWidget);
    auto* tagsForm = new QFormLayout;
    tagsForm->addRow(tr("Tags:"), m_tags);
    infoLayout->addLayout(tagsForm);
    infoLayout->addWidget(new QLabel(tr("Notes:"), this));
    infoLayout->addWidget(m_notes, 1);
    detailsTabs->addTab(info, Icons::icon(u"note"_s), tr("Details"));
    detailsTabs->addTab(m_log, Icons::icon(u"decode"_s), tr("Log"));

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(detailsTabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(split, 1);
}

LibraryPage::~LibraryPage() = default;

void LibraryPage::refresh() { }

void LibraryPage::focusFilter()
{
    m_search->setFocus();
    m_search->selectAll();
}

void LibraryPage::importFiles(const QStringList& paths)
{
    Q_UNUSED(paths);
}

void LibraryPage::importWithDialog()
{
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Import traces or bundles"), QString(),
        tr("Traces and bundles (*.fxt *.fxt.gz *.fxt.zst *.fxt.xz *.tar.zst *.tar.gz *.tar.xz *.zip);;All files (*)"));
    if (!files.isEmpty())
        importFiles(files);
}

void LibraryPage::settingsChanged() { }
