// SPDX-License-Identifier: MIT
#pragma once

#include "trace/tracerequest.h"

#include <QVariantMap>
#include <QVersionNumber>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

// Every magic-trace recording option, as the user chose it. A plain value stored in the settings.
struct TraceOptionValues
{
    enum class Kernel { UserOnly, IncludeKernel, KernelOnly };

    QString outputFormat = QStringLiteral("fxt.gz"); // "fxt", "fxt.gz" or "fxt.zst": the suffix chooses
    QString trigger; // empty: snapshot on Stop; "." = magic_trace_stop_indicator; else a symbol
    bool multiThread = false;
    bool multiSnapshot = false;
    bool fullExecution = false;
    QString snapshotSize; // empty: magic-trace's default; else e.g. "4M"
    QString timerResolution = QStringLiteral("Normal"); // Low, Normal, High, Sample
    int sampleFrequency = 1000; // only with timerResolution "Sample"
    bool sampling = false;
    QString callgraphMode; // empty, lbr, lbr-no-stitch, dwarf, fp (sampling only)
    Kernel kernel = Kernel::UserOnly;
    QString filter; // "(START STOP)"

    QVariantMap toVariantMap() const;
    static TraceOptionValues fromVariantMap(const QVariantMap& map);
    // Sets the request's option fields (not its mode, targets or output) to what these values mean.
    void applyTo(TraceRequest& request) const;
    // The magic-trace flags these values mean (without -pid/-o): TraceRequest::optionArguments() of applyTo().
    QStringList toArguments() const;
    friend bool operator==(const TraceOptionValues&, const TraceOptionValues&) = default;
};

// The options panel: one control per magic-trace option, each with a tooltip saying what it does and what it
// costs. Options the installed magic-trace lacks are disabled, with the version that added them.
class TraceOptionsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit TraceOptionsPanel(QWidget* parent = nullptr);

    TraceOptionValues values() const;
    void setValues(const TraceOptionValues& values);

    // The installed magic-trace version; a null version (unknown) enables everything.
    void setMagicTraceVersion(const QVersionNumber& version);
    QVersionNumber magicTraceVersion() const { return m_version; }

    // The first release that has the option named by its flag ("-sampling"), or a null version for options that
    // every release has.
    static QVersionNumber introducedIn(const QString& flag);
    // True when the control for the flag is enabled (tests).
    bool isOptionEnabled(const QString& flag) const;
    QString optionToolTip(const QString& flag) const;

Q_SIGNALS:
    void changed();

private:
    void addRow(const QString& flag, const QString& label, QWidget* field, const QString& toolTip);
    void updateEnabled();

    struct Row
    {
        QString flag;
        QWidget* field = nullptr;
        QLabel* label = nullptr;
        QString toolTip;
    };
    QList<Row> m_rows;
    QVersionNumber m_version;

    QComboBox* m_format;
    QComboBox* m_trigger;
    QCheckBox* m_multiThread;
    QCheckBox* m_multiSnapshot;
    QCheckBox* m_fullExecution;
    QComboBox* m_snapshotSize;
    QComboBox* m_timerResolution;
    QSpinBox* m_sampleFrequency;
    QCheckBox* m_sampling;
    QComboBox* m_callgraph;
    QComboBox* m_kernel;
    QLineEdit* m_filter;
};
