// SPDX-License-Identifier: MIT
#include "viewer/timeviewport.h"

#include <algorithm>

void TimeViewport::setBounds(qint64 start, qint64 end)
{
    m_boundsStart = start;
    m_boundsEnd = std::max(end, start + 1);
    fit();
}

void TimeViewport::setWidth(int pixels)
{
    m_width = std::max(1, pixels);
}

void TimeViewport::fit()
{
    m_start = static_cast<double>(m_boundsStart);
    m_span = static_cast<double>(m_boundsEnd - m_boundsStart);
}

void TimeViewport::showRange(double from, double to)
{
    if (to < from)
        std::swap(from, to);
    m_start = from;
    m_span = to - from;
    clamp();
}

void TimeViewport::zoomAround(double x, double factor)
{
    if (!(factor > 0))
        return;
    const double anchor = xToTime(x);
    const double total = static_cast<double>(m_boundsEnd - m_boundsStart);
    const double span = std::clamp(m_span / factor, std::min(minimumSpan, total), total);
    // Keep `anchor` at the same fraction of the width.
    m_start = anchor - x * span / m_width;
    m_span = span;
    clamp();
}

void TimeViewport::panByPixels(double dx)
{
    m_start += dx * nsPerPixel();
    clamp();
}

void TimeViewport::scrollTo(double time)
{
    m_start = time;
    clamp();
}

void TimeViewport::clamp()
{
    const double total = static_cast<double>(m_boundsEnd - m_boundsStart);
    m_span = std::clamp(m_span, std::min(minimumSpan, total), total);
    m_start = std::clamp(m_start, static_cast<double>(m_boundsStart), static_cast<double>(m_boundsEnd) - m_span);
}
