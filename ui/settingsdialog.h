// SPDX-License-Identifier: MIT
#pragma once

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;
class TraceOptionsPanel;

// Settings: which magic-trace, where traces go, how they are compressed, the default trace options and how long
// to wait for magic-trace to attach. Values are read from and written to AppSettings.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget* parent = nullptr);

    // Writes the dialog's values to the settings (also done on OK).
    void save();

    QLineEdit* magicTracePathEdit() const { return m_magicTracePath; }
    QLineEdit* tracesFolderEdit() const { return m_tracesFolder; }
    QComboBox* compressionFormatCombo() const { return m_format; }
    QSpinBox* compressionLevelSpin() const { return m_level; }
    QSpinBox* attachTimeoutSpin() const { return m_timeout; }
    TraceOptionsPanel* defaultOptionsPanel() const { return m_options; }

private:
    void updateLevelRange();

    QLineEdit* m_magicTracePath;
    QLineEdit* m_tracesFolder;
    QComboBox* m_format;
    QSpinBox* m_level;
    QSpinBox* m_timeout;
    TraceOptionsPanel* m_options;
};
