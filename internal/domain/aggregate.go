package domain

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/cryptodash/cryptodash/internal/analytics"
)

// Group is one line of a breakdown: the series that share its coin and currency (the fields
// outside the breakdown are empty), with its points in time order, or one point (with a zero
// Time) for the whole range when the breakdown has no Date. Each point's Price is the mean of
// the members' prices, which has a unit only when they share a currency; its Change is the
// mean of the members' changes, each from its own first value, so coins priced a million
// times apart weigh the same.
type Group struct {
	CoinID       string
	CurrencyCode string
	Members      []Series
	Points       []PriceRow
	// LeftOut counts the times left out because a member had no value yet: a mean over a
	// different set of series would jump for no reason in the market.
	LeftOut int
}

// Aggregate groups the per-series rows of a range (a price query broken down by every
// dimension) by b, so that every number means what it says:
//   - each series' change is measured from its first value in the rows, which is its first
//     value at or after the range start;
//   - a series missing a time carries its previous value forward, so a gap in one series does
//     not move the group's mean; times before some member's first value are left out of its
//     group and counted;
//   - a group's price and change are the means of its members' (a change is unit-free, a
//     price is not: the caller keeps currencies apart in prices, see Breakdown).
//
// Without Date in b, each group gets one point for the whole range: the mean over its times,
// and the members' mean change from first to last value. Groups come in coin, then currency
// order.
func Aggregate(rows []PriceRow, b Breakdown) []Group {
	var times []time.Time
	type value struct {
		price   float64
		hours   int
		partial bool
	}
	own := map[Series]map[time.Time]value{}
	for _, r := range rows {
		s := Series{CoinID: r.CoinID, CurrencyCode: r.CurrencyCode}
		if own[s] == nil {
			own[s] = map[time.Time]value{}
		}
		own[s][r.Time] = value{r.Price, r.Hours, r.Partial}
		times = append(times, r.Time)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	times = slices.CompactFunc(times, func(a, b time.Time) bool { return a.Equal(b) })

	// Each series on the common times: its own value, or the last one carried forward.
	type filled struct {
		price, change         float64
		hours                 int
		has, carried, partial bool
	}
	lines := make(map[Series][]filled, len(own))
	for s, vals := range own {
		line := make([]filled, len(times))
		var last, base float64
		seen := false
		for i, t := range times {
			if v, ok := vals[t]; ok {
				if !seen {
					base, seen = v.price, true
				}
				last = v.price
				line[i] = filled{price: v.price, hours: v.hours, has: true, partial: v.partial}
			} else if seen {
				line[i] = filled{price: last, has: true, carried: true}
			}
			if line[i].has {
				line[i].change = analytics.Change(base, line[i].price)
			}
		}
		lines[s] = line
	}

	index := map[Series]int{}
	var groups []Group
	for _, s := range slices.SortedFunc(maps.Keys(own), func(a, b Series) int {
		return cmp.Or(cmp.Compare(a.CoinID, b.CoinID), cmp.Compare(a.CurrencyCode, b.CurrencyCode))
	}) {
		var key Series
		if b.Coin {
			key.CoinID = s.CoinID
		}
		if b.Currency {
			key.CurrencyCode = s.CurrencyCode
		}
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, Group{CoinID: key.CoinID, CurrencyCode: key.CurrencyCode})
		}
		groups[i].Members = append(groups[i].Members, s)
	}

	for gi := range groups {
		g := &groups[gi]
		var over []PriceRow
		for i, t := range times {
			p := PriceRow{CoinID: g.CoinID, CurrencyCode: g.CurrencyCode, Time: t, Hours: 24}
			complete := true
			for _, s := range g.Members {
				v := lines[s][i]
				if !v.has {
					complete = false
					break
				}
				p.Price += v.price
				p.Change += v.change
				p.Hours = min(p.Hours, v.hours)
				p.Filled = p.Filled || v.carried
				p.Partial = p.Partial || v.partial
			}
			if !complete {
				g.LeftOut++
				continue
			}
			n := float64(len(g.Members))
			p.Price /= n
			p.Change /= n
			over = append(over, p)
		}
		if b.Date {
			g.Points = over
			continue
		}
		if len(over) == 0 {
			continue
		}
		whole := PriceRow{CoinID: g.CoinID, CurrencyCode: g.CurrencyCode, Hours: 24, Change: over[len(over)-1].Change}
		for _, p := range over {
			whole.Price += p.Price
			whole.Hours = min(whole.Hours, p.Hours)
			whole.Filled = whole.Filled || p.Filled
			whole.Partial = whole.Partial || p.Partial
		}
		whole.Price /= float64(len(over))
		g.Points = []PriceRow{whole}
	}
	return groups
}
