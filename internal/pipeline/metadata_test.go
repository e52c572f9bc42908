package pipeline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/pipeline"
	"github.com/cryptodash/cryptodash/internal/sanitize"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
)

// hostileSource is CoinGecko answering one coin with an hour of prices and details that are
// megabytes of markup with script in them.
type hostileSource struct{ description string }

func (hostileSource) CoinsList(context.Context) ([]domain.Coin, error) {
	return []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}}, nil
}

func (hostileSource) MarketChartRange(_ context.Context, _, _ string, _, to time.Time) ([]domain.Sample, error) {
	return []domain.Sample{{Time: to.Add(-time.Hour), Price: 100}}, nil
}

func (s hostileSource) Coin(_ context.Context, id string) (domain.Metadata, error) {
	return domain.Metadata{CoinID: id, Name: "Bitcoin", Symbol: "btc", Description: s.description,
		ImageURL: "javascript:alert(1)", HomepageURL: "https://bitcoin.org"}, nil
}

func TestPipeline_StoresMetadataSanitisedAndBounded(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	src := hostileSource{description: `Bitcoin <script>alert(2)</script>is <a href="javascript:alert(3)" onclick="alert(4)">digital</a> gold.` +
		strings.Repeat(" More words.", 700_000)}
	p := pipeline.New(ctx, pipeline.Options{
		Store: st, Source: src, Coins: []string{"bitcoin"},
		Currencies: []domain.Currency{{Code: "usd", Name: "US Dollar"}}, HistoryDays: 2,
		Now: func() time.Time { return testNow },
	})
	if _, err := p.Run(ctx, domain.TriggerCLI, nil); err != nil {
		t.Fatal(err)
	}
	m, err := st.Metadata(ctx, "bitcoin")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Description) > sanitize.MaxDescriptionBytes || !strings.HasPrefix(m.Description, "<p>Bitcoin is ") {
		t.Errorf("stored %d bytes: %.100q", len(m.Description), m.Description)
	}
	for _, bad := range []string{"<script", "alert", "javascript:", "onclick"} {
		if strings.Contains(m.Description, bad) {
			t.Errorf("stored description keeps %q", bad)
		}
	}
	if m.ImageURL != "" || m.HomepageURL != "https://bitcoin.org" {
		t.Errorf("stored image %q, homepage %q", m.ImageURL, m.HomepageURL)
	}
}
