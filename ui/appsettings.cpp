// SPDX-License-Identifier: MIT
#include "appsettings.h"

#include <QSettings>

using namespace Qt::StringLiterals;

QString AppSettings::magicTracePath()
{
    return QSettings().value(u"magicTrace/path"_s).toString();
}

void AppSettings::setMagicTracePath(const QString& path)
{
    QSettings().setValue(u"magicTrace/path"_s, path);
}

QString AppSettings::tracesFolder()
{
    return QSettings().value(u"library/folder"_s).toString();
}

void AppSettings::setTracesFolder(const QString& folder)
{
    QSettings().setValue(u"library/folder"_s, folder);
}

QString AppSettings::compressionFormat()
{
    const QString format = QSettings().value(u"library/compressionFormat"_s, u"zstd"_s).toString();
    return (format == u"gzip"_s || format == u"xz"_s) ? format : u"zstd"_s;
}

void AppSettings::setCompressionFormat(const QString& format)
{
    QSettings().setValue(u"library/compressionFormat"_s, format);
}

int AppSettings::compressionLevel()
{
    return qBound(1, QSettings().value(u"library/compressionLevel"_s, 6).toInt(), 19);
}

void AppSettings::setCompressionLevel(int level)
{
    QSettings().setValue(u"library/compressionLevel"_s, level);
}

int AppSettings::attachTimeoutSeconds()
{
    return qBound(1, QSettings().value(u"trace/attachTimeoutSeconds"_s, 60).toInt(), 3600);
}

void AppSettings::setAttachTimeoutSeconds(int seconds)
{
    QSettings().setValue(u"trace/attachTimeoutSeconds"_s, seconds);
}

TraceOptionValues AppSettings::defaultTraceOptions()
{
    return TraceOptionValues::fromVariantMap(QSettings().value(u"trace/defaultOptions"_s).toMap());
}

void AppSettings::setDefaultTraceOptions(const TraceOptionValues& values)
{
    QSettings().setValue(u"trace/defaultOptions"_s, values.toVariantMap());
}

TraceOptionValues AppSettings::lastTraceOptions()
{
    QSettings settings;
    if (!settings.contains(u"trace/lastOptions"_s))
        return defaultTraceOptions();
    return TraceOptionValues::fromVariantMap(settings.value(u"trace/lastOptions"_s).toMap());
}

void AppSettings::setLastTraceOptions(const TraceOptionValues& values)
{
    QSettings().setValue(u"trace/lastOptions"_s, values.toVariantMap());
}
