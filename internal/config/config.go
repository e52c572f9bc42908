// Package config reads cryptodash's settings from the environment, applies defaults that run
// locally, and refuses bad values at start with a message naming the variable and what it
// accepts, so a misconfigured replica fails its deploy instead of serving wrong data.
package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// Config is every setting of the process. Secrets are kept out of String.
type Config struct {
	DatabaseURL string
	// DatabaseSecretID names an AWS Secrets Manager secret holding the database's username
	// and password as JSON (RDS's own secret): read for every new connection, so a rotated
	// password is used at once. Empty means the credentials in DATABASE_URL or PGUSER and
	// PGPASSWORD.
	DatabaseSecretID   string
	Port               int
	CronSecret         string
	CoinGeckoAPIKey    string
	CoinGeckoPlan      string
	CoinGeckoBaseURL   string
	CoinGeckoRateLimit int
	CoinGeckoMax429    int
	Coins              []string
	Currencies         []domain.Currency
	HistoryDays        int
	FetchSchedule      string
	FetchOnStart       bool
	FetchRunTimeout    time.Duration
	LogLevel           string
	// CDNMaxAge is how long a shared cache (CloudFront) may keep a public answer: its
	// s-maxage.
	CDNMaxAge        int
	AuthUsername     string
	AuthPasswordHash string
	// TrustedProxies are the peers whose forwarded headers (X-Forwarded-For,
	// X-Forwarded-Proto, CloudFront-Viewer-Address, CloudFront-Forwarded-Proto) are believed:
	// the load balancer's subnets. From anyone else those headers are the client's own words.
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, is the Bearer token /metrics asks for; see web's metricsAuth.
	MetricsToken string
}

// The environment variables Load reads, each named once: Load, its messages and Pairs
// refer to these.
const (
	envDatabaseURL                = "DATABASE_URL"
	envDatabaseSecretID           = "DATABASE_SECRET_ID"
	envPort                       = "PORT"
	envCronSecret                 = "CRON_SECRET"
	envCoinGeckoAPIKey            = "COINGECKO_API_KEY"
	envCoinGeckoPlan              = "COINGECKO_PLAN"
	envCoinGeckoBaseURL           = "COINGECKO_BASE_URL"
	envCoinGeckoRateLimit         = "COINGECKO_RATE_LIMIT"
	envCoinGeckoMaxConsecutive429 = "COINGECKO_MAX_CONSECUTIVE_429"
	envCoins                      = "COINS"
	envCurrencies                 = "CURRENCIES"
	envHistoryDays                = "HISTORY_DAYS"
	envFetchSchedule              = "FETCH_SCHEDULE"
	envFetchOnStart               = "FETCH_ON_START"
	envFetchRunTimeout            = "FETCH_RUN_TIMEOUT"
	envLogLevel                   = "LOG_LEVEL"
	envCDNMaxAge                  = "CDN_MAX_AGE"
	envAuthUsername               = "AUTH_USERNAME"
	envAuthPasswordHash           = "AUTH_PASSWORD_HASH"
	envTrustedProxies             = "TRUSTED_PROXIES"
	envMetricsToken               = "METRICS_TOKEN"
)

// Defaults that run on a developer's machine: the local PostgreSQL, the eleven coins and four
// currencies the dashboard was built for, and the daily 02:00 UTC fetch.
const (
	DefaultDatabaseURL = "postgres://postgres@localhost:5432/cryptodash"
	DefaultCoins       = "bitcoin,ethereum,solana,cardano,ripple,polkadot,dogecoin,avalanche-2,chainlink,uniswap,litecoin"
	DefaultCurrencies  = "usd,try,eur,gbp"
	DefaultSchedule    = "0 2 * * *"
	// ScheduleOff disables the in-process schedule, for deployments where EventBridge alone
	// calls the cron endpoint.
	ScheduleOff = "off"
	// DefaultRateLimit is the Demo plan's budget of calls a minute.
	DefaultRateLimit = 30
	// KeylessRateLimit is the default without an API key: CoinGecko then limits by IP to
	// about 5 to 15 calls a minute, so the low end avoids 429s.
	KeylessRateLimit = 5
	// DefaultCDNMaxAge keeps answers five minutes at the CDN: new data lands a few times a
	// day, and a run's data then shows within five minutes everywhere.
	DefaultCDNMaxAge = 300
	// DemoHistoryDays is how far back CoinGecko's Demo plan answers; older ranges fail with 10012.
	DemoHistoryDays = 365
	// DefaultMax429 is how many 429s in a row stop a run: with a rate limit that fits the plan
	// none should come at all, and each one can cost CoinGecko's Retry-After of two minutes.
	DefaultMax429 = 5
	// DefaultRunTimeout bounds a fetch run: a keyless first backfill takes about 45 minutes.
	DefaultRunTimeout = 2 * time.Hour
)

