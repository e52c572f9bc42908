package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/config"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoad_Defaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != config.DefaultDatabaseURL || c.Port != 8080 || c.CoinGeckoPlan != "demo" ||
		c.CoinGeckoRateLimit != config.KeylessRateLimit || c.HistoryDays != 365 || c.FetchSchedule != "0 2 * * *" || !c.FetchOnStart ||
		c.CDNMaxAge != 300 {
		t.Errorf("defaults = %+v", c)
	}
	if len(c.Coins) != 11 || len(c.Currencies) != 4 {
		t.Errorf("%d coins, %d currencies", len(c.Coins), len(c.Currencies))
	}
	if c.Currencies[1].Code != "try" || c.Currencies[1].Name != "Turkish Lira" {
		t.Errorf("currencies = %+v", c.Currencies)
	}
}

func TestLoad_BadValuesNameTheirVariable(t *testing.T) {
	cases := []struct {
		name, key, value string
	}{
		{"port not a number", "PORT", "eighty"},
		{"port out of range", "PORT", "70000"},
		{"unknown plan", "COINGECKO_PLAN", "enterprise"},
		{"base url without scheme", "COINGECKO_BASE_URL", "localhost:8090"},
		{"negative rate", "COINGECKO_RATE_LIMIT", "-1"},
		{"no limit against the real API", "COINGECKO_RATE_LIMIT", "0"},
		{"coin id with a space", "COINS", "bitcoin,bad id"},
		{"empty currencies", "CURRENCIES", " , "},
		{"currency with digits", "CURRENCIES", "usd,u5d"},
		{"history beyond the demo plan", "HISTORY_DAYS", "400"},
		{"history zero", "HISTORY_DAYS", "0"},
		{"bad schedule", "FETCH_SCHEDULE", "every day"},
		{"bad bool", "FETCH_ON_START", "sometimes"},
		{"bad database url", "DATABASE_URL", "mysql://x/y"},
		{"password instead of hash", "AUTH_PASSWORD_HASH", "hunter22"},
		{"cron secret of spaces", "CRON_SECRET", "   "},
		{"short cron secret", "CRON_SECRET", "abc"},
		{"negative CDN age", "CDN_MAX_AGE", "-5"},
		{"CDN age not a number", "CDN_MAX_AGE", "5m"},
		{"429 breaker off", "COINGECKO_MAX_CONSECUTIVE_429", "0"},
		{"run timeout without a unit", "FETCH_RUN_TIMEOUT", "90"},
		{"run timeout too short", "FETCH_RUN_TIMEOUT", "10s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]string{tc.key: tc.value}
			if tc.key == "AUTH_PASSWORD_HASH" {
				vars["AUTH_USERNAME"] = "admin"
			}
			_, err := config.Load(env(vars))
			if err == nil {
				t.Fatalf("%s=%q accepted", tc.key, tc.value)
			}
			if !strings.Contains(err.Error(), tc.key+": accepts") {
				t.Errorf("error %q does not name %s and what it accepts", err, tc.key)
			}
			if (tc.key == "AUTH_PASSWORD_HASH" || tc.key == "CRON_SECRET") && strings.TrimSpace(tc.value) != "" && strings.Contains(err.Error(), tc.value) {
				t.Errorf("error %q repeats the secret", err)
			}
		})
	}
}

func TestLoad_ReportsEveryProblemAtOnce(t *testing.T) {
	_, err := config.Load(env(map[string]string{"PORT": "x", "HISTORY_DAYS": "y"}))
	if err == nil || !strings.Contains(err.Error(), "PORT") || !strings.Contains(err.Error(), "HISTORY_DAYS") {
		t.Fatalf("err = %v, want both variables named", err)
	}
}

