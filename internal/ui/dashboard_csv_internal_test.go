package ui

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestDashboard_WriteCSV(t *testing.T) {
	hour := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	d := &dashboard{
		state: ViewState{Breakdown: domain.Breakdown{Date: true, Coin: true}, Cols: defaultCols, Sort: colDate},
		win:   window{Granularity: domain.Hourly},
		rows:  []domain.PriceRow{{Time: hour, CoinID: "bitcoin", Price: 60000.125}},
	}

	t.Run("hourly rows use the data layout", func(t *testing.T) {
		var buf bytes.Buffer
		if err := d.writeCSV(&buf); err != nil {
			t.Fatal(err)
		}
		if want := "date,coin,price\n2026-03-10 14:00:00,bitcoin,60000.125\n"; buf.String() != want {
			t.Errorf("got %q, want %q", buf.String(), want)
		}
	})
	t.Run("a write error is reported", func(t *testing.T) {
		if err := d.writeCSV(failingWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("err = %v, want the writer's error", err)
		}
	})
}
