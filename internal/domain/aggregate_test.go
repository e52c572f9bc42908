package domain_test

import (
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

func TestAggregate(t *testing.T) {
	d0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	d1, d2 := d0.AddDate(0, 0, 1), d0.AddDate(0, 0, 2)
	row := func(coin, cur string, day time.Time, price float64, hours int) domain.PriceRow {
		// The 13-hour days are where the history starts, so incomplete; a 24-hour one is not.
		return domain.PriceRow{CoinID: coin, CurrencyCode: cur, Time: day, Price: price, Hours: hours, Partial: hours == 13}
	}
	// BTC/TRY is a thousand times BTC/USD; DOGE/USD has no value on d1; ETH/USD starts on d1.
	rows := []domain.PriceRow{
		row("bitcoin", "try", d0, 100_000, 13), row("bitcoin", "usd", d0, 100, 13), row("dogecoin", "usd", d0, 0.1, 24),
		row("bitcoin", "try", d1, 110_000, 24), row("bitcoin", "usd", d1, 110, 24), row("ethereum", "usd", d1, 10, 24),
		row("bitcoin", "try", d2, 121_000, 24), row("bitcoin", "usd", d2, 99, 24), row("dogecoin", "usd", d2, 0.2, 24), row("ethereum", "usd", d2, 12, 24),
	}

	t.Run("one group per series keeps its own values and changes", func(t *testing.T) {
		groups := domain.Aggregate(rows, domain.AllDimensions)
		if len(groups) != 4 || groups[0].CoinID != "bitcoin" || groups[0].CurrencyCode != "try" || groups[3].CoinID != "ethereum" {
			t.Fatalf("groups %+v", groups)
		}
		btc := groups[0].Points
		if len(btc) != 3 || btc[2].Price != 121_000 || !testkit.Near(btc[2].Change, 21) || btc[0].Hours != 13 || !btc[0].Partial || btc[1].Partial {
			t.Errorf("BTC/TRY %+v", btc)
		}
		eth := groups[3]
		if len(eth.Points) != 2 || eth.Points[0].Change != 0 || !testkit.Near(eth.Points[1].Change, 20) || eth.LeftOut != 1 {
			t.Errorf("ETH/USD starts at its own first value: %+v", eth)
		}
	})
	t.Run("a missing value is carried forward, not averaged away", func(t *testing.T) {
		doge := domain.Aggregate(rows, domain.AllDimensions)[2].Points
		if len(doge) != 3 || doge[1].Price != 0.1 || !doge[1].Filled || doge[1].Hours != 0 || doge[2].Filled {
			t.Errorf("DOGE/USD %+v", doge)
		}
	})
	t.Run("an aggregate's change is the mean of its members' changes", func(t *testing.T) {
		byDate := domain.Aggregate(rows, domain.Breakdown{Date: true, Currency: true})
		usd := byDate[1]
		if usd.CurrencyCode != "usd" || len(usd.Members) != 3 {
			t.Fatalf("usd group %+v", usd)
		}
		// d0 is left out: ETH/USD has no value before d1, and the mean must not change
		// members between points. On d1 DOGE/USD is carried forward; on d2 the members moved
		// -1% (BTC), +100% (DOGE) and +20% (ETH, from its own start on d1).
		if usd.LeftOut != 1 || len(usd.Points) != 2 || !usd.Points[0].Filled || !testkit.Near(usd.Points[0].Change, (10+0+0)/3.0) ||
			!testkit.Near(usd.Points[1].Change, (-1+100+20)/3.0) {
			t.Errorf("usd %+v", usd)
		}
		if try := byDate[0]; !testkit.Near(try.Points[2].Change, 21) || !try.Points[0].Partial || try.Points[1].Partial {
			t.Errorf("try %+v: a point is partial when a member's day is", try)
		}
	})
	t.Run("without Date one point sums up the range", func(t *testing.T) {
		byCoin := domain.Aggregate(rows, domain.Breakdown{Coin: true, Currency: true})
		btcUSD := byCoin[1]
		if len(btcUSD.Points) != 1 || !testkit.Near(btcUSD.Points[0].Price, (100+110+99)/3.0) || !testkit.Near(btcUSD.Points[0].Change, -1) ||
			btcUSD.Points[0].Hours != 13 || !btcUSD.Points[0].Partial || !btcUSD.Points[0].Time.IsZero() {
			t.Errorf("BTC/USD over the range %+v", btcUSD)
		}
	})
}
