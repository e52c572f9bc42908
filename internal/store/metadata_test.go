package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/sanitize"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/migrations"
)

// TestStore_MigrationBoundsOldDescriptions covers descriptions stored as CoinGecko sent them,
// before the pipeline sanitised them: migration 00006 cuts them to 8,192 characters and dates
// them back, so the next run stores them afresh, clean.
func TestStore_MigrationBoundsOldDescriptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storetest.NewURL(t)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.UpTo(ctx, 5); err != nil {
		t.Fatal(err)
	}
	huge := "<p>" + strings.Repeat("word ", 2<<20) + "</p>"
	if _, err := db.ExecContext(ctx, `INSERT INTO coins (id, symbol, name) VALUES ('bitcoin', 'btc', 'Bitcoin');
		INSERT INTO coin_metadata (coin_id, description) VALUES ('bitcoin', '`+huge+`')`); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := st.Metadata(ctx, "bitcoin")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Description) != 8192 || !strings.HasPrefix(m.Description, "<p>word ") {
		t.Errorf("old description now %d bytes", len(m.Description))
	}
	stale, err := st.StaleMetadata(ctx, []string{"bitcoin"}, 7*24*time.Hour)
	if err != nil || len(stale) != 1 {
		t.Errorf("old metadata is not due for a refresh: %v, %v", stale, err)
	}
}

func TestStore_MetadataReadsABoundedDescription(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	if err := st.UpsertCoins(ctx, []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}}); err != nil {
		t.Fatal(err)
	}
	// As an older build would store it, bypassing the pipeline's sanitiser.
	if err := st.UpsertMetadata(ctx, domain.Metadata{CoinID: "bitcoin", Description: strings.Repeat("é", 4<<20)}); err != nil {
		t.Fatal(err)
	}
	m, err := st.Metadata(ctx, "bitcoin")
	if err != nil || m.Description != strings.Repeat("é", sanitize.MaxDescriptionBytes) {
		t.Errorf("read %d characters, %v; want %d", utf8.RuneCountInString(m.Description), err, sanitize.MaxDescriptionBytes)
	}
}
