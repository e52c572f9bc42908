package web

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/cryptodash/cryptodash/internal/precompress"
)

// DefaultCacheBytes is the memory the answer cache may hold when Deps.CacheBytes is zero: a
// few hundred pages and API answers in their three codings, well inside a 1 GB task.
const DefaultCacheBytes = 32 << 20

// entryOverhead is what an entry costs beyond its key and body (the list element, the map
// slot, the answer struct and its header map), counted so that a flood of tiny answers is
// bounded too.
const entryOverhead = 512

// answer is a rendered response in one coding, as the handler made it: stored once, written
// to every request of its key.
type answer struct {
	status int
	// header holds what the handler set (Content-Type, Content-Disposition, HX-Push-Url);
	// cache headers, Vary and Content-Encoding are the middleware's own.
	header   http.Header
	body     []byte
	encoding precompress.Encoding
	size     int64
	// streamed says the handler wrote the answer to its client as it made it (see stream):
	// nothing is held, and a request that shared its making must make its own.
	streamed bool
}

// storable says whether an answer may be kept for its key. A 5xx says something went wrong
// this time, so it is never kept. A 4xx that a handler rendered (a dashboard with a bad
// parameter and its messages, an unknown coin's card) is a function of the URL and the data
// version like a 200, so it is kept under the same key and dies with that version; errors
// a handler returns go to the error handler and are never kept, nor is an answer that was
// streamed, since none of it was held, nor one the handler marked transient.
func (a *answer) storable() bool {
	return a.status < http.StatusInternalServerError && !a.streamed && !a.transient()
}

// transient says whether the handler marked its answer no-store: one that follows something
// other than the data version, such as the empty dashboard that reports a first run's
// progress. It is made for every request and never handed to a CDN or answered with a 304.
func (a *answer) transient() bool {
	return strings.Contains(a.header.Get(echo.HeaderCacheControl), "no-store")
}

// answerCache holds answers in memory under a byte budget, least recently used first out.
// Every key names a data version, and nothing of an older version can be asked for again, so
// a new version empties the cache at once rather than waiting for eviction.
type answerCache struct {
	flight singleflight.Group

	mu      sync.Mutex
	lru     *simplelru.LRU[string, *answer]
	bytes   int64
	budget  int64
	version int64

	hits, misses prometheus.Counter
	held         prometheus.Gauge
}

func newAnswerCache(budget int64, reg *prometheus.Registry) *answerCache {
	ac := &answerCache{budget: budget}
	// The budget in bytes is the bound; the entry count is left unbounded.
	lru, err := simplelru.NewLRU(math.MaxInt, func(_ string, a *answer) { ac.bytes -= a.size })
	if err != nil {
		panic("web: answer cache: " + err.Error())
	}
	ac.lru = lru
	requests := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cryptodash_answer_cache_requests_total",
		Help: "Cacheable reads, by whether the rendered answer was in memory (hit) or had to be made (miss).",
	}, []string{"result"}))
	ac.hits, ac.misses = requests.WithLabelValues("hit"), requests.WithLabelValues("miss")
	ac.held = register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "cryptodash_answer_cache_bytes",
		Help: "Memory held by rendered answers, counted as their keys, bodies and a fixed overhead each.",
	}))
	return ac
}

// get returns the answer of key, making it with make on a miss. Concurrent misses of one key
// make it once and share the result. An answer is kept when it may be (see storable) and
// when it is at most an eighth of the budget, so one huge CSV cannot flush everything else.
func (ac *answerCache) get(key string, version int64, make func() (*answer, error)) (*answer, error) {
	ac.mu.Lock()
	if version > ac.version {
		ac.version = version
		ac.lru.Purge()
		ac.held.Set(float64(ac.bytes))
	}
	a, ok := ac.lru.Get(key)
	ac.mu.Unlock()
	if ok {
		ac.hits.Inc()
		return a, nil
	}
	ac.misses.Inc()
	ran := false
	v, err, _ := ac.flight.Do(key, func() (any, error) {
		ran = true
		a, err := make()
		if err != nil {
			return nil, err
		}
		a.size = int64(len(key)+len(a.body)) + entryOverhead
		if a.storable() && a.size <= ac.budget/8 {
			ac.put(key, version, a)
		}
		return a, nil
	})
	if err != nil {
		return nil, err
	}
	if a := v.(*answer); a.streamed && !ran {
		return make()
	}
	return v.(*answer), nil
}