func TestConfig_StringMasksSecrets(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"CRON_SECRET":       "cron-s3cret-value",
		"COINGECKO_API_KEY": "CG-api-key-value",
		"DATABASE_URL":      "postgres://app:db-pa55word@db.internal:5432/cryptodash",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	for _, secret := range []string{"cron-s3cret-value", "CG-api-key-value", "db-pa55word"} {
		if strings.Contains(s, secret) {
			t.Errorf("String() shows %q: %s", secret, s)
		}
	}
	if !strings.Contains(s, "CRON_SECRET=(set)") || !strings.Contains(s, "db.internal") {
		t.Errorf("String() = %s", s)
	}
}

func TestConfig_DatabasePasswordMaskedWhereverTheURLHasIt(t *testing.T) {
	for _, u := range []string{
		"postgres://app:db-pa55word@db.internal:5432/cryptodash",
		"postgres://app@db.internal:5432/cryptodash?password=db-pa55word",
		"postgres://app@db.internal/cryptodash?sslmode=require&PASSWORD=db-pa55word",
		"postgresql://db.internal/cryptodash?user=app&sslpassword=db-pa55word&password=db-pa55word",
		"postgres://app:db-pa55word@db.internal/cryptodash?password=db-pa55word",
	} {
		c, err := config.Load(env(map[string]string{"DATABASE_URL": u}))
		if err != nil {
			t.Fatal(err)
		}
		out := c.String() + strings.Join(c.Pairs(), "\n")
		if strings.Contains(out, "db-pa55word") {
			t.Errorf("%s shows as %s", u, out)
		}
		if !strings.Contains(out, "db.internal") {
			t.Errorf("%s: the host is hidden too: %s", u, out)
		}
	}
	_, err := config.Load(env(map[string]string{"DATABASE_URL": "mysql://app:db-pa55word@db.internal/x"}))
	if err == nil || strings.Contains(err.Error(), "db-pa55word") {
		t.Errorf("a bad DATABASE_URL's error %v shows its password", err)
	}
}

func TestLoad_FetchLimits(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil || c.FetchRunTimeout != 2*time.Hour || c.CoinGeckoMax429 != 5 {
		t.Fatalf("defaults: timeout %s, 429s %d, %v", c.FetchRunTimeout, c.CoinGeckoMax429, err)
	}
	c, err = config.Load(env(map[string]string{"FETCH_RUN_TIMEOUT": "45m", "COINGECKO_MAX_CONSECUTIVE_429": "12"}))
	if err != nil || c.FetchRunTimeout != 45*time.Minute || c.CoinGeckoMax429 != 12 {
		t.Fatalf("set: timeout %s, 429s %d, %v", c.FetchRunTimeout, c.CoinGeckoMax429, err)
	}
}

func TestLoad_SimulatorMayGoUnlimited(t *testing.T) {
	c, err := config.Load(env(map[string]string{"COINGECKO_BASE_URL": "http://127.0.0.1:8090/api/v3", "COINGECKO_RATE_LIMIT": "0", "HISTORY_DAYS": "500"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.CoinGeckoRateLimit != 0 || c.HistoryDays != 500 {
		t.Errorf("config = %+v", c)
	}
}

func TestLoad_CronSecretIsTrimmed(t *testing.T) {
	c, err := config.Load(env(map[string]string{"CRON_SECRET": "0123456789abcdef0123\n"}))
	if err != nil || c.CronSecret != "0123456789abcdef0123" {
		t.Errorf("secret %q, %v", c.CronSecret, err)
	}
}

func TestLoad_RateLimitDefaultFollowsTheKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		vars map[string]string
		want int
	}{
		{"keyless calls are limited by IP", nil, config.KeylessRateLimit},
		{"a demo key gets the plan's budget", map[string]string{"COINGECKO_API_KEY": "CG-x"}, config.DefaultRateLimit},
		{"an explicit limit wins", map[string]string{"COINGECKO_RATE_LIMIT": "12"}, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.Load(env(tc.vars))
			if err != nil || c.CoinGeckoRateLimit != tc.want {
				t.Errorf("rate limit %d (%v), want %d", c.CoinGeckoRateLimit, err, tc.want)
			}
		})
	}
}
