package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

func TestStore_PartitionsAreMadeAheadAndOnWrite(t *testing.T) {
	t.Parallel()
	st, conn := seeded(t)
	ctx := context.Background()
	months := func() map[string]bool {
		t.Helper()
		rows, err := conn.Query(ctx, `SELECT relid::text FROM pg_partition_tree('prices_hourly_packed') WHERE isleaf`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]bool{}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			out[name] = true
		}
		return out
	}
	var now time.Time
	if err := conn.QueryRow(ctx, `SELECT now()`).Scan(&now); err != nil {
		t.Fatal(err)
	}
	have := months()
	for i := range 3 {
		m := time.Date(now.UTC().Year(), now.UTC().Month()+time.Month(i), 1, 0, 0, 0, 0, time.UTC)
		if name := "prices_hourly_packed_" + m.Format("2006_01"); !have[name] {
			t.Errorf("no partition %s after the start's maintenance; have %v", name, have)
		}
	}
	// A window in months nobody made partitions for makes its own, across a month's end.
	far := time.Date(2031, 3, 31, 22, 0, 0, 0, time.UTC)
	hours := []domain.Sample{{Time: far, Price: 1}, {Time: far.Add(time.Hour), Price: 2}, {Time: far.Add(2 * time.Hour), Price: 3}}
	if n, err := st.StoreHourly(ctx, btcUSD, hours); err != nil || n != 3 {
		t.Fatalf("stored %d, %v", n, err)
	}
	have = months()
	if !have["prices_hourly_packed_2031_03"] || !have["prices_hourly_packed_2031_04"] {
		t.Errorf("partitions after a write in March and April 2031: %v", have)
	}
}
