// SPDX-License-Identifier: MIT
#include "traceoptionspanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

using namespace Qt::StringLiterals;

namespace {

const QString keyFormat = u"outputFormat"_s;
const QString keyTrigger = u"trigger"_s;
const QString keyMultiThread = u"multiThread"_s;
const QString keyMultiSnapshot = u"multiSnapshot"_s;
const QString keyFullExecution = u"fullExecution"_s;
const QString keySnapshotSize = u"snapshotSize"_s;
const QString keyTimerResolution = u"timerResolution"_s;
const QString keySampleFrequency = u"sampleFrequency"_s;
const QString keySampling = u"sampling"_s;
const QString keyCallgraph = u"callgraphMode"_s;
const QString keyKernel = u"kernel"_s;
const QString keyFilter = u"filter"_s;

void selectData(QComboBox* combo, const QString& data)
{
    const int index = combo->findData(data);
    if (index >= 0)
        combo->setCurrentIndex(index);
    else if (combo->isEditable())
        combo->setEditText(data);
}

QString comboValue(const QComboBox* combo)
{
    if (combo->isEditable()) {
        const int index = combo->findText(combo->currentText());
        if (index >= 0 && combo->itemData(index).isValid())
            return combo->itemData(index).toString();
        return combo->currentText().trimmed();
    }
    return combo->currentData().toString();
}

} // namespace

QVariantMap TraceOptionValues::toVariantMap() const
{
    return {
        { keyFormat, outputFormat },
        { keyTrigger, trigger },
        { keyMultiThread, multiThread },
        { keyMultiSnapshot, multiSnapshot },
        { keyFullExecution, fullExecution },
        { keySnapshotSize, snapshotSize },
        { keyTimerResolution, timerResolution },
        { keySampleFrequency, sampleFrequency },
        { keySampling, sampling },
        { keyCallgraph, callgraphMode },
        { keyKernel, int(kernel) },
        { keyFilter, filter },
    };
}

TraceOptionValues TraceOptionValues::fromVariantMap(const QVariantMap& map)
{
    TraceOptionValues values;
    const QString format = map.value(keyFormat, values.outputFormat).toString();
    if (format == u"fxt"_s || format == u"fxt.gz"_s || format == u"fxt.zst"_s)
        values.outputFormat = format;
    values.trigger = map.value(keyTrigger).toString();
    values.multiThread = map.value(keyMultiThread).toBool();
    values.multiSnapshot = map.value(keyMultiSnapshot).toBool();
    values.fullExecution = map.value(keyFullExecution).toBool();
    values.snapshotSize = map.value(keySnapshotSize).toString();
    const QString resolution = map.value(keyTimerResolution, values.timerResolution).toString();
    if (QStringList { u"Low"_s, u"Normal"_s, u"High"_s, u"Sample"_s }.contains(resolution))
        values.timerResolution = resolution;
    values.sampleFrequency = qBound(1, map.value(keySampleFrequency, values.sampleFrequency).toInt(), 100000);
    values.sampling = map.value(keySampling).toBool();
    values.callgraphMode = map.value(keyCallgraph).toString();
    values.kernel = Kernel(qBound(0, map.value(keyKernel).toInt(), 2));
    values.filter = map.value(keyFilter).toString();
    return values;
}

void TraceOptionValues::applyTo(TraceRequest& request) const
{
    request.trigger = trigger;
    request.multiThread = multiThread;
    request.multiSnapshot = multiSnapshot;
    request.fullExecution = fullExecution;
    request.snapshotSize = snapshotSize;
    request.timerResolution.clear();
    if (timerResolution == u"Sample"_s)
        request.timerResolution = u"(Sample ((freq %1)))"_s.arg(sampleFrequency);
    else if (timerResolution != u"Normal"_s)
        request.timerResolution = timerResolution;
    request.sampling = sampling;
    request.callgraphMode = callgraphMode;
    request.includeKernel = kernel == Kernel::IncludeKernel;
    request.kernelOnly = kernel == Kernel::KernelOnly;
    request.filter = filter;
}

QStringList TraceOptionValues::toArguments() const
{
    TraceRequest request;
    applyTo(request);
    return request.optionArguments();
}