// Load reads the configuration through getenv (os.Getenv in production, a map in tests) and
// returns every problem found at once, each naming its variable.
func Load(getenv func(string) string) (Config, error) {
	r := reader{getenv: getenv}
	c := Config{
		DatabaseURL:        r.str(envDatabaseURL, DefaultDatabaseURL),
		DatabaseSecretID:   r.str(envDatabaseSecretID, ""),
		Port:               r.intRange(envPort, 8080, 1, 65535),
		CronSecret:         strings.TrimSpace(getenv(envCronSecret)),
		CoinGeckoAPIKey:    strings.TrimSpace(getenv(envCoinGeckoAPIKey)),
		CoinGeckoPlan:      r.oneOf(envCoinGeckoPlan, "demo", "demo", "pro"),
		CoinGeckoBaseURL:   r.str(envCoinGeckoBaseURL, ""),
		CoinGeckoRateLimit: r.intRange(envCoinGeckoRateLimit, DefaultRateLimit, 0, 10000),
		CoinGeckoMax429:    r.intRange(envCoinGeckoMaxConsecutive429, DefaultMax429, 1, 1000),
		HistoryDays:        r.intRange(envHistoryDays, DemoHistoryDays, 1, 3650),
		FetchSchedule:      r.str(envFetchSchedule, DefaultSchedule),
		FetchOnStart:       r.boolean(envFetchOnStart, true),
		FetchRunTimeout:    r.duration(envFetchRunTimeout, DefaultRunTimeout, time.Minute, 48*time.Hour),
		LogLevel:           r.oneOf(envLogLevel, "info", "debug", "info", "warn", "error"),
		CDNMaxAge:          r.intRange(envCDNMaxAge, DefaultCDNMaxAge, 0, 86400),
		AuthUsername:       strings.TrimSpace(getenv(envAuthUsername)),
		AuthPasswordHash:   strings.TrimSpace(getenv(envAuthPasswordHash)),
		TrustedProxies:     r.prefixes(envTrustedProxies),
		MetricsToken:       strings.TrimSpace(getenv(envMetricsToken)),
	}
	if strings.TrimSpace(getenv(envCoinGeckoRateLimit)) == "" && c.CoinGeckoAPIKey == "" && c.CoinGeckoBaseURL == "" {
		c.CoinGeckoRateLimit = KeylessRateLimit
	}
	c.Coins = r.list(envCoins, DefaultCoins, domain.ValidCoinID, "CoinGecko coin ids such as bitcoin,avalanche-2")
	for _, code := range r.list(envCurrencies, DefaultCurrencies, domain.ValidCurrencyCode, "lower-case currency codes such as usd,eur") {
		name := strings.ToUpper(code)
		if f, ok := domain.CurrencyFactsOf(code); ok {
			name = f.Name
		}
		c.Currencies = append(c.Currencies, domain.Currency{Code: code, Name: name})
	}

	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || strings.TrimPrefix(u.Path, "/") == "" {
		r.fail(envDatabaseURL, "a postgres:// URL naming a database, like "+DefaultDatabaseURL)
	}
	if c.CoinGeckoBaseURL != "" {
		if u, err := url.Parse(c.CoinGeckoBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			r.fail(envCoinGeckoBaseURL, "an http:// or https:// URL, or nothing for the plan's CoinGecko host")
		}
	}
	if c.CoinGeckoRateLimit == 0 && c.CoinGeckoBaseURL == "" {
		r.fail(envCoinGeckoRateLimit, "a number of calls a minute from 1; 0 (no limit) only with COINGECKO_BASE_URL set, since CoinGecko itself enforces one")
	}
	if c.CoinGeckoPlan == "demo" && c.HistoryDays > DemoHistoryDays && c.CoinGeckoBaseURL == "" {
		r.fail(envHistoryDays, fmt.Sprintf("1 to %d on the demo plan, which answers nothing older", DemoHistoryDays))
	}
	if c.FetchSchedule != ScheduleOff {
		if _, err := cron.ParseStandard(c.FetchSchedule); err != nil {
			r.fail(envFetchSchedule, `a five-field cron expression in UTC such as "0 2 * * *", or "off"`)
		}
	}
	// Secret managers often append a newline; trimming keeps such a secret usable, and one of
	// only spaces must not quietly open the endpoint.
	if raw := getenv(envCronSecret); raw != "" && c.CronSecret == "" {
		r.fail(envCronSecret, "a token of visible characters, or nothing to disable the cron endpoint")
	}
	if c.CronSecret != "" && len(c.CronSecret) < 16 {
		r.fail(envCronSecret, "a token of at least 16 characters (e.g. `openssl rand -hex 32`)")
	}
	if (c.AuthUsername == "") != (c.AuthPasswordHash == "") {
		r.fail(envAuthUsername, "set together with AUTH_PASSWORD_HASH (a bcrypt hash), or neither for a public dashboard")
	}
	if c.AuthPasswordHash != "" && !strings.HasPrefix(c.AuthPasswordHash, "$2") {
		r.fail(envAuthPasswordHash, "a bcrypt hash ($2a$/$2b$...), never the password itself; make one with `cryptodash hash-password`")
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		r.fail(envMetricsToken, "a token of at least 16 characters (e.g. `openssl rand -hex 32`), or nothing")
	}
	return c, errors.Join(r.errs...)
}

