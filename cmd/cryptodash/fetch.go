package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/pipeline"
)

// runFetch runs one fetch in the foreground. The exit status tells scripts the outcome:
// 0 succeeded, 2 partial, 1 failed or could not start.
func runFetch(ctx context.Context, args []string, cfg config.Config, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fetch", flag.ContinueOnError)
	verbose := fs.Bool("v", false, "log each step as JSON on stderr")
	if err := parseFlags(fs, args, stderr); err != nil {
		return exitError{code: 1}
	}
	// The summary already names every problem; logs below error would only interleave with
	// the progress bar.
	level := slog.LevelError
	if *verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	a, err := openApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.store.Close()

	fmt.Fprintf(stdout, "fetching %d coins x %d currencies, history %d days, from %s\n",
		len(cfg.Coins), len(cfg.Currencies), cfg.HistoryDays, sourceName(cfg))
	a.pipeline.OnWait(func(w pipeline.LeaseWait) {
		fmt.Fprintf(stdout, "run %d (%s, held by %s) holds the run lease; waiting up to %s for it to lapse\n",
			w.Run.ID, w.Run.Trigger, w.Holder, w.UpTo.Round(time.Second))
	})
	progress := newProgress(stdout)
	start := time.Now()
	report, err := a.pipeline.Run(ctx, domain.TriggerCLI, progress.update)
	progress.finish()
	if errors.Is(err, pipeline.ErrBusy) {
		return exitError{code: 1, msg: fmt.Sprintf("run %d (%s, started %s) is already fetching and renewing its lease; try again when it ends",
			report.Run.ID, report.Run.Trigger, report.Run.StartedAt.UTC().Format(time.RFC3339))}
	}
	if err != nil {
		return err
	}
	printSummary(stdout, report, time.Since(start))
	switch report.Run.Status {
	case domain.RunSucceeded:
		return nil
	case domain.RunPartial:
		return exitError{code: 2}
	}
	return exitError{code: 1}
}

func sourceName(cfg config.Config) string {
	if cfg.CoinGeckoBaseURL != "" {
		return cfg.CoinGeckoBaseURL
	}
	return "CoinGecko (" + cfg.CoinGeckoPlan + " plan)"
}

func printSummary(w io.Writer, r pipeline.Report, wall time.Duration) {
	run := r.Run
	fmt.Fprintf(w, "run %d %s in %s: %d/%d series, %d/%d windows, %d hourly rows written from %d samples\n",
		run.ID, run.Status, wall.Round(time.Millisecond), run.SeriesDone, run.SeriesTotal,
		run.WindowsDone, run.WindowsTotal, run.RowsWritten, r.Samples)
	fmt.Fprintf(w, "time spent: fetching %s, processing %s, storing %s (summed over windows)\n",
		r.FetchTime.Round(time.Millisecond), r.ProcessTime.Round(time.Millisecond), r.StoreTime.Round(time.Millisecond))
	if len(r.UnknownCoins) > 0 {
		fmt.Fprintf(w, "unknown coin ids, skipped: %v\n", r.UnknownCoins)
	}
	if len(run.SamplesDropped) > 0 {
		dropped := make([]string, 0, len(run.SamplesDropped))
		for s, n := range run.SamplesDropped {
			dropped = append(dropped, fmt.Sprintf("%s %d", s, n))
		}
		sort.Strings(dropped)
		fmt.Fprintf(w, "unusable samples dropped (bad price or time): %s\n", strings.Join(dropped, ", "))
	}
	if run.HoursMissing > 0 {
		fmt.Fprintf(w, "%d hours still missing inside the stored ranges (CoinGecko left them out, or their samples were unusable; later runs ask again for the latter)\n", run.HoursMissing)
	}
	failed := make([]string, 0, len(r.Failed))
	for s, err := range r.Failed {
		failed = append(failed, fmt.Sprintf("  %s: %v", s, err))
	}
	sort.Strings(failed)
	if len(failed) > 0 {
		fmt.Fprintln(w, "failed series:")
		for _, f := range failed {
			fmt.Fprintln(w, f)
		}
	}
	if run.Error != "" && len(failed) == 0 && len(r.UnknownCoins) == 0 {
		fmt.Fprintln(w, "error:", run.Error)
	}
}

// progress draws a bar on a terminal and prints a plain line per tenth of the work
// otherwise, so logs and CI output stay readable.
type progress struct {
	out      io.Writer
	bar      *progressbar.ProgressBar
	lastTent int
}

func newProgress(w io.Writer) *progress {
	p := &progress{out: w, lastTent: -1}
	if isTerminal(w) {
		p.bar = progressbar.NewOptions(1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("fetching"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish())
	}
	return p
}

func (p *progress) update(run domain.FetchRun) {
	if run.WindowsTotal == 0 {
		return
	}
	if p.bar != nil {
		p.bar.ChangeMax(run.WindowsTotal)
		p.bar.Describe(fmt.Sprintf("fetching (%d rows)", run.RowsWritten))
		_ = p.bar.Set(run.WindowsDone)
		return
	}
	tenth := run.WindowsDone * 10 / run.WindowsTotal
	if tenth != p.lastTent {
		p.lastTent = tenth
		fmt.Fprintf(p.out, "progress: %d/%d windows, %d/%d series, %d rows written\n",
			run.WindowsDone, run.WindowsTotal, run.SeriesDone, run.SeriesTotal, run.RowsWritten)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
