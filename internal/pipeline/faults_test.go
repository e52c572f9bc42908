package pipeline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/coingecko"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/pipeline"
	"github.com/cryptodash/cryptodash/internal/simulator"
)

func series(coin, currency string) domain.Series {
	return domain.Series{CoinID: coin, CurrencyCode: currency}
}

func TestPipeline_BadSamples(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.sim.SetFaults(simulator.Faults{Corrupt: map[string]simulator.Corruption{
		"bitcoin/usd":  simulator.CorruptFuture,
		"bitcoin/try":  simulator.CorruptHugePrice,
		"dogecoin/usd": simulator.CorruptSeconds,
	}})
	p := f.pipeline(ctx, []string{"bitcoin", "dogecoin"}, 30)
	report, err := p.Run(ctx, domain.TriggerCLI, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := report.Run
	if run.Status != domain.RunPartial {
		t.Fatalf("run = %+v, want partial: one series sent nothing usable", run)
	}

	t.Run("a series with no usable sample fails, naming the likely cause", func(t *testing.T) {
		err, ok := report.Failed[series("dogecoin", "usd")]
		if !ok || len(report.Failed) != 1 {
			t.Fatalf("failed series %v, want dogecoin/usd alone", report.Failed)
		}
		if !strings.Contains(err.Error(), "timestamps look like seconds, not milliseconds") ||
			!strings.Contains(run.Error, "timestamps look like seconds") {
			t.Errorf("error %q, run error %q: the cause is not named", err, run.Error)
		}
		if n := f.count(`SELECT count(*) FROM prices_hourly WHERE coin_id = 'dogecoin' AND currency_code = 'usd'`); n != 0 {
			t.Errorf("%d rows stored from timestamps in seconds", n)
		}
	})
	t.Run("bad samples are dropped one by one and counted per series", func(t *testing.T) {
		if future := f.count(`SELECT count(*) FROM prices_hourly WHERE "timestamp" > $1`, f.now); future != 0 {
			t.Errorf("%d hours stored after now", future)
		}
		if huge := f.count(`SELECT count(*) FROM prices_hourly WHERE price > $1`, domain.MaxPrice); huge != 0 {
			t.Errorf("%d prices above %g stored", huge, domain.MaxPrice)
		}
		for _, s := range []domain.Series{series("bitcoin", "usd"), series("bitcoin", "try"), series("dogecoin", "try")} {
			if n := f.count(`SELECT count(*) FROM prices_hourly WHERE coin_id = $1 AND currency_code = $2`, s.CoinID, s.CurrencyCode); n < 30*24*9/10 {
				t.Errorf("%s: %d hours stored, want nearly 30 days", s, n)
			}
		}
		stored, err := f.store.Run(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []map[domain.Series]int{run.SamplesDropped, stored.SamplesDropped} {
			if got[series("bitcoin", "usd")] != 1 || got[series("bitcoin", "try")] != 1 || got[series("dogecoin", "try")] != 0 ||
				got[series("dogecoin", "usd")] < 30*24*9/10 {
				t.Errorf("samples dropped %v, want 1 for bitcoin/usd and bitcoin/try, every one of dogecoin/usd", got)
			}
		}
	})
	t.Run("a day later the series with a future sample updates again", func(t *testing.T) {
		f.sim.SetFaults(simulator.Faults{})
		f.advance(24 * time.Hour)
		before := f.count(`SELECT count(*) FROM prices_hourly WHERE coin_id = 'bitcoin' AND currency_code = 'usd'`)
		next, err := p.Run(ctx, domain.TriggerSchedule, nil)
		if err != nil || next.Run.Status != domain.RunSucceeded {
			t.Fatalf("next run = %+v, %v", next.Run, err)
		}
		if gained := f.count(`SELECT count(*) FROM prices_hourly WHERE coin_id = 'bitcoin' AND currency_code = 'usd'`) - before; gained < 23 {
			t.Errorf("bitcoin/usd gained %d hours in a day", gained)
		}
	})
}

// inflating stores one series' prices multiplied far beyond any real price, past the check
// of domain.ValidPrice, so that the database itself refuses them: its check of prices
// (SQLSTATE 23514) holds the same bound.
type inflating struct {
	pipeline.Store
	series domain.Series
}

func (s inflating) StoreHourly(ctx context.Context, sr domain.Series, hours []domain.Sample) (int64, error) {
	if sr == s.series {
		hours = append([]domain.Sample(nil), hours...)
		for i := range hours {
			hours[i].Price *= 1e195
		}
	}
	return s.Store.StoreHourly(ctx, sr, hours)
}

func TestPipeline_RejectedDataFailsOnlyItsSeries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	bad := series("bitcoin", "try")
	p := f.custom(ctx, coingecko.Config{}, pipeline.Options{Store: inflating{f.store, bad},
		Coins: []string{"bitcoin", "dogecoin"}, HistoryDays: 365})
	report, err := p.Run(ctx, domain.TriggerCLI, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := report.Run
	failure, ok := report.Failed[bad]
	if run.Status != domain.RunPartial || !ok || len(report.Failed) != 1 {
		t.Fatalf("run = %+v, failed %v; want partial with %s alone", run, report.Failed, bad)
	}
	if !strings.Contains(failure.Error(), "23514") {
		t.Errorf("failure %q does not carry the database's refusal", failure)
	}
	if run.WindowsDone != run.WindowsTotal || run.SeriesDone != 4 {
		t.Errorf("progress %+v: every other series must finish", run.RunProgress)
	}
	for _, s := range []domain.Series{series("bitcoin", "usd"), series("dogecoin", "usd"), series("dogecoin", "try")} {
		first := f.count(`SELECT count(*) FROM prices_hourly WHERE coin_id = $1 AND currency_code = $2 AND "timestamp" < $3`,
			s.CoinID, s.CurrencyCode, f.now.AddDate(0, 0, -360))
		if first == 0 {
			t.Errorf("%s stops short of its history: its older windows were not fetched", s)
		}
	}
	if n := f.count(`SELECT count(*) FROM prices_hourly WHERE coin_id = 'bitcoin' AND currency_code = 'try'`); n != 0 {
		t.Errorf("%d rows of the rejected series stored", n)
	}
}

func TestPipeline_429StormEndsPartialAndTheNextRunResumes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	// Two windows go through, then every call is answered 429 with CoinGecko's two minutes.
	f.mu.Lock()
	f.onChart = func(n int) {
		if n == 3 {
			f.sim.SetFaults(simulator.Faults{Fail429: 1 << 20, RetryAfterSeconds: 119})
		}
	}
	f.mu.Unlock()
	cfg := coingecko.Config{MaxAttempts: 5, BreakAfter429: 3, MaxRetryAfter: 10 * time.Millisecond}
	opts := pipeline.Options{Coins: []string{"bitcoin", "dogecoin"}, HistoryDays: 365, Workers: 1}
	report, err := f.custom(ctx, cfg, opts).Run(ctx, domain.TriggerCLI, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := report.Run
	if run.Status != domain.RunPartial || !strings.Contains(run.Error, "429") || !strings.Contains(run.Error, "COINGECKO_MAX_CONSECUTIVE_429") {
		t.Fatalf("run = %+v, want partial naming the 429s", run)
	}
	if run.WindowsDone != 2 || run.RowsWritten == 0 {
		t.Errorf("progress %+v, want the 2 windows before the storm kept", run.RunProgress)
	}
	if len(report.Failed) != 0 {
		t.Errorf("series failed %v: a storm is no fault of a series", report.Failed)
	}
	if got := f.sim.Calls().MarketChart; got > 2+3 {
		t.Errorf("%d market-chart calls, want the 2 good ones and 3 answered 429", got)
	}

	f.mu.Lock()
	f.onChart = nil
	f.mu.Unlock()
	f.sim.SetFaults(simulator.Faults{})
	time.Sleep(20 * time.Millisecond) // the breaker's pause is the capped Retry-After, 10 ms
	next, err := f.custom(ctx, cfg, opts).Run(ctx, domain.TriggerCron, nil)
	if err != nil || next.Run.Status != domain.RunSucceeded {
		t.Fatalf("next run = %+v, %v", next.Run, err)
	}
	if n := f.count(`SELECT count(DISTINCT (coin_id, currency_code)) FROM prices_hourly WHERE "timestamp" < $1`, f.now.AddDate(0, 0, -360)); n != 4 {
		t.Errorf("%d series reach back a year after the resumed run, want 4", n)
	}
}

func TestPipeline_RunTimeoutEndsPartialAndTheNextRunResumes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	// 20 windows at 200 ms each, 4 at a time, cannot fit in 500 ms.
	f.sim.SetFaults(simulator.Faults{Slow: 200 * time.Millisecond})
	opts := pipeline.Options{Coins: []string{"bitcoin", "dogecoin"}, HistoryDays: 365, RunTimeout: 500 * time.Millisecond}
	report, err := f.custom(ctx, coingecko.Config{}, opts).Run(ctx, domain.TriggerCLI, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := report.Run
	if run.Status != domain.RunPartial || !strings.Contains(run.Error, "FETCH_RUN_TIMEOUT") {
		t.Fatalf("run = %+v, want partial at the time limit", run)
	}
	if stored := f.count(`SELECT count(*) FROM prices_hourly`); stored != run.RowsWritten {
		t.Errorf("%d rows stored, the run says %d", stored, run.RowsWritten)
	}
	f.sim.SetFaults(simulator.Faults{})
	opts.RunTimeout = 0
	next, err := f.custom(ctx, coingecko.Config{}, opts).Run(ctx, domain.TriggerCron, nil)
	if err != nil || next.Run.Status != domain.RunSucceeded {
		t.Fatalf("next run = %+v, %v", next.Run, err)
	}
	if n := f.count(`SELECT count(DISTINCT (coin_id, currency_code)) FROM prices_hourly WHERE "timestamp" < $1`, f.now.AddDate(0, 0, -360)); n != 4 {
		t.Errorf("%d series reach back a year after the resumed run, want 4", n)
	}
}

// A listing whose names carry a NUL (which PostgreSQL refuses in text), control characters
// and 64 KB of name stores each coin with its name and symbol cleaned and bounded, and
// the run goes on.
func TestPipeline_HostileCoinNames(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.sim.SetFaults(simulator.Faults{HostileNames: true})
	report, err := f.pipeline(ctx, []string{"bitcoin", "dogecoin"}, 3).Run(ctx, domain.TriggerCLI, nil)
	if err != nil {
		t.Fatal(err)
	}
	if report.Run.Status != domain.RunSucceeded {
		t.Fatalf("run %s: %s", report.Run.Status, report.Run.Error)
	}
	coins, err := f.store.Coins(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(coins) != 2 {
		t.Fatalf("stored coins %+v, want bitcoin and dogecoin", coins)
	}
	for _, c := range coins {
		if len(c.Name) > 200 || len(c.Symbol) > 40 || strings.ContainsAny(c.Name+c.Symbol, "\x00\x1b") {
			t.Errorf("%s stored with a %d-byte name and symbol %q", c.ID, len(c.Name), c.Symbol)
		}
		if !strings.HasPrefix(c.Name, map[string]string{"bitcoin": "Bitcoin ", "dogecoin": "Dogecoin "}[c.ID]) {
			t.Errorf("%s stored as %.40q", c.ID, c.Name)
		}
	}
}