// AuthEnabled reports whether the dashboard requires a login.
func (c Config) AuthEnabled() bool { return c.AuthUsername != "" }

// String prints the configuration on one line for logs, with every secret masked.
func (c Config) String() string { return strings.Join(c.Pairs(), " ") }

// Pairs lists the configuration as NAME=value items with every secret masked.
func (c Config) Pairs() []string {
	codes := make([]string, len(c.Currencies))
	for i, cur := range c.Currencies {
		codes[i] = cur.Code
	}
	return []string{
		envDatabaseURL + "=" + redactURL(c.DatabaseURL),
		envDatabaseSecretID + "=" + c.DatabaseSecretID,
		envPort + "=" + strconv.Itoa(c.Port),
		envCronSecret + "=" + mask(c.CronSecret),
		envCoinGeckoAPIKey + "=" + mask(c.CoinGeckoAPIKey),
		envCoinGeckoPlan + "=" + c.CoinGeckoPlan,
		envCoinGeckoBaseURL + "=" + c.CoinGeckoBaseURL,
		envCoinGeckoRateLimit + "=" + strconv.Itoa(c.CoinGeckoRateLimit),
		envCoinGeckoMaxConsecutive429 + "=" + strconv.Itoa(c.CoinGeckoMax429),
		envCoins + "=" + strings.Join(c.Coins, ","),
		envCurrencies + "=" + strings.Join(codes, ","),
		envHistoryDays + "=" + strconv.Itoa(c.HistoryDays),
		envFetchSchedule + "=" + strconv.Quote(c.FetchSchedule),
		envFetchOnStart + "=" + strconv.FormatBool(c.FetchOnStart),
		envFetchRunTimeout + "=" + c.FetchRunTimeout.String(),
		envLogLevel + "=" + c.LogLevel,
		envCDNMaxAge + "=" + strconv.Itoa(c.CDNMaxAge),
		envAuthUsername + "=" + c.AuthUsername,
		envAuthPasswordHash + "=" + mask(c.AuthPasswordHash),
		envTrustedProxies + "=" + joinPrefixes(c.TrustedProxies),
		envMetricsToken + "=" + mask(c.MetricsToken),
	}
}

func joinPrefixes(ps []netip.Prefix) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return strings.Join(out, ",")
}

func mask(secret string) string {
	if secret == "" {
		return "(unset)"
	}
	return "(set)"
}

// redactURL hides every secret a database URL can carry: the password of its user part and
// the value of every query parameter that names one (password, sslpassword, and the like),
// since libpq and pgx read a password from the query as readily as from the user part.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(invalid)"
	}
	q := u.Query()
	for key := range q {
		if k := strings.ToLower(key); strings.Contains(k, "pass") || strings.Contains(k, "secret") || strings.Contains(k, "token") {
			q[key] = []string{"xxxxx"}
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}

// reader collects every bad value instead of stopping at the first, so one start tells the
// operator everything to fix.
type reader struct {
	getenv func(string) string
	errs   []error
}

func (r *reader) fail(name, accepts string) {
	r.errs = append(r.errs, fmt.Errorf("%s: accepts %s", name, accepts))
}

func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

func (r *reader) intRange(name string, def, lo, hi int) int {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.fail(name, fmt.Sprintf("a whole number from %d to %d, got %q", lo, hi, v))
		return def
	}
	return n
}

func (r *reader) duration(name string, def, lo, hi time.Duration) time.Duration {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		r.fail(name, fmt.Sprintf("a duration from %s to %s such as 2h or 90m, got %q", lo, hi, v))
		return def
	}
	return d
}

func (r *reader) boolean(name string, def bool) bool {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, fmt.Sprintf("true or false, got %q", v))
		return def
	}
	return b
}

func (r *reader) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(strings.TrimSpace(r.getenv(name)))
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(name, fmt.Sprintf("one of %s, got %q", strings.Join(allowed, ", "), v))
	return def
}

// prefixes reads a comma-separated list of CIDR blocks; a bare address is its own block.
func (r *reader) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, item := range strings.Split(r.getenv(name), ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			a, aerr := netip.ParseAddr(item)
			if aerr != nil || a.Zone() != "" {
				r.fail(name, fmt.Sprintf("a comma-separated list of CIDR blocks such as 10.0.0.0/16; %q is not one", item))
				continue
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out
}

func (r *reader) list(name, def string, valid func(string) bool, accepts string) []string {
	raw := r.str(name, def)
	var out []string
	seen := map[string]bool{}
	for _, item := range strings.Split(raw, ",") {
		item = strings.ToLower(strings.TrimSpace(item))
		if item == "" || seen[item] {
			continue
		}
		if !valid(item) {
			r.fail(name, fmt.Sprintf("a comma-separated list of %s; %q is not one", accepts, item))
			continue
		}
		seen[item] = true
		out = append(out, item)
	}
	if len(out) == 0 {
		r.fail(name, "a comma-separated list of "+accepts+", at least one")
	}
	return out
}