TraceOptionsPanel::TraceOptionsPanel(QWidget* parent)
    : QWidget(parent)
    , m_format(new QComboBox(this))
    , m_trigger(new QComboBox(this))
    , m_multiThread(new QCheckBox(tr("All threads"), this))
    , m_multiSnapshot(new QCheckBox(tr("Snapshot on every trigger hit"), this))
    , m_fullExecution(new QCheckBox(tr("Record everything, not only the last moments"), this))
    , m_snapshotSize(new QComboBox(this))
    , m_timerResolution(new QComboBox(this))
    , m_sampleFrequency(new QSpinBox(this))
    , m_sampling(new QCheckBox(tr("Sample stacks instead of Intel PT"), this))
    , m_callgraph(new QComboBox(this))
    , m_kernel(new QComboBox(this))
    , m_filter(new QLineEdit(this))
{
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_format->addItem(tr("FXT, gzip (.fxt.gz)"), u"fxt.gz"_s);
    m_format->addItem(tr("FXT (.fxt)"), u"fxt"_s);
    m_format->addItem(tr("FXT, zstd (.fxt.zst)"), u"fxt.zst"_s);
    addRow(u"-output"_s, tr("Format"), m_format,
        tr("The file format magic-trace writes. gzip makes traces about 6× smaller and the Perfetto UI reads it; "
           "zstd is smaller and faster to write but Perfetto cannot open it yet; plain FXT opens fastest. Older "
           "magic-trace releases always write plain FXT."));

    m_trigger->setEditable(true);
    m_trigger->addItem(tr("When I press Stop"), QString());
    m_trigger->addItem(tr("magic_trace_stop_indicator (.)"), u"."_s);
    m_trigger->lineEdit()->setPlaceholderText(tr("symbol, e.g. my_function"));
    addRow(u"-trigger"_s, tr("Snapshot"), m_trigger,
        tr("When the snapshot is taken. By default on Stop. With a symbol, magic-trace takes the snapshot the "
           "first time the program calls that function and finishes on its own (\".\" means the "
           "magic_trace_stop_indicator function from the magic-trace library). Costs nothing until the hit."));

    addRow(u"-multi-thread"_s, tr("Threads"), m_multiThread,
        tr("Trace every thread of the process instead of only its main thread. The ring buffer is shared between "
           "the threads, so each thread's snapshot covers a shorter time."));
    addRow(u"-multi-snapshot"_s, QString(), m_multiSnapshot,
        tr("With a trigger: take a snapshot on every hit instead of only the first. Each hit costs about 8 µs in "
           "the traced program and the trace grows with every snapshot."));
    addRow(u"-full-execution"_s, tr("Length"), m_fullExecution,
        tr("Record the whole run instead of a ring buffer of the last moments. The trace grows by hundreds of "
           "megabytes per second, decoding takes much longer, and viewers may fail on traces over about 100 MB."));

    m_snapshotSize->setEditable(true);
    m_snapshotSize->addItem(tr("Default"), QString());
    for (const QString& size : { u"256K"_s, u"1M"_s, u"4M"_s, u"16M"_s, u"64M"_s })
        m_snapshotSize->addItem(size, size);
    addRow(u"-snapshot-size"_s, tr("Snapshot size"), m_snapshotSize,
        tr("The ring buffer per thread, e.g. 256K, 4M, 1G (rounded up to a power of two pages). Default: 4M as "
           "root or with perf_event_paranoid < 0, otherwise 256K. Bigger looks further back but locks more memory "
           "(perf_event_mlock_kb limits it for normal users) and takes longer to decode. Ignored when sampling."));

    m_timerResolution->addItem(tr("Normal"), u"Normal"_s);
    m_timerResolution->addItem(tr("Low"), u"Low"_s);
    m_timerResolution->addItem(tr("High"), u"High"_s);
    m_timerResolution->addItem(tr("Sample frequency"), u"Sample"_s);
    addRow(u"-timer-resolution"_s, tr("Timing"), m_timerResolution,
        tr("How precisely Intel PT records time. Normal suits most traces; High also disables return compression "
           "for exact timings at a bigger trace; Low writes fewer timing packets, for a longer look-back at coarser "
           "times. Sample frequency (sampling mode) sets how often stacks are sampled."));
    m_sampleFrequency->setRange(1, 100000);
    m_sampleFrequency->setSuffix(tr(" Hz"));
    addRow(u"-timer-resolution Sample"_s, tr("Frequency"), m_sampleFrequency,
        tr("Samples per second in sampling mode. Higher gives more detail and costs more overhead in the program."));

    addRow(u"-sampling"_s, tr("Mode"), m_sampling,
        tr("Use perf stack sampling instead of Intel Processor Trace. Works on AMD and in VMs but shows sampled "
           "stacks, not every call. magic-trace also falls back to it when Intel PT is missing."));

    m_callgraph->addItem(tr("Default"), QString());
    m_callgraph->addItem(tr("Last branch record (lbr)"), u"lbr"_s);
    m_callgraph->addItem(tr("LBR without stitching"), u"lbr-no-stitch"_s);
    m_callgraph->addItem(tr("DWARF unwinding"), u"dwarf"_s);
    m_callgraph->addItem(tr("Frame pointers (fp)"), u"fp"_s);
    addRow(u"-callgraph-mode"_s, tr("Call graph"), m_callgraph,
        tr("How stacks are collected in sampling mode. Frame pointers are cheapest but need a program built with "
           "them; DWARF works everywhere but copies stack memory on every sample (much bigger traces); LBR needs "
           "Intel hardware and has a short depth."));

    m_kernel->addItem(tr("Program only"), 0);
    m_kernel->addItem(tr("Program and kernel"), 1);
    m_kernel->addItem(tr("Kernel only"), 2);
    addRow(u"-trace-include-kernel"_s, tr("Kernel"), m_kernel,
        tr("Also trace what the kernel does for the program (system calls, page faults). Needs root; the trace "
           "gets bigger and decoding slower."));

    m_filter->setPlaceholderText(tr("(START_SYMBOL STOP_SYMBOL)"));
    m_filter->setClearButtonEnabled(true);
    addRow(u"-filter"_s, tr("Filter"), m_filter,
        tr("Keep only what happens between calls of START and STOP, written as (START STOP). Makes big traces "
           "readable; everything outside is dropped while decoding."));

    const auto emitChanged = [this] {
        updateEnabled();
        Q_EMIT changed();
    };
    for (QComboBox* combo : { m_format, m_trigger, m_snapshotSize, m_timerResolution, m_callgraph, m_kernel })
        connect(combo, &QComboBox::currentTextChanged, this, emitChanged);
    for (QCheckBox* box : { m_multiThread, m_multiSnapshot, m_fullExecution, m_sampling })
        connect(box, &QCheckBox::toggled, this, emitChanged);
    connect(m_sampleFrequency, &QSpinBox::valueChanged, this, emitChanged);
    connect(m_filter, &QLineEdit::textChanged, this, emitChanged);

    setValues(TraceOptionValues());
}

