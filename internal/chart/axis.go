package chart

import (
	"math"
	"slices"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// axis maps values onto a plot's height, Size at the bottom, and lists its ticks. It picks its
// ends and ticks as ECharts would (five nice steps on a linear axis, powers of ten on a log
// one); a dashboard chart's option carries them, so the drawing the script replaces shows the
// ticks of the chart it becomes.
type axis struct {
	log bool
	// lo and hi are the ends of the axis and steps the values of its ticks, as exponents of
	// ten on a log axis.
	lo, hi float64
	steps  []float64
	// interval is a linear axis's step between ticks.
	interval float64
}

// linearAxis fits values, or with withZero, values and zero, in about splits steps: bars stand
// on zero, while a line axis, like ECharts' scale: true, fits its lines.
func linearAxis(values []float64, withZero bool, splits int) axis {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if withZero {
		lo, hi = min(lo, 0), max(hi, 0)
	}
	switch {
	case lo > hi:
		lo, hi = 0, 1
	case lo == hi && lo == 0:
		hi = 1
	case lo == hi:
		// One value: ECharts puts it in the middle of an axis half its size wide.
		lo, hi = lo-math.Abs(lo)/2, hi+math.Abs(hi)/2
	}
	interval := nice((hi - lo) / float64(splits))
	first, last := math.Floor(lo/interval), math.Ceil(hi/interval)
	a := axis{lo: first * interval, hi: last * interval, interval: interval}
	for k := first; k <= last; k++ {
		a.steps = append(a.steps, k*interval)
	}
	return a
}

// nice rounds x to 1, 2, 3 or 5 times a power of ten, as ECharts' numberUtil.nice does for
// an axis's interval.
func nice(x float64) float64 {
	exp := int(math.Floor(math.Log10(x)))
	f := x / math.Pow10(exp)
	var n float64
	switch {
	case f < 1.5:
		n = 1
	case f < 2.5:
		n = 2
	case f < 4:
		n = 3
	case f < 7:
		n = 5
	default:
		n, exp = 1, exp+1
	}
	return n * math.Pow10(exp)
}

// maxLogTicks bounds a log axis's ticks: one per power of ten up to ten of them, then every
// other power and so on.
const maxLogTicks = 10

// logAxis spans the powers of ten around values; values at or below zero have no place on
// it and are left out.
func logAxis(values []float64) axis {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if v > 0 && !math.IsInf(v, 0) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	a := axis{log: true, lo: 0, hi: 1}
	if lo <= hi {
		a.lo, a.hi = math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	}
	if a.lo == a.hi {
		a.hi++
	}
	k := max(1, math.Ceil((a.hi-a.lo)/maxLogTicks))
	a.lo, a.hi = math.Floor(a.lo/k)*k, math.Ceil(a.hi/k)*k
	for e := a.lo; e <= a.hi; e += k {
		a.steps = append(a.steps, e)
	}
	return a
}

// y is the height of val, or false when the axis cannot show it.
func (a axis) y(val float64) (float64, bool) {
	if math.IsNaN(val) || math.IsInf(val, 0) || a.log && val <= 0 {
		return 0, false
	}
	if a.log {
		val = math.Log10(val)
	}
	return a.at(val), true
}

// at is the height of s, a value of the axis's own (an exponent on a log axis).
func (a axis) at(s float64) float64 {
	return Size * (a.hi - s) / (a.hi - a.lo)
}

// base is where the x axis line goes: at zero when the axis has it, else at the bottom.
func (a axis) base() float64 {
	if !a.log && a.lo <= 0 && a.hi >= 0 {
		return a.at(0)
	}
	return Size
}

// ticks labels the axis's ticks in format. Ticks are round numbers, and format writes each
// exactly, so no two read alike.
func (a axis) ticks(format AxisFormat, symbols map[string]string) []Tick {
	out := make([]Tick, len(a.steps))
	for i, s := range a.steps {
		val := s
		if a.log {
			val = math.Pow(10, s)
		}
		out[i] = Tick{At: a.at(s), Label: format.Label(val, symbols)}
	}
	return out
}

// maxXTicks is how many time labels a chart shows at most: ECharts shows about one per 110
// px, and a plot is seldom wider than 900 px. A narrow chart shows every other one.
const maxXTicks = 8

// timeStep is a distance between time labels: hours, days or months.
type timeStep struct{ hours, days, months int }

var (
	hourSteps = []timeStep{{hours: 1}, {hours: 2}, {hours: 3}, {hours: 4}, {hours: 6}, {hours: 12}}
	daySteps  = []timeStep{{days: 1}, {days: 2}, {days: 3}, {days: 4}, {days: 7}, {days: 14},
		{months: 1}, {months: 2}, {months: 3}, {months: 6}, {months: 12}, {months: 24}, {months: 60}, {months: 120}}
)

// timeTicks labels the time axis from first to last with the shortest step that needs at
// most maxXTicks labels, at round times: midnights and every few hours, the first of a month
// and every few days after it, the first of every few months.
func timeTicks(first, last time.Time, g domain.Granularity, x func(time.Time) float64) []Tick {
	steps := daySteps
	if g == domain.Hourly {
		steps = slices.Concat(hourSteps, daySteps)
	}
	var step timeStep
	var times []time.Time
	for _, step = range steps {
		if times = step.times(first, last); len(times) <= maxXTicks {
			break
		}
	}
	out := make([]Tick, len(times))
	for i, t := range times {
		out[i] = Tick{At: x(t), Label: step.label(t), Minor: len(times) > maxXTicks/2 && i%2 == 1}
	}
	return out
}

// times lists the step's round times from first to last.
func (s timeStep) times(first, last time.Time) []time.Time {
	var out []time.Time
	switch {
	case s.hours > 0:
		d := time.Duration(s.hours) * time.Hour
		t := first.Truncate(d)
		if t.Before(first) {
			t = t.Add(d)
		}
		for ; !t.After(last); t = t.Add(d) {
			out = append(out, t)
		}
	case s.days > 0:
		t := domain.UTCDay(first)
		if t.Before(first) {
			t = t.AddDate(0, 0, 1)
		}
		for ; !t.After(last); t = t.AddDate(0, 0, 1) {
			// Every step of days starts again on the first of the month, which is left
			// out only to keep the label before it from crowding it.
			day, left := t.Day(), daysIn(t)-t.Day()+1
			if (day-1)%s.days == 0 && (day == 1 || left >= (s.days+1)/2) {
				out = append(out, t)
			}
		}
	default:
		t := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
		if t.Before(first) {
			t = t.AddDate(0, 1, 0)
		}
		for ; !t.After(last); t = t.AddDate(0, 1, 0) {
			m := int(t.Month()) - 1
			if s.months <= 12 && m%s.months == 0 || s.months > 12 && m == 0 && t.Year()%(s.months/12) == 0 {
				out = append(out, t)
			}
		}
	}
	return out
}

// daysIn is the number of days of t's month.
func daysIn(t time.Time) int {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// label writes a time as chart-options.js has ECharts write it: an hour as "14:00" and
// a midnight as its day, "Nov 5"; on a daily axis a day as "Nov 5", the first of a month as
// "Nov" and of a year as "2026".
func (s timeStep) label(t time.Time) string {
	switch {
	case s.hours > 0 && t.Hour() != 0:
		return t.Format("15:04")
	case s.hours > 0 || t.Day() != 1:
		return t.Format("Jan 2")
	case t.Month() != time.January:
		return t.Format("Jan")
	}
	return t.Format("2006")
}
