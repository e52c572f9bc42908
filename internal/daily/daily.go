// Package daily holds every series' daily mean prices in memory, one copy per data version,
// and answers daily price queries from it. The daily rows change once a day (or once per
// fetch run), while a dashboard or API miss asked PostgreSQL to group them again for every
// new question: holding them costs one bulk read per version and some 9 bytes a day of a
// series (33 MB at 1,000 coins x 10 currencies x 365 days), and leaves a miss only its
// rendering. Hourly queries, a range of a few days by index, still go to PostgreSQL.
package daily

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// DefaultBudget is the memory the held series may take when New gets no budget: twice the
// 1,000 x 10 x 365-day catalogue. A database past it is answered from PostgreSQL, as before.
const DefaultBudget = 64 << 20

// Source is what the cache reads: *store.Store satisfies it.
type Source interface {
	DataVersion(ctx context.Context) (domain.DataVersion, error)
	DailyPrices(ctx context.Context, each func(domain.DailyPrice) error) (int64, map[domain.Series]time.Time, error)
	Prices(ctx context.Context, q domain.PriceQuery) ([]domain.PriceRow, error)
}

// Cache answers price queries: daily ones from the series held for the current data
// version, hourly ones (and all of them while the series outgrow the budget) from Source.
type Cache struct {
	src    Source
	budget int64
	logger *slog.Logger
	flight singleflight.Group

	// now is time.Now; a test moves it to see when reads may start.
	now func() time.Time

	mu   sync.Mutex
	held *snapshot
	// rested is when current may start the next read: a read that took d keeps the next one
	// back for readPause times d after it ended.
	rested time.Time
}

// readPause keeps a cache's reads to at most a fifth of the time: a fetch run bumps the data
// version every few seconds, and at 1,000 coins x 10 currencies a read takes seconds, so
// reading at every bump would keep a core busy for the whole run and make a run's cost to the
// readers grow with the square of the series. Between reads PostgreSQL answers, as it does
// while a read is going.
const readPause = 4

// New returns a Cache reading src, holding at most budget bytes of series (DefaultBudget when
// zero or less).
func New(src Source, budget int64, logger *slog.Logger) *Cache {
	if budget <= 0 {
		budget = DefaultBudget
	}
	return &Cache{src: src, budget: budget, logger: logger, now: time.Now}
}

// snapshot is every series' daily prices as of one data version. over is set, and series
// left empty, when they did not fit the budget.
type snapshot struct {
	version int64
	series  map[domain.Series]*daySeries
	bytes   int64
	over    bool
}

// daySeries is one series' days from its first daily row to its last, one slot a day; a day
// without a row has zero hours.
type daySeries struct {
	first int // days since 1970-01-01 of the first slot
	price []float64
	hours []uint8
	// cut is the day the start of the stored history cuts (its first hour is not 00:00), or
	// -1: with today, the only incomplete days (see domain.Candle.Partial).
	cut int
}

// loadTimeout bounds the shared read of a version's series: some 3.7 million rows at 1,000
// coins x 10 currencies x 365 days.
const loadTimeout = time.Minute

// slotBytes is what a day of a series costs: its price and its hours.
const slotBytes = 9

// seriesOverhead is what a series costs beside its days: its map slot, key and headers.
const seriesOverhead = 160

// fit gives a series read whole arrays of its exact length: appending left up to twice that.
func (ds *daySeries) fit() {
	if ds != nil && cap(ds.price) > len(ds.price) {
		ds.price, ds.hours = slices.Clone(ds.price), slices.Clone(ds.hours)
	}
}

func dayNumber(t time.Time) int { return int(t.Unix() / 86400) }

func dayTime(n int) time.Time { return time.Unix(int64(n)*86400, 0).UTC() }

// Bytes reports the memory the series of the current data version take, counted as their
// slots and a fixed overhead each, and whether they are held at all (false past the budget),
// reading them first if they are not held yet.
func (c *Cache) Bytes(ctx context.Context) (int64, bool, error) {
	v, err := c.src.DataVersion(ctx)
	if err != nil {
		return 0, false, err
	}
	for range 3 {
		c.mu.Lock()
		s := c.held
		c.mu.Unlock()
		if s != nil && s.version >= v.Version {
			return s.bytes, !s.over, nil
		}
		// A read that started before this version was known may return an older one; the
		// database's version only grows, so the next read is newer.
		select {
		case <-ctx.Done():
			return 0, false, fmt.Errorf("daily series: %w", ctx.Err())
		case r := <-c.read():
			if r.Err != nil {
				return 0, false, r.Err
			}
		}
	}
	return 0, false, fmt.Errorf("daily series: version %d not read", v.Version)
}

