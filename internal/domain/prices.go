package domain

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Granularity is the time step of a price query.
type Granularity string

// The granularities a price query can ask for.
const (
	Daily  Granularity = "daily"
	Hourly Granularity = "hourly"
)

// HourlyMaxSpan is the widest range shown hour by hour: the JSON API and the dashboard both
// switch to daily averages above it, as the Next.js system did.
const HourlyMaxSpan = 48 * time.Hour

// GranularityFor is the granularity a range of days gets when none is asked for: hourly when
// its last day starts at most HourlyMaxSpan after its first (the Next.js API's
// dateTo - dateFrom), daily otherwise.
func GranularityFor(days Range) Granularity {
	if days.DaySpan() <= HourlyMaxSpan {
		return Hourly
	}
	return Daily
}

// The dimensions a price query can break its means down by, as the API and the dashboard's
// URLs name them, and the price column that follows them in tables and CSVs.
const (
	DimDate     = "date"
	DimCoin     = "coin"
	DimCurrency = "currency"
	ColPrice    = "price"
)

// Breakdown says which dimensions a price query groups by; the price of each group is the
// mean of its members.
type Breakdown struct {
	Date     bool
	Coin     bool
	Currency bool
}

// AllDimensions breaks down by every dimension: one row per coin, currency and time.
var AllDimensions = Breakdown{Date: true, Coin: true, Currency: true}

// ParseBreakdown reads dimension names (as ParseList leaves them) into a Breakdown, returning
// the names it does not know in their order.
func ParseBreakdown(names []string) (b Breakdown, unknown []string) {
	for _, n := range names {
		switch n {
		case DimDate:
			b.Date = true
		case DimCoin:
			b.Coin = true
		case DimCurrency:
			b.Currency = true
		default:
			unknown = append(unknown, n)
		}
	}
	return b, unknown
}

// Has reports whether dim is in the breakdown; the price column always is.
func (b Breakdown) Has(dim string) bool {
	switch dim {
	case DimDate:
		return b.Date
	case DimCoin:
		return b.Coin
	case DimCurrency:
		return b.Currency
	}
	return dim == ColPrice
}

// Dimensions lists the dimensions of the breakdown in the order of names.
func (b Breakdown) Dimensions(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n != ColPrice && b.Has(n) {
			out = append(out, n)
		}
	}
	return out
}

// MaxListItems caps a list parameter (coin ids, currency codes, breakdown, columns). The
// dashboard tracks 11 coins by default and CoinGecko's own lists of ids for one question stop
// at 250, so 200 leaves room for any real question, while a hostile list of 80,000 ids costs
// no more than a short one: parsing stops at the cap and the request is refused.
const MaxListItems = 200

// ErrListTooLong is ParseList's answer to a list of more than MaxListItems items.
var ErrListTooLong = fmt.Errorf("lists at most %d items", MaxListItems)

// ParseList reads a list parameter given repeated (as a form sends checkboxes) or
// comma-separated (as links write it): items trimmed and lower-cased, since ids and codes are
// lower case in the database, empty items dropped, and each item kept once, at its first place.
// Past MaxListItems items as sent, repeats included, it stops and returns ErrListTooLong, so
// the work done for any list is bounded by the cap.
func ParseList(values []string) ([]string, error) {
	var out []string
	seen := make(map[string]struct{})
	n := 0
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			if n++; n > MaxListItems {
				return nil, ErrListTooLong
			}
			item = strings.ToLower(item)
			if _, dup := seen[item]; dup {
				continue
			}
			seen[item] = struct{}{}
			out = append(out, item)
		}
	}
	return out, nil
}

// maxExcerptRunes and maxExcerptItems bound what a message repeats of a client's input.
const (
	maxExcerptRunes = 40
	maxExcerptItems = 5
)

