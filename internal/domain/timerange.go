package domain

import (
	"strings"
	"time"
)

// Time layouts, all UTC. A day reads the same everywhere (URLs, the API, the form, CSVs); an
// hour in data (the API's rows, CSVs) is written as the Next.js API wrote it.
const (
	DayLayout  = "2006-01-02"
	HourLayout = "2006-01-02 15:00:00"
)

// Range is a span of time with its start included and its end excluded, the one convention
// from the query string to the SQL: a range of whole days ends at the midnight after its last
// day, and a range of hours at the hour after its last hour. Consecutive ranges share their
// boundary and never overlap.
type Range struct {
	Start, End time.Time
}

// Days returns the range of the whole UTC days first through last, both included.
func Days(first, last time.Time) Range {
	return Range{Start: UTCDay(first), End: UTCDay(last).AddDate(0, 0, 1)}
}

// ParseDay reads a YYYY-MM-DD date as the UTC midnight that starts it.
func ParseDay(s string) (time.Time, error) {
	return time.ParseInLocation(DayLayout, strings.TrimSpace(s), time.UTC)
}

// UTCDay returns the start of the UTC day holding t: days are UTC everywhere in cryptodash,
// in the daily rows, the API's dates and the dashboard's ranges.
func UTCDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Empty reports whether the range holds no instant.
func (r Range) Empty() bool { return !r.Start.Before(r.End) }

// Contains reports whether t falls in the range.
func (r Range) Contains(t time.Time) bool { return !t.Before(r.Start) && t.Before(r.End) }

// FirstDay is the UTC day of the range's first instant.
func (r Range) FirstDay() time.Time { return UTCDay(r.Start) }

// LastDay is the UTC day of the range's last instant: the day before End when End is a
// midnight.
func (r Range) LastDay() time.Time { return UTCDay(r.End.Add(-time.Nanosecond)) }

// LastHour is the start of the range's last whole hour.
func (r Range) LastHour() time.Time { return r.End.Add(-time.Hour) }

// DaySpan is the time from the range's first day to its last: 0 for a single day. The
// two-day rule of the Next.js API (dateTo - dateFrom) is written in it.
func (r Range) DaySpan() time.Duration { return r.LastDay().Sub(r.FirstDay()) }

// String writes the range as "start..end" in RFC 3339, for logs and errors.
func (r Range) String() string {
	return r.Start.UTC().Format(time.RFC3339) + ".." + r.End.UTC().Format(time.RFC3339)
}
