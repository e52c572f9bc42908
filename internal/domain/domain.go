// Package domain holds the plain types every other package speaks in: coins, currencies,
// prices, fetch runs and the price query. It imports nothing from the project so that the
// store, the pipeline and the web layer can all depend on it without depending on each other.
package domain

import (
	"errors"
	"math"
	"sort"
	"time"
)

// ErrNotFound is returned by the store when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrUnavailable marks errors that say "not now" rather than "never": the process is shutting
// down or a dependency is away. The web layer answers them with 503 so callers retry.
var ErrUnavailable = errors.New("temporarily unavailable")

// Coin is a CoinGecko coin as the dashboard knows it.
type Coin struct {
	ID     string
	Symbol string
	Name   string
}

// Currency is a fiat currency prices are quoted in; Code is lower case ("usd").
type Currency struct {
	Code string
	Name string
}

// Series names one coin priced in one currency: the unit the pipeline fetches and stores.
type Series struct {
	CoinID       string
	CurrencyCode string
}

// String gives the series as "bitcoin/usd", the form used in logs and run errors.
func (s Series) String() string { return s.CoinID + "/" + s.CurrencyCode }

// Sample is one point as the source reported it. MarketCap and TotalVolume are nil when the
// source sent null or nothing for that instant.
type Sample struct {
	Time        time.Time
	Price       float64
	MarketCap   *float64
	TotalVolume *float64
}

// ValidPrice reports whether p can be stored: a missing, non-finite or non-positive price is
// never a real quote, and storing it as a number would corrupt every mean it joins.
func ValidPrice(p float64) bool {
	return p > 0 && !math.IsInf(p, 0) && !math.IsNaN(p)
}

// BucketHourly turns samples into one sample per UTC hour, stamped with the start of that
// hour. Within an hour the latest sample wins, because CoinGecko's last point is the live price
// and the freshest figure is the one an analyst expects. Invalid prices are dropped; the input
// need not be sorted and is not modified. The result is in ascending hour order.
func BucketHourly(samples []Sample) []Sample {
	latest := make(map[int64]Sample, len(samples)/2+1)
	for _, s := range samples {
		if !ValidPrice(s.Price) {
			continue
		}
		hour := s.Time.UTC().Truncate(time.Hour)
		key := hour.Unix()
		if prev, ok := latest[key]; ok && prev.Time.After(s.Time) {
			continue
		}
		latest[key] = s
	}
	out := make([]Sample, 0, len(latest))
	for key, s := range latest {
		s.Time = time.Unix(key, 0).UTC()
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// UTCDay returns the start of the UTC day holding t: days are UTC everywhere in cryptodash,
// in the daily rows, the API's dates and the dashboard's ranges.
func UTCDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Trigger says what started a fetch run.
type Trigger string

// The triggers a run can have; they are stored in fetch_runs.trigger.
const (
	TriggerSchedule Trigger = "schedule"
	TriggerCron     Trigger = "cron"
	TriggerCLI      Trigger = "cli"
	TriggerStartup  Trigger = "startup"
)

// RunStatus is where a fetch run stands; it is stored in fetch_runs.status.
type RunStatus string

// The statuses of a fetch run. Partial means some series failed and are named in the error.
const (
	RunRunning   RunStatus = "running"
	RunSucceeded RunStatus = "succeeded"
	RunPartial   RunStatus = "partial"
	RunFailed    RunStatus = "failed"
)

// FetchRun is one row of fetch_runs: a pipeline run and its progress.
type FetchRun struct {
	ID           int64
	Trigger      Trigger
	Status       RunStatus
	StartedAt    time.Time
	FinishedAt   *time.Time
	SeriesTotal  int
	SeriesDone   int
	WindowsTotal int
	WindowsDone  int
	RowsWritten  int64
	Error        string
}

// Metadata is what the hover card shows about a coin. Description is CoinGecko's HTML as
// received; it must be sanitised before it reaches a page.
type Metadata struct {
	CoinID      string
	Name        string
	Symbol      string
	Description string
	ImageURL    string
	HomepageURL string
	UpdatedAt   time.Time
}

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

// Breakdown says which dimensions a price query groups by; the price of each group is the
// mean of its members.
type Breakdown struct {
	Date     bool
	Coin     bool
	Currency bool
}

// PriceQuery asks for mean prices of some coins in some currencies between two UTC dates,
// both inclusive.
type PriceQuery struct {
	CoinIDs       []string
	CurrencyCodes []string
	From          time.Time
	To            time.Time
	// Start and End, when both are set, narrow an hourly query to the hours in [Start, End)
	// instead of the whole days From..To. A rolling 24-hour window spans parts of two days,
	// and a group without the date in its breakdown must average only those 24 hours, so the
	// bounds have to apply before grouping, not to the rows afterwards. Daily queries reject
	// them.
	Start       time.Time
	End         time.Time
	Breakdown   Breakdown
	Granularity Granularity
}

// HasHourBounds reports whether q narrows its hours with Start and End.
func (q PriceQuery) HasHourBounds() bool { return !q.Start.IsZero() || !q.End.IsZero() }

// PriceRow is one group of a price query's answer. Fields outside the breakdown are zero.
type PriceRow struct {
	CoinID       string
	CurrencyCode string
	Time         time.Time
	Price        float64
}

// SeriesFreshness tells how far a stored series reaches, for the status page.
type SeriesFreshness struct {
	Series
	FirstHour time.Time
	LastHour  time.Time
	Hours     int64
}

// Counts are the row counts the health endpoint reports.
type Counts struct {
	Coins       int64
	Currencies  int64
	HourlyRows  int64
	DailyRows   int64
	MetadataRow int64
	FetchRuns   int64
}

// DataVersion grows whenever stored prices or metadata change. Simulated is true once any
// stored price came from the CoinGecko simulator rather than CoinGecko.
type DataVersion struct {
	Version   int64
	Simulated bool
	ChangedAt time.Time
}
