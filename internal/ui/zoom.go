package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/views"
)

// zoomParam is the page parameter that carries a chart's zoom: "FROM..TO", each a UTC day
// (2026-03-01) or hour (2026-03-01T13:00), both shown. app.js writes it as the chart is zoomed
// (with history.replaceState), so a shared link opens on the same span. Only pages read it:
// the dashboard's partials draw a new view, which starts unzoomed.
const zoomParam = "zoom"

// zoomHourLayout is an hour of a zoom parameter: a URL-safe ISO 8601 minute.
const zoomHourLayout = "2006-01-02T15:04"

// zoomSpan is the first and last time a zoomed chart shows; zero when it is not zoomed.
type zoomSpan struct {
	from, to time.Time
}

func (z zoomSpan) isZero() bool { return z.from.IsZero() }

// parseZoom reads a zoom parameter. An empty one is no zoom; a bad one gets a message under
// "zoom" and no zoom, so the page still shows the whole range.
func parseZoom(raw string, errs domain.FieldErrors) zoomSpan {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return zoomSpan{}
	}
	a, b, ok := strings.Cut(raw, "..")
	from, okA := parseZoomTime(a)
	to, okB := parseZoomTime(b)
	switch {
	case !ok || !okA || !okB:
		errs[zoomParam] = "The zoom " + strconv.Quote(domain.Excerpt(raw)) + " is not FROM..TO (days as 2026-03-01 or hours as 2026-03-01T13:00, UTC); showing the whole range."
	case to.Before(from):
		errs[zoomParam] = "The zoom ends before it starts; showing the whole range."
	default:
		return zoomSpan{from: from, to: to}
	}
	return zoomSpan{}
}

func parseZoomTime(s string) (time.Time, bool) {
	for _, layout := range []string{domain.DayLayout, zoomHourLayout} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// timeAxis is the zoom on a chart whose x axis is time: the span's ends in milliseconds,
// ECharts' values on such an axis.
func (z zoomSpan) timeAxis() views.ChartZoom {
	if z.isZero() {
		return views.ChartZoom{}
	}
	return views.ChartZoom{Start: strconv.FormatInt(z.from.UnixMilli(), 10), End: strconv.FormatInt(z.to.UnixMilli(), 10)}
}

// bands is the zoom on a chart of bands (a coin page's days or hours, oldest first): the
// indexes of the first band at or after from and of the last at or before to. A span that
// holds no band is no zoom.
func (z zoomSpan) bands(times []time.Time) views.ChartZoom {
	if z.isZero() {
		return views.ChartZoom{}
	}
	first, last := -1, -1
	for i, t := range times {
		if first < 0 && !t.Before(z.from) {
			first = i
		}
		if !t.After(z.to) {
			last = i
		}
	}
	if first < 0 || last < first {
		return views.ChartZoom{}
	}
	return views.ChartZoom{Start: strconv.Itoa(first), End: strconv.Itoa(last)}
}

// String is the span as the zoom parameter writes it: days where both ends are midnights,
// hours otherwise.
func (z zoomSpan) String() string {
	layout := domain.DayLayout
	if !z.from.Equal(domain.UTCDay(z.from)) || !z.to.Equal(domain.UTCDay(z.to)) {
		layout = zoomHourLayout
	}
	return z.from.Format(layout) + ".." + z.to.Format(layout)
}
