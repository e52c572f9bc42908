package chart

import (
	"math"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// Spec is what a dashboard chart shows, decided once from the groups and the view: its kind,
// its panels with their value axes, and its series with their names, styles, panels and
// values. Chart translates it into the ECharts option and Figure projects it onto the
// server's drawing, so the two cannot disagree on what either shows.
type Spec struct {
	Kind Kind
	View View
	// Panels are the plots: one, or one per currency when lines are many (see MaxLines).
	Panels []SpecPanel
	// Series are the lines (or bars) in the groups' order, whatever their panel.
	Series []Series
	// First and Last are the ends of a chart of lines' time axis.
	First, Last time.Time
}

// SpecPanel is one plot of a Spec.
type SpecPanel struct {
	// Currency is the panel's currency when lines are split by currency; "" otherwise.
	Currency string
	Axis     ValueAxis
}

// ValueAxis is a panel's value axis: its ends and ticks, picked as ECharts picks them, and
// how its labels read.
type ValueAxis struct {
	axis
	Format AxisFormat
}

// Ticks labels the axis's ticks, from its lowest value up.
func (a ValueAxis) Ticks(symbols map[string]string) []Tick {
	return a.ticks(a.Format, symbols)
}

// Series is one group's line (or bar): its values over the time axis, or a bar's one value.
type Series struct {
	Name  string
	Style Style
	// Panel is the index of the panel the series is drawn in.
	Panel int
	// Currency is the currency whose symbol the values carry, "" when none does.
	Currency string
	Times    []time.Time
	Values   []float64
	// Marked draws a dot on every point: a line of one or two points is hard to see otherwise.
	Marked bool
}

// Dashboard decides the chart of groups: a time-axis line per group when the date is in the
// breakdown, split into one panel per currency when the lines are more than MaxLines;
// otherwise a bar per group.
func Dashboard(groups []domain.Group, v View) Spec {
	s := Spec{Kind: KindLine, View: v}
	panelOf, codes := v.panels(groups)
	if !v.Breakdown.Date {
		s.Kind, panelOf, codes = KindBar, map[string]int{}, []string{""}
	}
	var currencies []string
	for _, g := range groups {
		if len(g.Points) == 0 {
			continue
		}
		points := g.Points
		if s.Kind == KindBar {
			// Without the date a group has one point: the whole range's.
			points = points[:1]
		}
		se := Series{Name: Name(g.CoinID, g.CurrencyCode, v), Style: StyleOf(g.CoinID, g.CurrencyCode),
			Panel: panelOf[g.CurrencyCode], Currency: v.ValueCurrency(g.CurrencyCode), Marked: len(points) <= 2}
		for _, p := range points {
			se.Times = append(se.Times, p.Time)
			se.Values = append(se.Values, v.value(p))
		}
		if s.First.IsZero() || points[0].Time.Before(s.First) {
			s.First = points[0].Time
		}
		s.Last = latest(s.Last, points[len(points)-1].Time)
		currencies = append(currencies, se.Currency)
		s.Series = append(s.Series, se)
	}
	code, pct := sharedCode(currencies), v.Mode == ModePercent
	for i, c := range codes {
		var values []float64
		for _, se := range s.Series {
			if se.Panel == i {
				values = append(values, se.Values...)
			}
		}
		p := SpecPanel{Currency: c}
		switch {
		case s.Kind == KindBar:
			// Bars stand on zero, and on a linear axis: a log axis has no zero, and a bar
			// below 1 would hang down like a loss.
			p.Axis = ValueAxis{axis: linearAxis(values, true, splitNumber), Format: axisFormat(values, code, pct, false)}
		case v.Scale == ScaleLog && !pct:
			p.Axis = ValueAxis{axis: logAxis(values), Format: axisFormat(values, code, pct, true)}
		default:
			// A change is always linear, since it goes negative. Like ECharts' scale: true,
			// a line axis fits its values rather than reaching down to zero.
			p.Axis = ValueAxis{axis: linearAxis(values, false, splitNumber), Format: axisFormat(values, code, pct, false)}
		}
		s.Panels = append(s.Panels, p)
	}
	return s
}

// formats is the format of each panel's value axis.
func (s Spec) formats() []AxisFormat {
	out := make([]AxisFormat, len(s.Panels))
	for i, p := range s.Panels {
		out[i] = p.Axis.Format
	}
	return out
}

// CoinSpec is what a coin page's chart shows, decided once from the days' candles or the
// hours' prices: three panels (price, 24-hour volume, market cap) over one axis of days or
// hours, each in its own band of the width. CoinChart translates it into the ECharts option
// and Figure projects it onto the server's drawing.
type CoinSpec struct {
	View CoinView
	// Step is StepDay (a candle a day) or StepHour (a line of hourly prices).
	Step string
	// Times are the bands' days or hours.
	Times []time.Time
	// Candles are a StepDay chart's; Prices a StepHour chart's, NaN at a missing hour.
	Candles []domain.Candle
	Prices  []float64
	// Markets are each band's volume and market cap: a day's read at its last stored hour
	// (At), an hour's its own; nil where the source sent none.
	Markets []domain.Sample
	// Early marks a day whose volume was read before 23:00, which is dimmed.
	Early []bool
	// Price, Volume and Cap are the three panels' value axes.
	Price, Volume, Cap ValueAxis
	Colors             map[string]Color
}

// The value axes of a coin chart: the price in about four steps, volume and market cap in
// one, their panels being thin.
const (
	coinPriceSplits = 4
	coinThinSplits  = 1
)

// CoinDays decides a coin chart of days: a candle per day, below it the day's 24-hour volume
// and its market cap, both read at the day's last stored hour (ends, one per day that has
// hours).
func CoinDays(candles []domain.Candle, ends []domain.Sample, v CoinView) CoinSpec {
	byDay := make(map[time.Time]domain.Sample, len(ends))
	for _, e := range ends {
		byDay[domain.UTCDay(e.Time)] = e
	}
	s := CoinSpec{View: v, Step: StepDay, Candles: candles}
	prices := make([]float64, 0, 2*len(candles))
	for _, c := range candles {
		prices = append(prices, c.Low, c.High)
		end, ok := byDay[c.Day]
		s.Times = append(s.Times, c.Day)
		s.Markets = append(s.Markets, end)
		s.Early = append(s.Early, ok && end.Time.Hour() != 23)
	}
	s.fitAxes(prices)
	return s
}

// CoinHours decides a coin chart of hours: a line of prices in the coin's colour over the
// rolling 24-hour volume and the market cap of each hour, a missing hour keeping its band.
func CoinHours(hours []domain.Sample, v CoinView) CoinSpec {
	hours = hourGrid(hours)
	s := CoinSpec{View: v, Step: StepHour, Markets: hours, Early: make([]bool, len(hours))}
	for _, h := range hours {
		s.Times = append(s.Times, h.Time)
		s.Prices = append(s.Prices, h.Price)
	}
	s.fitAxes(s.Prices)
	return s
}

// fitAxes fits the price axis to prices (a missing hour's NaN has no place on it) and the
// volume and market cap axes to the markets.
func (s *CoinSpec) fitAxes(prices []float64) {
	s.Colors = s.View.colors()
	var known, volumes, caps []float64
	for _, p := range prices {
		if !math.IsNaN(p) {
			known = append(known, p)
		}
	}
	for _, m := range s.Markets {
		if m.TotalVolume != nil {
			volumes = append(volumes, *m.TotalVolume)
		}
		if m.MarketCap != nil {
			caps = append(caps, *m.MarketCap)
		}
	}
	cur := s.View.Currency
	// A log axis shows a year's moves of a coin that rose tenfold as moves of the same size.
	// Volume and market cap stay linear.
	s.Price = ValueAxis{axis: linearAxis(known, false, coinPriceSplits), Format: axisFormat(known, cur, false, false)}
	if s.View.Scale == ScaleLog {
		s.Price = ValueAxis{axis: logAxis(known), Format: axisFormat(known, cur, false, true)}
	}
	// Volume starts at zero, so bar heights compare; market cap moves with the price, so
	// its axis fits the range like the price's.
	s.Volume = ValueAxis{axis: linearAxis(volumes, true, coinThinSplits), Format: axisFormat(volumes, cur, false, false)}
	s.Cap = ValueAxis{axis: linearAxis(caps, false, coinThinSplits), Format: axisFormat(caps, cur, false, false)}
}

// formats is the format of the price, volume and market cap axes.
func (s CoinSpec) formats() []AxisFormat {
	return []AxisFormat{s.Price.Format, s.Volume.Format, s.Cap.Format}
}