func (ac *answerCache) put(key string, version int64, a *answer) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if version != ac.version {
		// The version moved while this was made; no request can ask for it any more.
		return
	}
	// Add replaces an entry without telling the eviction callback; Remove tells it.
	ac.lru.Remove(key)
	ac.lru.Add(key, a)
	ac.bytes += a.size
	for ac.bytes > ac.budget {
		ac.lru.RemoveOldest()
	}
	ac.held.Set(float64(ac.bytes))
}

// recorder captures what a handler writes, so it can be stored and then sent. A handler whose
// answer is too large to hold writes it to the client instead, through open (see stream).
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	// open sends the headers and returns the writer of the body, coded as the client accepts;
	// nil when the answer cannot go straight to the client.
	open     func(header http.Header) (io.WriteCloser, error)
	streamed bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// render runs the handler into a recorder instead of the connection and returns what it
// wrote. The request's context loses its cancellation but keeps its deadline: concurrent
// requests of the same key wait for this render, and a client that hangs up must not fail
// theirs, while a database that stops answering must not hold them all past the deadline.
// open, when not nil, lets the handler send an answer too large to hold straight to the
// client instead (see stream); it gets the connection's writer and the handler's headers.
func render(c echo.Context, next echo.HandlerFunc, open func(w http.ResponseWriter, header http.Header) (io.WriteCloser, error)) (*answer, error) {
	res := c.Response()
	req := c.Request()
	orig := res.Writer
	rec := &recorder{header: http.Header{}}
	if open != nil {
		rec.open = func(header http.Header) (io.WriteCloser, error) {
			rec.streamed = true
			return open(orig, header)
		}
	}
	res.Writer = rec
	ctx := context.WithoutCancel(req.Context())
	if deadline, ok := req.Context().Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	c.SetRequest(req.WithContext(ctx))
	// Deferred, so that a panic on its way to the recoverer leaves the connection's writer
	// in place for the error page. A streamed answer has its headers sent: nothing else may
	// be written after it, an error page least of all.
	defer func() {
		c.SetRequest(req)
		res.Writer, res.Committed, res.Status, res.Size = orig, rec.streamed, http.StatusOK, 0
	}()
	if err := next(c); err != nil {
		return nil, err
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return &answer{status: rec.status, header: rec.header, body: rec.body.Bytes(), streamed: rec.streamed}, nil
}

// streamRows is the size past which a handler writes a list answer to its client as it
// encodes it (see stream) instead of whole into memory: 10,000 rows is some 850 KB of JSON,
// and 92 days of hourly prices for every series, 100,000 rows, took tens of megabytes per
// request to hold in its three forms (rows, encoded, compressed).
const streamRows = 10_000

// stream writes a 200 answer of contentType with write, straight to the client when the
// cache lets it (the answer is then not kept) and into the response otherwise.
func stream(c echo.Context, contentType string, write func(io.Writer) error) error {
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, contentType)
	rec, ok := res.Writer.(*recorder)
	if !ok || rec.open == nil {
		res.WriteHeader(http.StatusOK)
		return write(res)
	}
	w, err := rec.open(rec.header)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return w.Close()
}

// encode returns a's body in coding e, or a itself when it is too small to gain.
func (a *answer) encode(e precompress.Encoding) (*answer, error) {
	if e == precompress.Identity || len(a.body) < precompress.MinSize {
		return a, nil
	}
	body, err := precompress.Compress(e, a.body, precompress.Fast)
	if err != nil {
		return nil, err
	}
	// The compressor's buffer is sized for a third of the body, and an answer of repeated
	// rows compresses to a tenth: kept as it is, the cache would hold up to three times the
	// bytes it counts against its budget.
	if cap(body) > len(body)+len(body)/4 {
		body = bytes.Clone(body)
	}
	return &answer{status: a.status, header: a.header, body: body, encoding: e}, nil
}

// answerKey names everything an answer depends on: the coding, the data version, the hour
// (pages say "today is partial", and an empty database anchors ranges on the current hour),
// the path as sent, and the query as the handlers read it. Handlers see the query only
// parsed, as url.Values, whose Encode sorts the keys and keeps each key's values in order,
// so two requests with the same key ask the same question; two URLs that differ only in the
// order of their parameters share one answer. The build and the configuration are the
// process's own and so the cache's: they need no place in the key.
func answerKey(c echo.Context, version int64, hour time.Time, e precompress.Encoding) string {
	req := c.Request()
	var b strings.Builder
	b.WriteString(string(e))
	b.WriteByte(' ')
	b.WriteString(strconv.FormatInt(version, 10))
	b.WriteByte(' ')
	b.WriteString(strconv.FormatInt(hour.Unix(), 10))
	b.WriteByte(' ')
	b.WriteString(req.URL.EscapedPath())
	b.WriteByte('?')
	b.WriteString(c.QueryParams().Encode())
	return b.String()
}