// HeldVersion is the data version whose series are held, 0 before any: while it trails the
// database's, daily queries go to PostgreSQL. A metric shows it, so an operator (or a bench
// timing misses after a new version) can tell when answers come from memory again.
func (c *Cache) HeldVersion() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held == nil || c.held.over {
		return 0
	}
	return c.held.version
}

// Prices answers q as store.Store.Prices does: daily queries from memory, to the same rows,
// the means summed in coin, currency and date order (SQL's order is the plan's, so the last
// bit of a mean of several rows may differ); hourly ones from Source, and daily ones too
// while the current version's series are being read or do not fit the budget.
func (c *Cache) Prices(ctx context.Context, q domain.PriceQuery) ([]domain.PriceRow, error) {
	if q.Granularity != domain.Daily {
		return c.src.Prices(ctx, q)
	}
	if q.Range.Empty() {
		return nil, fmt.Errorf("prices: %s is not a range", q.Range)
	}
	s, err := c.current(ctx)
	if err != nil {
		return nil, err
	}
	if s == nil || s.over {
		return c.src.Prices(ctx, q)
	}
	return s.prices(q), nil
}

// current returns the series of the current data version, or nil while they are being read.
// The first request of a new version starts the read (once the last read's pause is over) and,
// like every request until it ends, is answered by PostgreSQL as before: a read of a large catalogue takes seconds, and no
// request should wait for it.
func (c *Cache) current(ctx context.Context) (*snapshot, error) {
	v, err := c.src.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	s := c.held
	c.mu.Unlock()
	if s != nil && s.version >= v.Version {
		return s, nil
	}
	if c.mayRead() {
		c.read()
	}
	return nil, nil
}

// mayRead reports whether the pause after the last read (see readPause) is over.
func (c *Cache) mayRead() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.now().Before(c.rested)
}

// read starts reading the series as they are now, unless a read is going already, and
// returns the channel its result arrives on. The read outlives the request that started it,
// but not loadTimeout: one stuck on a database that stopped answering would stop every later
// version from being read.
func (c *Cache) read() <-chan singleflight.Result {
	return c.flight.DoChan("load", func() (any, error) {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		start := c.now()
		s, err := c.load(ctx)
		end := c.now()
		c.mu.Lock()
		c.rested = end.Add(readPause * end.Sub(start))
		c.mu.Unlock()
		if err != nil {
			c.logger.Warn("daily series not read; PostgreSQL answers until they are", "err", err)
			return nil, err
		}
		c.mu.Lock()
		if c.held == nil || s.version > c.held.version {
			c.held = s
		}
		c.mu.Unlock()
		return s, nil
	})
}

// load reads every daily row once, into one array a series.
func (c *Cache) load(ctx context.Context) (*snapshot, error) {
	start := time.Now()
	s := &snapshot{series: map[domain.Series]*daySeries{}}
	var cur *daySeries
	var curSeries domain.Series
	errOver := fmt.Errorf("daily series past their budget of %d bytes", c.budget)
	version, firstHours, err := c.src.DailyPrices(ctx, func(d domain.DailyPrice) error {
		if cur == nil || d.Series != curSeries {
			cur.fit()
			cur = &daySeries{first: dayNumber(d.Date), cut: -1}
			curSeries = d.Series
			s.series[d.Series] = cur
			s.bytes += seriesOverhead
		}
		i := dayNumber(d.Date) - cur.first
		if i < len(cur.price) {
			return fmt.Errorf("daily prices: %s on %s out of order", d.Series, d.Date.Format(domain.DayLayout))
		}
		if d.Hours < 0 || d.Hours > 255 {
			return fmt.Errorf("daily prices: %s on %s holds %d hours", d.Series, d.Date.Format(domain.DayLayout), d.Hours)
		}
		s.bytes += int64(i+1-len(cur.price)) * slotBytes
		if s.bytes > c.budget {
			return errOver
		}
		for len(cur.price) < i {
			cur.price, cur.hours = append(cur.price, 0), append(cur.hours, 0)
		}
		cur.price, cur.hours = append(cur.price, d.Price), append(cur.hours, uint8(d.Hours))
		return nil
	})
	if err != nil && !errors.Is(err, errOver) {
		return nil, err
	}
	cur.fit()
	s.version = version
	if err != nil {
		c.logger.Warn("daily series are answered from PostgreSQL: they outgrow the memory set aside for them",
			"budget_bytes", c.budget, "version", version)
		return &snapshot{version: version, over: true}, nil
	}
	for sr, first := range firstHours {
		if ds := s.series[sr]; ds != nil && !first.Equal(domain.UTCDay(first)) {
			ds.cut = dayNumber(first)
		}
	}
	c.logger.Info("daily series held", "version", version, "series", len(s.series), "bytes", s.bytes,
		"took", time.Since(start).String())
	return s, nil
}