void TraceOptionsPanel::addRow(const QString& flag, const QString& label, QWidget* field, const QString& toolTip)
{
    auto* form = static_cast<QFormLayout*>(layout());
    QLabel* labelWidget = nullptr;
    if (!label.isEmpty()) {
        labelWidget = new QLabel(label, this);
        labelWidget->setBuddy(field);
        form->addRow(labelWidget, field);
    } else {
        form->addRow(QString(), field);
    }
    const QString fullToolTip = u"<p><b>%1</b></p><p>%2</p>"_s.arg(flag.toHtmlEscaped(), toolTip.toHtmlEscaped());
    field->setToolTip(fullToolTip);
    if (labelWidget)
        labelWidget->setToolTip(fullToolTip);
    field->setAccessibleName(label.isEmpty() ? qobject_cast<QCheckBox*>(field)->text() : label);
    field->setAccessibleDescription(toolTip);
    m_rows.append({ flag, field, labelWidget, fullToolTip });
}

QVersionNumber TraceOptionsPanel::introducedIn(const QString& flag)
{
    // The flag tables of the protocol notes (§1.2): everything else exists since v1.0.2.
    if (flag == u"-sampling"_s || flag == u"-callgraph-mode"_s || flag == u"-filter"_s
        || flag == u"-timer-resolution Sample"_s)
        return QVersionNumber(1, 2, 0);
    if (flag == u"-output"_s)
        return QVersionNumber(1, 2, 4); // compressed output; plain FXT is always possible
    return {};
}

void TraceOptionsPanel::setMagicTraceVersion(const QVersionNumber& version)
{
    m_version = version;
    updateEnabled();
}

bool TraceOptionsPanel::isOptionEnabled(const QString& flag) const
{
    for (const Row& row : m_rows) {
        if (row.flag == flag)
            return row.field->isEnabledTo(this);
    }
    return false;
}

