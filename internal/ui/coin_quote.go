package ui

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cryptodash/cryptodash/internal/analytics"
	"github.com/cryptodash/cryptodash/internal/domain"
)

// quoteBase is the currency a benchmark price is derived through: the coin's and the
// benchmark's prices in it, hour by hour.
const quoteBase = "usd"

// quoteUnit is a coin another coin's page can be priced in, as a benchmark: how a coin did
// against bitcoin, the question an analyst asks before "did it rise?".
type quoteUnit struct {
	// code is the currency parameter and the unit shown ("btc" → "BTC 0.00001230").
	code, coinID, name string
	// self marks the page's own coin, which priced in itself is always 1: offered disabled,
	// with selfText saying why.
	self     bool
	selfText string
}

// benchmarks are the units offered, when their coin and quoteBase are stored.
var benchmarks = []quoteUnit{{code: "btc", coinID: "bitcoin", name: "Bitcoin"}, {code: "eth", coinID: "ethereum", name: "Ether"}}

// quoteChoices are the benchmark units coinID's page offers: those whose coin is stored, with
// quoteBase among the currencies. Its own unit is offered as disabled.
func quoteChoices(coinID string, coins []domain.Coin, currencies []domain.Currency) []quoteUnit {
	if !slices.ContainsFunc(currencies, func(c domain.Currency) bool { return c.Code == quoteBase }) {
		return nil
	}
	var out []quoteUnit
	for _, u := range benchmarks {
		if !slices.ContainsFunc(coins, func(c domain.Coin) bool { return c.ID == u.coinID }) {
			continue
		}
		if u.coinID == coinID {
			u.self = true
			u.selfText = u.name + " priced in " + strings.ToUpper(u.code) + " is always 1, so there is nothing to chart."
		}
		out = append(out, u)
	}
	return out
}

// quoteOf is the unit the page is priced in, if it is a benchmark.
func quoteOf(code string, quotes []quoteUnit) (quoteUnit, bool) {
	i := slices.IndexFunc(quotes, func(u quoteUnit) bool { return u.code == code && !u.self })
	if i < 0 {
		return quoteUnit{}, false
	}
	return quotes[i], true
}

// loadQuotedPrices reads the coin priced in unit: its quoteBase hours divided by the
// benchmark's of the same hour over their common stored history (analytics.Quote: an hour
// missing on either side is a gap). Days are built from those hours with the same rule as the
// stored ones, and the returns and the history's extremes come from them, so the page says
// of the quoted series what it says of a stored one. Nothing is fetched per page view.
func (h *Handler) loadQuotedPrices(ctx context.Context, p *coinPage, newest time.Time, unit quoteUnit) error {
	coin := domain.Series{CoinID: p.coin.ID, CurrencyCode: quoteBase}
	bench := domain.Series{CoinID: unit.coinID, CurrencyCode: quoteBase}
	stored, err := h.store.StoredRanges(ctx, []domain.Series{coin, bench})
	if err != nil {
		return err
	}
	rc, ok1 := stored[coin]
	rb, ok2 := stored[bench]
	if !ok1 || !ok2 {
		return nil
	}
	common := domain.Range{Start: laterOf(rc.Start, rb.Start), End: earlierOf(rc.End, rb.End)}
	if common.Empty() {
		return nil
	}
	a, err := h.store.HourlyPrices(ctx, coin, common)
	if err != nil {
		return err
	}
	b, err := h.store.HourlyPrices(ctx, bench, common)
	if err != nil {
		return err
	}
	p.quoted = quoteSamples(a, b)
	if len(p.quoted) == 0 {
		return nil
	}
	p.hasData, p.latest = true, p.quoted[len(p.quoted)-1].Time
	p.span, p.gran = ViewState{Range: p.state.rng}.resolve(laterOf(p.latest, newest))
	p.at = []domain.Sample{atOrBefore(p.quoted, p.latest)}
	for _, r := range returnSpans {
		p.at = append(p.at, atOrBefore(p.quoted, analytics.ReturnFrom(p.latest, r.span)))
	}
	high, low := analytics.HighLow(samplePoints(p.quoted))
	p.high, p.low = domain.Sample{Time: high.Time, Price: high.Value}, domain.Sample{Time: low.Time, Price: low.Value}
	if p.gran == domain.Hourly {
		p.hours = within(p.quoted, p.span)
		return nil
	}
	p.quotedDays(p.span)
	return nil
}

// quotedDays fills the candles and day ends of the quoted series over the days days touches.
func (p *coinPage) quotedDays(days domain.Range) {
	hours := within(p.quoted, domain.Days(days.FirstDay(), days.LastDay()))
	p.candles = domain.CandlesFromHours(hours, p.now, p.quoted[0].Time)
	p.ends = nil
	for i, h := range hours {
		if i == len(hours)-1 || !domain.UTCDay(hours[i+1].Time).Equal(domain.UTCDay(h.Time)) {
			p.ends = append(p.ends, h)
		}
	}
}

// quoteSamples divides a's hours by b's of the same hour: the price, and the market cap and
// volume alike (a market cap in BTC is the coin's USD market cap in bitcoins of that hour).
func quoteSamples(a, b []domain.Sample) []domain.Sample {
	quoted := analytics.Quote(samplePoints(a), samplePoints(b))
	out := make([]domain.Sample, 0, len(quoted))
	i := 0
	for _, q := range quoted {
		for !a[i].Time.Equal(q.Time) {
			i++
		}
		s := domain.Sample{Time: q.Time, Price: q.Value, MarketCap: per(a[i].MarketCap, q.Per), TotalVolume: per(a[i].TotalVolume, q.Per)}
		out = append(out, s)
	}
	return out
}

func per(v *float64, by float64) *float64 {
	if v == nil {
		return nil
	}
	x := *v / by
	return &x
}

// atOrBefore is the newest of hours (oldest first) at or before t, as store.PricesAt answers
// for a stored series; a zero Sample when the hours start later.
func atOrBefore(hours []domain.Sample, t time.Time) domain.Sample {
	i := sort.Search(len(hours), func(i int) bool { return hours[i].Time.After(t) })
	if i == 0 {
		return domain.Sample{}
	}
	return hours[i-1]
}

// within is the hours (oldest first) inside r.
func within(hours []domain.Sample, r domain.Range) []domain.Sample {
	lo := sort.Search(len(hours), func(i int) bool { return !hours[i].Time.Before(r.Start) })
	hi := sort.Search(len(hours), func(i int) bool { return !hours[i].Time.Before(r.End) })
	return hours[lo:hi]
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlierOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