// Excerpt is text a client sent, as a message repeats it: valid UTF-8, at most 40 characters,
// cut with "…". An answer about a hostile parameter then names it without repeating a
// megabyte of it.
func Excerpt(s string) string {
	i, n := 0, 0
	for i < len(s) && n < maxExcerptRunes {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	if i == len(s) {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ToValidUTF8(s[:i], "\uFFFD") + "…"
}

// ExcerptList names items for a message: the first five as Excerpts (quoted when quote is
// set), then how many more there are ("a, b, c, d, e and 195 more").
func ExcerptList(items []string, quote bool) string {
	shown := make([]string, 0, min(len(items), maxExcerptItems))
	for _, item := range items[:min(len(items), maxExcerptItems)] {
		item = Excerpt(item)
		if quote {
			item = strconv.Quote(item)
		}
		shown = append(shown, item)
	}
	out := strings.Join(shown, ", ")
	if more := len(items) - len(shown); more > 0 {
		out += fmt.Sprintf(" and %d more", more)
	}
	return out
}

// PriceQuery asks for the mean prices of some coins in some currencies over a range, grouped
// by a breakdown. A daily query covers the whole days the range touches.
type PriceQuery struct {
	CoinIDs       []string
	CurrencyCodes []string
	Range         Range
	Breakdown     Breakdown
	Granularity   Granularity
	// Today is the UTC day that is still going, which a daily answer flags as partial.
	Today time.Time
}

// MaxAnswerRows caps the rows of one price answer, whatever its lists: 200 coins (the list
// cap) x 10 currencies over a year is 730,000 daily rows, which took 4.2 s and 610 MB to
// answer. 100,000 rows is every series of the demo hour by hour over 92 days, or a year of
// daily rows for 270 series; past it a query is refused with how to narrow it, rather than
// paged, since a chart or a table of more rows says nothing more.
const MaxAnswerRows = 100_000

// MaxRows is the most rows q can answer: one per group of its breakdown, each dimension
// counting the coins, the currencies, or the days (hours) of the range it names. It is known
// before any is read, so a query too large is refused before it costs anything.
func (q PriceQuery) MaxRows() int {
	n := 1
	if q.Breakdown.Coin {
		n *= len(q.CoinIDs)
	}
	if q.Breakdown.Currency {
		n *= len(q.CurrencyCodes)
	}
	if q.Breakdown.Date {
		if q.Granularity == Hourly {
			n *= int(q.Range.End.Sub(q.Range.Start) / time.Hour)
		} else {
			n *= int(q.Range.DaySpan()/(24*time.Hour)) + 1
		}
	}
	return n
}

// DailyPrice is one daily row's mean price and stored hours, as a replica holds it in memory
// (internal/daily).
type DailyPrice struct {
	Series Series
	Date   time.Time
	Price  float64
	Hours  int
}

// PriceRow is one group of a price query's answer. Fields outside the breakdown are zero.
type PriceRow struct {
	CoinID       string
	CurrencyCode string
	Time         time.Time
	Price        float64
	// Change is the row's change as a fraction (analytics.Change) from the first value of its
	// series at or after the range start; set by Aggregate, zero in the store's rows. Only the
	// CSV's change_pct, the API's change and the chart's percent axis write it in percent.
	Change float64
	// Hours is, for a daily row, the fewest stored hours any of its member days holds ("23
	// of 24 hours"); a value carried forward counts as 0. Hourly rows leave it 0.
	Hours int
	// Partial is set on a daily row when some member day is incomplete (see Candle.Partial);
	// hourly rows never are.
	Partial bool
	// Filled reports that some member series had no value at this time and Aggregate carried
	// its previous one forward.
	Filled bool
}

// Summary is a series over a range: its first price at or after the range start, its last
// price, and its highest and lowest.
type Summary struct {
	First, Last, High, Low float64
}

// FormatRowTime writes a row's time as data: its day, or for hourly rows its hour.
func FormatRowTime(t time.Time, g Granularity) string {
	if g == Hourly {
		return t.UTC().Format(HourLayout)
	}
	return t.UTC().Format(DayLayout)
}

// The extra CSV columns: a row's change in percent, whether a daily row stands on an
// incomplete day, how many hours its thinnest day holds, and whether a series' gap carried a
// value forward into it.
const (
	ColChange = "change_pct"
	// ColChangeVsBTC is the change of a series measured in bitcoin, in percent.
	ColChangeVsBTC = "change_vs_btc_pct"
	ColPartial     = "partial"
	ColHours       = "hours"
	ColFilled      = "filled"
)

// inertCell keeps a text cell from being read as a formula by a spreadsheet (OWASP's CSV
// injection advice): one that starts with =, +, -, @, a tab or a carriage return gets a
// leading apostrophe. Ids and codes come from the database, which an upstream fills; numeric
// cells are written by strconv and are never text, so a negative number stays a number.
func inertCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WritePricesCSV writes rows as CSV with one column per name of cols (dimensions, price,
// change_pct, partial, hours, filled, in the caller's order), headed by those names. Values are written as
// the JSON API writes them: coin ids, upper-case currency codes, UTC times, numbers at full
// precision. Text cells are made inert (see inertCell).
func WritePricesCSV(w io.Writer, cols []string, g Granularity, rows []PriceRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		return err
	}
	rec := make([]string, len(cols))
	for _, r := range rows {
		for i, col := range cols {
			switch col {
			case DimDate:
				rec[i] = FormatRowTime(r.Time, g)
			case DimCoin:
				rec[i] = inertCell(r.CoinID)
			case DimCurrency:
				rec[i] = inertCell(strings.ToUpper(r.CurrencyCode))
			case ColChange, ColChangeVsBTC:
				rec[i] = strconv.FormatFloat(r.Change*100, 'f', -1, 64)
			case ColPartial:
				rec[i] = strconv.FormatBool(r.Partial)
			case ColHours:
				rec[i] = strconv.Itoa(r.Hours)
			case ColFilled:
				rec[i] = strconv.FormatBool(r.Filled)
			default:
				rec[i] = strconv.FormatFloat(r.Price, 'f', -1, 64)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
