package simulator

import (
	"hash/fnv"
	"math"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// Every number the simulator serves comes from these functions of (coin, currency, instant)
// alone, so that two fetches of the same hour agree to the last digit and a test can fetch
// twice and compare.

const (
	day        = 24 * time.Hour
	fiveMinute = 5 * time.Minute
)

// Salts keep the pseudo-random streams drawn from one coin's seed independent of each other.
const (
	saltFiveMinute uint64 = iota + 1
	saltHour
	saltNoise
	saltVolume
	saltNullCap
	saltNullPrice
	saltLive
	saltPhase
	saltProfile
	saltCurrency
)

// profile is what a coin looks like in USD: a price level near the real one and a circulating
// supply, so that market caps land in the right order of magnitude too.
type profile struct {
	usd    float64
	supply float64
}

var profiles = map[string]profile{
	"bitcoin":                 {60000, 19.7e6},
	"ethereum":                {3000, 120e6},
	"solana":                  {150, 460e6},
	"cardano":                 {0.45, 35e9},
	"ripple":                  {0.55, 55e9},
	"polkadot":                {7, 1.4e9},
	"dogecoin":                {0.12, 144e9},
	"avalanche-2":             {30, 390e6},
	"chainlink":               {15, 600e6},
	"uniswap":                 {8, 600e6},
	"litecoin":                {75, 75e6},
	"binancecoin":             {580, 150e6},
	"bitcoin-cash":            {400, 19.7e6},
	"stellar":                 {0.11, 29e9},
	"cosmos":                  {8, 390e6},
	"polygon-ecosystem-token": {0.5, 10e9},
}

// profileOf gives coins outside the table a stable made-up level between 0.1 and 1000 USD.
func profileOf(id string) profile {
	if p, ok := profiles[id]; ok {
		return p
	}
	u := unit(mix(seedOf(id)^saltProfile, 0))
	return profile{usd: math.Pow(10, -1+4*u), supply: 1e9}
}

// quoted returns the facts of a currency the simulator quotes (a PerUSD in
// domain.KnownCurrencies), and false for any other.
func quoted(code string) (domain.CurrencyFacts, bool) {
	f, ok := domain.CurrencyFactsOf(code)
	return f, ok && f.PerUSD > 0
}

var fxReference = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// usdTo converts USD to code at t. USD stays exactly 1; others drift slowly around their level.
func usdTo(code string, t time.Time) float64 {
	c, _ := quoted(code)
	if code == "usd" {
		return 1
	}
	years := t.Sub(fxReference).Hours() / (365.25 * 24)
	phase := 2 * math.Pi * unit(mix(seedOf(code)^saltCurrency, 0))
	wave := 1 + 0.03*math.Sin(2*math.Pi*years*365.25/300+phase)
	return c.PerUSD * math.Exp(c.TrendPerYear*years) * wave
}

// waves give the price its shape: slow cycles for the trend, fast ones for intraday motion.
var waves = []struct {
	period    time.Duration
	amplitude float64
}{
	{397 * day, 0.30},
	{61 * day, 0.12},
	{9 * day, 0.05},
	{31 * time.Hour, 0.02},
	{137 * time.Minute, 0.006},
}

// price is always positive: the variation sits in an exponent.
func price(coin, currency string, t time.Time) float64 {
	seed := seedOf(coin)
	secs := float64(t.UnixMilli()) / 1000
	v := 0.0
	for i, w := range waves {
		phase := 2 * math.Pi * unit(mix(seed^saltPhase, int64(i)))
		v += w.amplitude * math.Sin(2*math.Pi*secs/w.period.Seconds()+phase)
	}
	v += 0.003 * (2*unit(mix(seed^saltNoise, t.UnixMilli())) - 1)
	return profileOf(coin).usd * math.Exp(v) * usdTo(currency, t)
}

func marketCap(coin string, p float64) float64 {
	return p * profileOf(coin).supply
}

func totalVolume(coin string, marketCap float64, t time.Time) float64 {
	return marketCap * (0.015 + 0.04*unit(mix(seedOf(coin)^saltVolume, t.UnixMilli())))
}

// chance reports a deterministic event of probability p for (coin, salt, n).
func chance(coin string, salt uint64, n int64, p float64) bool {
	return unit(mix(seedOf(coin)^salt, n)) < p
}

// timeline lists the instants CoinGecko would report for coin between from and to, following
// its automatic granularity: 5-minutely for a day ending now, hourly up to 90 days, daily
// beyond. Regular points stay strictly before now's second, where the live point goes.
func timeline(coin string, from, to, now time.Time) []time.Time {
	end := to
	liveSecond := now.Truncate(time.Second)
	if !end.Before(liveSecond) {
		end = liveSecond.Add(-time.Millisecond)
	}
	if end.Before(from) {
		return nil
	}
	span := to.Sub(from)
	switch {
	case span <= day && !to.Before(now.Add(-time.Hour)):
		return fiveMinutePoints(coin, from, end)
	case span <= 90*day:
		return hourlyPoints(coin, from, end)
	default:
		return dailyPoints(from, end)
	}
}

func fiveMinutePoints(coin string, from, end time.Time) []time.Time {
	seed := seedOf(coin) ^ saltFiveMinute
	var out []time.Time
	for slot := from.Truncate(fiveMinute); !slot.After(end); slot = slot.Add(fiveMinute) {
		offset := time.Duration(unit(mix(seed, slot.Unix())) * float64(fiveMinute))
		out = appendWithin(out, slot.Add(offset).Truncate(time.Millisecond), from, end)
	}
	return out
}

// hourlyPoints reproduces what recorded answers show: one point an hour at an irregular
// minute, now and then a skipped hour, now and then two points in one hour.
func hourlyPoints(coin string, from, end time.Time) []time.Time {
	seed := seedOf(coin) ^ saltHour
	var out []time.Time
	for hour := from.Truncate(time.Hour); !hour.After(end); hour = hour.Add(time.Hour) {
		r := mix(seed, hour.Unix())
		if unit(r) < 0.04 {
			continue
		}
		first := time.Duration(unit(mix(r, 1)) * float64(time.Hour)).Truncate(time.Millisecond)
		out = appendWithin(out, hour.Add(first), from, end)
		if first < 59*time.Minute && unit(mix(r, 2)) < 0.05 {
			second := first + time.Second + time.Duration(unit(mix(r, 3))*float64(time.Hour-first-time.Second))
			out = appendWithin(out, hour.Add(second.Truncate(time.Millisecond)), from, end)
		}
	}
	return out
}

func dailyPoints(from, end time.Time) []time.Time {
	var out []time.Time
	for d := from.Truncate(day); !d.After(end); d = d.Add(day) {
		out = appendWithin(out, d, from, end)
	}
	return out
}

func appendWithin(out []time.Time, t, from, end time.Time) []time.Time {
	if t.Before(from) || t.After(end) {
		return out
	}
	return append(out, t)
}

func seedOf(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// mix is splitmix64 over seed and n: cheap, stateless and well spread, which is all a
// deterministic fake needs.
func mix(seed uint64, n int64) uint64 {
	z := seed + uint64(n)*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// unit maps a hash to [0, 1).
func unit(x uint64) float64 {
	return float64(x>>11) / (1 << 53)
}
