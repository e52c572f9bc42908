package domain_test

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

func TestWritePricesCSV(t *testing.T) {
	hour := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	rows := []domain.PriceRow{{Time: hour, CoinID: "bitcoin", CurrencyCode: "usd", Price: 60000.125}}

	t.Run("hourly rows use the data layout", func(t *testing.T) {
		var buf bytes.Buffer
		if err := domain.WritePricesCSV(&buf, []string{"date", "coin", "price"}, domain.Hourly, rows); err != nil {
			t.Fatal(err)
		}
		if want := "date,coin,price\n2026-03-10 14:00:00,bitcoin,60000.125\n"; buf.String() != want {
			t.Errorf("got %q, want %q", buf.String(), want)
		}
	})
	t.Run("columns follow the caller's order, currencies upper case, days for daily rows", func(t *testing.T) {
		var buf bytes.Buffer
		if err := domain.WritePricesCSV(&buf, []string{"currency", "price", "date"}, domain.Daily, rows); err != nil {
			t.Fatal(err)
		}
		if want := "currency,price,date\nUSD,60000.125,2026-03-10\n"; buf.String() != want {
			t.Errorf("got %q, want %q", buf.String(), want)
		}
	})
	t.Run("text cells that a spreadsheet would run are inert, negative numbers stay numbers", func(t *testing.T) {
		var hostile []domain.PriceRow
		for _, id := range []string{"=1+1", "+1", "-2+3", "@sum(1)", "\tcmd", "\rcmd", "a=b"} {
			hostile = append(hostile, domain.PriceRow{Time: hour, CoinID: id, CurrencyCode: "-usd", Price: -1.5, Change: -0.0225})
		}
		var buf bytes.Buffer
		if err := domain.WritePricesCSV(&buf, []string{"coin", "currency", "price", "change_pct"}, domain.Hourly, hostile); err != nil {
			t.Fatal(err)
		}
		want := "coin,currency,price,change_pct\n" +
			"'=1+1,'-USD,-1.5,-2.25\n" +
			"'+1,'-USD,-1.5,-2.25\n" +
			"'-2+3,'-USD,-1.5,-2.25\n" +
			"'@sum(1),'-USD,-1.5,-2.25\n" +
			"'\tcmd,'-USD,-1.5,-2.25\n" +
			"\"'\rcmd\",'-USD,-1.5,-2.25\n" +
			"a=b,'-USD,-1.5,-2.25\n"
		if buf.String() != want {
			t.Errorf("got %q, want %q", buf.String(), want)
		}
	})
	t.Run("a write error is reported", func(t *testing.T) {
		err := domain.WritePricesCSV(failingWriter{}, []string{"date", "price"}, domain.Hourly, rows)
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("err = %v, want the writer's error", err)
		}
	})
}

func TestParseList(t *testing.T) {
	got, err := domain.ParseList([]string{" Bitcoin,ETHEREUM ,,bitcoin", "dogecoin", ""})
	if err != nil || strings.Join(got, ",") != "bitcoin,ethereum,dogecoin" {
		t.Errorf("got %q, %v", got, err)
	}
	if got, err := domain.ParseList(nil); got != nil || err != nil {
		t.Errorf("nothing sent gives %q, %v", got, err)
	}
	t.Run("the cap counts items as sent", func(t *testing.T) {
		full := strings.Repeat("a,", domain.MaxListItems)
		if got, err := domain.ParseList([]string{full + ",,, ,"}); err != nil || len(got) != 1 {
			t.Errorf("%d items at the cap: %q, %v", domain.MaxListItems, got, err)
		}
		if _, err := domain.ParseList([]string{full, "a"}); !errors.Is(err, domain.ErrListTooLong) {
			t.Errorf("one item past the cap, repeated: %v", err)
		}
		if _, err := domain.ParseList([]string{strings.Repeat("x,", 80_000)}); !errors.Is(err, domain.ErrListTooLong) {
			t.Errorf("80,000 items: %v", err)
		}
	})
}

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"bitcoin", "bitcoin"},
		{strings.Repeat("é", 40), strings.Repeat("é", 40)},
		{strings.Repeat("é", 41), strings.Repeat("é", 40) + "…"},
		{"bit\xffcoin", "bit\uFFFDcoin"},
	} {
		if got := domain.Excerpt(tc.in); got != tc.want {
			t.Errorf("Excerpt(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	items := []string{"a", "b", "c", "d", "e", "f", "g"}
	if got := domain.ExcerptList(items, true); got != `"a", "b", "c", "d", "e" and 2 more` {
		t.Errorf("quoted list %s", got)
	}
	if got := domain.ExcerptList(items[:2], false); got != "a, b" {
		t.Errorf("list %s", got)
	}
}

func TestGranularityFor(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		days int
		want domain.Granularity
	}{{0, domain.Hourly}, {2, domain.Hourly}, {3, domain.Daily}} {
		if got := domain.GranularityFor(domain.Days(day, day.AddDate(0, 0, tc.days))); got != tc.want {
			t.Errorf("last day %d after the first: %s, want %s", tc.days, got, tc.want)
		}
	}
}

func TestRange(t *testing.T) {
	first := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r := domain.Days(first, first.AddDate(0, 0, 2))
	if !r.End.Equal(first.AddDate(0, 0, 3)) || !r.LastDay().Equal(first.AddDate(0, 0, 2)) || !r.FirstDay().Equal(first) {
		t.Errorf("days %s: first %s last %s", r, r.FirstDay(), r.LastDay())
	}
	if r.Contains(r.End) || !r.Contains(r.Start) || !r.LastHour().Equal(r.End.Add(-time.Hour)) {
		t.Errorf("%s: the start is in, the end is out", r)
	}
	if _, err := domain.ParseDay("2026-02-30"); err == nil {
		t.Error("a day that does not exist was parsed")
	}
}
