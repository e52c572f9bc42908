package simulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"
)

// Faults are the failures the simulator injects, switchable while it runs. Counters are
// consumed one API call at a time; the rest hold until changed.
type Faults struct {
	// Fail429 answers the next N API calls with 429 and a CoinGecko rate-limit body.
	Fail429 int
	// RetryAfterSeconds goes into those 429s' Retry-After header; 0 leaves the header out.
	RetryAfterSeconds int
	// Fail503HTML answers the next N API calls with a Cloudflare-like HTML 503.
	Fail503HTML int
	// HTMLOK answers the next N API calls with 200 and an HTML challenge page.
	HTMLOK int
	// NullPrices turns about one price in ten into null.
	NullPrices bool
	// Slow delays every API answer on top of Options.Latency.
	Slow time.Duration
	// UnknownIDs vanish from /coins/list and answer 404, as renamed coins do.
	UnknownIDs []string
	// FailSeries names series such as "solana/eur" whose market chart always answers 500.
	FailSeries []string
	// Corrupt names series such as "bitcoin/usd" whose market charts come back corrupted,
	// each in its own way.
	Corrupt map[string]Corruption
	// HugeBody, when above zero, answers every market chart with 200 and a non-JSON body of
	// that many bytes, as a misbehaving proxy or CDN might.
	HugeBody int
	// HostileNames lists every coin in /coins/list with a NUL and a control character in its
	// symbol and a name of 64 KB, as a broken or hostile listing might.
	HostileNames bool
}

// Corruption is a way a market chart can come back wrong while still being valid JSON.
type Corruption string

// The corruptions the simulator can apply to a series.
const (
	// CorruptFuture adds a point a month after the range asked for.
	CorruptFuture Corruption = "future"
	// CorruptHugePrice turns one price into 1e200.
	CorruptHugePrice Corruption = "huge-price"
	// CorruptSeconds writes every timestamp in seconds instead of milliseconds.
	CorruptSeconds Corruption = "seconds"
)

// SetFaults replaces the injected faults.
func (s *Simulator) SetFaults(f Faults) {
	f.UnknownIDs = slices.Clone(f.UnknownIDs)
	f.FailSeries = slices.Clone(f.FailSeries)
	f.Corrupt = maps.Clone(f.Corrupt)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Faults returns the faults in force, with counters as far as they have been consumed.
func (s *Simulator) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	f.UnknownIDs = slices.Clone(f.UnknownIDs)
	f.FailSeries = slices.Clone(f.FailSeries)
	f.Corrupt = maps.Clone(f.Corrupt)
	return f
}

// faultsJSON is the control endpoint's format; Slow is a Go duration string ("2s") so that a
// demo can steer the simulator with a one-line curl.
type faultsJSON struct {
	Fail429           int                   `json:"fail429"`
	RetryAfterSeconds int                   `json:"retryAfterSeconds"`
	Fail503HTML       int                   `json:"fail503HTML"`
	HTMLOK            int                   `json:"htmlOK"`
	NullPrices        bool                  `json:"nullPrices"`
	Slow              string                `json:"slow,omitempty"`
	UnknownIDs        []string              `json:"unknownIDs"`
	FailSeries        []string              `json:"failSeries"`
	Corrupt           map[string]Corruption `json:"corrupt,omitempty"`
	HugeBody          int                   `json:"hugeBody,omitempty"`
}

func (s *Simulator) serveFaults(w http.ResponseWriter, _ *http.Request) {
	f := s.Faults()
	out := faultsJSON{
		Fail429: f.Fail429, RetryAfterSeconds: f.RetryAfterSeconds, Fail503HTML: f.Fail503HTML,
		HTMLOK: f.HTMLOK, NullPrices: f.NullPrices, UnknownIDs: f.UnknownIDs, FailSeries: f.FailSeries,
		Corrupt: f.Corrupt, HugeBody: f.HugeBody,
	}
	if f.Slow > 0 {
		out.Slow = f.Slow.String()
	}
	writeJSON(w, http.StatusOK, out)
}

// serveSetFaults replaces all faults with the posted ones; fields left out are cleared, so a
// POST of {} heals the simulator.
func (s *Simulator) serveSetFaults(w http.ResponseWriter, r *http.Request) {
	var in faultsJSON
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	f := Faults{
		Fail429: in.Fail429, RetryAfterSeconds: in.RetryAfterSeconds, Fail503HTML: in.Fail503HTML,
		HTMLOK: in.HTMLOK, NullPrices: in.NullPrices, UnknownIDs: in.UnknownIDs, FailSeries: in.FailSeries,
		Corrupt: in.Corrupt, HugeBody: in.HugeBody,
	}
	for series, c := range in.Corrupt {
		if c != CorruptFuture && c != CorruptHugePrice && c != CorruptSeconds {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("corrupt %s: %q is not one of %q, %q, %q",
				series, c, CorruptFuture, CorruptHugePrice, CorruptSeconds)})
			return
		}
	}
	if in.HugeBody < 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "hugeBody must be a number of bytes"})
		return
	}
	if in.Slow != "" {
		d, err := time.ParseDuration(in.Slow)
		if err != nil || d < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "slow must be a duration such as 2s"})
			return
		}
		f.Slow = d
	}
	s.SetFaults(f)
	s.serveFaults(w, r)
}
