// Package domain holds the vocabulary every other package speaks: coins, currencies, series
// and samples, fetch runs, time ranges, the price query with its parsing and CSV form, and
// the errors (not found, unavailable, bad fields). It imports nothing from the project, so
// the store, the pipeline, the web layer and the pages depend on it without depending on each
// other.
package domain

import (
	"math"
	"regexp"
	"sort"
	"time"
)

// Coin is a CoinGecko coin as the dashboard knows it.
type Coin struct {
	ID     string
	Symbol string
	Name   string
	// CreatedAt is when the coin was first stored; zero until it is.
	CreatedAt time.Time
}

// Currency is a fiat currency prices are quoted in; Code is lower case ("usd").
type Currency struct {
	Code string
	Name string
	// CreatedAt is when the currency was first stored; zero until it is.
	CreatedAt time.Time
}

var (
	coinIDPattern       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	currencyCodePattern = regexp.MustCompile(`^[a-z]{3,5}$`)
)

// ValidCoinID reports whether id has the shape of a CoinGecko coin id ("avalanche-2"):
// lower-case letters, digits and hyphens, not starting with a hyphen. It says nothing of
// whether such a coin exists, so configuration and requests can tell a typo of shape
// (refused) from a coin that is merely not stored (skipped).
func ValidCoinID(id string) bool { return coinIDPattern.MatchString(id) }

// ValidCurrencyCode reports whether code has the shape of a currency code as stored: 3 to 5
// lower-case letters, ISO 4217's three and the few longer units CoinGecko quotes in ("sats").
func ValidCurrencyCode(code string) bool { return currencyCodePattern.MatchString(code) }

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

// BucketHourly is the one clean-up of a source's samples: it drops every sample that cannot
// be stored (an invalid price, or a time outside keep) and turns the rest into one sample per
// UTC hour, stamped with the start of that hour. Within an hour the latest sample wins, and of
// two at the same instant the later one in the input, because CoinGecko's last point is the
// live price and the freshest figure is the one an analyst expects. The input need not be
// sorted and is not modified; the result is in ascending hour order, with the number of
// samples dropped.
func BucketHourly(samples []Sample, keep Range) (hours []Sample, dropped int) {
	latest := make(map[int64]Sample, len(samples)/2+1)
	for _, s := range samples {
		if !ValidPrice(s.Price) || !keep.Contains(s.Time) {
			dropped++
			continue
		}
		hour := s.Time.UTC().Truncate(time.Hour)
		key := hour.Unix()
		if prev, ok := latest[key]; ok && prev.Time.After(s.Time) {
			continue
		}
		latest[key] = s
	}
	hours = make([]Sample, 0, len(latest))
	for key, s := range latest {
		s.Time = time.Unix(key, 0).UTC()
		hours = append(hours, s)
	}
	sort.Slice(hours, func(i, j int) bool { return hours[i].Time.Before(hours[j].Time) })
	return hours, dropped
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
	ID         int64
	Trigger    Trigger
	Status     RunStatus
	StartedAt  time.Time
	FinishedAt *time.Time
	RunProgress
	Error string
}

// RunProgress is how far a run has come: series are coin x currency pairs, windows the
// CoinGecko requests they are fetched in, rows the hourly rows inserted or changed.
type RunProgress struct {
	SeriesTotal, SeriesDone, WindowsTotal, WindowsDone int
	RowsWritten                                        int64
}

// RunLock is the cluster-wide lock a fetch run holds while it works, so that replicas, the
// schedule and the cron endpoint together make one run at a time.
type RunLock interface {
	// Release frees the lock; it is safe to call once the lock is already lost.
	Release()
}

// Metadata is what the hover card shows about a coin. Description is CoinGecko's HTML as
// received, which the pipeline passes through package sanitize before storing it, and pages
// pass what they show of it through sanitize again. The details (Description, ImageURL,
// HomepageURL) are empty and UpdatedAt zero while CoinGecko's details of a stored coin have not
// been fetched.
type Metadata struct {
	CoinID      string
	Name        string
	Symbol      string
	Description string
	ImageURL    string
	HomepageURL string
	UpdatedAt   time.Time
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

// Catalog is what pages and price queries check names against and anchor ranges on: the
// stored coins (sorted by name), the stored currencies (sorted by code) and the newest stored
// hour of any series (zero while no price is stored). It changes only with the data version,
// so one copy serves every request of a version; its slices are shared and read only.
type Catalog struct {
	Coins      []Coin
	Currencies []Currency
	LatestHour time.Time
}

// DataVersion grows whenever stored prices or metadata change. Simulated is true once any
// stored price came from the CoinGecko simulator rather than CoinGecko.
type DataVersion struct {
	Version   int64
	Simulated bool
	ChangedAt time.Time
}
