package pipeline_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/coingecko"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/pipeline"
	"github.com/cryptodash/cryptodash/internal/simulator"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
)

// BenchmarkPipeline_Backfill90Days fills an empty database with 44 series x 90 days from the
// in-process simulator with no rate limit: the workload the Next.js system took about 90 s to
// process and store. With one worker the fetch, process and store times are wall-clock time;
// with four they overlap.
func BenchmarkPipeline_Backfill90Days(b *testing.B) {
	coins := []string{"bitcoin", "ethereum", "solana", "cardano", "ripple", "polkadot", "dogecoin",
		"avalanche-2", "chainlink", "uniswap", "litecoin"}
	currencies := []domain.Currency{{Code: "usd", Name: "US Dollar"}, {Code: "try", Name: "Turkish Lira"},
		{Code: "eur", Name: "Euro"}, {Code: "gbp", Name: "British Pound"}}
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var fetch, process, stored time.Duration
			var rows int64
			for range b.N {
				b.StopTimer()
				srv := httptest.NewServer(simulator.New(simulator.Options{}))
				st, err := store.Open(context.Background(), storetest.NewMigratedURL(b))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := st.Migrate(context.Background()); err != nil {
					b.Fatal(err)
				}
				client, err := coingecko.New(coingecko.Config{BaseURL: srv.URL})
				if err != nil {
					b.Fatal(err)
				}
				p := pipeline.New(context.Background(), pipeline.Options{Store: st, Source: client, Coins: coins,
					Currencies: currencies, HistoryDays: 90, Workers: workers, Logger: slog.New(slog.DiscardHandler)})
				b.StartTimer()
				report, err := p.Run(context.Background(), domain.TriggerCLI, nil)
				b.StopTimer()
				if err != nil || report.Run.Status != domain.RunSucceeded {
					b.Fatalf("run = %+v, %v", report.Run, err)
				}
				fetch += report.FetchTime
				process += report.ProcessTime
				stored += report.StoreTime
				rows += report.Run.RowsWritten
				st.Close()
				srv.Close()
				b.StartTimer()
			}
			n := float64(b.N)
			b.ReportMetric(float64(rows)/n, "rows/op")
			b.ReportMetric(fetch.Seconds()*1000/n, "fetch-ms/op")
			b.ReportMetric(process.Seconds()*1000/n, "process-ms/op")
			b.ReportMetric(stored.Seconds()*1000/n, "store-ms/op")
		})
	}
}