// group is one row of an answer being summed.
type group struct {
	sum     float64
	n       int32
	hours   int32
	partial bool
}

// prices groups the held days of q's series in q's range by q's breakdown. The groups sit in
// one array in the answer's order (date, coin, currency, with the coins and currencies
// sorted), so nothing is hashed or sorted per row.
func (s *snapshot) prices(q domain.PriceQuery) []domain.PriceRow {
	from, to := dayNumber(q.Range.FirstDay()), dayNumber(q.Range.LastDay())
	today := dayNumber(domain.UTCDay(q.Today))
	b := q.Breakdown
	coins := slices.Compact(slices.Sorted(slices.Values(q.CoinIDs)))
	currencies := slices.Compact(slices.Sorted(slices.Values(q.CurrencyCodes)))
	held := make([]*daySeries, len(coins)*len(currencies))
	// The days any chosen series holds, so a range reaching far past the data costs nothing.
	lo, hi := to+1, from-1
	for i, coin := range coins {
		for j, currency := range currencies {
			ds := s.series[domain.Series{CoinID: coin, CurrencyCode: currency}]
			if ds == nil {
				continue
			}
			held[i*len(currencies)+j] = ds
			lo, hi = min(lo, max(from, ds.first)), max(hi, min(to, ds.first+len(ds.price)-1))
		}
	}
	if lo > hi {
		return nil
	}
	nd, nc, ncur := 1, 1, 1
	if b.Date {
		nd = hi - lo + 1
	}
	if b.Coin {
		nc = len(coins)
	}
	if b.Currency {
		ncur = len(currencies)
	}
	groups := make([]group, nd*nc*ncur)
	for i := range coins {
		for j := range currencies {
			ds := held[i*len(currencies)+j]
			if ds == nil {
				continue
			}
			gi, gj := 0, 0
			if b.Coin {
				gi = i
			}
			if b.Currency {
				gj = j
			}
			for d := max(lo, ds.first); d <= min(hi, ds.first+len(ds.price)-1); d++ {
				k := d - ds.first
				h := ds.hours[k]
				if h == 0 {
					continue
				}
				gd := 0
				if b.Date {
					gd = d - lo
				}
				g := &groups[(gd*nc+gi)*ncur+gj]
				if g.n == 0 || int32(h) < g.hours {
					g.hours = int32(h)
				}
				g.sum += ds.price[k]
				g.n++
				g.partial = g.partial || d >= today || d == ds.cut
			}
		}
	}
	// Sized for every group at once: grown row by row, a one-year answer's rows were copied
	// and cleared a dozen times over.
	out := make([]domain.PriceRow, 0, len(groups))
	for gd := range nd {
		for gi := range nc {
			for gj := range ncur {
				g := groups[(gd*nc+gi)*ncur+gj]
				if g.n == 0 {
					continue
				}
				r := domain.PriceRow{Price: g.sum / float64(g.n), Hours: int(g.hours), Partial: g.partial}
				if b.Date {
					r.Time = dayTime(lo + gd)
				}
				if b.Coin {
					r.CoinID = coins[gi]
				}
				if b.Currency {
					r.CurrencyCode = currencies[gj]
				}
				out = append(out, r)
			}
		}
	}
	return out
}
