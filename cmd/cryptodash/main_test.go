package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/pipeline"
	"github.com/cryptodash/cryptodash/internal/simulator"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
)

// envOf turns a map into the getenv run takes, so tests never touch the process environment.
func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestRun_BadConfigNamesTheVariable(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve"}, envOf(map[string]string{
		"PORT": "http", "COINGECKO_API_KEY": "CG-secret-key",
	}), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "PORT: accepts a whole number") {
		t.Fatalf("err = %v, want PORT named with what it accepts", err)
	}
	if strings.Contains(err.Error()+out.String()+errOut.String(), "CG-secret-key") {
		t.Error("the API key appears in the output")
	}
}

func TestRun_ConfigMasksSecrets(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"config"}, envOf(map[string]string{
		"CRON_SECRET": "cron-secret-value", "COINGECKO_API_KEY": "CG-secret-key",
		"DATABASE_URL": "postgres://app@db.internal/cryptodash?sslmode=require&password=db-secret-value",
	}), &out, &out)
	if err != nil {
		t.Fatal(err)
	}
	if s := out.String(); strings.Contains(s, "cron-secret-value") || strings.Contains(s, "CG-secret-key") ||
		strings.Contains(s, "db-secret-value") || !strings.Contains(s, "db.internal") ||
		!strings.Contains(s, "CRON_SECRET=(set)") || !strings.Contains(s, `FETCH_SCHEDULE="0 2 * * *"`) {
		t.Errorf("config output:\n%s", s)
	}
}

func TestRun_FetchExitStatus(t *testing.T) {
	sim, simAPI := simulatorAPI(t)
	env := map[string]string{
		"DATABASE_URL":         storetest.NewMigratedURL(t),
		"COINGECKO_BASE_URL":   simAPI,
		"COINGECKO_RATE_LIMIT": "0",
		"COINS":                "bitcoin,dogecoin",
		"CURRENCIES":           "usd,eur",
		"HISTORY_DAYS":         "10",
	}
	fetch := func(t *testing.T) (string, error) {
		t.Helper()
		var out, errOut bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := run(ctx, []string{"fetch"}, envOf(env), &out, &errOut)
		return out.String() + errOut.String(), err
	}
	exitCode := func(err error) int {
		var e exitError
		if errors.As(err, &e) {
			return e.code
		}
		if err != nil {
			return 1
		}
		return 0
	}

	t.Run("succeeded exits 0 with plain progress lines and a summary", func(t *testing.T) {
		out, err := fetch(t)
		if exitCode(err) != 0 {
			t.Fatalf("exit %d (%v):\n%s", exitCode(err), err, out)
		}
		for _, want := range []string{"progress: 4/4 windows", "succeeded", "fetching", "processing", "storing"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("partial exits 2 and names the failed series", func(t *testing.T) {
		sim.SetFaults(simulator.Faults{FailSeries: []string{"dogecoin/eur"}})
		defer sim.SetFaults(simulator.Faults{})
		out, err := fetch(t)
		if exitCode(err) != 2 || !strings.Contains(out, "dogecoin/eur") || !strings.Contains(out, "partial") {
			t.Fatalf("exit %d (%v):\n%s", exitCode(err), err, out)
		}
	})
	t.Run("unusable samples are dropped and counted per series", func(t *testing.T) {
		sim.SetFaults(simulator.Faults{Corrupt: map[string]simulator.Corruption{"bitcoin/eur": simulator.CorruptHugePrice}})
		defer sim.SetFaults(simulator.Faults{})
		out, err := fetch(t)
		if exitCode(err) != 0 || !strings.Contains(out, "unusable samples dropped (bad price or time): bitcoin/eur 1") {
			t.Fatalf("exit %d (%v):\n%s", exitCode(err), err, out)
		}
	})
	t.Run("unknown coin ids are named and the rest fetched", func(t *testing.T) {
		env["COINS"] = "bitcoin,matic-network"
		defer func() { env["COINS"] = "bitcoin,dogecoin" }()
		out, err := fetch(t)
		if exitCode(err) != 2 || !strings.Contains(out, "matic-network") {
			t.Fatalf("exit %d (%v):\n%s", exitCode(err), err, out)
		}
	})
	t.Run("failed exits 1", func(t *testing.T) {
		sim.SetFaults(simulator.Faults{UnknownIDs: []string{"bitcoin", "dogecoin"}})
		defer sim.SetFaults(simulator.Faults{})
		out, err := fetch(t)
		if exitCode(err) != 1 || !strings.Contains(out, "failed") {
			t.Fatalf("exit %d (%v):\n%s", exitCode(err), err, out)
		}
	})
}

func TestFetchOnStart(t *testing.T) {
	_, simAPI := simulatorAPI(t)
	cfg, err := config.Load(envOf(map[string]string{
		"DATABASE_URL":         storetest.NewMigratedURL(t),
		"COINGECKO_BASE_URL":   simAPI,
		"COINGECKO_RATE_LIMIT": "0",
		"COINS":                "bitcoin",
		"CURRENCIES":           "usd",
		"HISTORY_DAYS":         "5",
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.store.Close()
	latest := func() domain.FetchRun {
		t.Helper()
		a.pipeline.Wait()
		run, err := a.store.LatestRun(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	startOnce := func(t *testing.T) {
		t.Helper()
		a.pipeline = pipeline.New(ctx, pipeline.Options{Store: a.store, Source: a.client, Coins: cfg.Coins,
			Currencies: cfg.Currencies, HistoryDays: cfg.HistoryDays})
		if err := fetchOnStart(ctx, a, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("an empty database is filled", func(t *testing.T) {
		startOnce(t)
		if run := latest(); run.ID != 1 || run.Trigger != domain.TriggerStartup || run.Status != domain.RunSucceeded {
			t.Fatalf("run = %+v", run)
		}
		if calls := coinGeckoCalls(t, a); calls < 3 {
			t.Errorf("metrics count %v CoinGecko calls, want the list, the chart and the metadata at least", calls)
		}
	})
	t.Run("a finished last run needs nothing", func(t *testing.T) {
		startOnce(t)
		if run := latest(); run.ID != 1 {
			t.Fatalf("a run started anyway: %+v", run)
		}
	})
	t.Run("an unfinished last run is resumed", func(t *testing.T) {
		cut, _, err := a.store.StartRun(ctx, domain.RunClaim{Trigger: domain.TriggerCron, TTL: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.store.FinishRun(ctx, cut.ID, domain.RunFailed, domain.RunProgress{}, "interrupted by shutdown"); err != nil {
			t.Fatal(err)
		}
		startOnce(t)
		if run := latest(); run.ID != cut.ID+1 || run.Trigger != domain.TriggerStartup {
			t.Fatalf("no run resumed the interrupted one: %+v", run)
		}
	})
}

// coinGeckoCalls sums cryptodash_coingecko_requests_total over every status code.
func coinGeckoCalls(t *testing.T, a *app) float64 {
	t.Helper()
	families, err := a.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, f := range families {
		if f.GetName() == "cryptodash_coingecko_requests_total" {
			for _, m := range f.GetMetric() {
				n += m.GetCounter().GetValue()
			}
		}
	}
	return n
}
