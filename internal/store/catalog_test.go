package store_test

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

// A replica reads the catalogue again only where it changed: a bump for prices alone keeps
// the coins it holds, and a new rank, coin or name reaches it, in the order a full read of
// the database gives.
func TestStore_CatalogFollowsChangesIncrementally(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dbURL := storetest.NewMigratedURL(t)
	writer := openNamed(t, dbURL, "writer")
	replica, err := store.New(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(replica.Close)
	coins := []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}, {ID: "ethereum", Symbol: "eth", Name: "Ethereum"},
		{ID: "dogecoin", Symbol: "doge", Name: "Dogecoin"}}
	if err := writer.UpsertCoins(ctx, coins); err != nil {
		t.Fatal(err)
	}
	if err := writer.UpsertCurrencies(ctx, []domain.Currency{{Code: "usd", Name: "US Dollar"}}); err != nil {
		t.Fatal(err)
	}
	if err := replica.WatchDataVersion(ctx, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	// caught waits until the replica holds the writer's version and returns its catalogue,
	// checked against a full read.
	caught := func(t *testing.T) domain.Catalog {
		t.Helper()
		want, err := writer.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, 10*time.Second, "the replica holds the writer's data version", func() (bool, string) {
			v, err := replica.DataVersion(ctx)
			return err == nil && v.Version >= want.Version, fmt.Sprintf("version %d (%v), want %d", v.Version, err, want.Version)
		})
		c, err := replica.Catalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		full, err := writer.Coins(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c.Coins, full) {
			t.Errorf("catalogue coins %+v, a full read %+v", c.Coins, full)
		}
		return c
	}
	first := caught(t)

	t.Run("a bump for prices keeps the coins held", func(t *testing.T) {
		if _, err := writer.StoreHourly(ctx, domain.Series{CoinID: "bitcoin", CurrencyCode: "usd"}, hours(1, 2, 3)); err != nil {
			t.Fatal(err)
		}
		c := caught(t)
		if !c.LatestHour.Equal(day.Add(2 * time.Hour)) {
			t.Errorf("newest hour %v, want %v", c.LatestHour, day.Add(2*time.Hour))
		}
		if &c.Coins[0] != &first.Coins[0] {
			t.Error("the coins were read again for a change of prices")
		}
	})
	t.Run("a new rank reaches the replica", func(t *testing.T) {
		rank := 9
		if err := writer.UpsertMetadata(ctx, domain.Metadata{CoinID: "dogecoin", Market: domain.MarketData{Rank: &rank}}); err != nil {
			t.Fatal(err)
		}
		if err := writer.FlushDataVersion(ctx); err != nil {
			t.Fatal(err)
		}
		c := caught(t)
		if c.Coins[1].ID != "dogecoin" || c.Coins[1].Rank != 9 {
			t.Errorf("coins %+v, want dogecoin second with rank 9", c.Coins)
		}
		if first.Coins[1].Rank != 0 {
			t.Errorf("the catalogue held before changed under its readers: %+v", first.Coins)
		}
	})
	t.Run("a new coin and a new name take their places", func(t *testing.T) {
		if err := writer.UpsertCoins(ctx, []domain.Coin{{ID: "cardano", Symbol: "ada", Name: "Cardano"}}); err != nil {
			t.Fatal(err)
		}
		if c := caught(t); len(c.Coins) != 4 || c.Coins[1].ID != "cardano" {
			t.Errorf("coins %+v, want cardano second of four", c.Coins)
		}
		if err := writer.UpsertCoins(ctx, []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Zbitcoin"}}); err != nil {
			t.Fatal(err)
		}
		if c := caught(t); c.Coins[3].ID != "bitcoin" || c.Coins[2].Rank != 0 || c.Coins[1].Rank != 9 {
			t.Errorf("coins %+v, want bitcoin last, dogecoin's rank kept", c.Coins)
		}
	})
	t.Run("a coin gone leaves the catalogue", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, `DELETE FROM coins WHERE id = 'ethereum'`); err != nil {
			t.Fatal(err)
		}
		if err := writer.UpsertCurrencies(ctx, []domain.Currency{{Code: "eur", Name: "Euro"}}); err != nil {
			t.Fatal(err)
		}
		c := caught(t)
		if len(c.Coins) != 3 || len(c.Currencies) != 2 {
			t.Errorf("%d coins and %d currencies, want 3 and 2", len(c.Coins), len(c.Currencies))
		}
	})
}