QString TraceOptionsPanel::optionToolTip(const QString& flag) const
{
    for (const Row& row : m_rows) {
        if (row.flag == flag)
            return row.field->toolTip();
    }
    return {};
}

void TraceOptionsPanel::updateEnabled()
{
    const bool sampling = m_sampling->isChecked();
    const bool hasTrigger = !comboValue(m_trigger).isEmpty();
    for (Row& row : m_rows) {
        const QVersionNumber needed = introducedIn(row.flag);
        bool supported = needed.isNull() || m_version.isNull() || m_version >= needed;
        QString why;
        if (!supported) {
            why = tr("Needs magic-trace %1 or newer; the installed one is %2.")
                      .arg(needed.toString(), m_version.toString());
        }
        if (row.flag == u"-output"_s) {
            // Older releases write plain FXT whatever the name: keep the control but only offer that.
            supported = true;
            if (!m_version.isNull() && m_version < needed) {
                m_format->setCurrentIndex(m_format->findData(u"fxt"_s));
                why = tr("magic-trace %1 always writes plain FXT; compressed output needs %2 or newer. Compress it "
                         "in the library afterwards.")
                          .arg(m_version.toString(), needed.toString());
            }
            row.field->setEnabled(why.isEmpty());
        } else {
            bool applicable = true;
            if (row.flag == u"-callgraph-mode"_s && !sampling) {
                applicable = false;
                why = tr("Only in sampling mode.");
            } else if (row.flag == u"-timer-resolution Sample"_s && comboValue(m_timerResolution) != u"Sample"_s) {
                applicable = false;
            } else if (row.flag == u"-multi-snapshot"_s && !hasTrigger) {
                applicable = false;
                why = tr("Only with a snapshot trigger symbol.");
            }
            row.field->setEnabled(supported && applicable);
            if (row.label)
                row.label->setEnabled(supported && applicable);
        }
        row.field->setToolTip(
            why.isEmpty() ? row.toolTip : row.toolTip + u"<p><i>%1</i></p>"_s.arg(why.toHtmlEscaped()));
    }
    // The sample frequency choice only exists from v1.2.0 on.
    const int sampleIndex = m_timerResolution->findData(u"Sample"_s);
    const bool sampleSupported = m_version.isNull() || m_version >= QVersionNumber(1, 2, 0);
    if (!sampleSupported && sampleIndex == m_timerResolution->currentIndex())
        m_timerResolution->setCurrentIndex(0);
}

TraceOptionValues TraceOptionsPanel::values() const
{
    TraceOptionValues values;
    values.outputFormat = m_format->currentData().toString();
    values.trigger = comboValue(m_trigger);
    values.multiThread = m_multiThread->isChecked();
    values.multiSnapshot = m_multiSnapshot->isEnabledTo(this) && m_multiSnapshot->isChecked();
    values.fullExecution = m_fullExecution->isChecked();
    values.snapshotSize = comboValue(m_snapshotSize);
    values.timerResolution = m_timerResolution->currentData().toString();
    values.sampleFrequency = m_sampleFrequency->value();
    values.sampling = m_sampling->isEnabledTo(this) && m_sampling->isChecked();
    values.callgraphMode = m_callgraph->isEnabledTo(this) ? m_callgraph->currentData().toString() : QString();
    values.kernel = TraceOptionValues::Kernel(m_kernel->currentData().toInt());
    values.filter = m_filter->isEnabledTo(this) ? m_filter->text().trimmed() : QString();
    return values;
}

void TraceOptionsPanel::setValues(const TraceOptionValues& values)
{
    selectData(m_format, values.outputFormat);
    selectData(m_trigger, values.trigger);
    m_multiThread->setChecked(values.multiThread);
    m_multiSnapshot->setChecked(values.multiSnapshot);
    m_fullExecution->setChecked(values.fullExecution);
    selectData(m_snapshotSize, values.snapshotSize);
    selectData(m_timerResolution, values.timerResolution);
    m_sampleFrequency->setValue(values.sampleFrequency);
    m_sampling->setChecked(values.sampling);
    selectData(m_callgraph, values.callgraphMode);
    m_kernel->setCurrentIndex(m_kernel->findData(int(values.kernel)));
    m_filter->setText(values.filter);
    updateEnabled();
}
