// Package domain holds the vocabulary every other package speaks: coins, currencies, series
// and samples, fetch runs, time ranges, the price query with its parsing and CSV form, and
// the errors (not found, unavailable, bad fields). It imports nothing from the project, so
// the store, the pipeline, the web layer and the pages depend on it without depending on each
// other.
package domain

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Coin is a CoinGecko coin as the dashboard knows it.
type Coin struct {
	ID     string
	Symbol string
	Name   string
	// CreatedAt is when the coin was first stored; zero until it is.
	CreatedAt time.Time
	// Rank is the coin's market-cap rank as of the last run that refreshed its metadata; 0
	// while unknown. The dashboard's coin picker offers the top coins first.
	Rank int
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

// MarshalText writes the series as String does, so that a map keyed by series (a run's drop
// counts) encodes as a JSON object keyed "bitcoin/usd".
func (s Series) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the form MarshalText writes.
func (s *Series) UnmarshalText(b []byte) error {
	coin, currency, ok := strings.Cut(string(b), "/")
	if !ok || coin == "" || currency == "" {
		return fmt.Errorf("series %q is not coin/currency", b)
	}
	*s = Series{CoinID: coin, CurrencyCode: currency}
	return nil
}

// Sample is one point as the source reported it. Time is zero when the source's timestamp was
// missing or unreadable, and Price NaN when the price was; BucketHourly drops and counts both.
// MarketCap and TotalVolume are nil when the source sent null or nothing for that instant.
type Sample struct {
	Time        time.Time
	Price       float64
	MarketCap   *float64
	TotalVolume *float64
}

// MaxPrice is the highest price stored. No asset trades anywhere near it in any currency, so a
// higher figure, however finite, is corrupt data; and the squares the database's aggregates
// keep of prices far above it overflow (a daily mean of 1e200 fails with SQLSTATE 22003).
const MaxPrice = 1e15

// ValidPrice reports whether p can be stored: a missing (NaN), non-finite, non-positive or
// implausibly high price is never a real quote, and storing it would corrupt every mean it
// joins.
func ValidPrice(p float64) bool {
	// NaN fails both comparisons and +Inf the second.
	return p > 0 && p <= MaxPrice
}

// Window is what one request to a source may bring back, and which of it is kept.
type Window struct {
	// Asked is where a plausible sample lies: from the start of the request to an hour past
	// its end (a live price may be stamped a little after the requester's clock). A sample
	// outside it is bad data, dropped and counted.
	Asked Range
	// Own is the part of Asked whose hours this window stores. A sample inside Asked but
	// outside Own is good data that belongs to a neighbouring window (the source's range is
	// inclusive, so the point at a closed window's end comes back); it is left to that window
	// and not counted.
	Own Range
}

// Drops counts the samples BucketHourly dropped, by reason, so that a series whose samples
// were all unusable can be failed with its likely cause.
type Drops struct {
	// Time counts samples whose timestamp was missing or unreadable.
	Time int
	// Early and Late count samples before Window.Asked and after it.
	Early, Late int
	// Seconds counts the early samples that would fall inside Window.Asked if their
	// timestamps were read as seconds rather than milliseconds.
	Seconds int
	// Price counts samples in time whose price is not ValidPrice.
	Price int
}

// Total is the number of samples dropped.
func (d Drops) Total() int { return d.Time + d.Early + d.Late + d.Price }

// Cause names the likely cause when every sample of an answer was dropped: one kind of fault
// usually explains all of them.
func (d Drops) Cause() string {
	total := d.Total()
	switch total {
	case 0:
		return "the source sent no samples"
	case d.Seconds:
		return "timestamps look like seconds, not milliseconds"
	case d.Early:
		return "every timestamp is before the window asked for"
	case d.Late:
		return "every timestamp is more than an hour after the window asked for (a clock ahead, or corrupt data)"
	case d.Price:
		return fmt.Sprintf("every price is missing, not positive or above %g", MaxPrice)
	case d.Time:
		return "every timestamp is missing or unreadable"
	}
	return fmt.Sprintf("%d before the window, %d after it, %d without a readable time, %d with an unusable price",
		d.Early, d.Late, d.Time, d.Price)
}

// BucketHourly is the one clean-up of a source's samples: it drops every sample that cannot
// be stored (a time outside keep.Asked or an invalid price), leaves those that belong to a
// neighbouring window, and turns the rest into one sample per UTC hour, stamped with the
// start of that hour. Within an hour the latest sample wins, and of two at the same instant
// the later one in the input, because CoinGecko's last point is the live price and the
// freshest figure is the one an analyst expects. The input need not be sorted and is not
// modified; the result is in ascending hour order, with what was dropped and why.
func BucketHourly(samples []Sample, keep Window) (hours []Sample, dropped Drops) {
	latest := make(map[int64]Sample, len(samples)/2+1)
	for _, s := range samples {
		switch {
		case s.Time.IsZero():
			dropped.Time++
			continue
		case s.Time.Before(keep.Asked.Start):
			dropped.Early++
			if keep.Asked.Contains(time.Unix(s.Time.UnixMilli(), 0)) {
				dropped.Seconds++
			}
			continue
		case !s.Time.Before(keep.Asked.End):
			dropped.Late++
			continue
		case !ValidPrice(s.Price):
			dropped.Price++
			continue
		case !keep.Own.Contains(s.Time):
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
	// SamplesDropped counts, per series that had any, the samples BucketHourly dropped as
	// unusable; a series that shows up here every run points at bad data upstream.
	SamplesDropped map[Series]int
	// HoursMissing counts, once the run has ended, the hours still missing inside the stored
	// ranges of its series: holes it asked for again and did not get, and holes CoinGecko
	// never fills. A run that succeeded may leave some; the status page says how many.
	HoursMissing int
}

// Fence is a run's hold on the run lease, the cluster-wide claim that makes it the only run:
// a number the database raises with every new claim (a fencing token). A run's writes carry
// it in their context (WithFence), and the store refuses each one, inside the write's own
// transaction, unless the lease is still held under that number and unexpired. So a run that
// lost its lease (its process paused, its network cut) cannot write even before it notices,
// and a write that passed the check commits before any later holder can claim the lease.
type Fence int64

type fenceKey struct{}

// WithFence returns ctx carrying fence, so that every store write made with it, by whatever
// method, is checked against the run lease.
func WithFence(ctx context.Context, fence Fence) context.Context {
	return context.WithValue(ctx, fenceKey{}, fence)
}

// FenceOf returns the fence ctx carries. Writes made without one (tests seeding data,
// operators' tools) are not checked.
func FenceOf(ctx context.Context) (Fence, bool) {
	f, ok := ctx.Value(fenceKey{}).(Fence)
	return f, ok
}

// RunClaim asks for a new fetch run together with the lease that makes it the only one.
type RunClaim struct {
	Trigger Trigger
	// Holder names the process asking (host and pid), for operators reading the lease.
	Holder string
	// TTL is how long the lease lasts unless renewed; a holder that vanishes frees it when
	// the TTL runs out, by the database's clock.
	TTL time.Duration
	// UnlessStartedSince, when set, declines the claim if any run started at or after it by
	// the database's clock: a scheduled slot is satisfied by such a run, whichever replica
	// started it.
	UnlessStartedSince time.Time
	// Reclaim takes the lease even from a live session when Holder holds it: the holder
	// knows it runs nothing, so the lease is one its own run left behind when a fault cut it
	// short before it could record its end.
	Reclaim bool
}

// MaxClockSkew is how far a replica's clock may be off the database's before it says so
// loudly, in its log and its health answer. Replicas agree on slots, days and ages anyway,
// since they all go by the database's clock.
const MaxClockSkew = 2 * time.Minute

// Lease is the run lease as the database holds it.
type Lease struct {
	Fence  Fence
	Holder string
	// ExpiresAt is when the lease lapses unless renewed, by the database's clock, and
	// Remaining how long that is from the moment it was read.
	ExpiresAt time.Time
	Remaining time.Duration
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
	// Market holds the coin's rank and supply as of UpdatedAt; nil fields were not sent.
	Market MarketData
}

// MarketData is what CoinGecko's /coins/{id} says of a coin's market beyond its prices: its
// market-cap rank and its circulating, total and maximum supply, in coins. A fully diluted
// value follows from a price and MaxSupply (TotalSupply when there is no maximum).
type MarketData struct {
	Rank                                *int
	CirculatingSupply, TotalSupply, Max *float64
}

// SeriesFreshness tells how far a stored series reaches, for the status page.
type SeriesFreshness struct {
	Series
	FirstHour time.Time
	LastHour  time.Time
	Hours     int64
}

// FreshnessReport is what the status page tells of how fresh the series are: counts over
// every series (each coin in each currency, stored or not), and the series of the coins it
// lists, which are all the coins or, past a limit, those needing attention first.
type FreshnessReport struct {
	// Coins is how many coins are stored, listed or not.
	Coins int
	// Series counts every coin in every currency; Missing those without a stored hour, and
	// Stale those whose newest hour is older than the report's limit.
	Series, Missing, Stale int64
	// Listed is every series of the listed coins, those without data included (zero times).
	Listed []SeriesFreshness
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
